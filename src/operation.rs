//! What every operation declares: key, labels, schemas, sample, and the function that runs it.
//! Each operation lives in its own file and exposes one of these as a `const`.

use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::schemas::Embedded;
use serde_json::value::RawValue;
use serde_json::Value;

/// An operation's input schema: JSON text generated natively from its input type and committed
/// under `src/schemas/input/` (see `schemas` tests), so the component carries no schema generator.
pub struct InputSchema {
    /// The operation key the file is named after.
    pub key: &'static str,
    pub text: Embedded,
    /// Generates the schema from the input type; only native builds reference schemars.
    #[cfg(not(target_arch = "wasm32"))]
    pub generate: fn() -> Value,
}

/// `input_schema!("find-user", Input)`: the committed schema of `Input` for the operation
/// `find-user`.
macro_rules! input_schema {
    ($key:literal, $ty:ty) => {{
        // Names the type on wasm32 too, where it may be used for nothing but its schema.
        #[cfg(target_arch = "wasm32")]
        let _ = ::core::marker::PhantomData::<$ty>;
        $crate::operation::InputSchema {
            key: $key,
            text: $crate::schemas::Embedded::at(concat!("input/", $key, ".json")),
            #[cfg(not(target_arch = "wasm32"))]
            generate: $crate::input::schema_of::<$ty>,
        }
    }};
}
pub(crate) use input_schema;

impl InputSchema {
    /// The schema as a value, to extend per workspace.
    pub fn value(&self) -> Value {
        serde_json::from_slice(self.text.text().as_bytes())
            .expect("committed input schemas are valid JSON")
    }
}

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
    /// JSON Schema of the input (see [`InputSchema`]).
    pub input_schema: InputSchema,
    /// JSON Schema of one output item.
    pub output_schema: Embedded,
    /// A realistic output item.
    pub output_sample: Embedded,
}

pub struct SearchOp {
    pub meta: Meta,
    /// The items found, each as JSON text: Intercom's own text where it is passed on as it came,
    /// so a search builds no `Value` tree it would only write out again.
    pub run: fn(&Client, &str) -> Result<Vec<Box<RawValue>>>,
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
    /// What the trigger catches and misses, `src/schemas/notes/<key>.txt`: packed with the
    /// schemas (7 KB of text that no operation path reads).
    pub notes: Embedded,
}
