//! One lister per source: the Intercom calls behind each kind of dropdown.

use super::{Choice, ChoicePage, Source, PAGE_SIZE, SCAN_PAGES};
use crate::error::Result;
use crate::intercom::contacts::str_field;
use crate::intercom::data_attributes::{self, Model};
use crate::intercom::tickets;
use crate::intercom::Client;
use crate::transport::Method;
use serde_json::Value;

/// The page of `source` at `position` (an offset into a whole list, or Intercom's company page).
pub fn list(
    client: &Client,
    source: Source,
    query: Option<&str>,
    position: u32,
) -> Result<ChoicePage> {
    let all = match source {
        Source::Companies => return companies(client, query, position.max(1)),
        Source::Tags => items(&client.get("/tags")?, "data")
            .filter_map(|t| choice(t, "id", "name"))
            .collect(),
        Source::TagNames => items(&client.get("/tags")?, "data")
            .filter_map(|t| choice(t, "name", "name"))
            .collect(),
        Source::Admins => admins(client)?,
        Source::Assignees => {
            let mut all: Vec<Choice> = admins(client)?
                .into_iter()
                .map(|c| Choice {
                    label: format!("{} (admin)", c.label),
                    ..c
                })
                .collect();
            all.extend(
                items(&client.get("/teams")?, "teams")
                    .filter_map(|t| choice(t, "id", "name"))
                    .map(|c| Choice {
                        label: format!("{} (team)", c.label),
                        ..c
                    }),
            );
            all
        }
        Source::ContactAttributes => attributes(client, Model::Contact)?,
        Source::CompanyAttributes => attributes(client, Model::Company)?,
        Source::TicketTypes => tickets::types(client)?
            .iter()
            .filter_map(|t| choice(t, "id", "name"))
            .collect(),
        Source::TicketStates => items(&client.get("/ticket_states")?, "data")
            .filter(|s| s.get("archived") != Some(&Value::Bool(true)))
            .filter_map(|s| {
                let mut c = choice(s, "id", "internal_label")?;
                if let Some(cat) = str_field(s, "category") {
                    c.label = format!("{} ({cat})", c.label);
                }
                Some(c)
            })
            .collect(),
    };
    Ok(offset_page(all, query, position as usize))
}

/// The items of a list answer's `key` array.
fn items<'a>(answer: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    answer
        .get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

/// A choice from two fields of an item (ids may be numbers).
fn choice(item: &Value, value: &str, label: &str) -> Option<Choice> {
    let text = |k: &str| match item.get(k)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let value = text(value)?;
    Some(Choice {
        label: text(label).unwrap_or_else(|| value.clone()),
        value,
    })
}

/// Whether a choice's label or value contains the query, ignoring the case of ASCII letters.
/// Other letters match as typed: Unicode lowercasing would put core's 12 KB case tables (16 KB
/// with their code, measured) into the component for this filter alone.
fn matches(c: &Choice, query: Option<&str>) -> bool {
    query.is_none_or(|q| {
        let q = q.to_ascii_lowercase();
        c.label.to_ascii_lowercase().contains(&q) || c.value.to_ascii_lowercase().contains(&q)
    })
}

/// Filters a whole list, then pages it by offset.
fn offset_page(all: Vec<Choice>, query: Option<&str>, offset: usize) -> ChoicePage {
    let matching: Vec<Choice> = all.into_iter().filter(|c| matches(c, query)).collect();
    let end = (offset + PAGE_SIZE).min(matching.len());
    ChoicePage {
        next_cursor: (end < matching.len()).then(|| end.to_string()),
        choices: matching.into_iter().skip(offset).take(PAGE_SIZE).collect(),
    }
}

fn admins(client: &Client) -> Result<Vec<Choice>> {
    Ok(items(&client.get("/admins")?, "admins")
        .filter_map(|a| {
            let mut c = choice(a, "id", "name")?;
            if let Some(email) = str_field(a, "email") {
                c.label = format!("{} <{email}>", c.label);
            }
            Some(c)
        })
        .collect())
}

fn attributes(client: &Client, model: Model) -> Result<Vec<Choice>> {
    Ok(data_attributes::list(client, model)?
        .into_iter()
        .filter(|a| a.api_writable && !a.archived)
        .map(|a| Choice {
            label: if a.label.is_empty() {
                a.name.clone()
            } else {
                a.label
            },
            value: a.name,
        })
        .collect())
}

/// Companies by Intercom's pages (`POST /companies/list`, only companies with users, as
/// Intercom lists them). Without a query: one page per call. With one: pages are scanned
/// until a page of matches is full or [`SCAN_PAGES`] were read, and the cursor goes on from there.
fn companies(client: &Client, query: Option<&str>, first_page: u32) -> Result<ChoicePage> {
    let mut choices = Vec::new();
    let mut page = first_page;
    loop {
        let path = format!("/companies/list?page={page}&per_page={PAGE_SIZE}");
        let answer = client.call(Method::Post, &path, None)?;
        let total_pages = answer
            .pointer("/pages/total_pages")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        choices.extend(
            items(&answer, "data")
                .filter_map(|c| {
                    let mut choice = choice(c, "company_id", "name")?;
                    if choice.label != choice.value {
                        choice.label = format!("{} ({})", choice.label, choice.value);
                    }
                    Some(choice)
                })
                .filter(|c| matches(c, query)),
        );
        let more = u64::from(page) < total_pages;
        page += 1;
        if !more {
            return Ok(ChoicePage {
                choices,
                next_cursor: None,
            });
        }
        if query.is_none() || choices.len() >= PAGE_SIZE || page - first_page >= SCAN_PAGES {
            return Ok(ChoicePage {
                choices,
                next_cursor: Some(page.to_string()),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_ignores_ascii_case_and_matches_other_letters_as_typed() {
        let c = Choice {
            label: "Zoë ACME".into(),
            value: "42".into(),
        };
        for hit in [None, Some("acme"), Some("ZOë"), Some("zoë"), Some("4")] {
            assert!(matches(&c, hit), "{hit:?}");
        }
        assert!(!matches(&c, Some("zoe")));
        assert!(
            !matches(&c, Some("ZOË")),
            "non-ASCII letters match as typed"
        );
    }
}
