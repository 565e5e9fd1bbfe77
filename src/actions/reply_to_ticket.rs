//! reply-to-ticket: reply on a ticket as an admin (a comment the contact sees, or an internal
//! note) or as the contact (`POST /tickets/{id}/reply`, sent once).

use super::fields::Email;
use super::reply_to_conversation::{build, Author, Built, Reply, ReplyType};
use crate::error::Result;
use crate::input::{parse, Id, Text};
use crate::intercom::lookup;
use crate::intercom::{encode, Client};
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TICKET_REPLY_SAMPLE, TICKET_REPLY_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Reply on a ticket.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Intercom's ticket id.
    pub ticket_id: Id,
    /// The reply's text.
    pub body: Text,
    /// `admin` (default) or `contact`.
    #[serde(default, rename = "as")]
    pub author: Author,
    /// `comment` (default) or `note` (an internal note; admins only).
    #[serde(default)]
    pub message_type: ReplyType,
    /// The admin replying; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
    /// Replying as the contact: Intercom's contact id.
    pub contact_id: Option<Id>,
    /// Replying as the contact: your id for the user (`user_id`).
    pub contact_external_id: Option<Id>,
    /// Replying as the contact: their email address.
    pub contact_email: Option<Email>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "reply-to-ticket",
        label: "Reply to Ticket",
        description: "Replies on a ticket as an admin (a comment, or an internal note) or as the contact. Returns \
                      the new ticket part. Never sent twice: a lost answer is an error saying the reply may exist.",
        input_schema: input_schema!("reply-to-ticket", Input),
        output_schema: TICKET_REPLY_SCHEMA,
        output_sample: TICKET_REPLY_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let id = input.ticket_id.as_str();
    let reply = Reply {
        body: &input.body,
        author: input.author,
        message_type: input.message_type,
        admin_id: input.admin_id.as_ref(),
        contact_id: input.contact_id.as_ref(),
        contact_external_id: input.contact_external_id.as_ref(),
        contact_email: input.contact_email.as_ref(),
    };
    let (body, who) = match build(client, &reply)? {
        Built::Admin { body, admin_id } => (body, format!("admin id={admin_id}")),
        Built::Contact { body, who } => (body, who),
    };
    let result = client.post(&format!("/tickets/{}/reply", encode(id)), &body);
    lookup::name_not_found(result, || format!("ticket id={id} or {who}"))
}
