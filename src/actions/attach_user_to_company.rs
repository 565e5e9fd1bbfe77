//! attach-user-to-company: Attaches a user (by Intercom id, external_id/user_id or email) to an existing company (by company_id or Intercom id). A company shows in Intercom's UI once it has a user.

use super::company_membership::{self, Input};
use crate::error::Result;
use crate::input::schema_of;
use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{company_sample, company_schema};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "attach-user-to-company",
        label: "Attach User to Company",
        description: "Attaches a user (by Intercom id, external_id/user_id or email) to an existing company (by company_id or Intercom id). A company shows in Intercom's UI once it has a user.",
        input_schema: schema_of::<Input>,
        output_schema: company_schema,
        output_sample: company_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    company_membership::run(client, input, false)
}
