//! What the three find-or-create actions share: the `outcome` they add, and the pairing with
//! their searches that `describe()` publishes.

use super::fields::with_outcome;
use serde_json::Value;

/// `found`: a record matched and nothing was written. `created`: none matched, one was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Found,
    Created,
}

impl Outcome {
    pub fn tag(self, record: Value) -> Value {
        with_outcome(
            record,
            match self {
                Outcome::Found => "found",
                Outcome::Created => "created",
            },
        )
    }
}

/// (search, its find-or-create action).
pub const PAIRS: &[(&str, &str)] = &[
    ("find-user", "find-or-create-user"),
    ("find-lead", "find-or-create-lead"),
    ("find-company", "find-or-create-company"),
];
