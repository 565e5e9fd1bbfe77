//! remove-tag-from-company: Removes a tag from a company (by company_id or Intercom id).

use super::tagging::{self, CompanyTagInput};
use crate::error::Result;
use crate::input::schema_of;

use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{tag_sample, tag_schema};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-company",
        label: "Remove Tag from Company",
        description: "Removes a tag from a company (by company_id or Intercom id).",
        input_schema: schema_of::<CompanyTagInput>,
        output_schema: tag_schema,
        output_sample: tag_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::company(client, input, true)
}
