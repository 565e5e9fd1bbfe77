//! new-reply-from-admin: Triggers when a teammate (admin) replies to a conversation.

use super::part_poll::{self, Input};
use super::shapes::PartKind;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, ADMIN_REPLY_SAMPLE, REPLY_SCHEMA};

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
        notes: Embedded::at("notes/new-reply-from-admin.txt"),
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
