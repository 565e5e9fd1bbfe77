//! The input create-user and create-or-update-user share, and the profile it sends.

use super::contact_writes::{CompanyRef, Profile};
use super::fields::{CustomAttributes, Email, Timestamp};
use crate::error::Result;
use crate::input::{require_one_of, Id, Text};
use schemars::JsonSchema;
use serde::Deserialize;

/// A user, matched on external_id (user_id) and email: give an email, an external_id, or both.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["email"]}, {"required": ["external_id"]}]))]
pub struct UserInput {
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
    /// A company to attach the user to; created when it does not exist yet.
    pub company: Option<CompanyRef>,
}

impl UserInput {
    /// Parses and checks the input: an email or an external_id is required.
    pub fn parse(input: &str) -> Result<Self> {
        let input: UserInput = crate::input::parse(input)?;
        require_one_of(&[
            ("email", input.email.is_some()),
            ("external_id", input.external_id.is_some()),
        ])?;
        Ok(input)
    }

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
