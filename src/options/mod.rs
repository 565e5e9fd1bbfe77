//! Choices for dynamic input fields (the `options` export). An input schema marks such a field
//! with `x-dynamic-options: <source>`; the schema is the one table, so a field a host is told
//! to call for always has choices here, and back.
//!
//! Typing filters server-side where Intercom can and client-side otherwise: tags, admins, teams
//! and data attributes come as whole lists (`GET /tags`, `/admins`, `/teams`, `/data_attributes`
//! have no filter or paging), so they are filtered here and paged by offset; companies are
//! paged by Intercom (`POST /companies/list`), and a query scans at most [`SCAN_PAGES`] of
//! those pages per call, handing back a cursor to go on.

mod sources;

use crate::error::{Error, Result};
use crate::intercom::Client;
use crate::metadata::static_input_schema;
use serde_json::Value;

/// The schema keyword naming a field's source of choices.
pub const KEYWORD: &str = "x-dynamic-options";

/// Choices per page.
pub const PAGE_SIZE: usize = 50;

/// Intercom pages a company query scans in one call before returning what it found.
pub const SCAN_PAGES: u32 = 5;

/// One choice (the WIT `choice`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// One page of choices (the WIT `choice-page`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChoicePage {
    pub choices: Vec<Choice>,
    pub next_cursor: Option<String>,
}

/// Where a field's choices come from: the values `x-dynamic-options` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Tag ids, labelled by name.
    Tags,
    /// Tag names.
    TagNames,
    /// Admin ids (note authors, repliers, owners, who closes/assigns/snoozes).
    Admins,
    /// Admin and team ids (assign-conversation's assignee).
    Assignees,
    /// Your company_id of each company, labelled by name.
    Companies,
    /// Writable contact custom attributes, by name.
    ContactAttributes,
    /// Writable company custom attributes, by name.
    CompanyAttributes,
    /// Ticket type ids (`GET /ticket_types`), labelled by name.
    TicketTypes,
    /// Ticket state ids (`GET /ticket_states`), labelled by internal label and category.
    TicketStates,
}

impl Source {
    fn parse(name: &str) -> Option<Source> {
        Some(match name {
            "tags" => Source::Tags,
            "tag-names" => Source::TagNames,
            "admins" => Source::Admins,
            "assignees" => Source::Assignees,
            "companies" => Source::Companies,
            "contact-attributes" => Source::ContactAttributes,
            "company-attributes" => Source::CompanyAttributes,
            "ticket-types" => Source::TicketTypes,
            "ticket-states" => Source::TicketStates,
            _ => return None,
        })
    }
}

/// The choices of `field` of operation `key`, filtered by `query`, from `cursor` on.
pub fn list(
    client: &Client,
    key: &str,
    field: &str,
    query: Option<&str>,
    cursor: Option<&str>,
) -> Result<ChoicePage> {
    let schema = static_input_schema(key)?;
    let source = source_of(&schema, field).ok_or_else(|| {
        let fields = option_fields(&schema);
        Error::invalid(
            "field",
            if fields.is_empty() {
                format!("`{key}` has no fields with dynamic options")
            } else {
                format!(
                    "`{field}` of `{key}` has no dynamic options; these do: {}",
                    fields.join(", ")
                )
            },
        )
    })?;
    let query = query.map(str::trim).filter(|q| !q.is_empty());
    let position = match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => c.parse::<u32>().map_err(|_| {
            Error::invalid(
                "cursor",
                "not a cursor this field handed out; start without one",
            )
        })?,
    };
    sources::list(client, source, query, position)
}

/// The source named at `field` (a dotted path through `properties`, following `$ref`s and
/// the `anyOf` an optional struct becomes).
pub fn source_of(schema: &Value, field: &str) -> Option<Source> {
    let mut node = schema;
    for seg in field.split('.') {
        node = resolve(schema, node).get("properties")?.get(seg)?;
    }
    let node = resolve_keyword(schema, node)?;
    Source::parse(node)
}

fn resolve_keyword<'a>(root: &'a Value, node: &'a Value) -> Option<&'a str> {
    node.get(KEYWORD)
        .or_else(|| resolve(root, node).get(KEYWORD))
        .and_then(Value::as_str)
}

/// `node` with a `$ref` (or an `anyOf` holding one) followed into `$defs`.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    let target = node.get("$ref").and_then(Value::as_str).or_else(|| {
        node.get("anyOf")?
            .as_array()?
            .iter()
            .find_map(|alt| alt.get("$ref").and_then(Value::as_str))
    });
    target
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| root.get("$defs")?.get(name))
        .unwrap_or(node)
}

/// Every field path of `schema` that names a source (two levels deep: inputs nest no further).
pub fn option_fields(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(props) = resolve(schema, schema)
        .get("properties")
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (name, prop) in props {
        if resolve_keyword(schema, prop).is_some() {
            out.push(name.clone());
        }
        if let Some(inner) = resolve(schema, prop)
            .get("properties")
            .and_then(Value::as_object)
        {
            for (sub, p) in inner {
                if resolve_keyword(schema, p).is_some() {
                    out.push(format!("{name}.{sub}"));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::all_meta;

    #[test]
    fn every_annotated_field_names_a_known_source() {
        let mut seen = 0;
        for meta in all_meta() {
            let schema = meta.input_schema.value();
            for field in option_fields(&schema) {
                assert!(
                    source_of(&schema, &field).is_some(),
                    "{}.{field} names an unknown source",
                    meta.key
                );
                seen += 1;
            }
        }
        assert!(seen > 20, "only {seen} annotated fields");
    }

    #[test]
    fn nested_and_optional_fields_resolve() {
        let schema = static_input_schema("create-or-update-user").unwrap();
        assert_eq!(
            source_of(&schema, "company.company_id"),
            Some(Source::Companies)
        );
        assert_eq!(source_of(&schema, "owner_id"), Some(Source::Admins));
        assert_eq!(source_of(&schema, "email"), None);
        let schema = static_input_schema("assign-conversation").unwrap();
        assert_eq!(source_of(&schema, "assignee_id"), Some(Source::Assignees));
    }
}
