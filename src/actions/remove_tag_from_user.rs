//! remove-tag-from-user: Removes a tag from a user (by Intercom id, external_id/user_id or email). Leads are never touched.

use super::tagging::{self, ContactTagInput};
use crate::error::Result;
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-user",
        label: "Remove Tag from User",
        description: "Removes a tag from a user (by Intercom id, external_id/user_id or email). Leads are never touched.",
        input_schema: input_schema!("remove-tag-from-user", ContactTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::contact(client, input, Role::User, true)
}
