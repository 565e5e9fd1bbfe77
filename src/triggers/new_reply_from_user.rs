//! new-reply-from-user: Triggers when a user or lead replies to a conversation.

use super::part_poll::{self, Input};
use super::shapes::PartKind;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{REPLY_SCHEMA, USER_REPLY_SAMPLE};

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-reply-from-user",
        label: "New Reply from User",
        description: "Triggers when a user or lead replies to a conversation.",
        input_schema: input_schema!("new-reply-from-user", Input),
        output_schema: REPLY_SCHEMA,
        output_sample: USER_REPLY_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["conversation.user.replied"],
        can_poll: true,
        notes: "One event per reply, its id the conversation part id, however many replies came between two polls; the webhook gives the same id. Replies are `comment` and `quick_reply` parts authored by a user or lead; the message that starts a conversation is not a reply (see new-conversation). Polls conversations updated since the last poll (`POST /conversations/search` on `updated_at`) and reads each one (`GET /conversations/{id}`, at most 100 per poll). Intercom returns only a conversation's 500 most recent parts and cannot page through older ones, so if more than 500 parts are added to one conversation between two polls the older of them are missed by polling; the webhook delivers each.",
    },
    poll: Some(poll),
    shape: Shape::Part(PartKind::UserReply),
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    part_poll::poll(
        client,
        "new-reply-from-user",
        PartKind::UserReply,
        input,
        cursor,
    )
}
