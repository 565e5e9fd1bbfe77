//! create-ticket: `POST /tickets` of a ticket type for exactly one contact, with the type's own
//! attributes checked against the type before anything is sent; never sent twice.

use super::fields::Email;
use crate::error::{Error, Result};
use crate::input::{parse, Id, Text};
use crate::intercom::tickets::{self, DESCRIPTION, TITLE};
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TICKET_SAMPLE, TICKET_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Create a ticket for one contact, named by Intercom id, external_id or email.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["contact_id"]}, {"required": ["contact_external_id"]}, {"required": ["contact_email"]}]))]
pub struct Input {
    /// The ticket type.
    #[schemars(extend("x-dynamic-options" = "ticket-types"))]
    pub ticket_type_id: Id,
    /// The contact the ticket is for: Intercom's contact id.
    pub contact_id: Option<Id>,
    /// The contact the ticket is for: your id for the user (`user_id`).
    pub contact_external_id: Option<Id>,
    /// The contact the ticket is for: their email (Intercom creates a contact when none has it).
    pub contact_email: Option<Email>,
    /// Intercom's id of the company the ticket is about.
    pub company_id: Option<Id>,
    /// The ticket's title (its `_default_title_` attribute).
    pub title: Option<Text>,
    /// The ticket's description (its `_default_description_` attribute).
    pub description: Option<Text>,
    /// Values of the ticket type's own attributes, by attribute name. A list attribute takes
    /// an option's label or id.
    pub ticket_attributes: Option<Map<String, Value>>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "create-ticket",
        label: "Create Ticket",
        description: "Creates a ticket of a ticket type for one contact (by Intercom id, external id or email), \
                      optionally for a company, with a title, a description and the type's own attributes, \
                      each checked against the type before anything is sent. When Intercom's answer is lost \
                      the ticket is not sent again: the error says it may exist.",
        input_schema: input_schema!("create-ticket", Input),
        output_schema: TICKET_SCHEMA,
        output_sample: TICKET_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let contact = one_contact(&input)?;
    let mut values = input.ticket_attributes.clone().unwrap_or_default();
    for (field, name, v) in [
        ("title", TITLE, &input.title),
        ("description", DESCRIPTION, &input.description),
    ] {
        if let Some(v) = v {
            if values.contains_key(name) {
                return Err(Error::invalid(
                    field,
                    format!("given twice: as `{field}` and as ticket_attributes.{name}"),
                ));
            }
            values.insert(name.into(), json!(v.as_str()));
        }
    }
    let ty = tickets::ticket_type(client, input.ticket_type_id.as_str(), "ticket_type_id")?;
    let attributes = ty.check(&values, true)?;
    let mut body = json!({
        "ticket_type_id": input.ticket_type_id.as_str(),
        "contacts": [contact],
    });
    if let Some(c) = &input.company_id {
        body["company_id"] = json!(c.as_str());
    }
    if !attributes.is_empty() {
        body["ticket_attributes"] = Value::Object(attributes);
    }
    // Sent once: a lost answer is the `transport` error saying the ticket may exist (a ticket
    // has no unique key to look it up by, and search lags behind the create).
    client.post_once("/tickets", &body).map_err(Error::from)
}

/// The one contact of the ticket, as `POST /tickets` takes it.
fn one_contact(input: &Input) -> Result<Value> {
    let given: Vec<(&str, Value)> = [
        (
            "contact_id",
            input.contact_id.as_ref().map(|v| json!({"id": v.as_str()})),
        ),
        (
            "contact_external_id",
            input
                .contact_external_id
                .as_ref()
                .map(|v| json!({"external_id": v.as_str()})),
        ),
        (
            "contact_email",
            input
                .contact_email
                .as_ref()
                .map(|v| json!({"email": v.as_str()})),
        ),
    ]
    .into_iter()
    .filter_map(|(f, v)| v.map(|v| (f, v)))
    .collect();
    match given.as_slice() {
        [(_, c)] => Ok(c.clone()),
        [] => Err(Error::invalid(
            "contact_id",
            "give the ticket's contact: contact_id, contact_external_id or contact_email",
        )),
        [_, (second, _), ..] => Err(Error::invalid(
            *second,
            "a ticket has exactly one contact: give only one of contact_id, contact_external_id, contact_email",
        )),
    }
}
