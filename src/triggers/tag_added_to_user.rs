//! tag-added-to-user: a tag is applied to a user.

use super::contact_poll::tagged_contacts;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::{parse, Text};
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Only this tag (name, case-insensitive, or id). Any tag when absent.
    #[serde(default)]
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
}

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
        notes: "Polls users updated since the last poll (tagging updates a contact; with `tag` set, only users holding that tag) and reads each candidate's tags with their `applied_at` time (one GET /contacts/{id}/tags per candidate, skipped when the contact's embedded tag list shows no match). Each application of a tag fires once; removing and re-applying it fires again. Events have the webhook's `contact_tag` shape.",
    },
    poll: Some(poll),
    shape: Shape::ContactTag,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    tagged_contacts(
        client,
        "tag-added-to-user",
        Role::User,
        input.tag.as_ref(),
        cursor,
    )
}
