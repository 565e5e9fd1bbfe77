//! attach-user-to-company: Attaches a user (by Intercom id, external_id/user_id or email) to an existing company (by company_id or Intercom id). A company shows in Intercom's UI once it has a user.

use super::company_membership::{self, Input};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{COMPANY_SAMPLE, COMPANY_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "attach-user-to-company",
        label: "Attach User to Company",
        description: "Attaches a user (by Intercom id, external_id/user_id or email) to an existing company (by company_id or Intercom id). A company shows in Intercom's UI once it has a user.",
        input_schema: input_schema!("attach-user-to-company", Input),
        output_schema: COMPANY_SCHEMA,
        output_sample: COMPANY_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    company_membership::run(client, input, false)
}
