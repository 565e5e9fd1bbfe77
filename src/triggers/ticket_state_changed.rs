//! ticket-state-changed: a ticket moves to another state (again on every later change).

use super::search_poll::{lag_secs, Endpoint, Found, Item, LagAllowance, Source};
use super::{shapes, PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::parse;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, TICKET_STATE_CHANGE_SAMPLE, TICKET_STATE_CHANGE_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "ticket-state-changed",
        label: "Ticket State Changed",
        description: "Triggers when a ticket's state changes (submitted, in progress, waiting on customer, resolved).",
        input_schema: input_schema!("ticket-state-changed", Input),
        output_schema: TICKET_STATE_CHANGE_SCHEMA,
        output_sample: TICKET_STATE_CHANGE_SAMPLE,
    },
    info: TriggerInfo {
        // Topic `ticket.state.updated` (object: Ticket), added in API 2.9: developers.intercom.com
        // /docs/references/2.9/changelog ("Ticket state updated topic that fires when a ticket
        // state is updated") and /docs/references/2.16/webhooks/webhook-models.
        webhook_topics: &["ticket.state.updated"],
        can_poll: true,
        notes: Embedded::at("notes/ticket-state-changed.txt"),
    },
    poll: Some(poll),
    shape: Shape::TicketState,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let expand =
        |item: &mut Item| -> Result<Vec<Found>> { Ok(shapes::ticket_states(item.value())) };
    Source {
        trigger: "ticket-state-changed",
        endpoint: Endpoint::Tickets,
        filters: vec![],
        window: "updated_at",
        per_page: 150,
        max_pages: 3,
        lag: lag_secs(input.lag_allowance_minutes),
        // Items re-read inside the window are not expanded again (a reply moves `updated_at`).
        memo: true,
        tag: None,
        expand: &expand,
    }
    .poll(client, cursor)
}
