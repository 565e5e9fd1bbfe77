//! The one place an event is built from a happening, for both paths: the poller's expanders
//! and the webhook parser call these, so a happening has the same id, time and data shape
//! whichever way it arrives. The id names what happened (the contact for a new user, contact +
//! tag + time for a tagging, conversation + close time for a close); a webhook's notification
//! id names only the delivery and travels apart, as `delivery-id`.

use super::{Data, Event, Shape};

use serde_json::{json, Value};

/// One event an item yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Names the happening (the event id).
    pub key: String,
    /// When it happened, Unix seconds.
    pub ts: i64,
    pub data: Data,
}

impl Found {
    pub fn into_event(self, trigger: &str) -> Event {
        Event {
            id: self.key,
            trigger: trigger.to_string(),
            occurred_at: self.ts,
            data: self.data,
        }
    }
}

fn str_of<'v>(v: &'v Value, k: &str) -> &'v str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn ts(v: &Value, k: &str) -> Option<i64> {
    v.get(k).and_then(Value::as_i64)
}

/// A new record (contact, conversation, company): its id, at its `created_at`.
pub fn created(id: &str, created_at: i64, data: Data) -> Found {
    Found {
        key: id.to_string(),
        ts: created_at,
        data,
    }
}

/// A close: the conversation and its close time (a re-close is a new happening).
pub fn closed(id: &str, closed_at: i64, data: Data) -> Found {
    Found {
        key: format!("{id}:{closed_at}"),
        ts: closed_at,
        data,
    }
}

/// The tag as events carry it: `{type, id, name}`.
fn tag_summary(tag: &Value) -> Value {
    json!({"type": "tag", "id": tag.get("id").cloned().unwrap_or(Value::Null), "name": tag.get("name").cloned().unwrap_or(Value::Null)})
}

/// One tagging: `{item}:{tag}:{applied_at}` (removing and re-applying is a new happening).
fn tagging_key(item: &Value, tag: &Value, applied_at: i64) -> String {
    format!("{}:{}:{applied_at}", str_of(item, "id"), str_of(tag, "id"))
}

/// `contact_tag {type, created_at, tag, contact}`: a tag applied to a contact.
pub fn contact_tag(contact: &Value, tag: &Value, applied_at: i64) -> Found {
    Found {
        key: tagging_key(contact, tag, applied_at),
        ts: applied_at,
        data: json!({
            "type": "contact_tag",
            "created_at": applied_at,
            "tag": tag_summary(tag),
            "contact": contact,
        })
        .into(),
    }
}

/// `conversation_tag {type, created_at, tag, conversation}`: a tag added to a conversation.
pub fn conversation_tag(conversation: &Value, tag: &Value, applied_at: i64) -> Found {
    Found {
        key: tagging_key(conversation, tag, applied_at),
        ts: applied_at,
        data: json!({
            "type": "conversation_tag",
            "created_at": applied_at,
            "tag": tag_summary(tag),
            "conversation": conversation,
        })
        .into(),
    }
}

/// The state changes a ticket's parts record, oldest first: `(changed_at, from, to)` of each
/// `ticket_state_updated_*` part whose state differs from the one before (the spec's examples
/// also hold such a part at creation, `submitted` to `submitted`: not a change).
fn ticket_state_changes(ticket: &Value) -> Vec<(i64, Value, Value)> {
    let mut out: Vec<(i64, Value, Value)> = ticket
        .pointer("/ticket_parts/ticket_parts")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|p| str_of(p, "part_type").starts_with("ticket_state_updated"))
        .filter(|p| p.get("ticket_state") != p.get("previous_ticket_state"))
        .filter_map(|p| {
            let at = ts(p, "created_at")?;
            let from = p
                .get("previous_ticket_state")
                .cloned()
                .unwrap_or(Value::Null);
            Some((
                at,
                from,
                p.get("ticket_state").cloned().unwrap_or(Value::Null),
            ))
        })
        .collect();
    crate::sort::sort_by_key(&mut out, |c| c.0);
    out
}

/// A ticket state change: `{ticket}:state:{changed_at}`, its data the ticket with
/// `state_change {from, to, changed_at}` (categories) added.
fn ticket_state_change(ticket: &Value, (at, from, to): (i64, Value, Value)) -> Found {
    let mut data = ticket.clone();
    data["state_change"] = json!({"from": from, "to": to, "changed_at": at});
    Found {
        key: format!("{}:state:{at}", str_of(ticket, "id")),
        ts: at,
        data: data.into(),
    }
}

/// Every state change a polled ticket's parts record (the poller keeps those in its window).
pub fn ticket_states(ticket: &Value) -> Vec<Found> {
    ticket_state_changes(ticket)
        .into_iter()
        .map(|c| ticket_state_change(ticket, c))
        .collect()
}

/// The change a `ticket.state.updated` notification reports: the newest its parts record;
/// without parts, the ticket's current state at its `updated_at` (when the change was made, as
/// the notification is sent for it), else the notification's time.
fn notified_ticket_state(ticket: &Value, sent_at: i64) -> Found {
    let change = ticket_state_changes(ticket).pop().unwrap_or_else(|| {
        let to = ticket
            .pointer("/ticket_state/category")
            .cloned()
            .unwrap_or(Value::Null);
        (ts(ticket, "updated_at").unwrap_or(sent_at), Value::Null, to)
    });
    ticket_state_change(ticket, change)
}

/// The events one webhook item yields for a trigger of `shape`; `sent_at` is the notification's
/// time, used where the item has none.
pub fn from_webhook(shape: Shape, mut item: Value, sent_at: i64) -> Vec<Found> {
    let at = |v: &Value, k: &str| ts(v, k).unwrap_or(sent_at);
    let id = str_of(&item, "id").to_string();
    match shape {
        Shape::Contact | Shape::Conversation | Shape::Company | Shape::Ticket => {
            let when = at(&item, "created_at");
            vec![created(&id, when, item.into())]
        }
        // A state change of a contact: the notification time is when it happened.
        Shape::ContactChange => vec![Found {
            key: format!("{id}:{sent_at}"),
            ts: sent_at,
            data: item.into(),
        }],
        Shape::ContactTag => {
            // 2.x `contact_tag {tag, contact}`; 1.x `user_tag {tag, user}`.
            let contact = item.get("contact").or_else(|| item.get("user"));
            let (Some(contact), Some(tag)) = (contact, item.get("tag")) else {
                return vec![];
            };
            vec![contact_tag(contact, tag, at(&item, "created_at"))]
        }
        Shape::ContactUnsubscribe => {
            let when = at(&item, "created_at");
            let data = if item.get("type").and_then(Value::as_str) == Some("contact_unsubscribe") {
                item
            } else {
                // 1.x `user.unsubscribed` carries the user itself.
                json!({"type": "contact_unsubscribe", "created_at": when, "contact": item, "subscription_types": null})
            };
            let contact = data.get("contact").map_or("", |c| str_of(c, "id"));
            vec![Found {
                key: format!("{contact}:{when}"),
                ts: when,
                data: data.into(),
            }]
        }
        Shape::TicketState => vec![notified_ticket_state(&item, sent_at)],
        Shape::ClosedConversation => {
            let when = item
                .get("statistics")
                .and_then(|s| ts(s, "last_close_at"))
                .unwrap_or(sent_at);
            vec![closed(&id, when, item.into())]
        }
        Shape::Part(kind) => conversation_parts(kind, item, sent_at),
        Shape::ConversationTag => {
            // Captured payloads: the conversation with a `tags_added` list. Only those are new:
            // the conversation's own `tags` hold every tag it ever had.
            let added = item
                .as_object_mut()
                .and_then(|o| o.remove("tags_added"))
                .and_then(|t| t.get("tags").cloned())
                .and_then(|t| match t {
                    Value::Array(tags) => Some(tags),
                    _ => None,
                })
                .unwrap_or_default();
            added
                .iter()
                .map(|t| conversation_tag(&item, t, at(t, "applied_at")))
                .collect()
        }
    }
}

/// Which conversation parts a reply or assignment trigger emits. One part is one event, keyed by
/// the part id (Intercom's id for that message or action), on both paths: the poller reads the
/// parts from `GET /conversations/{id}`, a webhook carries them in its conversation item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// A comment (or quick-reply answer) by the customer: author `user`, `lead` or `contact`.
    UserReply,
    /// A comment (or quick reply) by a teammate: author `admin`. Bots (Fin, workflows: author
    /// `bot`) are not admins, though Intercom delivers their answers as
    /// `conversation.admin.replied` too (observed: community.intercom.com/api-webhooks-23/
    /// webhooks-bot-s-replies-in-conversation-admin-replied-topic-14573; they have their own
    /// `conversation.operator.replied`). Internal notes (`note`) are not replies: the customer
    /// never sees them.
    AdminReply,
    /// A change of assignee: `assignment` and the combined actions (`assign_and_reopen`,
    /// `assign_and_unsnooze`, `default_assignment`, `away_mode_assignment`...).
    Assignment,
}

/// Part types that are messages the other side reads. `note` is deliberately absent.
const REPLY_PART_TYPES: &[&str] = &["comment", "quick_reply"];

impl PartKind {
    /// Whether `part` is a happening of this kind.
    pub fn matches(self, part: &Value) -> bool {
        let part_type = str_of(part, "part_type");
        let author = part
            .pointer("/author/type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match self {
            PartKind::UserReply => {
                REPLY_PART_TYPES.contains(&part_type)
                    && matches!(author, "user" | "lead" | "contact")
            }
            PartKind::AdminReply => REPLY_PART_TYPES.contains(&part_type) && author == "admin",
            PartKind::Assignment => {
                part_type == "assignment"
                    || part_type.starts_with("assign_")
                    || part_type.ends_with("_assignment")
            }
        }
    }

    /// The event's `type`.
    pub fn event_type(self) -> &'static str {
        match self {
            PartKind::UserReply | PartKind::AdminReply => "conversation_reply",
            PartKind::Assignment => "conversation_assignment",
        }
    }
}

/// A part id as text (the spec says string; its own examples also use numbers).
fn part_id(part: &Value) -> Option<String> {
    match part.get("id")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `{type, id, created_at, part, conversation}` for one part: `conversation` is the
/// conversation without its `conversation_parts` (up to 500 of them, which would otherwise be
/// copied into every event).
pub fn conversation_part(kind: PartKind, conversation: &Value, part: &Value, at: i64) -> Found {
    let key = part_id(part).unwrap_or_default();
    Found {
        data: json!({
            "type": kind.event_type(),
            "id": key,
            "created_at": at,
            "part": part,
            "conversation": conversation,
        })
        .into(),
        key,
        ts: at,
    }
}

/// Every part of `conversation` of `kind`, oldest first; `sent_at` stands in for a part
/// without `created_at`. Parts without an id are skipped: an event needs one.
pub fn conversation_parts(kind: PartKind, mut conversation: Value, sent_at: i64) -> Vec<Found> {
    let parts = conversation
        .as_object_mut()
        .and_then(|o| o.remove("conversation_parts"))
        .and_then(|mut p| p.get_mut("conversation_parts").map(std::mem::take))
        .and_then(|p| match p {
            Value::Array(parts) => Some(parts),
            _ => None,
        })
        .unwrap_or_default();
    let mut found: Vec<Found> = parts
        .iter()
        .filter(|p| kind.matches(p) && part_id(p).is_some())
        .map(|p| {
            conversation_part(
                kind,
                &conversation,
                p,
                ts(p, "created_at").unwrap_or(sent_at),
            )
        })
        .collect();
    crate::sort::sort_by(&mut found, |a, b| (a.ts, &a.key).cmp(&(b.ts, &b.key)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(id: Value, part_type: &str, author: &str, at: i64) -> Value {
        json!({"type": "conversation_part", "id": id, "part_type": part_type, "created_at": at,
            "author": {"type": author, "id": "1"}})
    }

    #[test]
    fn parts_are_sorted_by_kind_and_notes_bots_and_other_actions_are_no_replies() {
        let cases = [
            ("comment", "user", Some(PartKind::UserReply)),
            ("comment", "lead", Some(PartKind::UserReply)),
            ("comment", "contact", Some(PartKind::UserReply)),
            ("quick_reply", "user", Some(PartKind::UserReply)),
            ("comment", "admin", Some(PartKind::AdminReply)),
            ("quick_reply", "admin", Some(PartKind::AdminReply)),
            ("note", "admin", None),
            ("comment", "bot", None),
            ("comment", "team", None),
            ("close", "admin", None),
            ("open", "admin", None),
            ("assignment", "admin", Some(PartKind::Assignment)),
            ("assign_and_reopen", "admin", Some(PartKind::Assignment)),
            ("default_assignment", "bot", Some(PartKind::Assignment)),
            ("away_mode_assignment", "admin", Some(PartKind::Assignment)),
        ];
        let kinds = [
            PartKind::UserReply,
            PartKind::AdminReply,
            PartKind::Assignment,
        ];
        for (part_type, author, want) in cases {
            let p = part(json!("9"), part_type, author, 5);
            let got: Vec<_> = kinds.into_iter().filter(|k| k.matches(&p)).collect();
            assert_eq!(
                got,
                want.into_iter().collect::<Vec<_>>(),
                "{part_type} by {author}"
            );
        }
    }

    #[test]
    fn each_part_is_an_event_keyed_by_its_id_without_the_part_list_in_the_conversation() {
        let conversation = json!({"type": "conversation", "id": "147", "conversation_parts": {
        "type": "conversation_part.list", "total_count": 4, "conversation_parts": [
            part(json!("12"), "comment", "user", 20),
            part(json!(11), "comment", "lead", 10),
            part(json!(null), "comment", "user", 30),
            part(json!("13"), "comment", "admin", 40),
            {"id": "14", "part_type": "comment", "author": {"type": "user"}},
        ]}});
        let found = conversation_parts(PartKind::UserReply, conversation, 99);
        let keys: Vec<(&str, i64)> = found.iter().map(|f| (f.key.as_str(), f.ts)).collect();
        assert_eq!(keys, [("11", 10), ("12", 20), ("14", 99)]);
        let data = found[0].data.to_value();
        assert_eq!(data["type"], "conversation_reply");
        assert_eq!(data["id"], "11");
        assert_eq!(data["part"]["id"], 11);
        assert_eq!(
            data["conversation"],
            json!({"type": "conversation", "id": "147"})
        );
        // The webhook path builds the same events from the same item.
        let item = json!({"id": "147", "conversation_parts": {"conversation_parts": [
            part(json!("13"), "comment", "admin", 40)]}});
        let hooked = from_webhook(Shape::Part(PartKind::AdminReply), item, 0);
        assert_eq!(hooked.len(), 1);
        assert_eq!((hooked[0].key.as_str(), hooked[0].ts), ("13", 40));
        assert!(from_webhook(Shape::Part(PartKind::UserReply), json!({"id": "1"}), 0).is_empty());
    }
}
