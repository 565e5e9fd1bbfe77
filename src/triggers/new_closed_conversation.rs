//! new-closed-conversation: an admin closes a conversation (again on every re-close).

use super::search_poll::{lag_secs, ts_at, Endpoint, Found, Item, LagAllowance, Source};
use super::{shapes, PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::parse;
use crate::intercom::query::filter;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, CONVERSATION_SAMPLE, CONVERSATION_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-closed-conversation",
        label: "New Closed Conversation",
        description: "Triggers when a conversation is closed.",
        input_schema: input_schema!("new-closed-conversation", Input),
        output_schema: CONVERSATION_SCHEMA,
        output_sample: CONVERSATION_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["conversation.admin.closed"],
        can_poll: true,
        notes: Embedded::at("notes/new-closed-conversation.txt"),
    },
    poll: Some(poll),
    shape: Shape::ClosedConversation,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        let c = item.value();
        let closed = c.get("state").and_then(Value::as_str) == Some("closed");
        let (Some(id), Some(ts)) = (
            c.get("id").and_then(Value::as_str),
            ts_at(c, "statistics.last_close_at"),
        ) else {
            return Ok(vec![]);
        };
        Ok(if closed {
            let id = id.to_string();
            vec![shapes::closed(&id, ts, std::mem::take(c).into())]
        } else {
            vec![]
        })
    };
    Source {
        trigger: "new-closed-conversation",
        endpoint: Endpoint::Conversations,
        filters: vec![filter("state", "=", "closed")],
        window: "statistics.last_close_at",
        per_page: 150,
        max_pages: 3,
        lag: lag_secs(input.lag_allowance_minutes),
        memo: false,
        tag: None,
        expand: &expand,
    }
    .poll(client, cursor)
}
