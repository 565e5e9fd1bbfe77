//! tag-added-to-user: a tag is applied to a user.

use super::contact_poll::{poll_tagged, TagInput as Input};
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::Embedded;

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "tag-added-to-user",
        label: "Tag Added to User",
        description: "Triggers when a user is tagged.",
        input_schema: input_schema!("tag-added-to-user", Input),
        output_schema: crate::schemas::CONTACT_TAG_SCHEMA,
        output_sample: crate::schemas::CONTACT_TAG_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["contact.user.tag.created", "user.tag.created"],
        can_poll: true,
        notes: Embedded::at("notes/tag-added-to-user.txt"),
    },
    poll: Some(poll),
    shape: Shape::ContactTag,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    poll_tagged(client, "tag-added-to-user", Role::User, input, cursor)
}
