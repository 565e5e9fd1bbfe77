//! new-lead: a lead (contact with role `lead`) is created.

use super::contact_poll::new_contacts;
use super::search_poll::LagAllowance;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::parse;
use crate::intercom::contacts::Role;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, CONTACT_SAMPLE, CONTACT_SCHEMA};
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
        key: "new-lead",
        label: "New Lead",
        description: "Triggers when a new Lead is created.",
        input_schema: input_schema!("new-lead", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["contact.lead.created", "contact.created"],
        can_poll: true,
        notes: Embedded::at("notes/new-lead.txt"),
    },
    poll: Some(poll),
    shape: Shape::Contact,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    new_contacts(
        client,
        "new-lead",
        Role::Lead,
        input.lag_allowance_minutes,
        cursor,
        None,
    )
}
