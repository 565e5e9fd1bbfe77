//! find-ticket: a ticket by Intercom id (`GET /tickets/{id}`, immediate), or a contact's
//! tickets, optionally in one state category, through `POST /tickets/search` (which lags
//! writes by a few minutes, like every Intercom search).

use crate::actions::fields::{contact_key, Email};
use crate::error::{Error, Result};
use crate::input::{parse, Id};
use crate::intercom::lookup;
use crate::intercom::query::{and, filter, Search};
use crate::intercom::tickets;
use crate::intercom::Client;
use crate::operation::{input_schema, Meta, SearchOp};
use crate::schemas::{TICKET_SAMPLE, TICKET_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A ticket state category (the states of every ticket type fall in one of these).
#[derive(Deserialize, JsonSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Submitted,
    InProgress,
    WaitingOnCustomer,
    Resolved,
}

impl Category {
    fn as_str(self) -> &'static str {
        match self {
            Category::Submitted => "submitted",
            Category::InProgress => "in_progress",
            Category::WaitingOnCustomer => "waiting_on_customer",
            Category::Resolved => "resolved",
        }
    }
}

/// Find tickets: give the ticket's id, or a contact (by Intercom id, external_id or email).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["id"]}, {"required": ["contact_id"]}, {"required": ["contact_external_id"]}, {"required": ["contact_email"]}]))]
pub struct Input {
    /// Intercom's ticket id.
    pub id: Option<Id>,
    /// The contact's Intercom id.
    pub contact_id: Option<Id>,
    /// Your id for the contact (`user_id`).
    pub contact_external_id: Option<Id>,
    /// The contact's email address.
    pub contact_email: Option<Email>,
    /// Only tickets whose state is in this category.
    pub state: Option<Category>,
    /// Only open (`true`) or closed (`false`) tickets.
    pub open: Option<bool>,
    /// Only tickets of this type.
    #[schemars(extend("x-dynamic-options" = "ticket-types"))]
    pub ticket_type_id: Option<Id>,
}

pub const SEARCH: SearchOp = SearchOp {
    meta: Meta {
        key: "find-ticket",
        label: "Find Ticket",
        description: "Finds a ticket by its Intercom id, or a contact's tickets (newest first), optionally by \
                      state category, open or closed, and ticket type. Searching by contact reads Intercom's \
                      ticket search, which can take a few minutes to show a new ticket.",
        input_schema: input_schema!("find-ticket", Input),
        output_schema: TICKET_SCHEMA,
        output_sample: TICKET_SAMPLE,
    },
    run,
};

/// Tickets returned for one contact.
const LIMIT: u32 = 50;

fn run(client: &Client, input: &str) -> Result<Vec<Box<RawValue>>> {
    super::texts(found(client, input)?)
}

fn found(client: &Client, input: &str) -> Result<Vec<Value>> {
    let input: Input = parse(input)?;
    let state = input.state.map(Category::as_str);
    let type_id = input.ticket_type_id.as_ref().map(Id::as_str);
    if let Some(id) = &input.id {
        let found = tickets::get(client, id.as_str())?;
        return Ok(found
            .into_iter()
            .filter(|t| {
                state.is_none_or(|s| str_at(t, "/ticket_state/category") == Some(s))
                    && input
                        .open
                        .is_none_or(|o| t.get("open") == Some(&Value::Bool(o)))
                    && type_id.is_none_or(|ty| str_at(t, "/ticket_type/id") == Some(ty))
            })
            .collect());
    }
    let key = contact_key(&input.contact_id, &input.contact_external_id, &input.contact_email)
        .map_err(|_| {
            Error::invalid(
                "id",
                "give the ticket's id, or its contact: contact_id, contact_external_id or contact_email",
            )
        })?;
    let contact = match lookup::contact(client, None, key) {
        Ok(c) => c,
        Err(Error::NotFound(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    // Search fields per the spec's ticket search table: `contact_ids`, `state` (a category),
    // `open`, `ticket_type_id`.
    let mut filters = vec![filter("contact_ids", "=", lookup::id_of(&contact)?)];
    if let Some(s) = state {
        filters.push(filter("state", "=", s));
    }
    if let Some(o) = input.open {
        filters.push(filter("open", "=", o));
    }
    if let Some(t) = type_id {
        filters.push(filter("ticket_type_id", "=", t));
    }
    let query = and(filters);
    let page = Search {
        path: "/tickets/search",
        query: &query,
        sort: None,
        per_page: LIMIT,
    }
    .raw_page(client, None)?;
    let mut found: Vec<Value> = page
        .data
        .iter()
        .filter_map(|raw| serde_json::from_slice(raw.get().as_bytes()).ok())
        .collect();
    crate::sort::sort_by_key(&mut found, |t: &Value| {
        std::cmp::Reverse(t.get("created_at").and_then(Value::as_i64))
    });
    Ok(found)
}

fn str_at<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}
