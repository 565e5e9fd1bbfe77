//! Triggers: events from polling Intercom or from its webhook deliveries. Both paths emit the
//! same event shape per trigger.

use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::operation::{find, Meta, TriggerInfo};
use serde_json::Value;

/// One event a trigger emits.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across retries and re-polls, so hosts dedupe on it.
    pub id: String,
    pub trigger: String,
    pub occurred_at: i64,
    pub data: Value,
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
}

pub type PollFn = fn(&Client, &str, Option<&str>) -> Result<PollPage>;

pub struct TriggerOp {
    pub meta: Meta,
    pub info: TriggerInfo,
    /// `None` for webhook-only triggers.
    pub poll: Option<PollFn>,
}

/// Every trigger, in the order `describe()` lists them.
pub const ALL: &[TriggerOp] = &[];

/// Polls the trigger `key`.
pub fn poll(client: &Client, key: &str, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let op = find(ALL, key, |op| &op.meta, "trigger")?;
    let poll = op.poll.ok_or_else(|| {
        Error::invalid("key", format!("trigger `{key}` is webhook-only: {}", op.info.notes))
    })?;
    poll(client, input, cursor)
}

/// Verifies and parses one webhook delivery.
pub fn parse_webhook(_secret: &str, _headers: &[(String, String)], _body: &[u8]) -> Result<WebhookResult> {
    Err(Error::Internal("webhooks are not implemented yet".into()))
}
