//! create-or-update-lead: update the lead with this Intercom id; else the lead with this email;
//! else create a lead. Without an id, the remaining window of duplication is the search lag:
//! a lead created with the same email a few minutes ago may not be found yet.

use super::contact_writes::{self, body, Profile};
use super::fields::{check_custom_attributes, with_outcome, CustomAttributes, Email, Timestamp};
use crate::error::Result;
use crate::input::{parse, Id, Text};
use crate::intercom::contacts::{self, str_field, Role};
use crate::intercom::data_attributes::Model;
use crate::intercom::lookup::{self, ContactKey};
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONTACT_WITH_OUTCOME_SCHEMA, CREATE_OR_UPDATE_LEAD_SAMPLE};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

/// Create or update a lead. With an Intercom id the lead is updated; else a lead with the email is
/// updated; else a lead is created.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Intercom's id of the lead to update.
    pub id: Option<Id>,
    /// The lead's email address.
    pub email: Option<Email>,
    /// Full name.
    pub name: Option<Text>,
    /// Phone number.
    pub phone: Option<Text>,
    /// URL of an avatar image.
    pub avatar: Option<Text>,
    /// When the lead was last seen.
    pub last_seen_at: Option<Timestamp>,
    /// Id of the admin who owns the lead.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub owner_id: Option<Id>,
    /// Whether the lead unsubscribed from emails.
    pub unsubscribed_from_emails: Option<bool>,
    /// Values of the workspace's custom attributes, by attribute name.
    #[schemars(extend("x-dynamic-options" = "contact-attributes"))]
    pub custom_attributes: Option<CustomAttributes>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "create-or-update-lead",
        label: "Create or Update Lead",
        description: "Updates the lead with this Intercom id, else the most recently updated lead with this email, \
                      else creates a lead. Users are never touched. The output's `outcome` says `created` or `updated`. \
                      Give the id when you have it: leads have no unique key and Intercom finds them by email only \
                      through search, which lags a few minutes behind writes (Intercom's \"contact creation delay\"), \
                      so a lead created with this email in the last few minutes may be missed and a second lead \
                      created. A create whose answer is lost is never sent again; it is looked for by email, and \
                      if not found the `transport` error says the lead may exist.",
        input_schema: input_schema!("create-or-update-lead", Input),
        output_schema: CONTACT_WITH_OUTCOME_SCHEMA,
        output_sample: CREATE_OR_UPDATE_LEAD_SAMPLE,
    },
    run,
};

/// The lead's `POST`/`PUT /contacts` body (custom attributes checked against the workspace).
pub(super) fn lead_body(client: &Client, input: &Input) -> Result<Value> {
    let custom = check_custom_attributes(client, Model::Contact, input.custom_attributes.as_ref())?;
    let profile = Profile {
        email: input.email.as_ref(),
        name: input.name.as_ref(),
        phone: input.phone.as_ref(),
        avatar: input.avatar.as_ref(),
        last_seen_at: input.last_seen_at,
        owner_id: input.owner_id.as_ref(),
        unsubscribed_from_emails: input.unsubscribed_from_emails,
        ..Profile::default()
    };
    Ok(body(&profile, custom))
}

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let body = lead_body(client, &input)?;
    let existing = if let Some(id) = &input.id {
        Some(lookup::contact(
            client,
            Some(Role::Lead),
            ContactKey {
                id: Some(id.as_str()),
                ..ContactKey::default()
            },
        )?)
    } else if let Some(email) = &input.email {
        contacts::search_exact(client, Role::Lead, &[("email", email.as_str())], 5)?
            .into_iter()
            .find(|c| {
                Role::Lead.matches(c)
                    && str_field(c, "email").is_some_and(|e| e.eq_ignore_ascii_case(email.as_str()))
            })
    } else {
        None
    };
    let (contact, outcome) = match existing {
        Some(c) => (
            contact_writes::update(client, &lookup::id_of(&c)?, body)?,
            "updated",
        ),
        None => contact_writes::create_or_recover(client, Role::Lead, body)?,
    };
    Ok(with_outcome(contact, outcome))
}
