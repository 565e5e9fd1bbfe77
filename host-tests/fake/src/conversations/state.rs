//! The fake's conversations: the record, its parts and statistics, state changes (close, open,
//! snooze, assign), tags, how it renders. Routes are in `mod.rs`.

use crate::search::FieldKind;
use crate::state::*;
use crate::util::{html_body, id_str};
use serde_json::{json, Map, Value};

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

pub(crate) fn empty_statistics() -> Value {
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

impl State {
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

    pub(crate) fn set_conv_state(&mut self, conv_id: &str, state: &str) {
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
