//! new-reply-from-user: Triggers when a user or lead replies to a conversation.

use super::part_poll::{self, Input};
use super::shapes::PartKind;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, REPLY_SCHEMA, USER_REPLY_SAMPLE};

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
        notes: Embedded::at("notes/new-reply-from-user.txt"),
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
