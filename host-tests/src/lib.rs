//! Native side of the Intercom connector: an embeddable wasmtime host with an egress policy, a
//! stateful fake Intercom for tests and demos, and helpers shared by the `connector` runner and
//! the integration tests.

pub mod artifact;
pub mod bench;
pub mod demo;
pub mod fake;
pub mod host;
pub mod json;
