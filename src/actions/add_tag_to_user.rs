//! add-tag-to-user: Attaches a tag to a user (by Intercom id, external_id/user_id or email). A missing tag is created. Leads are never touched.

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
        key: "add-tag-to-user",
        label: "Add Tag to User",
        description: "Attaches a tag to a user (by Intercom id, external_id/user_id or email). A missing tag is created. Leads are never touched.",
        input_schema: schema_of::<ContactTagInput>,
        output_schema: tag_schema,
        output_sample: tag_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::contact(client, input, Role::User, false)
}
