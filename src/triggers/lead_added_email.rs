//! lead-added-email: a lead enters an email address. Webhook-only.

use super::{Shape, TriggerOp};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, CONTACT_SAMPLE, CONTACT_SCHEMA};

/// No options.
#[derive(serde::Deserialize, schemars::JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "lead-added-email",
        label: "Lead Added Email",
        description: "Triggers when a Lead enters an email address.",
        input_schema: input_schema!("lead-added-email", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["contact.lead.added_email", "contact.added_email"],
        can_poll: false,
        notes: Embedded::at("notes/lead-added-email.txt"),
    },
    poll: None,
    shape: Shape::ContactChange,
};
