//! assign-conversation: assign a conversation to an admin or a team (or unassign it with `0`).

use super::conversations;
use crate::error::Result;
use crate::input::{parse, Id, Text};
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONVERSATION_SAMPLE, CONVERSATION_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Who receives the conversation.
#[derive(Deserialize, JsonSchema, Clone, Copy, Default)]
#[serde(rename_all = "lowercase")]
pub enum AssigneeType {
    #[default]
    Admin,
    Team,
}

/// Assign a conversation.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The conversation's id.
    pub conversation_id: Id,
    /// The id of the admin or team to assign it to; `0` unassigns.
    #[schemars(extend("x-dynamic-options" = "assignees"))]
    pub assignee_id: Id,
    /// Whether `assignee_id` is an admin (default) or a team.
    #[serde(default)]
    pub assignee_type: AssigneeType,
    /// A message sent in the conversation with the assignment (optional).
    pub body: Option<Text>,
    /// The admin doing the assignment; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "assign-conversation",
        label: "Assign Conversation",
        description: "Assigns a conversation to an admin or a team (assignee 0 unassigns it).",
        input_schema: input_schema!("assign-conversation", Input),
        output_schema: CONVERSATION_SCHEMA,
        output_sample: CONVERSATION_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let kind = match input.assignee_type {
        AssigneeType::Admin => "admin",
        AssigneeType::Team => "team",
    };
    let part = json!({
        "message_type": "assignment", "type": kind, "assignee_id": input.assignee_id.as_str()
    });
    conversations::admin_part(
        client,
        &input.conversation_id,
        input.admin_id.as_ref(),
        part,
        input.body.as_ref(),
    )
}
