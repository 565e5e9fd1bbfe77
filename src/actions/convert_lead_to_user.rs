//! convert-lead-to-user: merge a lead into a user (`POST /contacts/merge`), with Intercom 2.16's
//! rule that only duplicates (same email or phone) merge unless `skip_duplicate_validation`.

use super::fields::{contact_key, Email};
use super::update_company::UserRef;
use crate::error::{Error, Result};
use crate::input::{parse, Id};
use crate::intercom::contacts::{str_field, Role};
use crate::intercom::lookup;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONTACT_SAMPLE, CONTACT_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Merge a lead into a user: the lead's data, tags, companies and conversations move to the user
/// and the lead disappears.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// The lead to convert.
    pub lead: LeadRef,
    /// The user the lead becomes.
    pub user: UserRef,
    /// Merge even when the lead and the user share no email or phone (Intercom 2.16 refuses
    /// such merges otherwise).
    #[serde(default)]
    pub skip_duplicate_validation: bool,
}

/// A lead by Intercom id or email.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["id"]}, {"required": ["email"]}]))]
pub struct LeadRef {
    /// Intercom's contact id of the lead.
    pub id: Option<Id>,
    /// The lead's email address.
    pub email: Option<Email>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "convert-lead-to-user",
        label: "Convert Lead to User",
        description: "Merges a lead into an existing user. Intercom only merges contacts that share an email or \
                      phone unless skip_duplicate_validation is set. Returns the user.",
        input_schema: input_schema!("convert-lead-to-user", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let no_ext = None;
    let lead_key = contact_key(&input.lead.id, &no_ext, &input.lead.email)
        .map_err(|_| Error::invalid("lead", "give the lead's id or email"))?;
    let user_key = contact_key(&input.user.id, &input.user.external_id, &input.user.email)
        .map_err(|_| {
            Error::invalid("user", "give the user's id, external_id (user_id) or email")
        })?;
    let lead = lookup::contact(client, Some(Role::Lead), lead_key)?;
    let user = lookup::contact(client, Some(Role::User), user_key)?;
    let same = |k: &str| match (str_field(&lead, k), str_field(&user, k)) {
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    };
    if !input.skip_duplicate_validation && !same("email") && !same("phone") {
        return Err(Error::invalid(
            "skip_duplicate_validation",
            "the lead and the user share no email or phone, and Intercom only merges duplicates: \
             set skip_duplicate_validation to true to merge them anyway",
        ));
    }
    let mut body = json!({ "from": lookup::id_of(&lead)?, "into": lookup::id_of(&user)? });
    if input.skip_duplicate_validation {
        body["skip_duplicate_validation"] = json!(true);
    }
    client.post("/contacts/merge", &body)
}
