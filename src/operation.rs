//! What every operation declares: key, labels, schemas, sample, and the function that runs it.
//! Each operation lives in its own file and exposes one of these as a `const`.

use crate::error::{Error, Result};
use crate::intercom::Client;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Trigger,
    Action,
    Search,
}

/// Description shared by all kinds of operation.
pub struct Meta {
    pub key: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    /// JSON Schema of the input, generated from the input type.
    pub input_schema: fn() -> Value,
    /// JSON Schema of one output item.
    pub output_schema: fn() -> Value,
    /// A realistic output item.
    pub output_sample: fn() -> Value,
}

pub struct SearchOp {
    pub meta: Meta,
    pub run: fn(&Client, &str) -> Result<Vec<Value>>,
}

pub struct ActionOp {
    pub meta: Meta,
    pub run: fn(&Client, &str) -> Result<Value>,
}

/// Finds the operation named `key` in `ops`, or says which keys exist.
pub fn find<'a, T>(ops: &'a [T], key: &str, meta: fn(&T) -> &Meta, what: &str) -> Result<&'a T> {
    ops.iter().find(|op| meta(op).key == key).ok_or_else(|| {
        let known: Vec<&str> = ops.iter().map(|op| meta(op).key).collect();
        Error::invalid(
            "key",
            format!("unknown {what} `{key}`; known: {}", known.join(", ")),
        )
    })
}

/// How a trigger is fed: its webhook topics and whether it can poll.
pub struct TriggerInfo {
    pub webhook_topics: &'static [&'static str],
    pub can_poll: bool,
    pub notes: &'static str,
}
