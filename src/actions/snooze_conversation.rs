//! snooze-conversation: snooze a conversation until a time in the future.

use super::conversations;
use super::fields::Timestamp;
use crate::error::{Error, Result};
use crate::input::{parse, Id};
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONVERSATION_SAMPLE, CONVERSATION_SCHEMA};
use crate::time::now_unix;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Snooze a conversation.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The conversation's id.
    pub conversation_id: Id,
    /// When the conversation reopens (in the future).
    pub snoozed_until: Timestamp,
    /// The admin snoozing it; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "snooze-conversation",
        label: "Snooze Conversation",
        description: "Snoozes a conversation until the given time, when it reopens.",
        input_schema: input_schema!("snooze-conversation", Input),
        output_schema: CONVERSATION_SCHEMA,
        output_sample: CONVERSATION_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    if input.snoozed_until.0 <= now_unix() {
        return Err(Error::invalid("snoozed_until", "must be in the future"));
    }
    let part = json!({ "message_type": "snoozed", "snoozed_until": input.snoozed_until.0 });
    conversations::admin_part(
        client,
        &input.conversation_id,
        input.admin_id.as_ref(),
        part,
        None,
    )
}
