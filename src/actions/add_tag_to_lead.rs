//! add-tag-to-lead: Attaches a tag to a lead (by Intercom id or email). A missing tag is created. Users are never touched.

use super::tagging::{self, ContactTagInput};
use crate::error::Result;
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-tag-to-lead",
        label: "Add Tag to Lead",
        description: "Attaches a tag to a lead (by Intercom id or email). A missing tag is created. Users are never touched.",
        input_schema: input_schema!("add-tag-to-lead", ContactTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::contact(client, input, Role::Lead, false)
}
