//! add-tag-to-conversation: Tags a conversation as an admin. A missing tag is created.

use super::tagging::{self, ConversationTagInput};
use crate::error::Result;

use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-tag-to-conversation",
        label: "Add Tag to Conversation",
        description: "Tags a conversation as an admin. A missing tag is created.",
        input_schema: input_schema!("add-tag-to-conversation", ConversationTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::conversation(client, input, false)
}
