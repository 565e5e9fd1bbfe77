//! Triggers: events from polling Intercom or from its webhook deliveries. Both paths emit the
//! same event shape per trigger.

pub mod contact_poll;
pub mod cursor;
pub mod part_poll;
pub mod search_poll;
pub mod shapes;
pub mod webhook;

mod conversation_assigned;
mod lead_added_email;
mod lead_converted_to_user;
mod new_closed_conversation;
mod new_company;
mod new_conversation;
mod new_lead;
mod new_reply_from_admin;
mod new_reply_from_user;
mod new_ticket;
mod new_unsubscription;
mod new_user;
mod tag_added_to_conversation;
mod tag_added_to_lead;
mod tag_added_to_user;
mod ticket_state_changed;

use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::operation::{find, Meta, TriggerInfo};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// One event a trigger emits.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across retries and re-polls, so hosts dedupe on it.
    pub id: String,
    pub trigger: String,
    pub occurred_at: i64,
    pub data: Data,
}

/// An event's data: a value the trigger built or edited, or an item passed on as the JSON text
/// Intercom sent (most polled contacts), which is never parsed whole nor written again.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Data {
    Value(Value),
    Text(Box<RawValue>),
}

impl Data {
    /// The data as JSON text.
    pub fn into_text(self) -> String {
        match self {
            Data::Value(v) => serde_json::to_string(&v).expect("a JSON value serialises"),
            Data::Text(raw) => Box::<str>::from(raw).into(),
        }
    }

    /// The data as a value (parses text data).
    pub fn to_value(&self) -> Value {
        match self {
            Data::Value(v) => v.clone(),
            // Raw data was read by the same parser, so this only fails past its nesting limit.
            Data::Text(raw) => serde_json::from_slice(raw.get().as_bytes()).unwrap_or(Value::Null),
        }
    }
}

impl From<Value> for Data {
    fn from(v: Value) -> Self {
        Data::Value(v)
    }
}

/// Equal when they hold the same JSON value, whichever form.
impl PartialEq for Data {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Data::Value(a), Data::Value(b)) => a == b,
            _ => self.to_value() == other.to_value(),
        }
    }
}

/// The result of one poll.
#[derive(Debug, Clone, PartialEq)]
pub struct PollPage {
    pub events: Vec<Event>,
    pub cursor: String,
    pub has_more: bool,
}

/// The result of parsing one webhook delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookResult {
    pub topic: String,
    pub events: Vec<Event>,
    pub note: Option<String>,
    /// Intercom's notification id (`None` for a `ping`, which has none).
    pub delivery_id: Option<String>,
}

pub type PollFn = fn(&Client, &str, Option<&str>) -> Result<PollPage>;

/// What a trigger's events carry, which tells the webhook parser how to build them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// The new contact; happened at its `created_at`.
    Contact,
    /// The contact after a state change; happened when notified.
    ContactChange,
    /// `contact_tag {created_at, tag, contact}`.
    ContactTag,
    /// `contact_unsubscribe {created_at, contact, subscription_types}`.
    ContactUnsubscribe,
    /// The new conversation.
    Conversation,
    /// The closed conversation; happened at `statistics.last_close_at`.
    ClosedConversation,
    /// `conversation_tag {created_at, tag, conversation}`, one per tag added.
    ConversationTag,
    /// The new company.
    Company,
    /// The new ticket.
    Ticket,
    /// A ticket whose state changed, with `state_change {from, to, changed_at}`.
    TicketState,
    /// `conversation_reply` / `conversation_assignment {id, created_at, part, conversation}`, one
    /// per part of that kind (the part id is the event id).
    Part(shapes::PartKind),
}

pub struct TriggerOp {
    pub meta: Meta,
    pub info: TriggerInfo,
    /// `None` for webhook-only triggers.
    pub poll: Option<PollFn>,
    pub shape: Shape,
}

/// Every trigger, in the order `describe()` lists them (the seed's order).
pub const ALL: &[TriggerOp] = &[
    new_user::TRIGGER,
    lead_added_email::TRIGGER,
    new_lead::TRIGGER,
    tag_added_to_user::TRIGGER,
    new_conversation::TRIGGER,
    new_closed_conversation::TRIGGER,
    lead_converted_to_user::TRIGGER,
    new_company::TRIGGER,
    new_unsubscription::TRIGGER,
    tag_added_to_lead::TRIGGER,
    tag_added_to_conversation::TRIGGER,
    new_ticket::TRIGGER,
    ticket_state_changed::TRIGGER,
    new_reply_from_user::TRIGGER,
    new_reply_from_admin::TRIGGER,
    conversation_assigned::TRIGGER,
];

/// Polls the trigger `key`.
pub fn poll(client: &Client, key: &str, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let op = find(ALL, key, |op| &op.meta, "trigger")?;
    let poll = op.poll.ok_or_else(|| {
        Error::invalid(
            "key",
            format!("trigger `{key}` is webhook-only: {}", op.info.notes.text()),
        )
    })?;
    poll(client, input, cursor)
}

/// Verifies and parses one webhook delivery.
pub fn parse_webhook(
    secret: &str,
    headers: &[(String, String)],
    body: &[u8],
) -> Result<WebhookResult> {
    webhook::parse(secret, headers, body)
}
