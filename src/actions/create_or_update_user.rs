//! create-or-update-user: Zapier's three scenarios on Intercom's 2.x API, which has no upsert.
//!
//! 1. No such user: create it with the email and external_id given.
//! 2. A user has the email but no external_id: update it and set the external_id.
//! 3. A user has the email and another external_id: create a new user (the external_id is the
//!    identity); with only an email sent, update the most recently updated user with it.
//!
//! The user is looked up by external_id first (`find_by_external_id`, immediate), then by email
//! among users (search, which lags behind writes). When the create still meets an existing user
//! (409 "A contact matching those details already exists with id=…", e.g. a race or search lag),
//! that user is updated instead, unarchived first if archived: never a duplicate.

use super::contact_writes::{self, body, CompanyRef, Profile};
use super::fields::{check_custom_attributes, with_outcome, CustomAttributes, Email, Timestamp};
use crate::error::Result;
use crate::input::{parse, require_one_of, Id, Text};
use crate::intercom::contacts::{self, str_field, Role};
use crate::intercom::data_attributes::Model;
use crate::intercom::lookup;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONTACT_WITH_OUTCOME_SCHEMA, CREATE_OR_UPDATE_USER_SAMPLE};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Create or update a user, matched on external_id (user_id) and email.
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
    /// A company to attach the user to; created when it does not exist yet.
    pub company: Option<CompanyRef>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "create-or-update-user",
        label: "Create or Update User",
        description: "Updates the user with this external_id, else the user with this email that has no external_id \
                      (setting it), else creates a user. Sending only an email updates the user with that email. \
                      Optionally attaches the user to a company, creating the company if needed. The output's \
                      `outcome` says `created` or `updated`.",
        input_schema: input_schema!("create-or-update-user", Input),
        output_schema: CONTACT_WITH_OUTCOME_SCHEMA,
        output_sample: CREATE_OR_UPDATE_USER_SAMPLE,
    },
    run,
};

/// Users that share one email address: enough to find the one without an external_id.
const EMAIL_MATCHES: u32 = 50;

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    require_one_of(&[
        ("email", input.email.is_some()),
        ("external_id", input.external_id.is_some()),
    ])?;
    let custom = check_custom_attributes(client, Model::Contact, input.custom_attributes.as_ref())?;
    let profile = Profile {
        email: input.email.as_ref(),
        external_id: input.external_id.as_ref(),
        name: input.name.as_ref(),
        phone: input.phone.as_ref(),
        avatar: input.avatar.as_ref(),
        signed_up_at: input.signed_up_at,
        last_seen_at: input.last_seen_at,
        owner_id: input.owner_id.as_ref(),
        unsubscribed_from_emails: input.unsubscribed_from_emails,
    };
    let body = body(&profile, custom);
    let existing = find(client, &input)?;
    let (contact, outcome) = match existing {
        Some(c) => (
            contact_writes::update(client, &lookup::id_of(&c)?, body)?,
            "updated",
        ),
        None => contact_writes::create_or_recover(client, Role::User, body)?,
    };
    let mut out = with_outcome(contact, outcome);
    if let Some(company) = &input.company {
        let attached = contact_writes::attach_company(client, &lookup::id_of(&out)?, company)?;
        out["company"] = attached;
    }
    Ok(out)
}

/// The user to update, if any (scenarios 2 and 3).
fn find(client: &Client, input: &Input) -> Result<Option<Value>> {
    let external_id = input.external_id.as_ref().map(Id::as_str);
    if let Some(ext) = external_id {
        if let Some(c) = contacts::find_user_by_external_id(client, ext)? {
            return Ok(Some(c));
        }
    }
    let Some(email) = &input.email else {
        return Ok(None);
    };
    let users = contacts::search_exact(
        client,
        Role::User,
        &[("email", email.as_str())],
        EMAIL_MATCHES,
    )?;
    let same_email =
        |c: &Value| str_field(c, "email").is_some_and(|e| e.eq_ignore_ascii_case(email.as_str()));
    Ok(users
        .into_iter()
        .filter(|c| Role::User.matches(c) && same_email(c))
        // With an external_id, only a user without one is the same person (else: a new user).
        .find(|c| external_id.is_none() || str_field(c, "external_id").is_none()))
}
