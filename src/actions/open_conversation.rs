//! open-conversation: reopen a closed or snoozed conversation as an admin.

use super::conversations;
use crate::error::Result;
use crate::input::{parse, Id};
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONVERSATION_SAMPLE, CONVERSATION_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Open a conversation.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The conversation's id.
    pub conversation_id: Id,
    /// The admin opening it; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "open-conversation",
        label: "Open Conversation",
        description: "Reopens a closed or snoozed conversation as an admin.",
        input_schema: input_schema!("open-conversation", Input),
        output_schema: CONVERSATION_SCHEMA,
        output_sample: CONVERSATION_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let part = json!({ "message_type": "open" });
    conversations::admin_part(
        client,
        &input.conversation_id,
        input.admin_id.as_ref(),
        part,
        None,
    )
}
