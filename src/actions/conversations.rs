//! Shared logic of the conversation actions: the admin, the conversation parts endpoint, and
//! not-found messages that name the conversation.

use crate::error::{Error, Result};
use crate::input::{Id, Text};
use crate::intercom::lookup;
use crate::intercom::{encode, Client};
use serde_json::{json, Value};

/// `GET /conversations/{id}`: `NotFound` naming the conversation when it does not exist.
pub fn exists(client: &Client, id: &str) -> Result<Value> {
    client
        .get(&format!("/conversations/{}", encode(id)))
        .map_err(|e| match e {
            Error::NotFound(_) => not_found(id),
            e => e,
        })
}

pub fn not_found(id: &str) -> Error {
    Error::NotFound(format!("no conversation with id={id} in Intercom"))
}

/// `POST /conversations/{id}/{endpoint}` (`parts` or `reply`) with `body`.
pub fn post(
    client: &Client,
    id: &str,
    endpoint: &str,
    body: &Value,
    admin_id: Option<&str>,
) -> Result<Value> {
    let result = client.post(&format!("/conversations/{}/{endpoint}", encode(id)), body);
    lookup::name_not_found(result, || match admin_id {
        Some(admin) => format!("conversation id={id} or admin id={admin}"),
        None => format!("conversation id={id}"),
    })
}

/// The tail the conversation-state actions share: adds the `part` (`message_type` and its
/// fields) as the admin (`admin_id`, else the token's admin), with the optional `message`.
pub fn admin_part(
    client: &Client,
    conversation_id: &Id,
    admin_id: Option<&Id>,
    mut part: Value,
    message: Option<&Text>,
) -> Result<Value> {
    let admin_id = lookup::admin_id(client, admin_id.map(Id::as_str))?;
    part["admin_id"] = json!(admin_id);
    if let Some(text) = message {
        part["body"] = json!(text.as_str());
    }
    post(
        client,
        conversation_id.as_str(),
        "parts",
        &part,
        Some(&admin_id),
    )
}
