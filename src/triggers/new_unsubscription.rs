//! new-unsubscription: a contact unsubscribes from emails. Webhook-only.

use super::{Shape, TriggerOp};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{NEW_UNSUBSCRIPTION_SAMPLE, NEW_UNSUBSCRIPTION_SCHEMA};

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
        notes: "Webhook-only. Intercom stores `unsubscribed_from_emails` without a time: a poller cannot tell a new unsubscription from an old unsubscriber whose record changed for another reason without remembering every unsubscribed contact (unbounded state). 1.x `user.unsubscribed` deliveries (the user itself) are wrapped into the same `contact_unsubscribe` shape as 2.x ones.",
    },
    poll: None,
    shape: Shape::ContactUnsubscribe,
};
