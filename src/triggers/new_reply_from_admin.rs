//! new-reply-from-admin: Triggers when a teammate (admin) replies to a conversation.

use super::part_poll::{self, Input};
use super::shapes::PartKind;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{ADMIN_REPLY_SAMPLE, REPLY_SCHEMA};

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-reply-from-admin",
        label: "New Reply from Admin",
        description: "Triggers when a teammate (admin) replies to a conversation.",
        input_schema: input_schema!("new-reply-from-admin", Input),
        output_schema: REPLY_SCHEMA,
        output_sample: ADMIN_REPLY_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["conversation.admin.replied"],
        can_poll: true,
        notes: "One event per reply, its id the conversation part id; the webhook gives the same id. Replies are `comment` and `quick_reply` parts authored by an admin. Internal notes (`note`, topic `conversation.admin.noted`) are not replies, and bot or Fin replies (author `bot`) are not admin replies, even when Intercom sends them as `conversation.admin.replied`. Polls conversations updated since the last poll (`POST /conversations/search` on `updated_at`) and reads each one (`GET /conversations/{id}`, at most 100 per poll). Intercom returns only a conversation's 500 most recent parts and cannot page through older ones, so if more than 500 parts are added to one conversation between two polls the older of them are missed by polling; the webhook delivers each.",
    },
    poll: Some(poll),
    shape: Shape::Part(PartKind::AdminReply),
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    part_poll::poll(
        client,
        "new-reply-from-admin",
        PartKind::AdminReply,
        input,
        cursor,
    )
}
