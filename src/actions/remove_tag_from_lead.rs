//! remove-tag-from-lead: Removes a tag from a lead (by Intercom id or email). Users are never touched.

use super::tagging::{self, ContactTagInput};
use crate::error::Result;
use crate::input::schema_of;
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{tag_sample, tag_schema};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-lead",
        label: "Remove Tag from Lead",
        description:
            "Removes a tag from a lead (by Intercom id or email). Users are never touched.",
        input_schema: schema_of::<ContactTagInput>,
        output_schema: tag_schema,
        output_sample: tag_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::contact(client, input, Role::Lead, true)
}
