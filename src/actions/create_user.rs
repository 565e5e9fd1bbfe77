//! create-user: `POST /contacts` with role user.

use super::contact_writes::{self, body, Created, Profile};
use super::fields::{check_custom_attributes, CustomAttributes, Email, Timestamp};
use crate::error::{Error, Result};
use crate::input::{parse, require_one_of, Id, Text};
use crate::intercom::contacts::Role;
use crate::intercom::data_attributes::Model;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONTACT_SAMPLE, CONTACT_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Create a user. Give an email, an external_id (user_id), or both.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["email"]}, {"required": ["external_id"]}]))]
pub struct Input {
    /// The user's email address.
    pub email: Option<Email>,
    /// Your id for the user (`user_id` in Intercom's 1.x API and in Zapier).
    #[serde(alias = "user_id")]
    pub external_id: Option<Id>,
    /// Full name.
    pub name: Option<Text>,
    /// Phone number.
    pub phone: Option<Text>,
    /// URL of an avatar image.
    pub avatar: Option<Text>,
    /// When the user signed up.
    pub signed_up_at: Option<Timestamp>,
    /// When the user was last seen.
    pub last_seen_at: Option<Timestamp>,
    /// Id of the admin who owns the user.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub owner_id: Option<Id>,
    /// Whether the user unsubscribed from emails.
    pub unsubscribed_from_emails: Option<bool>,
    /// Values of the workspace's custom attributes, by attribute name.
    #[schemars(extend("x-dynamic-options" = "contact-attributes"))]
    pub custom_attributes: Option<CustomAttributes>,
}

impl Input {
    pub fn profile(&self) -> Profile<'_> {
        Profile {
            email: self.email.as_ref(),
            external_id: self.external_id.as_ref(),
            name: self.name.as_ref(),
            phone: self.phone.as_ref(),
            avatar: self.avatar.as_ref(),
            signed_up_at: self.signed_up_at,
            last_seen_at: self.last_seen_at,
            owner_id: self.owner_id.as_ref(),
            unsubscribed_from_emails: self.unsubscribed_from_emails,
        }
    }
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "create-user",
        label: "Create User",
        description: "Creates a user. If a user with that external_id (or that email, when one of them has no \
                      external_id) exists, Intercom refuses and the error names it: use Create or Update User to update instead.",
        input_schema: input_schema!("create-user", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    require_one_of(&[
        ("email", input.email.is_some()),
        ("external_id", input.external_id.is_some()),
    ])?;
    let custom = check_custom_attributes(client, Model::Contact, input.custom_attributes.as_ref())?;
    match contact_writes::create(client, Role::User, body(&input.profile(), custom))? {
        Created::New(contact) => Ok(contact),
        Created::Exists { message, .. } => Err(Error::Conflict(format!(
            "{message}. Nothing was created; use Create or Update User to update that user."
        ))),
    }
}
