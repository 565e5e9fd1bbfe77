//! find-company: a company by Intercom id, your company_id, or name.

use crate::error::Result;
use crate::input::{parse, require_one_of, schema_require_any, Id, Text};
use crate::intercom::companies;
use crate::intercom::contacts::str_field;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, SearchOp};
use crate::schemas::{COMPANY_SAMPLE, COMPANY_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// Find a company. Give at least one identifier; when several are given, a match must have them all.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = require_an_identifier)]
pub struct Input {
    /// Intercom's company id.
    pub id: Option<Id>,
    /// Your id for the company.
    #[schemars(extend("x-dynamic-options" = "companies"))]
    pub company_id: Option<Id>,
    /// The company's name (exact).
    pub name: Option<Text>,
}

/// The schema side of the at-least-one-identifier rule checked in `run`.
fn require_an_identifier(schema: &mut schemars::Schema) {
    schema_require_any(schema, &["id", "company_id", "name"]);
}

pub const SEARCH: SearchOp = SearchOp {
    meta: Meta {
        key: "find-company",
        label: "Find Company",
        description: "Finds a company by Intercom id, your company_id, or its exact name.",
        input_schema: input_schema!("find-company", Input),
        output_schema: COMPANY_SCHEMA,
        output_sample: COMPANY_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Vec<Box<RawValue>>> {
    super::texts(found(client, input)?)
}

fn found(client: &Client, input: &str) -> Result<Vec<Value>> {
    let input: Input = parse(input)?;
    require_one_of(&[
        ("id", input.id.is_some()),
        ("company_id", input.company_id.is_some()),
        ("name", input.name.is_some()),
    ])?;
    find(
        client,
        input.id.as_ref().map(Id::as_str),
        input.company_id.as_ref().map(Id::as_str),
        input.name.as_ref().map(Text::as_str),
    )
}

/// Companies with every identifier given (at least one). Also the lookup of
/// find-or-create-company.
pub fn find(
    client: &Client,
    id: Option<&str>,
    company_id: Option<&str>,
    name: Option<&str>,
) -> Result<Vec<Value>> {
    let found = if let Some(id) = id {
        companies::get(client, id)?.into_iter().collect()
    } else if let Some(cid) = company_id {
        companies::find_by(client, "company_id", cid)?
    } else {
        companies::find_by(client, "name", name.unwrap_or_default())?
    };
    Ok(found
        .into_iter()
        .filter(|c| company_id.is_none_or(|x| str_field(c, "company_id") == Some(x)))
        .filter(|c| name.is_none_or(|n| str_field(c, "name") == Some(n)))
        .collect())
}
