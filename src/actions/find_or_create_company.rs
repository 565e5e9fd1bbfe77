//! find-or-create-company: the company with this company_id, else a new one.
//!
//! Found by company_id (`GET /companies?company_id=`, exact and immediate); the other fields are
//! written only when the company is created, so an existing company is never changed. Creating
//! is `POST /companies`, an upsert by company_id: two calls racing for the same new company end
//! with one company.

use super::find_or_create::Outcome;
use super::update_company::{upsert, Input};
use crate::error::Result;
use crate::input::parse;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{COMPANY_FOUND_OR_CREATED_SCHEMA, FIND_OR_CREATE_COMPANY_SAMPLE};
use crate::searches::find_company;
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "find-or-create-company",
        label: "Find or Create Company",
        description: "Finds the company with this company_id, as Find Company does; creates it with the fields given \
                      (and attaches the user, if one is given) only when none exists. An existing company is \
                      returned unchanged. The output's `outcome` says `found` or `created`.",
        input_schema: input_schema!("find-or-create-company", Input),
        output_schema: COMPANY_FOUND_OR_CREATED_SCHEMA,
        output_sample: FIND_OR_CREATE_COMPANY_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let company_id = input.company_id.as_str();
    if let Some(company) = find_company::find(client, None, Some(company_id), None)?
        .into_iter()
        .next()
    {
        return Ok(Outcome::Found.tag(company));
    }
    let created = upsert(client, &input)?;
    Ok(Outcome::Created.tag(created))
}
