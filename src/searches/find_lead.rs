//! find-lead: a lead by Intercom id, email or phone.

use crate::error::Result;
use crate::input::{parse, require_one_of, schema_require_any, Id, Text};
use crate::intercom::contacts::{self, str_field, Role};
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, SearchOp};
use crate::schemas::{CONTACT_SAMPLE, CONTACT_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// Find a lead. Give at least one identifier; when several are given, a match must have them all.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = require_an_identifier)]
pub struct Input {
    /// Intercom's contact id.
    pub id: Option<Id>,
    /// The lead's email address.
    pub email: Option<Text>,
    /// The lead's phone number, as stored in Intercom.
    pub phone: Option<Text>,
}

/// The schema side of the at-least-one-identifier rule checked in `run`.
fn require_an_identifier(schema: &mut schemars::Schema) {
    schema_require_any(schema, &["id", "email", "phone"]);
}

pub const SEARCH: SearchOp = SearchOp {
    meta: Meta {
        key: "find-lead",
        label: "Find Lead",
        description: "Finds leads by Intercom id, email or phone. Users are never returned.",
        input_schema: input_schema!("find-lead", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    run,
};

const LIMIT: u32 = 50;

fn run(client: &Client, input: &str) -> Result<Vec<Box<RawValue>>> {
    super::texts(found(client, input)?)
}

fn found(client: &Client, input: &str) -> Result<Vec<Value>> {
    let input: Input = parse(input)?;
    require_one_of(&[
        ("id", input.id.is_some()),
        ("email", input.email.is_some()),
        ("phone", input.phone.is_some()),
    ])?;
    find(
        client,
        input.id.as_ref().map(Id::as_str),
        input.email.as_ref().map(Text::as_str),
        input.phone.as_ref().map(Text::as_str),
    )
}

/// Leads with every identifier given (at least one), most recently updated first. Also the
/// lookup of find-or-create-lead. Search lags behind writes (see that action).
pub fn find(
    client: &Client,
    id: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> Result<Vec<Value>> {
    let found = if let Some(id) = id {
        contacts::get(client, id)?.into_iter().collect()
    } else {
        let mut fields = Vec::new();
        if let Some(e) = email {
            fields.push(("email", e));
        }
        if let Some(p) = phone {
            fields.push(("phone", p));
        }
        contacts::search_exact(client, Role::Lead, &fields, LIMIT)?
    };
    Ok(found
        .into_iter()
        .filter(|c| Role::Lead.matches(c))
        .filter(|c| {
            email.is_none_or(|e| str_field(c, "email").is_some_and(|ce| ce.eq_ignore_ascii_case(e)))
        })
        .filter(|c| phone.is_none_or(|p| str_field(c, "phone") == Some(p)))
        .collect())
}
