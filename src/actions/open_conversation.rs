//! open-conversation: reopen a closed or snoozed conversation as an admin.

use super::conversations;
use crate::error::Result;
use crate::input::{parse, schema_of, Id};
use crate::intercom::lookup;
use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{conversation_sample, conversation_schema};
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
    pub admin_id: Option<Id>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "open-conversation",
        label: "Open Conversation",
        description: "Reopens a closed or snoozed conversation as an admin.",
        input_schema: schema_of::<Input>,
        output_schema: conversation_schema,
        output_sample: conversation_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let admin_id = lookup::admin_id(client, input.admin_id.as_ref().map(Id::as_str))?;
    let body = json!({ "message_type": "open", "admin_id": admin_id });
    conversations::post(
        client,
        input.conversation_id.as_str(),
        "parts",
        &body,
        Some(&admin_id),
    )
}
