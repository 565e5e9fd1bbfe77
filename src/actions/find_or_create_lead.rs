//! find-or-create-lead: the lead with the identifiers given (find-lead's rules), else a new one.
//!
//! Leads are found by search, and Intercom's search lags behind writes (minutes, per its docs'
//! note that new data may take a short while to be searchable): a lead created moments before,
//! by this action or anything else, may not be found, and a second lead is then created.
//! Intercom does not refuse duplicate leads, so there is no 409 to recover through.

use super::contact_writes;
use super::create_or_update_lead::{lead_body, Input};
use super::find_or_create::Outcome;
use crate::error::{Error, Result};
use crate::input::{parse, require_one_of, Id, Text};
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONTACT_FOUND_OR_CREATED_SCHEMA, FIND_OR_CREATE_LEAD_SAMPLE};
use crate::searches::find_lead;
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "find-or-create-lead",
        label: "Find or Create Lead",
        description: "Finds the lead with this Intercom id, email and/or phone, as Find Lead does; creates one with \
                      the fields given only when none matches (an unknown id is not found, since an id cannot be \
                      chosen). Leads are found by Intercom's search, which lags a few minutes behind writes: a lead \
                      created moments ago may not be found, and a second one is then created. The output's \
                      `outcome` says `found` or `created`.",
        input_schema: input_schema!("find-or-create-lead", Input),
        output_schema: CONTACT_FOUND_OR_CREATED_SCHEMA,
        output_sample: FIND_OR_CREATE_LEAD_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    require_one_of(&[
        ("id", input.id.is_some()),
        ("email", input.email.is_some()),
        ("phone", input.phone.is_some()),
    ])?;
    let id = input.id.as_ref().map(Id::as_str);
    let email = input.email.as_ref().map(|e| e.as_str());
    let phone = input.phone.as_ref().map(Text::as_str);
    if let Some(lead) = find_lead::find(client, id, email, phone)?
        .into_iter()
        .next()
    {
        return Ok(Outcome::Found.tag(lead));
    }
    if let Some(id) = id {
        return Err(Error::NotFound(format!("no lead with id={id} in Intercom")));
    }
    let (lead, outcome) =
        contact_writes::create_or_recover(client, Role::Lead, lead_body(client, &input)?)?;
    Ok(if outcome == "created" {
        Outcome::Created
    } else {
        Outcome::Found
    }
    .tag(lead))
}
