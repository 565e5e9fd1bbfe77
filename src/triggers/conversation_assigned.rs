//! conversation-assigned: Triggers when a conversation is assigned to a teammate or team.

use super::part_poll::{self, Input};
use super::shapes::PartKind;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{ASSIGNMENT_SAMPLE, ASSIGNMENT_SCHEMA};

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
        notes: "One event per assignment, its id the assignment part id (`assignment`, `assign_and_reopen`, `default_assignment`... parts; `part.assigned_to` names the new assignee, id `0` for unassigned); the webhook gives the same id. Polls conversations updated since the last poll (`POST /conversations/search` on `updated_at`) and reads each one (`GET /conversations/{id}`, at most 100 per poll). Intercom returns only a conversation's 500 most recent parts and cannot page through older ones, so if more than 500 parts are added to one conversation between two polls the older of them are missed by polling; the webhook delivers each.",
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
