//! new-ticket: a ticket is created (by a teammate, a contact, a workflow or the API).

use super::search_poll::{lag_secs, Endpoint, Found, Item, LagAllowance, Source};
use super::{shapes, PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::{parse, Id};
use crate::intercom::query::filter;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, TICKET_SAMPLE, TICKET_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Only tickets of this type (polling; a webhook delivers every new ticket).
    #[schemars(extend("x-dynamic-options" = "ticket-types"))]
    pub ticket_type_id: Option<Id>,
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-ticket",
        label: "New Ticket",
        description: "Triggers when a ticket is created.",
        input_schema: input_schema!("new-ticket", Input),
        output_schema: TICKET_SCHEMA,
        output_sample: TICKET_SAMPLE,
    },
    info: TriggerInfo {
        // Topic `ticket.created` (object: Ticket), added in API 2.9: developers.intercom.com
        // /docs/references/2.9/changelog ("Ticket created topic that fires when a ticket is
        // created") and /docs/references/2.16/webhooks/webhook-models.
        webhook_topics: &["ticket.created"],
        can_poll: true,
        notes: Embedded::at("notes/new-ticket.txt"),
    },
    poll: Some(poll),
    shape: Shape::Ticket,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let type_id = input
        .ticket_type_id
        .as_ref()
        .map(|t| t.as_str().to_string());
    let expand = |item: &mut Item| -> Result<Vec<Found>> {
        let t = item.value();
        let of_type = type_id
            .as_deref()
            .is_none_or(|want| t.pointer("/ticket_type/id").and_then(Value::as_str) == Some(want));
        let (Some(id), Some(ts)) = (
            t.get("id").and_then(Value::as_str),
            t.get("created_at").and_then(Value::as_i64),
        ) else {
            return Ok(vec![]);
        };
        Ok(if of_type {
            let id = id.to_string();
            vec![shapes::created(&id, ts, std::mem::take(t).into())]
        } else {
            vec![]
        })
    };
    let filters = match &type_id {
        Some(t) => vec![filter("ticket_type_id", "=", t.as_str())],
        None => vec![],
    };
    Source {
        trigger: "new-ticket",
        endpoint: Endpoint::Tickets,
        filters,
        window: "created_at",
        per_page: 150,
        max_pages: 3,
        lag: lag_secs(input.lag_allowance_minutes),
        memo: false,
        tag: None,
        expand: &expand,
    }
    .poll(client, cursor)
}
