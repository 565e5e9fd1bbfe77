//! remove-tag-from-ticket: Removes a tag from a ticket as an admin.

use super::tagging::{self, TicketTagInput};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-ticket",
        label: "Remove Tag from Ticket",
        description: "Removes a tag from a ticket as an admin.",
        input_schema: input_schema!("remove-tag-from-ticket", TicketTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::ticket(client, input, true)
}
