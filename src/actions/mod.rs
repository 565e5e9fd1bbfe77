//! Actions: operations that change data in Intercom.

mod add_event;
mod add_note;
mod add_tag_to_company;
mod add_tag_to_conversation;
mod add_tag_to_lead;
mod add_tag_to_ticket;
mod add_tag_to_user;
mod api_request;
mod assign_conversation;
mod attach_user_to_company;
mod close_conversation;
mod company_membership;
mod contact_writes;
mod conversations;
mod convert_lead_to_user;
mod create_or_update_lead;
mod create_or_update_user;
mod create_ticket;
mod create_user;
mod detach_user_from_company;
pub mod fields;
mod find_or_create;
mod find_or_create_company;
mod find_or_create_lead;
mod find_or_create_user;
mod open_conversation;
mod remove_tag_from_company;
mod remove_tag_from_conversation;
mod remove_tag_from_lead;
mod remove_tag_from_ticket;
mod remove_tag_from_user;
mod reply_to_conversation;
mod reply_to_ticket;
mod send_incoming_message;
mod snooze_conversation;
mod tagging;
mod update_company;
mod update_ticket;
mod user_input;

use crate::error::Result;
use crate::intercom::data_attributes::{self, Model};
use crate::intercom::tickets;
use crate::intercom::Client;
use crate::operation::{find, ActionOp};
use serde_json::Value;

/// Every action, in the order `describe()` lists them.
pub const ALL: &[ActionOp] = &[
    create_user::ACTION,
    create_or_update_user::ACTION,
    create_or_update_lead::ACTION,
    update_company::ACTION,
    add_tag_to_user::ACTION,
    remove_tag_from_user::ACTION,
    add_tag_to_lead::ACTION,
    remove_tag_from_lead::ACTION,
    add_tag_to_company::ACTION,
    remove_tag_from_company::ACTION,
    send_incoming_message::ACTION,
    add_note::ACTION,
    add_event::ACTION,
    convert_lead_to_user::ACTION,
    attach_user_to_company::ACTION,
    detach_user_from_company::ACTION,
    reply_to_conversation::ACTION,
    close_conversation::ACTION,
    open_conversation::ACTION,
    snooze_conversation::ACTION,
    assign_conversation::ACTION,
    add_tag_to_conversation::ACTION,
    remove_tag_from_conversation::ACTION,
    create_ticket::ACTION,
    update_ticket::ACTION,
    reply_to_ticket::ACTION,
    add_tag_to_ticket::ACTION,
    remove_tag_from_ticket::ACTION,
    find_or_create_user::ACTION,
    find_or_create_lead::ACTION,
    find_or_create_company::ACTION,
    api_request::ACTION,
];

/// Runs the action `key` with `input` (JSON text).
pub fn run(client: &Client, key: &str, input: &str) -> Result<Value> {
    let op = find(ALL, key, |op| &op.meta, "action")?;
    (op.run)(client, input)
}

/// The find-or-create action paired with the search `key`, if any.
pub fn find_or_create_for(search: &str) -> Option<&'static str> {
    find_or_create::PAIRS
        .iter()
        .find(|(s, _)| *s == search)
        .map(|(_, action)| *action)
}

/// Which custom attributes the action `key` accepts, if any.
pub fn custom_attribute_model(key: &str) -> Option<Model> {
    match key {
        "create-user"
        | "create-or-update-user"
        | "create-or-update-lead"
        | "find-or-create-user"
        | "find-or-create-lead" => Some(Model::Contact),
        "update-company" | "find-or-create-company" => Some(Model::Company),
        _ => None,
    }
}

/// The input schema of the action `key` with this workspace's writable custom attributes typed
/// under `custom_attributes`; `None` for actions without custom attributes.
pub fn workspace_schema(client: &Client, key: &str) -> Result<Option<Value>> {
    if let "create-ticket" | "update-ticket" = key {
        return ticket_schema(client, key).map(Some);
    }
    let Some(model) = custom_attribute_model(key) else {
        return Ok(None);
    };
    let op = find(ALL, key, |op| &op.meta, "action")?;
    let attrs = data_attributes::list(client, model)?;
    Ok(Some(data_attributes::extend_schema(
        op.meta.input_schema.value(),
        &attrs,
    )))
}

/// create-ticket's or update-ticket's input schema with this workspace's ticket types and
/// each type's attributes typed (`GET /ticket_types` lists them with their attributes).
fn ticket_schema(client: &Client, key: &str) -> Result<Value> {
    let op = find(ALL, key, |op| &op.meta, "action")?;
    let types: Vec<tickets::TicketType> = tickets::types(client)?
        .iter()
        .map(tickets::TicketType::from_json)
        .collect();
    Ok(tickets::extend_schema(
        op.meta.input_schema.value(),
        &types,
        key == "create-ticket",
    ))
}
