//! The fake's contacts: the record, its lifecycle (archive, merge, delete), tags and companies
//! attached to it, how it renders, and what search sees of it. Routes are in `mod.rs`.

use crate::errors::ApiError;
use crate::search::FieldKind;
use crate::state::*;
use serde_json::{json, Map, Value};

/// Contact lifecycle. Archived contacts still answer GET by id but vanish from search and list;
/// merged ones answer 410 with a `Link` to the survivor; deleted ones are gone (404).
#[derive(Clone, Debug, PartialEq)]
pub enum ContactStatus {
    Active,
    Archived,
    Deleted,
    Merged { into: String },
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

pub(crate) fn refresh_email_domain(m: &mut Map<String, Value>) {
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
pub(crate) fn default_contact(id: &str, now: i64) -> Map<String, Value> {
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

impl State {
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

    pub(crate) fn notes_of(&self, contact_id: &str) -> Vec<&Value> {
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
}
