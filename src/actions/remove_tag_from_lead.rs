//! remove-tag-from-lead: Removes a tag from a lead (by Intercom id or email). Users are never touched.

use super::tagging::{self, ContactTagInput};
use crate::error::Result;
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-lead",
        label: "Remove Tag from Lead",
        description:
            "Removes a tag from a lead (by Intercom id or email). Users are never touched.",
        input_schema: input_schema!("remove-tag-from-lead", ContactTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::contact(client, input, Role::Lead, true)
}
