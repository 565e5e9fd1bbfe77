//! new-unsubscription: a contact unsubscribes from emails. Webhook-only.

use super::{Shape, TriggerOp};
use crate::input::schema_of;
use crate::operation::{Meta, TriggerInfo};
use crate::schemas::object_schema;
use serde_json::{json, Value};

/// No options.
#[derive(serde::Deserialize, schemars::JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {}

fn output_schema() -> Value {
    let mut s = object_schema("Contact unsubscribe");
    s["required"] = json!(["type", "contact"]);
    s["properties"] = json!({
        "type": {"const": "contact_unsubscribe"},
        "created_at": {"type": ["integer", "null"]},
        "contact": crate::schemas::contact_schema(),
        "subscription_types": {"type": ["object", "null"]}
    });
    s
}

fn sample() -> Value {
    json!({"type": "contact_unsubscribe", "created_at": 1_734_537_745, "contact": crate::schemas::contact_sample(),
        "subscription_types": {"type": "list", "data": []}})
}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-unsubscription",
        label: "New Unsubscription",
        description: "Triggers when a user unsubscribes from emails.",
        input_schema: schema_of::<Input>,
        output_schema,
        output_sample: sample,
    },
    info: TriggerInfo {
        webhook_topics: &["contact.unsubscribed", "user.unsubscribed"],
        can_poll: false,
        notes: "Webhook-only. Intercom stores `unsubscribed_from_emails` without a time: a poller cannot tell a new unsubscription from an old unsubscriber whose record changed for another reason without remembering every unsubscribed contact (unbounded state). 1.x `user.unsubscribed` deliveries (the user itself) are wrapped into the same `contact_unsubscribe` shape as 2.x ones.",
    },
    poll: None,
    shape: Shape::ContactUnsubscribe,
};
