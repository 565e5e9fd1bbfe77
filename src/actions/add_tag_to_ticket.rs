//! add-tag-to-ticket: Tags a ticket as an admin. A missing tag is created.

use super::tagging::{self, TicketTagInput};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-tag-to-ticket",
        label: "Add Tag to Ticket",
        description: "Tags a ticket as an admin. A missing tag is created.",
        input_schema: input_schema!("add-tag-to-ticket", TicketTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::ticket(client, input, false)
}
