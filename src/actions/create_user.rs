//! create-user: `POST /contacts` with role user, never a second user for the same person.

use super::contact_writes::{self, body, Created};
use super::fields::check_custom_attributes;
use super::user_input::UserInput;
use crate::error::{Error, Result};
use crate::intercom::contacts::Role;
use crate::intercom::data_attributes::Model;
use crate::intercom::lookup;
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{CONTACT_SAMPLE, CONTACT_SCHEMA};
use serde_json::Value;

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "create-user",
        label: "Create User",
        description: "Creates a user, optionally attached to a company. If a user with that external_id (or that \
                      email, when one of them has no external_id) exists, Intercom refuses and the `conflict` error \
                      names it (`existing-id`): use Create or Update User to update instead. When Intercom's answer \
                      is lost, the user is looked up again, so a retry never makes a second user.",
        input_schema: input_schema!("create-user", UserInput),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input = UserInput::parse(input)?;
    let custom = check_custom_attributes(client, Model::Contact, input.custom_attributes.as_ref())?;
    let mut contact =
        match contact_writes::create(client, Role::User, body(&input.profile(), custom))? {
            Created::New(contact) => contact,
            Created::Exists { id, message, .. } => {
                return Err(Error::conflict(
                    format!(
                "{message}. Nothing was created; use Create or Update User to update that user."
            ),
                    Some(id),
                ))
            }
        };
    if let Some(company) = &input.company {
        let attached = contact_writes::attach_company(client, &lookup::id_of(&contact)?, company)?;
        contact["company"] = attached;
    }
    Ok(contact)
}
