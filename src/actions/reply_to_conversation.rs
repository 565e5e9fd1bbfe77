//! reply-to-conversation: reply as an admin (a comment the contact sees, or an internal note) or
//! as the contact.

use super::conversations;
use super::fields::Email;
use crate::error::{Error, Result};
use crate::input::{parse, Id, Text};
use crate::intercom::lookup;
use crate::intercom::{encode, Client};
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONVERSATION_SAMPLE, CONVERSATION_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Who writes the reply.
#[derive(Deserialize, JsonSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    #[default]
    Admin,
    Contact,
}

/// What kind of reply.
#[derive(Deserialize, JsonSchema, Clone, Copy, Default, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReplyType {
    /// A message the contact sees.
    #[default]
    Comment,
    /// An internal note only teammates see (admins only).
    Note,
}

/// Reply to a conversation.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The conversation's id.
    pub conversation_id: Id,
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
        key: "reply-to-conversation",
        label: "Reply to Conversation",
        description: "Replies to a conversation as an admin (a comment, or an internal note) or as the contact.",
        input_schema: input_schema!("reply-to-conversation", Input),
        output_schema: CONVERSATION_SCHEMA,
        output_sample: CONVERSATION_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let conv = input.conversation_id.as_str();
    match build(client, &input.reply())? {
        Built::Admin { body, admin_id } => {
            conversations::post(client, conv, "reply", &body, Some(&admin_id))
        }
        Built::Contact { body, who } => {
            let result = client.post(&format!("/conversations/{}/reply", encode(conv)), &body);
            lookup::name_not_found(result, || format!("conversation id={conv} or {who}"))
        }
    }
}

impl Input {
    fn reply(&self) -> Reply<'_> {
        Reply {
            body: &self.body,
            author: self.author,
            message_type: self.message_type,
            admin_id: self.admin_id.as_ref(),
            contact_id: self.contact_id.as_ref(),
            contact_external_id: self.contact_external_id.as_ref(),
            contact_email: self.contact_email.as_ref(),
        }
    }
}

/// A reply's fields, shared by reply-to-conversation and reply-to-ticket.
pub(super) struct Reply<'a> {
    pub body: &'a Text,
    pub author: Author,
    pub message_type: ReplyType,
    pub admin_id: Option<&'a Id>,
    pub contact_id: Option<&'a Id>,
    pub contact_external_id: Option<&'a Id>,
    pub contact_email: Option<&'a Email>,
}

/// A reply body, checked (who may write what) and ready to send.
pub(super) enum Built {
    Admin {
        body: Value,
        admin_id: String,
    },
    /// `who` names the contact for a not-found message.
    Contact {
        body: Value,
        who: String,
    },
}

/// Checks a reply's fields and builds the `reply` body Intercom takes for conversations and
/// tickets alike (`admin_reply_*_request` / `contact_reply_*_request`).
pub(super) fn build(client: &Client, r: &Reply) -> Result<Built> {
    let message_type = match r.message_type {
        ReplyType::Comment => "comment",
        ReplyType::Note => "note",
    };
    match r.author {
        Author::Admin => {
            for (field, set) in [
                ("contact_id", r.contact_id.is_some()),
                ("contact_external_id", r.contact_external_id.is_some()),
                ("contact_email", r.contact_email.is_some()),
            ] {
                if set {
                    return Err(Error::invalid(
                        field,
                        "only used when replying as the contact (`as`: `contact`)",
                    ));
                }
            }
            let admin_id = lookup::admin_id(client, r.admin_id.map(Id::as_str))?;
            let body = json!({
                "type": "admin", "message_type": message_type, "admin_id": admin_id, "body": r.body.as_str()
            });
            Ok(Built::Admin { body, admin_id })
        }
        Author::Contact => {
            if r.message_type == ReplyType::Note {
                return Err(Error::invalid(
                    "message_type",
                    "only admins can write notes",
                ));
            }
            if r.admin_id.is_some() {
                return Err(Error::invalid(
                    "admin_id",
                    "only used when replying as an admin",
                ));
            }
            let mut body =
                json!({ "type": "user", "message_type": "comment", "body": r.body.as_str() });
            let who = if let Some(id) = r.contact_id {
                body["intercom_user_id"] = json!(id.as_str());
                format!("contact id={id}")
            } else if let Some(ext) = r.contact_external_id {
                body["user_id"] = json!(ext.as_str());
                format!("contact external_id={ext}")
            } else if let Some(email) = r.contact_email {
                body["email"] = json!(email.as_str());
                format!("contact email={}", email.as_str())
            } else {
                return Err(Error::invalid(
                    "contact_id",
                    "replying as the contact needs contact_id, contact_external_id or contact_email",
                ));
            };
            Ok(Built::Contact { body, who })
        }
    }
}
