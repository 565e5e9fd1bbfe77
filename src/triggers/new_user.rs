//! new-user: a user (contact with role `user`) is created.

use super::contact_poll::{new_contacts, Enrich};
use super::search_poll::LagAllowance;
use super::{PollPage, Shape, TriggerOp};
use crate::error::Result;
use crate::input::parse;
use crate::intercom::contacts::Role;
use crate::intercom::{companies, Client};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, CONTACT_SAMPLE, CONTACT_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};
use std::cell::RefCell;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Replace each entry of the user's `companies.data` with the full company, custom
    /// attributes included (one `GET /companies/{id}` per distinct company per poll). Polling
    /// only: webhook deliveries carry Intercom's company summaries.
    #[serde(default)]
    pub include_company_attributes: Option<bool>,
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-user",
        label: "New User",
        description: "Triggers when a new user is created.",
        input_schema: input_schema!("new-user", Input),
        output_schema: CONTACT_SCHEMA,
        output_sample: CONTACT_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["contact.user.created", "user.created"],
        can_poll: true,
        notes: Embedded::at("notes/new-user.txt"),
    },
    poll: Some(poll),
    shape: Shape::Contact,
};

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    // Companies by id, `null` for one that is gone (a JSON map: code the component has anyway).
    let cache: RefCell<Map<String, Value>> = RefCell::new(Map::new());
    let enrich = |contact: &mut Value| -> Result<()> {
        let Some(list) = contact
            .pointer_mut("/companies/data")
            .and_then(Value::as_array_mut)
        else {
            return Ok(());
        };
        for entry in list.iter_mut() {
            let Some(id) = entry.get("id").and_then(Value::as_str).map(str::to_string) else {
                continue;
            };
            let known = cache.borrow().get(&id).cloned();
            let company = match known {
                Some(c) => c,
                None => {
                    let c = companies::get(client, &id)?.unwrap_or(Value::Null);
                    cache.borrow_mut().insert(id, c.clone());
                    c
                }
            };
            if !company.is_null() {
                *entry = company;
            }
        }
        Ok(())
    };
    // Without enrichment each user goes out as the text Intercom sent.
    let enrich = (input.include_company_attributes == Some(true)).then_some(&enrich as Enrich);
    new_contacts(
        client,
        "new-user",
        Role::User,
        input.lag_allowance_minutes,
        cursor,
        enrich,
    )
}
