//! Searches: look data up without changing it. Not found is an empty list, never an error.

pub mod find_company;
pub mod find_lead;
pub mod find_ticket;
pub mod find_user;

use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{find, SearchOp};
use serde_json::value::RawValue;
use serde_json::Value;

/// Every search, in the order `describe()` lists them.
pub const ALL: &[SearchOp] = &[
    find_user::SEARCH,
    find_lead::SEARCH,
    find_company::SEARCH,
    find_ticket::SEARCH,
];

/// Runs the search `key` with `input` (JSON text).
pub fn run(client: &Client, key: &str, input: &str) -> Result<Vec<Box<RawValue>>> {
    let op = find(ALL, key, |op| &op.meta, "search")?;
    (op.run)(client, input)
}

/// `items` as JSON text, for searches that build their items.
pub(crate) fn texts(items: Vec<Value>) -> Result<Vec<Box<RawValue>>> {
    items
        .iter()
        .map(|v| {
            serde_json::value::to_raw_value(v)
                .map_err(|e| crate::error::Error::Internal(e.to_string()))
        })
        .collect()
}
