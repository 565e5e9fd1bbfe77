//! update-ticket: `PUT /tickets/{id}`: state, assignee (admin or team), open/closed, title,
//! description and the type's own attributes, checked against the ticket's type first.

use crate::error::{Error, Result};
use crate::input::{parse, Id, Text};
use crate::intercom::lookup;
use crate::intercom::tickets::{self, DESCRIPTION, TITLE};
use crate::intercom::{encode, Client};
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{TICKET_SAMPLE, TICKET_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Update a ticket. Give at least one thing to change.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// Intercom's ticket id (`id`, not the `ticket_id` the inbox shows).
    pub ticket_id: Id,
    /// The new state: its id, or its label or category (`in_progress`, `resolved`...), one of
    /// the ticket type's states.
    #[schemars(extend("x-dynamic-options" = "ticket-states"))]
    pub ticket_state_id: Option<Text>,
    /// Assign to this admin or team (`0` unassigns).
    #[schemars(extend("x-dynamic-options" = "assignees"))]
    pub assignee_id: Option<Id>,
    /// `false` closes the ticket, `true` reopens it.
    pub open: Option<bool>,
    /// The admin making the change; defaults to the admin who connected the account.
    #[schemars(extend("x-dynamic-options" = "admins"))]
    pub admin_id: Option<Id>,
    /// A new title.
    pub title: Option<Text>,
    /// A new description.
    pub description: Option<Text>,
    /// New values of the ticket type's own attributes, by name; a list attribute takes an
    /// option's label or id.
    pub ticket_attributes: Option<Map<String, Value>>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "update-ticket",
        label: "Update Ticket",
        description: "Updates a ticket: its state, its assignee (an admin or a team), open or closed, and its \
                      attributes. States and attribute values are checked against the ticket's type before \
                      anything is written.",
        input_schema: input_schema!("update-ticket", Input),
        output_schema: TICKET_SCHEMA,
        output_sample: TICKET_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    let id = input.ticket_id.as_str();
    let mut values = input.ticket_attributes.clone().unwrap_or_default();
    for (name, v) in [(TITLE, &input.title), (DESCRIPTION, &input.description)] {
        if let Some(v) = v {
            values.insert(name.into(), json!(v.as_str()));
        }
    }
    if values.is_empty()
        && input.ticket_state_id.is_none()
        && input.assignee_id.is_none()
        && input.open.is_none()
    {
        return Err(Error::invalid(
            "ticket_state_id",
            "nothing to update: give ticket_state_id, assignee_id, open, title, description or ticket_attributes",
        ));
    }
    let admin_id = lookup::admin_id(client, input.admin_id.as_ref().map(Id::as_str))?;
    // The spec types update_ticket_request.admin_id as an integer.
    let admin_number: u64 = admin_id
        .parse()
        .map_err(|_| Error::invalid("admin_id", format!("`{admin_id}` is not an admin id")))?;
    let mut body = json!({ "admin_id": admin_number });
    if input.ticket_state_id.is_some() || !values.is_empty() {
        let ticket = tickets::existing(client, id)?;
        let type_id = ticket
            .pointer("/ticket_type/id")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::Upstream {
                status: 200,
                code: None,
                message: format!("ticket id={id} came without its ticket_type"),
                request_id: None,
            })?;
        let ty = tickets::ticket_type(client, type_id, "ticket_id")?;
        if let Some(state) = &input.ticket_state_id {
            body["ticket_state_id"] = json!(ty.state(state.as_str())?);
        }
        if !values.is_empty() {
            body["ticket_attributes"] = Value::Object(ty.check(&values, false)?);
        }
    }
    if let Some(a) = &input.assignee_id {
        body["assignee_id"] = json!(a.as_str());
    }
    if let Some(open) = input.open {
        body["open"] = json!(open);
    }
    let result = client.put(&format!("/tickets/{}", encode(id)), &body);
    lookup::name_not_found(result, || format!("ticket id={id}"))
}
