//! remove-tag-from-conversation: Removes a tag from a conversation as an admin.

use super::tagging::{self, ConversationTagInput};
use crate::error::Result;

use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-conversation",
        label: "Remove Tag from Conversation",
        description: "Removes a tag from a conversation as an admin.",
        input_schema: input_schema!("remove-tag-from-conversation", ConversationTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::conversation(client, input, true)
}
