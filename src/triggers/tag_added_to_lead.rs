//! tag-added-to-lead: a tag is applied to a lead.

use super::contact_poll::{poll_tagged, TagInput as Input};
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::Embedded;

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "tag-added-to-lead",
        label: "Tag Added to Lead",
        description: "Triggers when a lead is tagged.",
        input_schema: input_schema!("tag-added-to-lead", Input),
        output_schema: crate::schemas::CONTACT_TAG_SCHEMA,
        output_sample: crate::schemas::CONTACT_TAG_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["contact.lead.tag.created", "contact.tag.created"],
        can_poll: true,
        notes: Embedded::at("notes/tag-added-to-lead.txt"),
    },
    poll: Some(poll),
    shape: Shape::ContactTag,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    poll_tagged(client, "tag-added-to-lead", Role::Lead, input, cursor)
}
