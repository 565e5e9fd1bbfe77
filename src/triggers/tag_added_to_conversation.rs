//! tag-added-to-conversation: a tag is added to a conversation.

use super::contact_poll::{resolve_tag, tag_key};
use super::search_poll::{Endpoint, Found, Item, Source};
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::{parse, Text};
use crate::intercom::query::filter;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{TAG_ADDED_TO_CONVERSATION_SAMPLE, TAG_ADDED_TO_CONVERSATION_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Only this tag (name, case-insensitive, or id). Any tag when absent.
    #[serde(default)]
    #[schemars(extend("x-dynamic-options" = "tag-names"))]
    pub tag: Option<Text>,
}

/// `conversation_tag {type, created_at, tag, conversation}`.
pub fn conversation_tag(conversation: &Value, tag: &Value, applied_at: i64) -> Value {
    json!({
        "type": "conversation_tag",
        "created_at": applied_at,
        "tag": {"type": "tag", "id": tag.get("id").cloned().unwrap_or(Value::Null), "name": tag.get("name").cloned().unwrap_or(Value::Null)},
        "conversation": conversation,
    })
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
        notes: "Polls conversations updated since the last poll (with `tag` set, only those holding it) and emits each tag whose `applied_at` is new; removing and re-adding a tag fires again. One event per tag added; a webhook delivery adding several tags gives several events.",
    },
    poll: Some(poll),
    shape: Shape::ConversationTag,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let tag = input
        .tag
        .as_ref()
        .map(|t| resolve_tag(client, t))
        .transpose()?;
    let tag_id = tag
        .as_ref()
        .and_then(|t| t.get("id"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        let c = item.value();
        let c = &*c;
        let id = c.get("id").and_then(Value::as_str).unwrap_or_default();
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
                Some(Found {
                    key: tag_key(id, tid, at),
                    ts: at,
                    data: conversation_tag(c, t, at).into(),
                })
            })
            .collect())
    };
    let mut filters = vec![];
    if let Some(id) = &tag_id {
        filters.push(filter("tag_ids", "=", id.as_str()));
    }
    Source {
        trigger: "tag-added-to-conversation",
        endpoint: Endpoint::Conversations,
        filters,
        window: "updated_at",
        per_page: 150,
        max_pages: 3,
        movable: true,
        expand: &expand,
    }
    .poll(client, cursor)
}
