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
    out.sort_by_key(|c| c.0);
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
