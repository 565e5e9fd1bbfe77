//! detach-user-from-company: Detaches a user (by Intercom id, external_id/user_id or email) from a company (by company_id or Intercom id).

use super::company_membership::{self, Input};
use crate::error::Result;
use crate::input::schema_of;
use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{company_sample, company_schema};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "detach-user-from-company",
        label: "Detach User from Company",
        description: "Detaches a user (by Intercom id, external_id/user_id or email) from a company (by company_id or Intercom id).",
        input_schema: schema_of::<Input>,
        output_schema: company_schema,
        output_sample: company_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    company_membership::run(client, input, true)
}
