//! add-tag-to-conversation: Tags a conversation as an admin. A missing tag is created.

use super::tagging::{self, ConversationTagInput};
use crate::error::Result;
use crate::input::schema_of;

use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{tag_sample, tag_schema};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-tag-to-conversation",
        label: "Add Tag to Conversation",
        description: "Tags a conversation as an admin. A missing tag is created.",
        input_schema: schema_of::<ConversationTagInput>,
        output_schema: tag_schema,
        output_sample: tag_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::conversation(client, input, false)
}
