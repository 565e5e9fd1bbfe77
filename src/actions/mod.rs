//! Actions: operations that change data in Intercom.

use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{find, ActionOp};
use serde_json::Value;

/// Every action, in the order `describe()` lists them.
pub const ALL: &[ActionOp] = &[];

/// Runs the action `key` with `input` (JSON text).
pub fn run(client: &Client, key: &str, input: &str) -> Result<Value> {
    let op = find(ALL, key, |op| &op.meta, "action")?;
    (op.run)(client, input)
}
