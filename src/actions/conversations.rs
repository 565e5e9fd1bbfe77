//! Shared logic of the conversation actions: the admin, the conversation parts endpoint, and
//! not-found messages that name the conversation.

use crate::error::{Error, Result};
use crate::intercom::lookup;
use crate::intercom::{encode, Client};
use serde_json::Value;

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
