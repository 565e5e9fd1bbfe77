//! lead-converted-to-user: a lead signs up (becomes a user). Webhook-only.

use super::{Shape, TriggerOp};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, CONTACT_SAMPLE, CONTACT_SCHEMA};

/// No options.
#[derive(serde::Deserialize, schemars::JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "lead-converted-to-user",
        label: "Lead Converted to User",
        description: "Triggers when a lead converts to a user.",
        input_schema: input_schema!("lead-converted-to-user", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &[
            "contact.lead.signed_up",
            "contact.signed_up",
            "contact.merged",
        ],
        can_poll: false,
        notes: Embedded::at("notes/lead-converted-to-user.txt"),
    },
    poll: None,
    shape: Shape::ContactChange,
};
