//! new-unsubscription: a contact unsubscribes from emails. Webhook-only.

use super::{Shape, TriggerOp};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, NEW_UNSUBSCRIPTION_SAMPLE, NEW_UNSUBSCRIPTION_SCHEMA};

/// No options.
#[derive(serde::Deserialize, schemars::JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-unsubscription",
        label: "New Unsubscription",
        description: "Triggers when a user unsubscribes from emails.",
        input_schema: input_schema!("new-unsubscription", Input),
        output_schema: NEW_UNSUBSCRIPTION_SCHEMA,
        output_sample: NEW_UNSUBSCRIPTION_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["contact.unsubscribed", "user.unsubscribed"],
        can_poll: false,
        notes: Embedded::at("notes/new-unsubscription.txt"),
    },
    poll: None,
    shape: Shape::ContactUnsubscribe,
};
