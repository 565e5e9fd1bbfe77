//! Intercom's search query language (`POST /contacts/search`, `POST /conversations/search`):
//! filters, AND/OR groups, sort, and cursor pagination carried in the request body.

use super::{not_json, Client, Method};
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

/// Intercom's largest page for search endpoints.
pub const MAX_PER_PAGE: u32 = 150;

/// One `{field, operator, value}` filter.
pub fn filter(field: &str, operator: &str, value: impl Into<Value>) -> Value {
    json!({ "field": field, "operator": operator, "value": value.into() })
}

/// An AND group; a single filter stands alone (Intercom accepts both, the bare filter is simpler).
pub fn and(mut filters: Vec<Value>) -> Value {
    if filters.len() == 1 {
        return filters.remove(0);
    }
    json!({ "operator": "AND", "value": filters })
}

/// An OR group.
pub fn or(mut filters: Vec<Value>) -> Value {
    if filters.len() == 1 {
        return filters.remove(0);
    }
    json!({ "operator": "OR", "value": filters })
}

/// One page of search results.
#[derive(Debug, Default)]
pub struct Page {
    pub data: Vec<Value>,
    /// `pages.next.starting_after`, absent on the last page.
    pub next: Option<String>,
    pub total_count: Option<u64>,
}

/// A search request: the query, an optional sort, and body pagination.
pub struct Search<'q> {
    pub path: &'static str,
    pub query: &'q Value,
    pub sort: Option<(&'static str, &'static str)>,
    pub per_page: u32,
}

/// One page of search results, each item kept as the JSON text Intercom sent.
#[derive(Debug, Default)]
pub struct RawPage {
    pub data: Vec<Box<RawValue>>,
    /// `pages.next.starting_after`, absent on the last page.
    pub next: Option<String>,
}

impl Search<'_> {
    fn body(&self, starting_after: Option<&str>) -> Value {
        let mut pagination = json!({ "per_page": self.per_page.min(MAX_PER_PAGE) });
        if let Some(cursor) = starting_after {
            pagination["starting_after"] = json!(cursor);
        }
        let mut body = json!({ "query": self.query, "pagination": pagination });
        if let Some((field, order)) = self.sort {
            body["sort"] = json!({ "field": field, "order": order });
        }
        body
    }

    /// Fetches the page after `starting_after` (the first page when `None`).
    pub fn page(&self, client: &Client, starting_after: Option<&str>) -> Result<Page> {
        parse_page(client.post(self.path, &self.body(starting_after))?)
    }

    /// Like [`page`](Self::page), leaving each item as text: a poll reads a few fields of up
    /// to 150 items and passes most of them on unchanged.
    pub fn raw_page(&self, client: &Client, starting_after: Option<&str>) -> Result<RawPage> {
        let body = self.body(starting_after);
        let response = client.call_ok(Method::Post, self.path, Some(&body))?;
        #[derive(Deserialize)]
        struct Answer {
            // Conversation and ticket search answer `{conversations: [...]}` / `{tickets: [...]}`
            // rather than `{data: [...]}`.
            #[serde(default, alias = "conversations", alias = "tickets")]
            data: Option<Vec<Box<RawValue>>>,
            #[serde(default)]
            pages: Option<Value>,
        }
        let answer: Answer =
            serde_json::from_slice(&response.body).map_err(|e| not_json(&response, e))?;
        Ok(RawPage {
            data: answer.data.unwrap_or_default(),
            next: answer.pages.as_ref().and_then(next_cursor),
        })
    }
}

/// `next.starting_after` of a `pages` object, when there is a next page.
fn next_cursor(pages: &Value) -> Option<String> {
    pages
        .get("next")
        .and_then(|n| n.get("starting_after"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Reads `{data, pages.next.starting_after, total_count}` from a list answer.
pub fn parse_page(answer: Value) -> Result<Page> {
    let Value::Object(mut obj) = answer else {
        return Err(unexpected("a list object"));
    };
    let data = match obj.remove("data") {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(unexpected("`data` to be an array")),
    };
    let next = obj.get("pages").and_then(next_cursor);
    let total_count = obj.get("total_count").and_then(Value::as_u64);
    Ok(Page {
        data,
        next,
        total_count,
    })
}

fn unexpected(what: &str) -> Error {
    Error::Upstream {
        status: 200,
        code: None,
        message: format!("Intercom's answer was not {what}"),
        request_id: None,
    }
}
