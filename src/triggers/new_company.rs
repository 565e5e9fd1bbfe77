//! new-company: a company is created. Intercom has no company search: the poller reads every
//! company with `GET /companies/scroll` and keeps those created since the mark.

use super::cursor::Cursor;
use super::search_poll::SAMPLES;
use super::{Event, PollPage, Shape, TriggerOp};
use crate::error::{Error, Result};
use crate::input::parse;
use crate::intercom::{encode, Client};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{COMPANY_SAMPLE, COMPANY_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;

/// No options.
#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {}

/// Events per poll; the rest come with `has_more`.
const MAX_EVENTS: usize = 450;
/// Scroll pages read at most (Intercom's pages hold 50 companies or so).
const MAX_SCROLL_PAGES: usize = 1000;

pub const TRIGGER: TriggerOp = TriggerOp {
    meta: Meta {
        key: "new-company",
        label: "New Company",
        description: "Triggers when a new Company is created.",
        input_schema: input_schema!("new-company", Input),
        output_schema: COMPANY_SCHEMA,
        output_sample: COMPANY_SAMPLE,
    },
    info: TriggerInfo {
        webhook_topics: &["company.created"],
        can_poll: true,
        notes: "Intercom cannot search companies, so each poll reads them all with the company scroll (`GET /companies/scroll`, one open scroll per app: don't run two company polls of one workspace at once) and keeps those created since the last poll. Fine for thousands of companies; prefer the webhook for very large workspaces. Companies created through the API appear in Intercom's UI (and in `/companies/list`) only once a user is attached to them; the scroll and this trigger see them at once.",
    },
    poll: Some(poll),
    shape: Shape::Company,
};

fn scroll_all(client: &Client) -> Result<Vec<Value>> {
    let mut all = Vec::new();
    let mut param: Option<String> = None;
    for _ in 0..MAX_SCROLL_PAGES {
        let path = match &param {
            None => "/companies/scroll".to_string(),
            Some(p) => format!("/companies/scroll?scroll_param={}", encode(p)),
        };
        let mut page = client.get(&path)?;
        let data = match page.get_mut("data").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        if data.is_empty() {
            return Ok(all);
        }
        all.extend(data);
        param = page
            .get("scroll_param")
            .and_then(Value::as_str)
            .map(str::to_string);
        if param.is_none() {
            return Ok(all);
        }
    }
    Err(Error::Internal(format!(
        "the company scroll did not end after {MAX_SCROLL_PAGES} pages"
    )))
}

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let _: Input = parse(input)?;
    let cursor = cursor
        .map(|c| Cursor::decode(c, "new-company"))
        .transpose()?;
    let mut found: Vec<(i64, String, Value)> = scroll_all(client)?
        .into_iter()
        .filter_map(|c| {
            let ts = c.get("created_at").and_then(Value::as_i64)?;
            let id = c.get("id").and_then(Value::as_str)?.to_string();
            Some((ts, id, c))
        })
        .collect();
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let event = |(ts, id, data): (i64, String, Value)| Event {
        id,
        trigger: "new-company".into(),
        occurred_at: ts,
        data: data.into(),
    };
    let Some(mut cursor) = cursor else {
        let hwm = found.last().map_or(0, |f| f.0);
        let seen = found
            .iter()
            .filter(|f| f.0 == hwm)
            .map(|f| f.1.clone())
            .collect();
        let start = found.len().saturating_sub(SAMPLES);
        return Ok(PollPage {
            events: found.into_iter().skip(start).map(event).collect(),
            cursor: Cursor::new("new-company", hwm, seen).encode(),
            has_more: false,
        });
    };
    let seen: HashSet<&String> = cursor.seen.iter().collect();
    let mut new: Vec<(i64, String, Value)> = found
        .iter()
        .filter(|f| f.0 > cursor.hwm || (f.0 == cursor.hwm && !seen.contains(&f.1)))
        .cloned()
        .collect();
    let has_more = new.len() > MAX_EVENTS;
    new.truncate(MAX_EVENTS);
    // Oldest first, cut anywhere: the mark and the ids at it say exactly where to go on.
    if let Some(last) = new.last() {
        let at_last: Vec<String> = new
            .iter()
            .filter(|f| f.0 == last.0)
            .map(|f| f.1.clone())
            .collect();
        if last.0 > cursor.hwm {
            cursor.hwm = last.0;
            cursor.seen = at_last;
        } else {
            cursor.seen.extend(at_last);
        }
    }
    Ok(PollPage {
        events: new.into_iter().map(event).collect(),
        cursor: cursor.encode(),
        has_more,
    })
}
