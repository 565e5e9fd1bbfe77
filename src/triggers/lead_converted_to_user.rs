//! lead-converted-to-user: a lead signs up (becomes a user). Webhook-only.

use super::{Shape, TriggerOp};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{CONTACT_SAMPLE, CONTACT_SCHEMA};

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
        webhook_topics: &["contact.lead.signed_up", "contact.signed_up", "contact.merged"],
        can_poll: false,
        notes: "Webhook-only. Intercom keeps no conversion time and a merged lead vanishes from search, so a poller could only spot conversions by remembering every lead it ever saw (unbounded state). `contact.lead.signed_up` fires when a lead signs up as a new user; when the lead is merged into a user that already existed Intercom sends no signup (the seed's \"not firing\" problem), so this trigger also listens to `contact.merged` (the event is the surviving user, with `merged_from`). New Lead + Lead Converted to User + New User together cover every signup.",
    },
    poll: None,
    shape: Shape::ContactChange,
};
