//! add-note: a note on a user or lead (`POST /contacts/{id}/notes`).

use super::fields::{contact_key, Email};
use crate::error::Result;
use crate::input::{parse, Id, Text};
use crate::intercom::lookup;
use crate::intercom::{encode, Client};
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{ADD_NOTE_SCHEMA, NOTE_SAMPLE};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Add a note to a contact. Name the contact by Intercom id, external_id (user_id) or email.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["id"]}, {"required": ["external_id"]}, {"required": ["email"]}]))]
pub struct Input {
    /// Intercom's contact id (a user or a lead).
    pub id: Option<Id>,
    /// Your id for the user (`user_id`).
    #[serde(alias = "user_id")]
    pub external_id: Option<Id>,
    /// The contact's email address (users are preferred over leads).
    pub email: Option<Email>,
    /// The note's text.
    pub body: Text,
    /// The admin who writes the note; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-note",
        label: "Add Note",
        description: "Adds a note to a user or lead, optionally written by a given admin.",
        input_schema: input_schema!("add-note", Input),
        output_schema: ADD_NOTE_SCHEMA,
        output_sample: NOTE_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let key = contact_key(&input.id, &input.external_id, &input.email)?;
    let contact = lookup::contact(client, None, key)?;
    let id = lookup::id_of(&contact)?;
    let mut body = json!({ "body": input.body.as_str() });
    if let Some(admin) = &input.admin_id {
        body["admin_id"] = json!(admin.as_str());
    }
    let result = client.post(&format!("/contacts/{}/notes", encode(&id)), &body);
    lookup::name_not_found(result, || match &input.admin_id {
        Some(admin) => format!("contact id={id} or admin id={admin}"),
        None => format!("contact id={id}"),
    })
}
