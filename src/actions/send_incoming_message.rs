//! send-incoming-message: a message from a user or lead into the inbox (`POST /conversations`).

use super::fields::{contact_key, Email};
use crate::error::Result;
use crate::input::{parse, Id, Text};
use crate::intercom::contacts::{str_field, Role};
use crate::intercom::lookup;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{MESSAGE_SAMPLE, SEND_INCOMING_MESSAGE_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Send a message from a contact. Name the contact by Intercom id, external_id (user_id) or email.
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
    /// The message, as plain text (Intercom does not accept HTML here).
    pub body: Text,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "send-incoming-message",
        label: "Send Incoming Message",
        description: "Sends a message from a user or lead into your Intercom inbox, starting a conversation. \
                      Returns the message with its conversation_id. Needs a paid Intercom plan.",
        input_schema: input_schema!("send-incoming-message", Input),
        output_schema: SEND_INCOMING_MESSAGE_SCHEMA,
        output_sample: MESSAGE_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let key = contact_key(&input.id, &input.external_id, &input.email)?;
    let contact = lookup::contact(client, None, key)?;
    let role = if Role::Lead.matches(&contact) {
        "lead"
    } else {
        str_field(&contact, "role").unwrap_or("user")
    };
    let from = json!({ "type": role, "id": lookup::id_of(&contact)? });
    client.post(
        "/conversations",
        &json!({ "from": from, "body": input.body.as_str() }),
    )
}
