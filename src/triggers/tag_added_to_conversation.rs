//! tag-added-to-conversation: a tag is added to a conversation.

use super::contact_poll::tag_filter;
use super::search_poll::{lag_secs, Endpoint, Found, Item, LagAllowance, Source};
use super::{shapes, PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::{parse, Text};
use crate::intercom::query::filter;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{
    Embedded, TAG_ADDED_TO_CONVERSATION_SAMPLE, TAG_ADDED_TO_CONVERSATION_SCHEMA,
};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Only this tag (name, case-insensitive, or id). Any tag when absent.
    #[serde(default)]
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "tag-added-to-conversation",
        label: "Tag Added to Conversation",
        description: "Triggers when a new tag is added to a conversation in Intercom.",
        input_schema: input_schema!("tag-added-to-conversation", Input),
        output_schema: TAG_ADDED_TO_CONVERSATION_SCHEMA,
        output_sample: TAG_ADDED_TO_CONVERSATION_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["conversation_part.tag.created"],
        can_poll: true,
        notes: Embedded::at("notes/tag-added-to-conversation.txt"),
    },
    poll: Some(poll),
    shape: Shape::ConversationTag,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let trigger = "tag-added-to-conversation";
    let tag = tag_filter(client, trigger, input.tag.as_ref(), cursor)?;
    let tag_id = tag.as_ref().map(|(_, id)| id.clone());
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        let c = item.value();
        let c = &*c;
        Ok(c.pointer("/tags/tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| {
                let tid = t.get("id").and_then(Value::as_str)?;
                if tag_id.as_deref().is_some_and(|w| w != tid) {
                    return None;
                }
                let at = t.get("applied_at").and_then(Value::as_i64)?;
                Some(shapes::conversation_tag(c, t, at))
            })
            .collect())
    };
    let mut filters = vec![];
    if let Some(id) = &tag_id {
        filters.push(filter("tag_ids", "=", id.as_str()));
    }
    Source {
        trigger,
        endpoint: Endpoint::Conversations,
        filters,
        window: "updated_at",
        per_page: 150,
        max_pages: 3,
        lag: lag_secs(input.lag_allowance_minutes),
        memo: false,
        tag,
        expand: &expand,
    }
    .poll(client, cursor)
}
