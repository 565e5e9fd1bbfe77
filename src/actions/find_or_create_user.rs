//! find-or-create-user: the user with the identifiers given (find-user's rules), else a new one.
//!
//! By external_id the lookup is exact and immediate; by email alone it is a search, which lags
//! behind writes. So two calls racing for the same new user both miss, both `POST /contacts`,
//! and Intercom answers the second with 409 naming the first: that user is returned as `found`
//! after checking it carries the identifiers given, so a 409 caused by another person (same
//! email, other external_id) is a conflict, never a write onto them.

use super::contact_writes::{self, body, Created};
use super::fields::check_custom_attributes;
use super::find_or_create::Outcome;
use super::user_input::UserInput as Input;
use crate::error::{Error, Result};
use crate::input::Id;
use crate::intercom::contacts::{self, Role};
use crate::intercom::data_attributes::Model;
use crate::intercom::lookup;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONTACT_FOUND_OR_CREATED_SCHEMA, FIND_OR_CREATE_USER_SAMPLE};
use crate::searches::find_user;
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "find-or-create-user",
        label: "Find or Create User",
        description: "Finds the user with this external_id (user_id) and/or email, as Find User does; creates one \
                      with the fields given only when none matches. An existing user is returned unchanged. The \
                      output's `outcome` says `found` or `created`. Two concurrent calls for the same new user \
                      end with one user.",
        input_schema: input_schema!("find-or-create-user", Input),
        output_schema: CONTACT_FOUND_OR_CREATED_SCHEMA,
        output_sample: FIND_OR_CREATE_USER_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input = Input::parse(input)?;
    let external_id = input.external_id.as_ref().map(Id::as_str);
    let email = input.email.as_ref().map(|e| e.as_str());
    if let Some(user) = find_user::find(client, None, external_id, email)?
        .into_iter()
        .next()
    {
        return Ok(Outcome::Found.tag(user));
    }
    let custom = check_custom_attributes(client, Model::Contact, input.custom_attributes.as_ref())?;
    match contact_writes::create(client, Role::User, body(&input.profile(), custom))? {
        Created::New(mut user) => {
            // As create-user does: a company given is created if needed and the user attached.
            if let Some(company) = &input.company {
                let attached =
                    contact_writes::attach_company(client, &lookup::id_of(&user)?, company)?;
                user["company"] = attached;
            }
            Ok(Outcome::Created.tag(user))
        }
        Created::Exists {
            id,
            archived,
            message,
        } => {
            let existing = contacts::get(client, &id)?
                .filter(|c| find_user::is_match(c, external_id, email))
                .ok_or_else(|| {
                    Error::conflict(
                        format!(
                            "{message}. That user does not have the identifiers given, so nothing was \
                             created or changed: check the external_id and email."
                        ),
                        Some(id.clone()),
                    )
                })?;
            if archived {
                contact_writes::unarchive(client, &id)?;
                return Ok(Outcome::Found.tag(contacts::get(client, &id)?.unwrap_or(existing)));
            }
            Ok(Outcome::Found.tag(existing))
        }
    }
}
