//! The Intercom connector: triggers, actions and searches for workflow platforms, exported as a
//! WebAssembly component (`wit/`). Everything but `component` is plain Rust that also builds and
//! unit-tests natively; `component` is the thin glue to the generated WIT bindings.

pub mod actions;
pub mod connect;
pub mod error;
#[cfg(feature = "gateway")]
pub mod gateway;
pub mod input;
pub mod intercom;
pub mod metadata;
pub mod operation;
pub mod options;
pub mod schemas;
pub mod searches;
pub mod sort;
pub mod time;
pub mod transport;
pub mod triggers;

// The gateway build exports `wasi:http/incoming-handler` (src/gateway) instead of the connector.
#[cfg(all(target_arch = "wasm32", not(feature = "gateway")))]
mod component;

pub use error::Error;
pub use intercom::{Client, Connection, Region};
