//! add-tag-to-company: Attaches a tag to a company (by company_id or Intercom id). A missing tag is created.

use super::tagging::{self, CompanyTagInput};
use crate::error::Result;

use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TAG_SAMPLE, TAG_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-tag-to-company",
        label: "Add Tag to Company",
        description:
            "Attaches a tag to a company (by company_id or Intercom id). A missing tag is created.",
        input_schema: input_schema!("add-tag-to-company", CompanyTagInput),
        output_schema: TAG_SCHEMA,
        output_sample: TAG_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::company(client, input, false)
}
