//! close-conversation: close a conversation as an admin, optionally with a closing message.

use super::conversations;
use crate::error::Result;
use crate::input::{parse, Id, Text};
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONVERSATION_SAMPLE, CONVERSATION_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Close a conversation.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The conversation's id.
    pub conversation_id: Id,
    /// A message left in the conversation as it closes (optional).
    pub body: Option<Text>,
    /// The admin closing it; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "close-conversation",
        label: "Close Conversation",
        description: "Closes a conversation as an admin, optionally leaving a message.",
        input_schema: input_schema!("close-conversation", Input),
        output_schema: CONVERSATION_SCHEMA,
        output_sample: CONVERSATION_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let part = json!({ "message_type": "close", "type": "admin" });
    conversations::admin_part(
        client,
        &input.conversation_id,
        input.admin_id.as_ref(),
        part,
        input.body.as_ref(),
    )
}
