//! conversation-assigned: Triggers when a conversation is assigned to a teammate or team.

use super::part_poll::{self, Input};
use super::shapes::PartKind;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, ASSIGNMENT_SAMPLE, ASSIGNMENT_SCHEMA};

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "conversation-assigned",
        label: "Conversation Assigned",
        description: "Triggers when a conversation is assigned to a teammate or team.",
        input_schema: input_schema!("conversation-assigned", Input),
        output_schema: ASSIGNMENT_SCHEMA,
        output_sample: ASSIGNMENT_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["conversation.admin.assigned"],
        can_poll: true,
        notes: Embedded::at("notes/conversation-assigned.txt"),
    },
    poll: Some(poll),
    shape: Shape::Part(PartKind::Assignment),
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    part_poll::poll(
        client,
        "conversation-assigned",
        PartKind::Assignment,
        input,
        cursor,
    )
}
