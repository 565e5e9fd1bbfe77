//! add-tag-to-company: Attaches a tag to a company (by company_id or Intercom id). A missing tag is created.

use super::tagging::{self, CompanyTagInput};
use crate::error::Result;
use crate::input::schema_of;

use crate::intercom::Client;
use crate::operation::{ActionOp, Meta};
use crate::schemas::{tag_sample, tag_schema};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-tag-to-company",
        label: "Add Tag to Company",
        description:
            "Attaches a tag to a company (by company_id or Intercom id). A missing tag is created.",
        input_schema: schema_of::<CompanyTagInput>,
        output_schema: tag_schema,
        output_sample: tag_sample,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    tagging::company(client, input, false)
}
