//! detach-user-from-company: Detaches a user (by Intercom id, external_id/user_id or email) from a company (by company_id or Intercom id).

use super::company_membership::{self, Input};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{COMPANY_SAMPLE, COMPANY_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "detach-user-from-company",
        label: "Detach User from Company",
        description: "Detaches a user (by Intercom id, external_id/user_id or email) from a company (by company_id or Intercom id).",
        input_schema: input_schema!("detach-user-from-company", Input),
        output_schema: COMPANY_SCHEMA,
        output_sample: COMPANY_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    company_membership::run(client, input, true)
}
