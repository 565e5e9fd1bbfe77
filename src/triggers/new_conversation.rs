//! new-conversation: a contact (user or lead) starts a conversation.

use super::search_poll::{lag_secs, Endpoint, Found, Item, LagAllowance, Source};
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
    /// Also conversations an admin, bot or workflow started (outbound messages). Default: only
    /// conversations a user or lead started. Polling only; the webhook topic for admin-started
    /// conversations is `conversation.admin.single.created`.
    #[serde(default)]
    pub include_admin_initiated: Option<bool>,
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-conversation",
        label: "New Conversation",
        description: "Triggers when a new conversation is created by a user or a lead in Intercom.",
        input_schema: input_schema!("new-conversation", Input),
        output_schema: CONVERSATION_SCHEMA,
        output_sample: CONVERSATION_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["conversation.user.created"],
        can_poll: true,
        notes: Embedded::at("notes/new-conversation.txt"),
    },
    poll: Some(poll),
    shape: Shape::Conversation,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let all = input.include_admin_initiated == Some(true);
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        let c = item.value();
        let author = c.pointer("/source/author/type").and_then(Value::as_str);
        let by_contact = matches!(author, Some("user" | "lead" | "contact"));
        let (Some(id), Some(ts)) = (
            c.get("id").and_then(Value::as_str),
            c.get("created_at").and_then(Value::as_i64),
        ) else {
            return Ok(vec![]);
        };
        Ok(if all || by_contact {
            let id = id.to_string();
            vec![shapes::created(&id, ts, std::mem::take(c).into())]
        } else {
            vec![]
        })
    };
    // The author filter goes into the query; the check above stays for authors it misses.
    let filters = if all {
        vec![]
    } else {
        vec![filter(
            "source.author.type",
            "IN",
            serde_json::json!(["user", "lead", "contact"]),
        )]
    };
    Source {
        trigger: "new-conversation",
        endpoint: Endpoint::Conversations,
        filters,
        window: "created_at",
        per_page: 150,
        max_pages: 3,
        lag: lag_secs(input.lag_allowance_minutes),
        memo: false,
        tag: None,
        expand: &expand,
    }
    .poll(client, cursor)
}
