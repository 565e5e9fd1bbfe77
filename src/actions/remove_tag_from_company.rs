//! remove-tag-from-company: Removes a tag from a company (by company_id or Intercom id).

use super::tagging::{self, CompanyTagInput};
use crate::error::Result;

use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "remove-tag-from-company",
        label: "Remove Tag from Company",
        description: "Removes a tag from a company (by company_id or Intercom id).",
        input_schema: input_schema!("remove-tag-from-company", CompanyTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::company(client, input, true)
}
