//! The fake workspace: contacts, companies, tags, conversations, notes, events, data attributes,
//! the admin and the clock. Objects are stored as the JSON maps the API returns (shapes from the
//! spec examples) plus the relations kept aside (applied tags, attached companies, parts), and are
//! rendered on every read so nested lists and counts are always consistent.
//!
//! Everything here is `pub` so tests can reach in through `FakeIntercom::with_state`.

use super::errors::ApiError;
use super::search::FieldKind;
use super::util::{html_body, id_str};
use serde_json::{json, Map, Value};

pub const APP_ID_CODE: &str = "fk4ke1nt";
pub const ADMIN_ID: &str = "991267459";

/// Contact lifecycle. Archived contacts still answer GET by id but vanish from search and list;
/// merged ones answer 410 with a `Link` to the survivor; deleted ones are gone (404).
#[derive(Clone, Debug, PartialEq)]
pub enum ContactStatus {
    Active,
    Archived,
    Deleted,
    Merged { into: String },
}

/// A tag applied to a contact or conversation, with when and by whom (the API reports
/// `applied_at`/`applied_by` on tagging operations and `GET /contacts/{id}/tags`).
#[derive(Clone, Debug, PartialEq)]
pub struct AppliedTag {
    pub tag_id: String,
    pub applied_at: i64,
    pub applied_by: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Contact {
    /// The contact object's own fields as returned (without the nested tags/notes/companies lists).
    pub fields: Map<String, Value>,
    pub tags: Vec<AppliedTag>,
    pub company_ids: Vec<String>,
    pub status: ContactStatus,
}

impl Contact {
    pub fn id(&self) -> &str {
        self.fields.get("id").and_then(Value::as_str).unwrap_or("")
    }
    pub fn str_field(&self, k: &str) -> Option<&str> {
        self.fields
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }
    pub fn role(&self) -> &str {
        self.str_field("role").unwrap_or("user")
    }
    pub fn email(&self) -> Option<&str> {
        self.str_field("email")
    }
    pub fn external_id(&self) -> Option<&str> {
        self.str_field("external_id")
    }
    pub fn phone(&self) -> Option<&str> {
        self.str_field("phone")
    }
    /// Exists for direct access (active or archived).
    pub fn is_live(&self) -> bool {
        matches!(self.status, ContactStatus::Active | ContactStatus::Archived)
    }
    pub fn is_active(&self) -> bool {
        self.status == ContactStatus::Active
    }
}

#[derive(Clone, Debug)]
pub struct Company {
    pub fields: Map<String, Value>,
    pub tag_ids: Vec<String>,
    pub deleted: bool,
}

impl Company {
    pub fn id(&self) -> &str {
        self.fields.get("id").and_then(Value::as_str).unwrap_or("")
    }
    pub fn company_id(&self) -> &str {
        self.fields
            .get("company_id")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    pub fn name(&self) -> &str {
        self.fields
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
}

#[derive(Clone, Debug)]
pub struct Tag {
    pub id: String,
    pub name: String,
}

impl Tag {
    pub fn json(&self) -> Value {
        json!({"type": "tag", "id": self.id, "name": self.name})
    }
}

#[derive(Clone, Debug)]
pub struct Conversation {
    /// Conversation object fields (state, source, contacts, statistics, ...).
    pub fields: Map<String, Value>,
    pub tags: Vec<AppliedTag>,
    pub parts: Vec<Value>,
}

impl Conversation {
    pub fn id(&self) -> &str {
        self.fields.get("id").and_then(Value::as_str).unwrap_or("")
    }
    pub fn contact_ids(&self) -> Vec<String> {
        self.fields["contacts"]["contacts"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
    /// The `statistics` object (created if the conversation had none).
    pub fn stats(&mut self) -> &mut Map<String, Value> {
        if !self.fields.get("statistics").is_some_and(Value::is_object) {
            self.fields.insert("statistics".into(), empty_statistics());
        }
        self.fields
            .get_mut("statistics")
            .and_then(Value::as_object_mut)
            .expect("statistics object")
    }
}

/// Open scroll over companies (`GET /companies/scroll`): snapshot of ids and position.
#[derive(Clone, Debug)]
pub struct Scroll {
    pub param: String,
    pub ids: Vec<String>,
    pub pos: usize,
    /// Fake-clock second of its last use: it expires [`SCROLL_IDLE_SECS`] later.
    pub used_at: i64,
}

/// "If the scroll isn't used for 1 minute, it expires" (OpenAPI 2.16, "Scroll over all
/// companies").
pub const SCROLL_IDLE_SECS: i64 = 60;

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
    company_index: std::collections::HashMap<String, usize>,
    /// Tokens accepted besides [`TOKEN`](super::TOKEN), e.g. a recognisable one for leak tests.
    pub extra_tokens: Vec<String>,
    seq: u64,
}

fn empty_statistics() -> Value {
    json!({
        "type": "conversation_statistics",
        "time_to_assignment": null, "time_to_admin_reply": null, "time_to_first_close": null,
        "time_to_last_close": null, "median_time_to_reply": null, "first_contact_reply_at": null,
        "first_assignment_at": null, "first_admin_reply_at": null, "first_close_at": null,
        "last_assignment_at": null, "last_assignment_admin_reply_at": null,
        "last_contact_reply_at": null, "last_admin_reply_at": null, "last_close_at": null,
        "last_closed_by_id": null, "count_reopens": 0, "count_assignments": 0,
        "count_conversation_parts": 0
    })
}

/// Contact fields the API accepts on create/update (`create_contact_request`).
pub const CONTACT_WRITABLE: &[&str] = &[
    "role",
    "external_id",
    "email",
    "phone",
    "name",
    "avatar",
    "signed_up_at",
    "last_seen_at",
    "owner_id",
    "unsubscribed_from_emails",
    "custom_attributes",
    "email_verified",
    "language_override",
];

/// Standard searchable contact fields and their types (spec "Accepted Fields" table).
pub fn contact_field_kind(field: &str) -> Option<FieldKind> {
    use FieldKind::*;
    Some(match field {
        "created_at"
        | "signed_up_at"
        | "updated_at"
        | "last_seen_at"
        | "last_contacted_at"
        | "last_replied_at"
        | "last_email_opened_at"
        | "last_email_clicked_at"
        | "ios_last_seen_at"
        | "android_last_seen_at" => Date,
        "unsubscribed_from_emails" | "marked_email_as_spam" | "has_hard_bounced" => Boolean,
        "tag_id" => TagId,
        "id"
        | "role"
        | "name"
        | "avatar"
        | "owner_id"
        | "email"
        | "email_domain"
        | "phone"
        | "formatted_phone"
        | "external_id"
        | "language_override"
        | "browser"
        | "browser_language"
        | "os"
        | "location.country"
        | "location.region"
        | "location.city"
        | "ios_app_version"
        | "ios_device"
        | "ios_app_device"
        | "ios_os_version"
        | "ios_app_name"
        | "ios_sdk_version"
        | "android_app_version"
        | "android_device"
        | "android_app_name"
        | "andoid_sdk_version"
        | "android_sdk_version"
        | "segment_id" => String,
        _ => return None,
    })
}

/// Searchable conversation fields (spec table for `POST /conversations/search`).
pub fn conversation_field_kind(field: &str) -> Option<FieldKind> {
    use FieldKind::*;
    Some(match field {
        "created_at"
        | "updated_at"
        | "waiting_since"
        | "snoozed_until"
        | "statistics.first_contact_reply_at"
        | "statistics.first_assignment_at"
        | "statistics.first_admin_reply_at"
        | "statistics.first_close_at"
        | "statistics.last_assignment_at"
        | "statistics.last_assignment_admin_reply_at"
        | "statistics.last_contact_reply_at"
        | "statistics.last_admin_reply_at"
        | "statistics.last_close_at"
        | "conversation_rating.requested_at"
        | "conversation_rating.replied_at" => Date,
        "admin_assignee_id"
        | "team_assignee_id"
        | "statistics.time_to_assignment"
        | "statistics.time_to_admin_reply"
        | "statistics.time_to_first_close"
        | "statistics.time_to_last_close"
        | "statistics.median_time_to_reply"
        | "statistics.count_reopens"
        | "statistics.count_assignments"
        | "statistics.count_conversation_parts"
        | "conversation_rating.score"
        | "ai_agent.rating" => Integer,
        "open" | "read" | "ai_agent_participated" => Boolean,
        "source.body" => Words,
        "id"
        | "source.type"
        | "source.id"
        | "source.delivered_as"
        | "source.subject"
        | "source.author.id"
        | "source.author.type"
        | "source.author.name"
        | "source.author.email"
        | "source.url"
        | "contact_ids"
        | "teammate_ids"
        | "channel_initiated"
        | "state"
        | "tag_ids"
        | "priority"
        | "statistics.last_closed_by_id"
        | "conversation_rating.remark"
        | "conversation_rating.contact_id"
        | "conversation_rating.admin_d"
        | "ai_agent.resolution_state"
        | "ai_agent.last_answer_type"
        | "ai_agent.rating_remark"
        | "ai_agent.source_type"
        | "ai_agent.source_title" => String,
        _ => return None,
    })
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
    fn register_seeded_attributes(&mut self, model: &str, v: Option<&Value>) {
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

    // --- tags ---------------------------------------------------------------------------------

    pub fn tag(&self, id: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.id == id)
    }

    pub fn tag_by_name(&self, name: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// `POST /tags {name}` semantics: case-insensitive match, created if missing. Returns the id.
    pub fn create_or_get_tag(&mut self, name: &str) -> String {
        if let Some(t) = self.tag_by_name(name) {
            return t.id.clone();
        }
        let id = self.new_numeric_id(100);
        self.tags.push(Tag {
            id: id.clone(),
            name: name.to_string(),
        });
        id
    }

    fn applied_tag_json(&self, a: &AppliedTag) -> Value {
        let mut t = self
            .tag(&a.tag_id)
            .map(Tag::json)
            .unwrap_or(json!({"type": "tag", "id": a.tag_id}));
        t["applied_at"] = json!(a.applied_at);
        t["applied_by"] = match &a.applied_by {
            Some(id) => json!({"type": "admin", "id": id}),
            None => Value::Null,
        };
        t
    }

    // --- contacts -----------------------------------------------------------------------------

    pub fn contact_index(&self, id: &str) -> Option<usize> {
        self.contacts.iter().position(|c| c.id() == id)
    }

    pub fn find_contact(&self, id: &str) -> Option<&Contact> {
        self.contacts.iter().find(|c| c.id() == id)
    }

    pub fn contact_mut(&mut self, id: &str) -> Option<&mut Contact> {
        self.contacts.iter_mut().find(|c| c.id() == id)
    }

    /// Index of a contact usable for operations (active or archived); 404 "User Not Found" else.
    pub fn live_contact(&self, id: &str) -> Result<usize, ApiError> {
        match self.contact_index(id) {
            Some(i) if self.contacts[i].is_live() => Ok(i),
            _ => Err(ApiError::user_not_found()),
        }
    }

    /// Like [`live_contact`](Self::live_contact) but merged contacts answer 410 with the
    /// canonical `Link` (GET /contacts/{id}, find_by_external_id).
    pub fn readable_contact(&self, id: &str) -> Result<usize, ApiError> {
        match self.contact_index(id) {
            Some(i) if self.contacts[i].is_live() => Ok(i),
            Some(i) => match &self.contacts[i].status {
                ContactStatus::Merged { into } => {
                    Err(ApiError::contact_merged(&self.canonical_contact_id(into)))
                }
                _ => Err(ApiError::user_not_found()),
            },
            None => Err(ApiError::user_not_found()),
        }
    }

    /// Follows merge chains (the real API resolves up to 3 hops).
    pub fn canonical_contact_id(&self, id: &str) -> String {
        let mut cur = id.to_string();
        for _ in 0..3 {
            match self.find_contact(&cur).map(|c| &c.status) {
                Some(ContactStatus::Merged { into }) => cur = into.clone(),
                _ => break,
            }
        }
        cur
    }

    /// Builds and stores a contact from `fields` (no validation: callers validate). Fills the id,
    /// defaults and timestamps from the clock unless given. Returns the index.
    pub fn create_contact(&mut self, fields: &Map<String, Value>) -> usize {
        let id = match fields.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => self.new_hex_id(0x1bb6_9f9f),
        };
        let now = self.now;
        let mut m = default_contact(&id, now);
        for (k, v) in fields {
            if k == "id" || k == "type" || k == "email_verified" {
                continue;
            }
            m.insert(k.clone(), v.clone());
        }
        if let Some(Value::Number(n)) = m.get("owner_id").cloned() {
            // 2.16: owner_id is a string.
            m.insert("owner_id".into(), json!(n.to_string()));
        }
        if m.get("custom_attributes").is_none_or(Value::is_null) {
            m.insert("custom_attributes".into(), json!({}));
        }
        if m.get("role").is_none_or(Value::is_null) {
            m.insert("role".into(), json!("user"));
        }
        refresh_email_domain(&mut m);
        self.contacts.push(Contact {
            fields: m,
            tags: Vec::new(),
            company_ids: Vec::new(),
            status: ContactStatus::Active,
        });
        self.contacts.len() - 1
    }

    /// Seeding entry point: also registers custom attributes found in `fields`, and accepts
    /// `archived: true`.
    pub fn seed_contact(&mut self, fields: &Value) -> usize {
        let mut m = fields.as_object().cloned().unwrap_or_default();
        self.register_seeded_attributes("contact", m.get("custom_attributes"));
        let archived = m.remove("archived") == Some(json!(true));
        let i = self.create_contact(&m);
        if archived {
            self.contacts[i].status = ContactStatus::Archived;
        }
        i
    }

    /// Sets `updated_at` to now: every change to a contact bumps it (tags, companies, updates...).
    pub fn touch_contact(&mut self, id: &str) {
        let now = self.now;
        if let Some(c) = self.contact_mut(id) {
            c.fields.insert("updated_at".into(), json!(now));
        }
    }

    /// Applies a tag at `applied_at` (test hook: tag a contact "in the past"). `updated_at`
    /// becomes the later of its current value and `applied_at`. Returns false if the contact
    /// already had the tag (the original `applied_at` is kept) or doesn't exist.
    pub fn apply_tag_to_contact(
        &mut self,
        contact_id: &str,
        tag_id: &str,
        applied_at: i64,
        admin_id: Option<&str>,
    ) -> bool {
        let Some(c) = self.contact_mut(contact_id) else {
            return false;
        };
        if c.tags.iter().any(|t| t.tag_id == tag_id) {
            return false;
        }
        c.tags.push(AppliedTag {
            tag_id: tag_id.to_string(),
            applied_at,
            applied_by: admin_id.map(str::to_string),
        });
        let updated = c
            .fields
            .get("updated_at")
            .and_then(Value::as_i64)
            .unwrap_or(applied_at)
            .max(applied_at);
        c.fields.insert("updated_at".into(), json!(updated));
        true
    }

    /// First live contact with this email (case-insensitive), any role.
    pub fn contact_by_email(&self, email: &str) -> Option<&Contact> {
        self.contacts
            .iter()
            .find(|c| c.is_live() && c.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
    }

    pub fn remove_tag_from_contact(&mut self, contact_id: &str, tag_id: &str) -> bool {
        let Some(c) = self.contact_mut(contact_id) else {
            return false;
        };
        let before = c.tags.len();
        c.tags.retain(|t| t.tag_id != tag_id);
        let removed = c.tags.len() != before;
        if removed {
            self.touch_contact(contact_id);
        }
        removed
    }

    pub fn contact_tag(&self, contact_id: &str, tag_id: &str) -> Option<Value> {
        let c = self.find_contact(contact_id)?;
        c.tags
            .iter()
            .find(|t| t.tag_id == tag_id)
            .map(|a| self.applied_tag_json(a))
    }

    pub fn contact_tags_json(&self, c: &Contact) -> Vec<Value> {
        c.tags.iter().map(|a| self.applied_tag_json(a)).collect()
    }

    /// Attaches a company; bumps both `updated_at`s. False if already attached.
    pub fn attach_company(&mut self, contact_id: &str, company_id: &str) -> bool {
        let now = self.now;
        let Some(c) = self.contact_mut(contact_id) else {
            return false;
        };
        if c.company_ids.iter().any(|x| x == company_id) {
            return false;
        }
        c.company_ids.push(company_id.to_string());
        self.touch_contact(contact_id);
        if let Some(co) = self.company_mut(company_id) {
            co.fields.insert("updated_at".into(), json!(now));
        }
        true
    }

    pub fn detach_company(&mut self, contact_id: &str, company_id: &str) -> bool {
        let now = self.now;
        let Some(c) = self.contact_mut(contact_id) else {
            return false;
        };
        let before = c.company_ids.len();
        c.company_ids.retain(|x| x != company_id);
        if c.company_ids.len() == before {
            return false;
        }
        self.touch_contact(contact_id);
        if let Some(co) = self.company_mut(company_id) {
            co.fields.insert("updated_at".into(), json!(now));
        }
        true
    }

    /// Test hook: the contact unsubscribes from emails now (bumps `updated_at`).
    pub fn unsubscribe_contact(&mut self, contact_id: &str) -> bool {
        let Some(c) = self.contact_mut(contact_id) else {
            return false;
        };
        c.fields
            .insert("unsubscribed_from_emails".into(), json!(true));
        self.touch_contact(contact_id);
        true
    }

    /// Test hook: sets a field on a contact and bumps `updated_at` (e.g. a lead adds an email).
    pub fn set_contact_field(&mut self, contact_id: &str, field: &str, value: Value) -> bool {
        let Some(c) = self.contact_mut(contact_id) else {
            return false;
        };
        c.fields.insert(field.to_string(), value);
        refresh_email_domain(&mut c.fields);
        self.touch_contact(contact_id);
        true
    }

    fn notes_of(&self, contact_id: &str) -> Vec<&Value> {
        self.notes
            .iter()
            .filter(|n| n["contact"]["id"].as_str() == Some(contact_id))
            .collect()
    }

    /// The contact as `GET /contacts/{id}` returns it.
    pub fn render_contact(&self, c: &Contact) -> Value {
        let id = c.id().to_string();
        let mut m = c.fields.clone();
        m.insert("type".into(), json!("contact"));
        m.insert("workspace_id".into(), json!(APP_ID_CODE));
        let nested = |items: Vec<Value>, url: String| {
            let total = items.len();
            json!({
                "type": "list",
                "data": items.into_iter().take(10).collect::<Vec<_>>(),
                "url": url,
                "total_count": total,
                "has_more": total > 10
            })
        };
        let tags = c
            .tags
            .iter()
            .map(|t| json!({"type": "tag", "id": t.tag_id, "url": format!("/tags/{}", t.tag_id)}))
            .collect();
        let companies = c
            .company_ids
            .iter()
            .map(|x| json!({"type": "company", "id": x, "url": format!("/companies/{x}")}))
            .collect();
        let notes = self
            .notes_of(&id)
            .iter()
            .map(|n| json!({"type": "note", "id": n["id"], "url": format!("/notes/{}", n["id"].as_str().unwrap_or(""))}))
            .collect();
        m.insert("tags".into(), nested(tags, format!("/contacts/{id}/tags")));
        m.insert(
            "notes".into(),
            nested(notes, format!("/contacts/{id}/notes")),
        );
        m.insert(
            "companies".into(),
            nested(companies, format!("/contacts/{id}/companies")),
        );
        let subs = nested(vec![], format!("/contacts/{id}/subscriptions"));
        m.insert("opted_out_subscription_types".into(), subs.clone());
        m.insert("opted_in_subscription_types".into(), subs);
        Value::Object(m)
    }

    /// Search document: the rendered contact plus virtual fields (`tag_id`, `formatted_phone`, ...).
    pub fn contact_search_doc(&self, c: &Contact) -> Value {
        let mut d = self.render_contact(c);
        d["tag_id"] = json!(c.tags.iter().map(|t| t.tag_id.clone()).collect::<Vec<_>>());
        d["formatted_phone"] = d["phone"].clone();
        d["segment_id"] = json!([]);
        d["company_id"] = json!(c.company_ids);
        d
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

    /// Contacts visible to search and list: not archived, merged or deleted.
    pub fn searchable_contacts(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.iter().filter(|c| c.is_active())
    }

    /// The contact a request names by Intercom id (a live contact) or by external id (an active
    /// one): 404 "User Not Found" when the named one is not there, `None` when it names neither.
    pub fn contact_named(
        &self,
        id: Option<String>,
        external_id: Option<String>,
    ) -> Option<Result<String, ApiError>> {
        if let Some(id) = id {
            return Some(self.live_contact(&id).map(|_| id));
        }
        let ext = external_id?;
        Some(
            self.searchable_contacts()
                .find(|c| c.external_id() == Some(ext.as_str()))
                .map(|c| c.id().to_string())
                .ok_or_else(ApiError::user_not_found),
        )
    }

    // --- companies ----------------------------------------------------------------------------

    pub fn company(&self, id: &str) -> Option<&Company> {
        let i = *self.company_index.get(id)?;
        Some(&self.companies[i]).filter(|c| !c.deleted)
    }

    pub fn company_mut(&mut self, id: &str) -> Option<&mut Company> {
        let i = *self.company_index.get(id)?;
        Some(&mut self.companies[i]).filter(|c| !c.deleted)
    }

    pub fn company_by_company_id(&self, company_id: &str) -> Option<&Company> {
        self.companies
            .iter()
            .find(|c| !c.deleted && c.company_id() == company_id)
    }

    pub fn live_companies(&self) -> impl Iterator<Item = &Company> {
        self.companies.iter().filter(|c| !c.deleted)
    }

    /// Contacts attached to a company (archived ones included, merged/deleted not).
    pub fn company_user_count(&self, id: &str) -> usize {
        self.contacts
            .iter()
            .filter(|c| c.is_live() && c.company_ids.iter().any(|x| x == id))
            .count()
    }

    /// Creates a company from `fields` (no validation). Returns its Intercom id.
    pub fn create_company(&mut self, fields: &Map<String, Value>) -> String {
        let id = match fields.get("id").and_then(Value::as_str) {
            Some(id) => id.to_string(),
            None => self.new_hex_id(0x1bb6_9e9e),
        };
        let now = self.now;
        let mut m = Map::new();
        for (k, v) in [
            ("type", json!("company")),
            ("id", json!(id)),
            (
                "company_id",
                json!(format!("{:x}", crate::util::random_u64())),
            ),
            ("app_id", json!(APP_ID_CODE)),
            ("name", json!(null)),
            ("remote_created_at", json!(null)),
            ("created_at", json!(now)),
            ("updated_at", json!(now)),
            ("last_request_at", json!(null)),
            ("monthly_spend", json!(0)),
            ("session_count", json!(0)),
            ("segments", json!({"type": "segment.list", "segments": []})),
            ("plan", json!({})),
            ("custom_attributes", json!({})),
        ] {
            m.insert(k.into(), v);
        }
        for (k, v) in fields {
            if k == "id" || k == "tags" || k == "user_count" {
                continue;
            }
            if k == "plan" {
                if let Value::String(name) = v {
                    m.insert("plan".into(), plan_json(name));
                    continue;
                }
            }
            m.insert(k.clone(), v.clone());
        }
        self.company_index.insert(id.clone(), self.companies.len());
        self.companies.push(Company {
            fields: m,
            tag_ids: Vec::new(),
            deleted: false,
        });
        id
    }

    pub fn seed_company(&mut self, fields: &Value) -> String {
        let m = fields.as_object().cloned().unwrap_or_default();
        self.register_seeded_attributes("company", m.get("custom_attributes"));
        self.create_company(&m)
    }

    /// The company as `GET /companies/{id}` returns it.
    pub fn render_company(&self, c: &Company) -> Value {
        let mut m = c.fields.clone();
        m.insert("user_count".into(), json!(self.company_user_count(c.id())));
        let tags: Vec<Value> = c
            .tag_ids
            .iter()
            .filter_map(|t| self.tag(t))
            .map(Tag::json)
            .collect();
        m.insert("tags".into(), json!({"type": "tag.list", "tags": tags}));
        Value::Object(m)
    }

    // --- conversations ------------------------------------------------------------------------

    pub fn conversation(&self, id: &str) -> Option<&Conversation> {
        self.conversations.iter().find(|c| c.id() == id)
    }

    pub fn conversation_mut(&mut self, id: &str) -> Option<&mut Conversation> {
        self.conversations.iter_mut().find(|c| c.id() == id)
    }

    /// `{type: user|lead, id, name, email}` author for a contact.
    pub fn contact_author(&self, c: &Contact) -> Value {
        json!({"type": c.role(), "id": c.id(), "name": c.fields.get("name").cloned().unwrap_or(Value::Null), "email": c.email().unwrap_or("")})
    }

    /// Starts a conversation from a contact (as `POST /conversations` does). `created_at`
    /// defaults to now. Returns (conversation id, message id).
    pub fn start_conversation(
        &mut self,
        contact_id: &str,
        body: &str,
        created_at: Option<i64>,
        subject: Option<&str>,
    ) -> (String, String) {
        let created = created_at.unwrap_or(self.now);
        let id = self.new_numeric_id(0);
        let msg_id = self.new_numeric_id(403_918_000);
        let (author, contact_ref) = match self.find_contact(contact_id) {
            Some(c) => (
                self.contact_author(c),
                json!({"type": "contact", "id": c.id(), "external_id": c.fields.get("external_id").cloned().unwrap_or(Value::Null)}),
            ),
            None => (
                json!({"type": "user", "id": contact_id, "name": null, "email": ""}),
                json!({"type": "contact", "id": contact_id, "external_id": null}),
            ),
        };
        let mut stats = empty_statistics();
        stats["first_contact_reply_at"] = json!(created);
        stats["last_contact_reply_at"] = json!(created);
        stats["count_conversation_parts"] = json!(1);
        let fields = json!({
            "type": "conversation",
            "id": id,
            "title": null,
            "created_at": created,
            "updated_at": created,
            "waiting_since": created,
            "snoozed_until": null,
            "source": {
                "type": "conversation", "id": msg_id, "delivered_as": "customer_initiated",
                "subject": subject.unwrap_or(""), "body": html_body(body), "author": author,
                "attachments": [], "url": null, "redacted": false
            },
            "contacts": {"type": "contact.list", "contacts": [contact_ref]},
            "first_contact_reply": {"created_at": created, "type": "conversation", "url": null},
            "admin_assignee_id": 0,
            "team_assignee_id": null,
            "open": true,
            "state": "open",
            "read": false,
            "priority": "none",
            "sla_applied": null,
            "statistics": stats,
            "conversation_rating": null,
            "teammates": {"type": "admin.list", "admins": []},
            "custom_attributes": {},
            "topics": {},
            "ticket": null,
            "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": false},
            "ai_agent": null,
            "ai_agent_participated": false
        });
        let Value::Object(fields) = fields else {
            unreachable!()
        };
        self.conversations.push(Conversation {
            fields,
            tags: Vec::new(),
            parts: Vec::new(),
        });
        (id, msg_id)
    }

    /// Seeding: `contact_id` (or `from.id`), `body`, `state` (a closed one gets
    /// `statistics.last_close_at` = `updated_at` unless given), timestamps, `tag_ids`; any other
    /// top-level key overrides the stored field, `statistics` is merged.
    pub fn seed_conversation(&mut self, fields: &Value) -> String {
        let m = fields.as_object().cloned().unwrap_or_default();
        let contact_id = m
            .get("contact_id")
            .or_else(|| m.get("from").and_then(|f| f.get("id")))
            .and_then(|v| id_str(Some(v)))
            .unwrap_or_default();
        let body = m
            .get("body")
            .and_then(Value::as_str)
            .unwrap_or("Hello")
            .to_string();
        let created = m.get("created_at").and_then(Value::as_i64);
        let (id, _) = self.start_conversation(&contact_id, &body, created, None);
        let now = self.now;
        let conv = self.conversation_mut(&id).expect("just created");
        // Plain fields first, so `state: closed` below sees the seeded `updated_at`.
        let (mut state, mut stats, mut tag_ids) = (None, None, Vec::new());
        for (k, v) in m {
            match k.as_str() {
                "contact_id" | "from" | "body" | "id" | "tags" => {}
                "statistics" => stats = Some(v),
                "state" => state = v.as_str().map(str::to_string),
                "tag_ids" => {
                    tag_ids = v
                        .as_array()
                        .map(|a| a.iter().filter_map(|t| id_str(Some(t))).collect())
                        .unwrap_or_default()
                }
                _ => {
                    conv.fields.insert(k, v);
                }
            }
        }
        let updated = conv
            .fields
            .get("updated_at")
            .and_then(Value::as_i64)
            .unwrap_or(now);
        if let Some(Value::Object(s)) = stats {
            conv.stats().extend(s);
        }
        if let Some(st) = state {
            conv.fields.insert("open".into(), json!(st != "closed"));
            let last_close = conv
                .stats()
                .get("last_close_at")
                .cloned()
                .unwrap_or(Value::Null);
            if st == "closed" && last_close.is_null() {
                conv.stats().insert("last_close_at".into(), json!(updated));
                conv.stats().insert("first_close_at".into(), json!(updated));
            }
            conv.fields.insert("state".into(), json!(st));
        }
        for tag_id in tag_ids {
            conv.tags.push(AppliedTag {
                tag_id,
                applied_at: updated,
                applied_by: Some(ADMIN_ID.to_string()),
            });
        }
        id
    }

    /// The conversation as returned by GET (with parts) or in lists/search (without).
    pub fn render_conversation(&self, c: &Conversation, with_parts: bool) -> Value {
        let mut m = c.fields.clone();
        let tags: Vec<Value> = c.tags.iter().map(|a| self.applied_tag_json(a)).collect();
        m.insert("tags".into(), json!({"type": "tag.list", "tags": tags}));
        if with_parts {
            m.insert(
                "conversation_parts".into(),
                json!({"type": "conversation_part.list", "conversation_parts": c.parts[c.parts.len().saturating_sub(MAX_CONVERSATION_PARTS)..], "total_count": c.parts.len()}),
            );
        }
        Value::Object(m)
    }

    pub fn conversation_search_doc(&self, c: &Conversation) -> Value {
        let mut d = self.render_conversation(c, false);
        d["tag_ids"] = json!(c.tags.iter().map(|t| t.tag_id.clone()).collect::<Vec<_>>());
        d["contact_ids"] = json!(c.contact_ids());
        let teammates: Vec<Value> = d["teammates"]["admins"]
            .as_array()
            .map(|a| a.iter().map(|x| x["id"].clone()).collect())
            .unwrap_or_default();
        d["teammate_ids"] = json!(teammates);
        d["channel_initiated"] = json!("conversation");
        d
    }

    /// Adds a conversation part and bumps `updated_at`. Returns the part.
    pub fn add_part(
        &mut self,
        conv_id: &str,
        part_type: &str,
        body: Option<&str>,
        author: Value,
        assigned_to: Value,
    ) -> Option<Value> {
        let now = self.now;
        let part_id = self.new_numeric_id(1_000_000);
        let conv = self.conversation_mut(conv_id)?;
        let state = conv.fields.get("state").cloned().unwrap_or(json!("open"));
        let part = json!({
            "type": "conversation_part", "id": part_id, "part_type": part_type,
            "body": body.map(html_body), "created_at": now, "updated_at": now, "notified_at": now,
            "assigned_to": assigned_to, "author": author, "attachments": [], "external_id": null,
            "redacted": false, "state": state, "tags": [], "event_details": null, "app_package_code": null
        });
        conv.parts.push(part.clone());
        conv.fields.insert("updated_at".into(), json!(now));
        let count = conv.parts.len() + 1;
        conv.stats()
            .insert("count_conversation_parts".into(), json!(count));
        if author["type"] == "admin" {
            let admin_id = author["id"].clone();
            let teammates = conv
                .fields
                .entry("teammates")
                .or_insert(json!({"type": "admin.list", "admins": []}));
            if !teammates["admins"].is_array() {
                *teammates = json!({"type": "admin.list", "admins": []});
            }
            let admins = teammates["admins"].as_array_mut().expect("array");
            if !admins.iter().any(|a| a["id"] == admin_id) {
                admins.push(json!({"type": "admin", "id": admin_id}));
            }
        }
        Some(part)
    }

    fn set_conv_state(&mut self, conv_id: &str, state: &str) {
        if let Some(c) = self.conversation_mut(conv_id) {
            c.fields.insert("state".into(), json!(state));
            c.fields.insert("open".into(), json!(state != "closed"));
            if state != "snoozed" {
                c.fields.insert("snoozed_until".into(), Value::Null);
            }
            if let Some(p) = c.parts.last_mut() {
                p["state"] = json!(state);
            }
        }
    }

    /// Closes a conversation as `admin_id` now: state, `statistics.last_close_at`/`first_close_at`.
    pub fn close_conversation(
        &mut self,
        conv_id: &str,
        admin_id: &str,
        body: Option<&str>,
    ) -> bool {
        let now = self.now;
        let author = self.admin_author(admin_id);
        if self
            .add_part(conv_id, "close", body, author, Value::Null)
            .is_none()
        {
            return false;
        }
        self.set_conv_state(conv_id, "closed");
        let c = self.conversation_mut(conv_id).expect("exists");
        let s = c.stats();
        if s.get("first_close_at").is_none_or(Value::is_null) {
            s.insert("first_close_at".into(), json!(now));
        }
        s.insert("last_close_at".into(), json!(now));
        s.insert("last_closed_by_id".into(), json!(admin_id));
        true
    }

    pub fn open_conversation(&mut self, conv_id: &str, admin_id: &str) -> bool {
        let author = self.admin_author(admin_id);
        let was = self
            .conversation(conv_id)
            .map(|c| c.fields["state"].clone());
        if self
            .add_part(conv_id, "open", None, author, Value::Null)
            .is_none()
        {
            return false;
        }
        self.set_conv_state(conv_id, "open");
        if was != Some(json!("open")) {
            let c = self.conversation_mut(conv_id).expect("exists");
            let n = c
                .stats()
                .get("count_reopens")
                .and_then(Value::as_i64)
                .unwrap_or(0)
                + 1;
            c.stats().insert("count_reopens".into(), json!(n));
        }
        true
    }

    pub fn snooze_conversation(&mut self, conv_id: &str, admin_id: &str, until: i64) -> bool {
        let author = self.admin_author(admin_id);
        if self
            .add_part(conv_id, "snoozed", None, author, Value::Null)
            .is_none()
        {
            return false;
        }
        self.set_conv_state(conv_id, "snoozed");
        let c = self.conversation_mut(conv_id).expect("exists");
        c.fields.insert("snoozed_until".into(), json!(until));
        true
    }

    /// Assigns to an admin or team (`assignee_id` "0" = unassigned).
    pub fn assign_conversation(
        &mut self,
        conv_id: &str,
        admin_id: &str,
        assignee_type: &str,
        assignee_id: &str,
        body: Option<&str>,
    ) -> bool {
        let now = self.now;
        let author = self.admin_author(admin_id);
        let assigned_to = json!({"type": assignee_type, "id": assignee_id});
        if self
            .add_part(conv_id, "assignment", body, author, assigned_to)
            .is_none()
        {
            return false;
        }
        let c = self.conversation_mut(conv_id).expect("exists");
        let n: i64 = assignee_id.parse().unwrap_or(0);
        let key = if assignee_type == "team" {
            "team_assignee_id"
        } else {
            "admin_assignee_id"
        };
        c.fields.insert(key.into(), json!(n));
        let s = c.stats();
        if s.get("first_assignment_at").is_none_or(Value::is_null) {
            s.insert("first_assignment_at".into(), json!(now));
        }
        s.insert("last_assignment_at".into(), json!(now));
        let cnt = s
            .get("count_assignments")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            + 1;
        s.insert("count_assignments".into(), json!(cnt));
        true
    }

    /// Tags a conversation (test hook and `POST /conversations/{id}/tags`). False if already tagged.
    pub fn tag_conversation(&mut self, conv_id: &str, tag_id: &str, admin_id: &str) -> bool {
        let now = self.now;
        let Some(c) = self.conversation_mut(conv_id) else {
            return false;
        };
        if c.tags.iter().any(|t| t.tag_id == tag_id) {
            return false;
        }
        c.tags.push(AppliedTag {
            tag_id: tag_id.to_string(),
            applied_at: now,
            applied_by: Some(admin_id.to_string()),
        });
        c.fields.insert("updated_at".into(), json!(now));
        true
    }

    pub fn untag_conversation(&mut self, conv_id: &str, tag_id: &str) -> bool {
        let now = self.now;
        let Some(c) = self.conversation_mut(conv_id) else {
            return false;
        };
        let before = c.tags.len();
        c.tags.retain(|t| t.tag_id != tag_id);
        if c.tags.len() == before {
            return false;
        }
        c.fields.insert("updated_at".into(), json!(now));
        true
    }

    pub fn conversation_tag(&self, conv_id: &str, tag_id: &str) -> Option<Value> {
        let c = self.conversation(conv_id)?;
        c.tags
            .iter()
            .find(|t| t.tag_id == tag_id)
            .map(|a| self.applied_tag_json(a))
    }
}

fn plan_json(name: &str) -> Value {
    let id = name.bytes().fold(269_000u64, |h, b| {
        h.wrapping_mul(31).wrapping_add(u64::from(b)) % 1_000_000
    });
    json!({"type": "plan", "id": id.to_string(), "name": name})
}

/// Company `plan` is sent as a name and returned as `{type:"plan", id, name}`.
pub fn company_plan(name: &str) -> Value {
    plan_json(name)
}

fn refresh_email_domain(m: &mut Map<String, Value>) {
    let domain = m
        .get("email")
        .and_then(Value::as_str)
        .and_then(|e| e.split_once('@'))
        .map(|(_, d)| d.to_string());
    m.insert(
        "email_domain".into(),
        domain.map(Value::String).unwrap_or(Value::Null),
    );
}

pub fn refresh_contact_derived(m: &mut Map<String, Value>) {
    refresh_email_domain(m);
}

/// Field set of a fresh contact, following the spec's contact example.
fn default_contact(id: &str, now: i64) -> Map<String, Value> {
    let mut m = Map::new();
    let set = |m: &mut Map<String, Value>, k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    set(&mut m, "type", json!("contact"));
    set(&mut m, "id", json!(id));
    set(&mut m, "workspace_id", json!(APP_ID_CODE));
    set(&mut m, "role", json!("user"));
    set(
        &mut m,
        "social_profiles",
        json!({"type": "list", "data": []}),
    );
    for k in [
        "has_hard_bounced",
        "marked_email_as_spam",
        "unsubscribed_from_emails",
    ] {
        set(&mut m, k, json!(false));
    }
    set(&mut m, "created_at", json!(now));
    set(&mut m, "updated_at", json!(now));
    set(
        &mut m,
        "location",
        json!({"type": "location", "country": null, "region": null, "city": null, "country_code": null, "continent_code": null}),
    );
    set(&mut m, "custom_attributes", json!({}));
    for k in [
        "external_id",
        "email",
        "email_domain",
        "phone",
        "name",
        "avatar",
        "owner_id",
        "signed_up_at",
        "last_seen_at",
        "last_replied_at",
        "last_contacted_at",
        "last_email_opened_at",
        "last_email_clicked_at",
        "language_override",
        "browser",
        "browser_version",
        "browser_language",
        "os",
        "android_app_name",
        "android_app_version",
        "android_device",
        "android_os_version",
        "android_sdk_version",
        "android_last_seen_at",
        "ios_app_name",
        "ios_app_version",
        "ios_device",
        "ios_os_version",
        "ios_sdk_version",
        "ios_last_seen_at",
        "utm_campaign",
        "utm_content",
        "utm_medium",
        "utm_source",
        "utm_term",
        "referrer",
        "enabled_push_messaging",
    ] {
        set(&mut m, k, Value::Null);
    }
    m
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
