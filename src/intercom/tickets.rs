//! Tickets (API 2.16 `/tickets*`, `/ticket_types*`, `/ticket_states`): a ticket type's own
//! attributes, typed for input schemas and checked before any write, and its states.
//!
//! A type's attributes come with `GET /ticket_types/{id}` (`ticket_type_attributes`): a name, a
//! `data_type` (the spec: "string list integer decimal boolean datetime files"), whether
//! teammates must give it on create (`required_to_create`), and for a list its options. The
//! spec types `input_options` as a free object; list options are read from
//! `input_options.list_options[] {id, label, archived}` (a guess at the field name: the spec's
//! examples hold no list attribute). A list value is sent as the option's id, as the spec's
//! `ticket_request_custom_attributes` says; the input may give the id or the label.

use super::{encode, Client};
use crate::error::{Error, Result};
use crate::intercom::data_attributes::{coerce_as, Kind};
use serde_json::{json, Map, Value};

/// The built-in title and description attributes every ticket type has (spec: "Every ticket
/// type will be created with two default attributes: _default_title_ and _default_description_").
pub const TITLE: &str = "_default_title_";
pub const DESCRIPTION: &str = "_default_description_";

/// One attribute of a ticket type.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub description: String,
    pub data_type: String,
    pub required: bool,
    /// List options as `(id, label)`.
    pub options: Vec<(String, String)>,
    pub archived: bool,
}

/// A ticket type: its attributes and states.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketType {
    pub id: String,
    pub name: String,
    pub attributes: Vec<Attribute>,
    /// `(id, category, internal_label)` of each state.
    pub states: Vec<(String, String, String)>,
}

fn text(v: &Value, k: &str) -> String {
    match v.get(k) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn list<'a>(v: &'a Value, k: &str) -> impl Iterator<Item = &'a Value> {
    v.get(k)
        .and_then(|l| l.get("data"))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

impl TicketType {
    pub fn from_json(v: &Value) -> TicketType {
        let attributes = list(v, "ticket_type_attributes")
            .map(|a| Attribute {
                name: text(a, "name"),
                description: text(a, "description"),
                data_type: text(a, "data_type"),
                required: a.get("required_to_create") == Some(&json!(true)),
                options: a
                    .pointer("/input_options/list_options")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|o| o.get("archived") != Some(&json!(true)))
                    .map(|o| (text(o, "id"), text(o, "label")))
                    .collect(),
                archived: a.get("archived") == Some(&json!(true)),
            })
            .collect();
        let states = list(v, "ticket_states")
            .map(|s| {
                (
                    text(s, "id"),
                    text(s, "category"),
                    text(s, "internal_label"),
                )
            })
            .collect();
        TicketType {
            id: text(v, "id"),
            name: text(v, "name"),
            attributes,
            states,
        }
    }

    /// The attributes an input may set: not archived and not of a type the API cannot take
    /// here (`files`).
    fn settable(&self) -> impl Iterator<Item = &Attribute> {
        self.attributes
            .iter()
            .filter(|a| !a.archived && a.data_type != "files")
    }

    /// The state `given` names: its id, or its internal label or category (any case).
    pub fn state(&self, given: &str) -> Result<String> {
        let g = given.trim();
        let by = |f: fn(&(String, String, String)) -> &String| {
            self.states
                .iter()
                .find(|s| f(s).eq_ignore_ascii_case(g))
                .map(|s| s.0.clone())
        };
        by(|s| &s.0)
            .or_else(|| by(|s| &s.2))
            .or_else(|| by(|s| &s.1))
            .ok_or_else(|| {
                let known: Vec<String> = self
                    .states
                    .iter()
                    .map(|(id, _, label)| format!("{label} ({id})"))
                    .collect();
                Error::invalid(
                    "ticket_state_id",
                    format!(
                        "ticket type `{}` has no state `{g}`; its states: {}",
                        self.name,
                        known.join(", ")
                    ),
                )
            })
    }

    /// Checks `values` (by attribute name) against the type and returns them as Intercom takes
    /// them; on create, the required attributes must be there. Errors name
    /// `ticket_attributes.<name>` (or `title` / `description` for the built-in two).
    pub fn check(&self, values: &Map<String, Value>, creating: bool) -> Result<Map<String, Value>> {
        let mut out = Map::new();
        for (name, value) in values {
            let field = field_name(name);
            let attr = self.settable().find(|a| &a.name == name).ok_or_else(|| {
                let known: Vec<&str> = self.settable().map(|a| a.name.as_str()).collect();
                Error::invalid(
                    &field,
                    format!(
                        "ticket type `{}` has no attribute `{name}`; its attributes: {}",
                        self.name,
                        known.join(", ")
                    ),
                )
            })?;
            let v = coerce(attr, value).map_err(|m| Error::invalid(&field, m))?;
            out.insert(name.clone(), v);
        }
        if creating {
            if let Some(missing) = self
                .settable()
                .find(|a| a.required && out.get(&a.name).is_none_or(Value::is_null))
            {
                return Err(Error::invalid(
                    field_name(&missing.name),
                    format!(
                        "ticket type `{}` requires `{}` to create a ticket",
                        self.name, missing.name
                    ),
                ));
            }
        }
        Ok(out)
    }

    /// JSON Schema of `ticket_attributes` for this type.
    fn attributes_schema(&self, creating: bool) -> Value {
        let mut props = Map::new();
        let mut required = Vec::new();
        for a in self
            .settable()
            .filter(|a| a.name != TITLE && a.name != DESCRIPTION)
        {
            let mut s = match a.data_type.as_str() {
                "list" => json!({ "oneOf": a.options.iter()
                    .map(|(id, label)| json!({"const": id, "title": label}))
                    .collect::<Vec<_>>() }),
                "integer" => json!({ "type": "integer" }),
                "decimal" => json!({ "type": "number" }),
                "boolean" => json!({ "type": "boolean" }),
                "datetime" => json!({ "anyOf": [
                    { "type": "integer", "description": "Unix seconds" },
                    { "type": "string", "format": "date-time" }
                ]}),
                _ => json!({ "type": "string" }),
            };
            s["title"] = json!(a.name);
            if !a.description.is_empty() {
                s["description"] = json!(a.description);
            }
            if creating && a.required {
                required.push(json!(a.name));
            }
            props.insert(a.name.clone(), s);
        }
        json!({ "type": "object", "properties": props, "required": required,
                "additionalProperties": false })
    }
}

/// The input field an attribute is set through.
fn field_name(name: &str) -> String {
    match name {
        TITLE => "title".into(),
        DESCRIPTION => "description".into(),
        _ => format!("ticket_attributes.{name}"),
    }
}

fn coerce(attr: &Attribute, v: &Value) -> std::result::Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let text = v.as_str().map(str::trim);
    let kind = match attr.data_type.as_str() {
        "integer" => Kind::Integer,
        "decimal" => Kind::Number,
        "boolean" => Kind::Boolean,
        "datetime" => Kind::Date,
        "list" => {
            let t = text.ok_or_else(|| format!("expected one of the options, got {v}"))?;
            let found = attr
                .options
                .iter()
                .find(|(id, label)| id == t || label.eq_ignore_ascii_case(t));
            return match found {
                Some((id, _)) => Ok(json!(id)),
                None => {
                    let labels: Vec<&str> = attr.options.iter().map(|o| o.1.as_str()).collect();
                    Err(format!(
                        "`{t}` is not one of the options: {}",
                        labels.join(", ")
                    ))
                }
            };
        }
        _ => Kind::Text,
    };
    coerce_as(kind, v)
}

/// `GET /ticket_types`: every type not archived.
pub fn types(client: &Client) -> Result<Vec<Value>> {
    let answer = client.get("/ticket_types")?;
    Ok(answer
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|t| t.get("archived") != Some(&json!(true)))
        .cloned()
        .collect())
}

/// `GET /ticket_types/{id}`; an unknown id is `invalid-input` on `field`.
pub fn ticket_type(client: &Client, id: &str, field: &str) -> Result<TicketType> {
    match client.get(&format!("/ticket_types/{}", encode(id))) {
        Ok(v) => Ok(TicketType::from_json(&v)),
        Err(Error::NotFound(_)) => Err(Error::invalid(
            field,
            format!("no ticket type with id={id} in this workspace"),
        )),
        Err(e) => Err(e),
    }
}

/// `GET /tickets/{id}`; `None` when absent.
pub fn get(client: &Client, id: &str) -> Result<Option<Value>> {
    match client.get(&format!("/tickets/{}", encode(id))) {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An existing ticket, or `NotFound` naming it.
pub fn existing(client: &Client, id: &str) -> Result<Value> {
    get(client, id)?.ok_or_else(|| Error::NotFound(format!("no ticket with id={id} in Intercom")))
}

/// `schema` (create-ticket's or update-ticket's) with `ticket_type_id` offering this
/// workspace's types and, per type, `ticket_attributes` typed (JSON Schema `if`/`then`): a
/// host shows the chosen type's attributes.
pub fn extend_schema(mut schema: Value, types: &[TicketType], creating: bool) -> Value {
    if !creating {
        // update-ticket: a ticket's type is known only at run time; describe every type's
        // attributes, each under its type's id.
        // Inserted one by one: collecting into a map compiles in a sort of its own.
        let mut per_type = Map::new();
        for t in types {
            per_type.insert(t.id.clone(), t.attributes_schema(false));
        }
        if let Some(p) = schema.pointer_mut("/properties/ticket_attributes") {
            p["x-ticket-type-attributes"] = Value::Object(per_type);
        }
        return schema;
    }
    if let Some(p) = schema.pointer_mut("/properties/ticket_type_id") {
        p["oneOf"] = types
            .iter()
            .map(|t| json!({"const": t.id, "title": t.name}))
            .collect();
    }
    let branches: Vec<Value> = types
        .iter()
        .map(|t| {
            json!({
                "if": { "properties": { "ticket_type_id": { "const": t.id } },
                        "required": ["ticket_type_id"] },
                "then": { "properties": { "ticket_attributes": t.attributes_schema(true) } }
            })
        })
        .collect();
    if !branches.is_empty() {
        schema["allOf"] = Value::Array(branches);
    }
    schema
}

/// The `ticket_state` of a ticket (`{id, category, ...}`), if any.
pub fn state_of(ticket: &Value) -> Option<&Value> {
    ticket.get("ticket_state").filter(|s| s.is_object())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty() -> TicketType {
        TicketType::from_json(&json!({
            "id": "7", "name": "Bug",
            "ticket_type_attributes": {"data": [
                {"name": "_default_title_", "data_type": "string", "required_to_create": true},
                {"name": "severity", "data_type": "list", "required_to_create": true,
                 "input_options": {"list_options": [{"id": "a1", "label": "High"}, {"id": "a2", "label": "Low"}]}},
                {"name": "seats", "data_type": "integer"},
                {"name": "urgent", "data_type": "boolean"},
                {"name": "old", "data_type": "string", "archived": true}
            ]},
            "ticket_states": {"data": [{"id": "1", "category": "submitted", "internal_label": "Submitted"},
                                        {"id": "2", "category": "in_progress", "internal_label": "Working"}]}
        }))
    }

    fn field(r: Result<Map<String, Value>>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn values_are_checked_and_lists_sent_as_option_ids() {
        let t = ty();
        let m = |v: Value| v.as_object().unwrap().clone();
        let out = t
            .check(
                &m(json!({"_default_title_": "x", "severity": "high", "seats": "3"})),
                true,
            )
            .unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"_default_title_": "x", "severity": "a1", "seats": 3})
        );
        assert_eq!(
            field(t.check(
                &m(json!({"_default_title_": "x", "severity": "a1", "seats": 1.5})),
                true
            )),
            "ticket_attributes.seats"
        );
        assert_eq!(
            field(t.check(&m(json!({"_default_title_": "x"})), true)),
            "ticket_attributes.severity"
        );
        assert_eq!(field(t.check(&m(json!({"severity": "a1"})), true)), "title");
        assert_eq!(
            field(t.check(&m(json!({"old": "x"})), false)),
            "ticket_attributes.old"
        );
        assert_eq!(
            field(t.check(&m(json!({"urgent": "maybe"})), false)),
            "ticket_attributes.urgent"
        );
        assert!(
            t.check(&m(json!({"urgent": true})), false).is_ok(),
            "update needs no required ones"
        );
    }

    #[test]
    fn states_by_id_label_or_category() {
        let t = ty();
        assert_eq!(t.state("2").unwrap(), "2");
        assert_eq!(t.state("working").unwrap(), "2");
        assert_eq!(t.state("submitted").unwrap(), "1");
        assert!(
            matches!(t.state("nope"), Err(Error::InvalidInput { field, .. }) if field == "ticket_state_id")
        );
    }
}
