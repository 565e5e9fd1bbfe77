//! remove-tag-from-conversation: Removes a tag from a conversation as an admin.

use super::tagging::{self, ConversationTagInput};
use crate::error::Result;
use crate::input::schema_of;

use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{tag_sample, tag_schema};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-conversation",
        label: "Remove Tag from Conversation",
        description: "Removes a tag from a conversation as an admin.",
        input_schema: schema_of::<ConversationTagInput>,
        output_schema: tag_schema,
        output_sample: tag_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::conversation(client, input, true)
}
