//! new-company: a company is created. Intercom cannot search companies nor list them by
//! creation, so each poll reads them all page by page and keeps, in bounded memory, those
//! created inside the lag window that were not emitted yet.
//!
//! Which list: `GET /companies` (page numbers) lists every company, those without users too
//! (unlike `POST /companies/list`), and opens no scroll, so other integrations scrolling the same
//! workspace are not disturbed. Intercom caps page-number lists at 10,000 companies (OpenAPI,
//! "List all companies"), so larger workspaces are read with the scroll (`GET /companies/scroll`),
//! of which each app may hold one, expiring after a minute unused (OpenAPI, "Scroll over all
//! companies"); while another is open the poll answers `rate-limited` with a minute to wait.

use super::cursor::Cursor;
use super::search_poll::{lag_secs, LagAllowance, SAMPLES};
use super::{shapes, PollPage, Shape, TriggerOp};
use crate::error::{Error, Result};
use crate::input::parse;
use crate::intercom::{encode, Client};
use crate::operation::{input_schema, Meta, TriggerInfo};
use crate::schemas::{Embedded, COMPANY_SAMPLE, COMPANY_SCHEMA};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BinaryHeap;

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Input {
    #[serde(default)]
    pub lag_allowance_minutes: Option<LagAllowance>,
}

/// Events per poll; the rest come with `has_more`.
const MAX_EVENTS: usize = 450;
/// Companies per `GET /companies` page.
const PER_PAGE: usize = 50;
/// The most companies a page-number list returns (OpenAPI, "List all companies").
const LIST_CAP: u64 = 10_000;
/// Pages read at most (scroll pages hold 50 companies or so): a million companies.
const MAX_PAGES: usize = 20_000;

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
        notes: Embedded::at("notes/new-company.txt"),
    },
    poll: Some(poll),
    shape: Shape::Company,
};

/// A company kept for emission, ordered by (created_at, id) so the heap drops the newest.
struct Kept(i64, String, Value);

impl PartialEq for Kept {
    fn eq(&self, o: &Self) -> bool {
        (self.0, &self.1) == (o.0, &o.1)
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Kept {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.0, &self.1).cmp(&(o.0, &o.1))
    }
}

/// Calls `each` with every company, one page at a time (none is held beyond its page).
fn each_company(client: &Client, each: &mut dyn FnMut(Value)) -> Result<()> {
    let first = client.get(&format!("/companies?per_page={PER_PAGE}&page=1"))?;
    let total = first
        .get("total_count")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if total > LIST_CAP {
        return scroll(client, each);
    }
    let mut page = first;
    for n in 2..=MAX_PAGES + 1 {
        let data = match page.get_mut("data").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        let last = data.len() < PER_PAGE || page.pointer("/pages/next").is_none_or(Value::is_null);
        data.into_iter().for_each(&mut *each);
        if last {
            return Ok(());
        }
        page = client.get(&format!("/companies?per_page={PER_PAGE}&page={n}"))?;
    }
    Err(Error::Internal(format!(
        "the company list did not end after {MAX_PAGES} pages"
    )))
}

fn scroll(client: &Client, each: &mut dyn FnMut(Value)) -> Result<()> {
    let mut param: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let path = match &param {
            None => "/companies/scroll".to_string(),
            Some(p) => format!("/companies/scroll?scroll_param={}", encode(p)),
        };
        let mut page = client.get(&path).map_err(scroll_busy)?;
        let data = match page.get_mut("data").map(Value::take) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        if data.is_empty() {
            return Ok(());
        }
        data.into_iter().for_each(&mut *each);
        param = page
            .get("scroll_param")
            .and_then(Value::as_str)
            .map(str::to_string);
        if param.is_none() {
            return Ok(());
        }
    }
    Err(Error::Internal(format!(
        "the company scroll did not end after {MAX_PAGES} pages"
    )))
}

/// Another scroll is open for this app: Intercom answers 400 "scroll already exists for this
/// app" (observed in public client code: intercom-ruby issue #292); it expires a minute after
/// its last use, so this is worth retrying then.
fn scroll_busy(e: Error) -> Error {
    match e {
        Error::Upstream {
            status: 400,
            message,
            ..
        } if message.contains("scroll already exists") => Error::RateLimited {
            retry_after_ms: 60_000,
            message: format!(
                "another company scroll is open for this Intercom app ({message}); Intercom allows one per app and \
                 closes it a minute after its last use, so this poll can run again then. Workspaces over \
                 {LIST_CAP} companies can only be read with the scroll; the company.created webhook needs none."
            ),
        },
        e => e,
    }
}

fn poll(client: &Client, input: &str, cursor: Option<&str>) -> Result<PollPage> {
    let input: Input = parse(input)?;
    let lag = lag_secs(input.lag_allowance_minutes);
    let cursor = cursor
        .map(|c| Cursor::decode(c, "new-company"))
        .transpose()?;
    let Some(mut cursor) = cursor else {
        // Samples: the newest few; the cursor starts at the newest creation second.
        let mut newest: BinaryHeap<std::cmp::Reverse<Kept>> = BinaryHeap::new();
        let (mut mark, mut at_mark) = (0, Vec::new());
        each_company(client, &mut |c| {
            if let Some(k) = kept(c) {
                if k.0 > mark {
                    (mark, at_mark) = (k.0, Vec::new());
                }
                if k.0 == mark {
                    at_mark.push(k.1.clone());
                }
                newest.push(std::cmp::Reverse(k));
                if newest.len() > SAMPLES {
                    newest.pop();
                }
            }
        })?;
        let mut cursor = Cursor::new("new-company", mark);
        cursor.floor = mark;
        let mut found: Vec<Kept> = newest.into_iter().map(|r| r.0).collect();
        crate::sort::sort_by(&mut found, Ord::cmp);
        for id in at_mark {
            cursor.remember_emitted(mark, id);
        }
        return Ok(PollPage {
            events: events(found),
            cursor: cursor.encode(),
            has_more: false,
        });
    };
    let start = (cursor.mark - lag).max(cursor.floor);
    // The oldest new companies, at most MAX_EVENTS of them: a max-heap dropping the newest.
    let mut new: BinaryHeap<Kept> = BinaryHeap::new();
    let (mut scanned, mut overflow) = (cursor.mark, false);
    each_company(client, &mut |c| {
        let Some(k) = kept(c) else { return };
        if k.0 < start || cursor.was_emitted(k.0, &k.1) {
            return;
        }
        scanned = scanned.max(k.0);
        new.push(k);
        if new.len() > MAX_EVENTS {
            new.pop();
            overflow = true;
        }
    })?;
    let new = new.into_sorted_vec();
    for k in &new {
        cursor.remember_emitted(k.0, k.1.clone());
    }
    // Cut short, the mark stays at the newest emitted: the rest is at or after it.
    cursor.mark = match (overflow, new.last()) {
        (true, Some(last)) => cursor.mark.max(last.0),
        _ => scanned,
    };
    cursor.forget_before((cursor.mark - lag).max(cursor.floor));
    Ok(PollPage {
        events: events(new),
        cursor: cursor.encode(),
        has_more: overflow,
    })
}

fn kept(c: Value) -> Option<Kept> {
    let ts = c.get("created_at").and_then(Value::as_i64)?;
    let id = c.get("id").and_then(Value::as_str)?.to_string();
    Some(Kept(ts, id, c))
}

fn events(found: Vec<Kept>) -> Vec<super::Event> {
    found
        .into_iter()
        .map(|Kept(ts, id, c)| shapes::created(&id, ts, c.into()).into_event("new-company"))
        .collect()
}
