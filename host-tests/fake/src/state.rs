//! The fake workspace as one [`State`]: the clock, ids, the admin, data attributes and the
//! search index's lag and cursor rules, holding every resource. Each resource's record and rules
//! live with its routes (`contacts/state.rs`, `companies/state.rs`, `conversations/state.rs`,
//! `tags/state.rs`, `tickets.rs`) as `impl State` blocks; the records are re-exported here.
//! Objects are stored as the JSON maps the API returns (shapes from the spec examples) plus the
//! relations kept aside (applied tags, attached companies, parts), and are rendered on every read
//! so nested lists and counts are always consistent.
//!
//! Everything here is `pub` so tests can reach in through `FakeIntercom::with_state`.

use super::errors::ApiError;
use super::search::FieldKind;
use super::util::id_str;
use serde_json::{json, Map, Value};

pub use crate::companies::state::{company_plan, Company, Scroll, SCROLL_IDLE_SECS};
pub use crate::contacts::state::{
    contact_field_kind, refresh_contact_derived, Contact, ContactStatus, CONTACT_WRITABLE,
};
pub use crate::conversations::state::{conversation_field_kind, Conversation};
pub use crate::tags::state::{AppliedTag, Tag};

pub const APP_ID_CODE: &str = "fk4ke1nt";
pub const ADMIN_ID: &str = "991267459";

/// Default search indexing lag: Intercom's docs ("Search contacts", "Contact creation delay")
/// say a recently created contact "may not appear in the response. This delay can take a few
/// minutes." Each record here appears between half and all of it after its last change; that
/// updates lag too, and conversation search alike, is a guess (API-NOTES.md: "treat updates and
/// conversation search the same way unless a source says otherwise").
pub const DEFAULT_SEARCH_LAG_SECS: i64 = 180;

/// How long a search `starting_after` stays usable. Intercom documents the 400 `client_error`
/// "Invalid starting_after param" (OpenAPI 2.16 error examples) but no lifetime: five minutes is
/// a guess, kept short so a poller that resumes a read polls later must cope with it.
pub const DEFAULT_SEARCH_CURSOR_TTL_SECS: i64 = 300;

/// The most parts `GET /conversations/{id}` returns: OpenAPI 2.16, "Retrieve a conversation",
/// "Hard limit of 500 parts": "The maximum number of conversation parts that can be returned via
/// the API is 500. If you have more than that we will return the 500 most recent conversation
/// parts." The spec offers no way to page through the rest, so neither does the fake.
/// `conversation_parts.total_count` stays the conversation's whole count (a guess: the spec only
/// shows it equal to the list's length).
pub const MAX_CONVERSATION_PARTS: usize = 500;

pub struct State {
    /// The fake clock (unix seconds); every timestamp the fake assigns comes from here.
    pub now: i64,
    /// Workspace timezone as an offset from UTC, used for day-truncated contact search (0 = UTC,
    /// matching `app.timezone`).
    pub utc_offset_secs: i64,
    pub app: Value,
    pub admins: Vec<Value>,
    /// `GET /teams` (none until a test adds some).
    pub teams: Vec<Value>,
    pub contacts: Vec<Contact>,
    pub companies: Vec<Company>,
    pub tags: Vec<Tag>,
    pub conversations: Vec<Conversation>,
    pub tickets: Vec<super::tickets::Ticket>,
    /// `GET /ticket_types` (seeded, see `tickets::seed_types`); `_state_ids` names each
    /// type's states.
    pub ticket_types: Vec<Value>,
    /// `GET /ticket_states`.
    pub ticket_states: Vec<Value>,
    pub notes: Vec<Value>,
    pub events: Vec<Value>,
    pub data_attributes: Vec<Value>,
    pub scroll: Option<Scroll>,
    /// Companies per `GET /companies/scroll` page.
    pub scroll_page_size: usize,
    /// Search lag: a contact or conversation changed (or created) less than its own delay ago
    /// (fake clock; between half and all of this, per record) is not yet visible to search, like
    /// Intercom's index lagging behind writes. 0 = none. See [`DEFAULT_SEARCH_LAG_SECS`].
    pub search_lag_secs: i64,
    /// Seconds a search `starting_after` stays valid ([`DEFAULT_SEARCH_CURSOR_TTL_SECS`]).
    pub search_cursor_ttl_secs: i64,
    /// Company id → index in `companies`, so 50,000-company workspaces answer fast.
    pub(crate) company_index: std::collections::HashMap<String, usize>,
    /// Tokens accepted besides [`TOKEN`](super::TOKEN), e.g. a recognisable one for leak tests.
    pub extra_tokens: Vec<String>,
    pub(crate) seq: u64,
}

fn builtin_attr(
    model: &str,
    name: &str,
    full_name: &str,
    label: &str,
    data_type: &str,
    api_writable: bool,
) -> Value {
    json!({
        "type": "data_attribute", "name": name, "full_name": full_name, "label": label,
        "description": label, "data_type": data_type, "api_writable": api_writable,
        "ui_writable": api_writable, "messenger_writable": false, "custom": false,
        "archived": false, "model": model
    })
}

fn builtin_data_attributes() -> Vec<Value> {
    let c = |n: &str, l: &str, t: &str, w: bool| builtin_attr("contact", n, n, l, t, w);
    let co = |n: &str, f: &str, l: &str, t: &str, w: bool| builtin_attr("company", n, f, l, t, w);
    vec![
        c("name", "Name", "string", true),
        c("email", "Email", "string", true),
        c("phone", "Phone", "string", true),
        c("external_id", "User ID", "string", true),
        c("role", "Role", "string", false),
        c("avatar", "Avatar", "string", true),
        c("owner_id", "Owner", "string", true),
        c("created_at", "Signed up", "date", false),
        c("signed_up_at", "Signed up at", "date", true),
        c("last_seen_at", "Last seen", "date", true),
        c(
            "unsubscribed_from_emails",
            "Unsubscribed from emails",
            "boolean",
            true,
        ),
        c("language_override", "Language override", "string", true),
        co("name", "name", "Company name", "string", true),
        co("company_id", "company_id", "Company ID", "string", false),
        co(
            "last_request_at",
            "last_request_at",
            "Company last seen",
            "date",
            false,
        ),
        co(
            "remote_created_at",
            "remote_created_at",
            "Company created at",
            "date",
            true,
        ),
        co("user_count", "user_count", "People", "integer", false),
        co(
            "session_count",
            "session_count",
            "Company web sessions",
            "integer",
            false,
        ),
        co("name", "plan.name", "Plan", "string", true),
        co(
            "monthly_spend",
            "monthly_spend",
            "Monthly Spend",
            "float",
            true,
        ),
        co("size", "size", "Company size", "integer", true),
        co("industry", "industry", "Company industry", "string", true),
        co("website", "website", "Company website", "string", true),
        co("id", "id", "ID", "string", false),
        co("created_at", "created_at", "Created at", "date", false),
        co("updated_at", "updated_at", "Updated at", "date", false),
    ]
}

impl State {
    pub fn new(now: i64) -> State {
        let admin = json!({
            "type": "admin", "id": ADMIN_ID, "name": "Fake Admin",
            "email": "admin@fake-intercom.test", "email_verified": true,
            "away_mode_enabled": false, "away_mode_reassign": false,
            "has_inbox_seat": true, "team_ids": []
        });
        State {
            now,
            utc_offset_secs: 0,
            app: json!({
                "type": "app", "id_code": APP_ID_CODE, "name": "Fake Workspace",
                "created_at": now - 400 * 86_400, "secure": false,
                "identity_verification": false, "timezone": "Etc/UTC", "region": "US"
            }),
            admins: vec![admin],
            teams: Vec::new(),
            contacts: Vec::new(),
            companies: Vec::new(),
            tags: Vec::new(),
            conversations: Vec::new(),
            tickets: Vec::new(),
            ticket_types: super::tickets::seed_types(),
            ticket_states: super::tickets::seed_states(),
            notes: Vec::new(),
            events: Vec::new(),
            data_attributes: builtin_data_attributes(),
            scroll: None,
            scroll_page_size: 50,
            search_lag_secs: DEFAULT_SEARCH_LAG_SECS,
            search_cursor_ttl_secs: DEFAULT_SEARCH_CURSOR_TTL_SECS,
            company_index: Default::default(),
            seq: 0,
            extra_tokens: Vec::new(),
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Mongo-ObjectId-like 24-hex id: clock seconds + a per-kind marker + a sequence number.
    pub fn new_hex_id(&mut self, marker: u32) -> String {
        let seq = self.next_seq();
        format!("{:08x}{:08x}{:08x}", self.now as u32, marker, seq as u32)
    }

    /// Numeric string ids (tags, conversations, notes, parts, messages), unique per workspace.
    pub fn new_numeric_id(&mut self, base: u64) -> String {
        (base + self.next_seq()).to_string()
    }

    // --- admins -----------------------------------------------------------------------------

    pub fn admin(&self, id: &str) -> Option<&Value> {
        self.admins.iter().find(|a| a["id"].as_str() == Some(id))
    }

    /// The admin owning the access token (`GET /me`).
    pub fn me(&self) -> Value {
        let mut a = self.admins[0].clone();
        a["app"] = self.app.clone();
        a["avatar"] = json!({"type": "avatar", "image_url": "https://static.intercomassets.com/assets/default-avatars/admins/128.png"});
        a
    }

    /// `{type:"admin", id, name, email}` as used for authors.
    pub fn admin_author(&self, id: &str) -> Value {
        let a = self.admin(id).cloned().unwrap_or(Value::Null);
        json!({"type": "admin", "id": id, "name": a["name"], "email": a["email"]})
    }

    /// Resolves an optional `admin_id` from a body: default = the token's admin, unknown → 404.
    pub fn resolve_admin(
        &self,
        v: Option<&Value>,
        not_found: ApiError,
    ) -> Result<String, ApiError> {
        match v.filter(|v| !v.is_null()) {
            None => Ok(ADMIN_ID.to_string()),
            Some(v) => {
                let id = id_str(Some(v))
                    .ok_or_else(|| ApiError::parameter_invalid("admin_id must be a string"))?;
                if self.admin(&id).is_some() {
                    Ok(id)
                } else {
                    Err(not_found)
                }
            }
        }
    }

    // --- data attributes ----------------------------------------------------------------------

    /// Registers a custom data attribute (`custom_attributes.<name>`) for `model` (contact|company).
    /// `data_type`: string|integer|float|boolean|date. Returns the attribute (existing one if any).
    pub fn add_data_attribute(&mut self, model: &str, name: &str, data_type: &str) -> Value {
        if let Some(a) = self.custom_attribute(model, name) {
            return a.clone();
        }
        let id = self.next_seq() + 12_000;
        let attr = json!({
            "type": "data_attribute", "id": id, "model": model, "name": name,
            "full_name": format!("custom_attributes.{name}"), "label": name, "description": "",
            "data_type": data_type, "options": [], "api_writable": true, "ui_writable": true,
            "messenger_writable": false, "custom": true, "archived": false,
            "created_at": self.now, "updated_at": self.now, "admin_id": ADMIN_ID
        });
        self.data_attributes.push(attr.clone());
        attr
    }

    pub fn custom_attribute(&self, model: &str, name: &str) -> Option<&Value> {
        self.data_attributes.iter().find(|a| {
            a["custom"] == json!(true)
                && a["model"].as_str() == Some(model)
                && a["name"].as_str() == Some(name)
        })
    }

    /// Rejects unknown (or archived) custom attribute keys like the v2 REST API does.
    pub fn check_custom_attributes(&self, model: &str, v: Option<&Value>) -> Result<(), ApiError> {
        match v {
            None | Some(Value::Null) => Ok(()),
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let a = match self.custom_attribute(model, k) {
                        Some(a) if a["archived"] != json!(true) => a,
                        _ => return Err(ApiError::unknown_custom_attribute(k)),
                    };
                    // List attributes only take one of their predefined options.
                    let options = a["options"].as_array().map(Vec::as_slice).unwrap_or(&[]);
                    let allowed = options.iter().any(|o| o == v || o.get("value") == Some(v));
                    if !options.is_empty() && !v.is_null() && !allowed {
                        return Err(ApiError::parameter_invalid(format!(
                            "'{v}' is not a valid option for custom attribute '{k}'"
                        )));
                    }
                }
                Ok(())
            }
            Some(_) => Err(ApiError::parameter_invalid(
                "custom_attributes must be an object",
            )),
        }
    }

    /// Seeding helper: registers custom attributes found in seeded data, inferring the type.
    pub(crate) fn register_seeded_attributes(&mut self, model: &str, v: Option<&Value>) {
        if let Some(Value::Object(m)) = v {
            for (k, val) in m.clone() {
                let t = match val {
                    Value::Bool(_) => "boolean",
                    Value::Number(n) if n.is_f64() => "float",
                    Value::Number(_) => "integer",
                    _ => "string",
                };
                self.add_data_attribute(model, &k, t);
            }
        }
    }

    fn field_kind_for(
        &self,
        model: &str,
        field: &str,
        base: fn(&str) -> Option<FieldKind>,
    ) -> Option<FieldKind> {
        if let Some(name) = field.strip_prefix("custom_attributes.") {
            let a = self.custom_attribute(model, name)?;
            return Some(match a["data_type"].as_str() {
                Some("integer") | Some("float") => FieldKind::Integer,
                Some("boolean") => FieldKind::Boolean,
                Some("date") => FieldKind::Date,
                _ => FieldKind::String,
            });
        }
        base(field)
    }

    pub fn contact_search_kind(&self, field: &str) -> Option<FieldKind> {
        self.field_kind_for("contact", field, contact_field_kind)
    }

    pub fn conversation_search_kind(&self, field: &str) -> Option<FieldKind> {
        if field.starts_with("custom_attributes.") {
            return Some(FieldKind::String);
        }
        conversation_field_kind(field)
    }

    /// Whether search has indexed the record `id` as last changed at `changed_at` (see
    /// [`State::search_lag_secs`]): each record and change gets its own delay.
    pub fn indexed_at(&self, id: &str, changed_at: i64) -> bool {
        let lag = self.search_lag_secs;
        if lag <= 0 {
            return true;
        }
        let mut h = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&(id, changed_at), &mut h);
        let delay = lag / 2 + (std::hash::Hasher::finish(&h) % (lag - lag / 2 + 1) as u64) as i64;
        self.now >= changed_at + delay
    }

    fn changed_at(fields: &Map<String, Value>) -> i64 {
        ["created_at", "updated_at"]
            .iter()
            .filter_map(|k| fields.get(*k).and_then(Value::as_i64))
            .max()
            .unwrap_or(0)
    }

    /// The clock search cursors are issued and checked with.
    pub fn search_clock(&self) -> super::search::Clock {
        super::search::Clock {
            now: self.now,
            ttl: self.search_cursor_ttl_secs,
        }
    }

    /// Whether search has indexed `c` as it is now.
    pub fn indexed(&self, c: &Contact) -> bool {
        self.indexed_at(c.id(), Self::changed_at(&c.fields))
    }

    /// Whether conversation search has indexed `c` as it is now.
    pub fn conversation_indexed(&self, c: &Conversation) -> bool {
        self.indexed_at(c.id(), Self::changed_at(&c.fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contact_defaults_and_nested_lists() {
        let mut s = State::new(1_700_000_000);
        let i = s.seed_contact(
            &json!({"email": "a@b.com", "custom_attributes": {"plan": "pro", "seats": 3}}),
        );
        let c = s.contacts[i].clone();
        assert_eq!(c.id().len(), 24);
        let tag = s.create_or_get_tag("VIP");
        assert_eq!(s.create_or_get_tag("vip"), tag);
        assert!(s.apply_tag_to_contact(c.id(), &tag, 5, None));
        assert!(!s.apply_tag_to_contact(c.id(), &tag, 6, None));
        let r = s.render_contact(s.find_contact(c.id()).unwrap());
        assert_eq!(r["role"], "user");
        assert_eq!(r["email_domain"], "b.com");
        assert_eq!(r["tags"]["total_count"], 1);
        assert_eq!(r["tags"]["data"][0]["url"], format!("/tags/{tag}"));
        assert_eq!(r["tags"]["url"], format!("/contacts/{}/tags", c.id()));
        assert_eq!(s.contact_tag(c.id(), &tag).unwrap()["applied_at"], 5);
        assert_eq!(
            s.custom_attribute("contact", "seats").unwrap()["data_type"],
            "integer"
        );
        assert!(s
            .check_custom_attributes("contact", Some(&json!({"plan": "x"})))
            .is_ok());
        let e = s
            .check_custom_attributes("contact", Some(&json!({"nope": 1})))
            .unwrap_err();
        assert_eq!(e.message, "Custom attribute 'nope' does not exist");
    }

    #[test]
    fn conversation_lifecycle() {
        let mut s = State::new(1_700_000_000);
        let i = s.seed_contact(&json!({"email": "a@b.com"}));
        let cid = s.contacts[i].id().to_string();
        let (conv, _) = s.start_conversation(&cid, "Hi there", None, None);
        s.now += 100;
        assert!(s.close_conversation(&conv, ADMIN_ID, Some("bye")));
        let c = s.render_conversation(s.conversation(&conv).unwrap(), true);
        assert_eq!(c["state"], "closed");
        assert_eq!(c["open"], false);
        assert_eq!(c["statistics"]["last_close_at"], 1_700_000_100);
        assert_eq!(c["updated_at"], 1_700_000_100);
        assert_eq!(
            c["conversation_parts"]["conversation_parts"][0]["part_type"],
            "close"
        );
        assert_eq!(c["source"]["author"]["type"], "user");
        s.now += 50;
        assert!(s.open_conversation(&conv, ADMIN_ID));
        s.now += 50;
        assert!(s.close_conversation(&conv, ADMIN_ID, None));
        let c = s.render_conversation(s.conversation(&conv).unwrap(), false);
        assert_eq!(c["statistics"]["first_close_at"], 1_700_000_100);
        assert_eq!(c["statistics"]["last_close_at"], 1_700_000_200);
        assert_eq!(c["statistics"]["count_reopens"], 1);
        assert!(c.get("conversation_parts").is_none());
    }
}
