//! The search poller every search-backed trigger uses (`POST /contacts/search`,
//! `POST /conversations/search`): a window on one date field, client-side filtering on exact
//! seconds, body cursor pagination, a page bound per poll with resumption, and a cursor that
//! keeps the high-water mark and the keys already emitted at that second.
//!
//! Each candidate item the search returns is expanded into zero or more [`Found`] events (a
//! contact into itself, a tagged contact into its tag applications...). An event is new when its
//! time is after the high-water mark, or at it with a key not yet emitted. No clock is read: the
//! mark only ever comes from Intercom's own timestamps, so host and API clocks may disagree.
//!
//! Contact search matches dates by calendar day in the workspace timezone (see
//! [`contact_poll`](super::contact_poll)); conversation search compares seconds.

use super::cursor::{Cursor, Scan};
use super::{Data, Event, PollPage};
use crate::error::Result;
use crate::intercom::query::{and, filter, Search};
use crate::intercom::Client;
use crate::time::DAY;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::HashSet;

/// How many of the newest events the first poll returns as samples.
pub const SAMPLES: usize = 3;

/// One event an item yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Identifies the event across polls (e.g. the contact id, or `conversation:close time`).
    pub key: String,
    /// When it happened, Unix seconds.
    pub ts: i64,
    pub data: Data,
}

/// One search result: the text Intercom sent, with the few fields every trigger reads taken out
/// of it. An expander that needs more parses it whole ([`value`](Item::value)); an item nobody
/// parsed becomes its event's data as the very text it came in, never built nor written again.
pub struct Item {
    raw: Box<RawValue>,
    head: Head,
    parsed: Option<Value>,
}

/// The fields read without parsing the whole item.
#[derive(Deserialize, Default)]
struct Head {
    id: Option<String>,
    role: Option<String>,
    created_at: Option<i64>,
    updated_at: Option<i64>,
}

impl Item {
    /// An item read through its head fields only; one whose head fields have other types is
    /// parsed whole at once.
    pub fn lazy(raw: Box<RawValue>) -> Item {
        match serde_json::from_str(raw.get()) {
            Ok(head) => Item {
                raw,
                head,
                parsed: None,
            },
            Err(_) => Item::whole(raw),
        }
    }

    /// An item parsed whole at once, for triggers that read more than its head.
    pub fn whole(raw: Box<RawValue>) -> Item {
        let mut item = Item {
            raw,
            head: Head::default(),
            parsed: None,
        };
        item.value();
        item
    }

    /// The whole item, parsed on first use. Edits stay, and become the event's data.
    pub fn value(&mut self) -> &mut Value {
        let raw = &self.raw;
        self.parsed
            // It parsed once already (as part of the page), so this only fails past serde_json's
            // nesting limit, which the page parse shares.
            .get_or_insert_with(|| serde_json::from_str(raw.get()).unwrap_or(Value::Null))
    }

    pub fn id(&self) -> Option<&str> {
        match &self.parsed {
            Some(v) => v.get("id").and_then(Value::as_str),
            None => self.head.id.as_deref(),
        }
    }

    pub fn role(&self) -> Option<&str> {
        match &self.parsed {
            Some(v) => v.get("role").and_then(Value::as_str),
            None => self.head.role.as_deref(),
        }
    }

    /// The number at a dotted path: `created_at`, `updated_at`, or any path once parsed.
    pub fn ts(&self, path: &str) -> Option<i64> {
        match (&self.parsed, path) {
            (Some(v), _) => ts_at(v, path),
            (None, "created_at") => self.head.created_at,
            (None, "updated_at") => self.head.updated_at,
            (None, _) => None,
        }
    }

    /// The event data: the item as parsed and edited, else its text as it came.
    pub fn take_data(&mut self) -> Data {
        match self.parsed.take() {
            Some(v) => Data::Value(v),
            None => Data::Text(std::mem::replace(
                &mut self.raw,
                RawValue::from_string("null".into()).expect("`null` is JSON"),
            )),
        }
    }
}

/// Which search endpoint, and how it treats dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /contacts/search`: dates match by day, `sort` is supported.
    Contacts,
    /// `POST /conversations/search`: dates compare seconds, no documented `sort`.
    Conversations,
}

/// Turns one item into its events. The item is the expander's to keep: taking it as the event's
/// data ([`Item::take_data`]) spares a copy of every contact or conversation.
pub type Expand<'a> = &'a dyn Fn(&mut Item) -> Result<Vec<Found>>;

/// One page of items.
struct Items {
    data: Vec<Item>,
    next: Option<String>,
}

/// What a search-backed trigger polls.
pub struct Source<'a> {
    pub trigger: &'static str,
    pub endpoint: Endpoint,
    /// Filters every query carries (role, state, tag...).
    pub filters: Vec<Value>,
    /// The date field the window is on; dotted for nested fields (`statistics.last_close_at`).
    pub window: &'static str,
    pub per_page: u32,
    /// Pages read per poll before answering `has_more`.
    pub max_pages: u32,
    /// Items can move in the order while being read (window on `updated_at`): remember the keys
    /// emitted during a read that spans several polls.
    pub movable: bool,
    pub expand: Expand<'a>,
}

/// The number at a dotted path of `item`.
pub fn ts_at(item: &Value, path: &str) -> Option<i64> {
    path.split('.')
        .try_fold(item, |v, k| v.get(k))
        .and_then(Value::as_i64)
}

impl Source<'_> {
    fn path(&self) -> &'static str {
        match self.endpoint {
            Endpoint::Contacts => "/contacts/search",
            Endpoint::Conversations => "/conversations/search",
        }
    }

    fn sorted(&self) -> bool {
        self.endpoint == Endpoint::Contacts
    }

    /// The `>` bound that finds every item at or after `hwm`. Contacts: a day earlier, because
    /// `>` starts at the next calendar day (in any workspace timezone, the day after the one
    /// holding `hwm - DAY` starts at or before `hwm`). Conversations: a second earlier.
    pub fn lower_bound(&self, hwm: i64) -> i64 {
        match self.endpoint {
            Endpoint::Contacts => (hwm - DAY).max(0),
            Endpoint::Conversations => (hwm - 1).max(0),
        }
    }

    fn page(
        &self,
        client: &Client,
        lower: i64,
        per_page: u32,
        after: Option<&str>,
    ) -> Result<Items> {
        let mut filters = self.filters.clone();
        filters.push(filter(self.window, ">", lower));
        let query = and(filters);
        let search = Search {
            path: self.path(),
            query: &query,
            sort: self.sorted().then_some((self.window, "descending")),
            per_page,
        };
        let page = search.raw_page(client, after)?;
        // Contacts windowed on a head field are read lazily; conversation triggers read each
        // whole item, and other windows are not in the head, so those parse at once (one scan).
        let lazy = self.endpoint == Endpoint::Contacts
            && matches!(self.window, "created_at" | "updated_at");
        let item = if lazy { Item::lazy } else { Item::whole };
        Ok(Items {
            data: page.data.into_iter().map(item).collect(),
            next: page.next,
        })
    }

    fn window_ts(&self, item: &Item) -> Option<i64> {
        item.ts(self.window)
    }

    /// Polls once: samples and a fresh cursor without `cursor`, new events otherwise.
    pub fn poll(&self, client: &Client, cursor: Option<&str>) -> Result<PollPage> {
        match cursor {
            None => self.first_poll(client),
            Some(text) => self.next_poll(client, Cursor::decode(text, self.trigger)?),
        }
    }

    fn first_poll(&self, client: &Client) -> Result<PollPage> {
        // The newest candidates. Contacts sort by the window field; conversation search has no
        // documented sort, so narrow the window to the newest second seen until it stops moving.
        let mut page = self.page(client, 0, super::contact_poll::PER_PAGE, None)?;
        if !self.sorted() {
            let mut newest = page.data.iter().filter_map(|i| self.window_ts(i)).max();
            for _ in 0..4 {
                let Some(m) = newest.filter(|_| page.next.is_some()) else {
                    break;
                };
                page = self.page(
                    client,
                    self.lower_bound(m),
                    super::contact_poll::PER_PAGE,
                    None,
                )?;
                newest = page.data.iter().filter_map(|i| self.window_ts(i)).max();
                if newest == Some(m) {
                    break;
                }
            }
        }
        let mut candidates: Vec<&mut Item> = page.data.iter_mut().collect();
        candidates.sort_by_key(|i| std::cmp::Reverse(self.window_ts(i).unwrap_or(i64::MIN)));
        let mut found: Vec<Found> = Vec::new();
        let mut keys = HashSet::new();
        for item in candidates {
            let Some(wts) = self.window_ts(item) else {
                continue;
            };
            let newest = found.iter().map(|f| f.ts).max();
            // An item's events are never later than its window time: once we have samples and
            // the window falls below the newest event, nothing further can reach that second.
            if found.len() >= SAMPLES && newest.is_some_and(|n| wts < n) {
                break;
            }
            for f in (self.expand)(item)? {
                if keys.insert(f.key.clone()) {
                    found.push(f);
                }
            }
        }
        let hwm = found.iter().map(|f| f.ts).max().unwrap_or(0);
        let seen = found
            .iter()
            .filter(|f| f.ts == hwm)
            .map(|f| f.key.clone())
            .collect();
        found.sort_by(|a, b| (b.ts, &b.key).cmp(&(a.ts, &a.key)));
        found.truncate(SAMPLES);
        found.reverse();
        Ok(PollPage {
            events: self.events(found),
            cursor: Cursor::new(self.trigger, hwm, seen).encode(),
            has_more: false,
        })
    }

    fn next_poll(&self, client: &Client, mut cursor: Cursor) -> Result<PollPage> {
        let h0 = cursor.hwm;
        let seen0: HashSet<String> = cursor.seen.iter().cloned().collect();
        let mut scan = cursor.scan.take().unwrap_or_else(|| Scan {
            lower: self.lower_bound(h0),
            after: String::new(),
            max: h0,
            max_keys: Vec::new(),
            emitted: Vec::new(),
        });
        // A read resumed from an earlier poll: items created meanwhile sort before where it
        // started (newest first), so when it still found events, start a fresh read at once.
        let resumed = !scan.after.is_empty();
        let mut emitted: HashSet<String> = scan.emitted.iter().cloned().collect();
        let mut out: Vec<Found> = Vec::new();
        let mut pages = 0;
        let done = loop {
            let after = (!scan.after.is_empty()).then_some(scan.after.as_str());
            let mut page = self.page(client, scan.lower, self.per_page, after)?;
            pages += 1;
            let mut older = false;
            for item in &mut page.data {
                let Some(wts) = self.window_ts(item) else {
                    continue;
                };
                if wts < h0 {
                    // Sorted newest first: the rest of the window was handled by earlier polls.
                    older |= self.sorted();
                    continue;
                }
                for f in (self.expand)(item)? {
                    let new = f.ts > h0 || (f.ts == h0 && !seen0.contains(&f.key));
                    if !new || !emitted.insert(f.key.clone()) {
                        continue;
                    }
                    if self.movable {
                        scan.emitted.push(f.key.clone());
                    }
                    if f.ts > scan.max {
                        scan.max = f.ts;
                        scan.max_keys.clear();
                    }
                    if f.ts == scan.max {
                        scan.max_keys.push(f.key.clone());
                    }
                    out.push(f);
                }
            }
            match page.next {
                Some(next) if !older => {
                    scan.after = next;
                    if pages >= self.max_pages {
                        break false;
                    }
                }
                _ => break true,
            }
        };
        if done {
            if scan.max > h0 {
                cursor.hwm = scan.max;
                cursor.seen = scan.max_keys;
            } else {
                cursor.seen.extend(scan.max_keys);
            }
            cursor.scan = None;
        } else {
            cursor.scan = Some(scan);
        }
        out.sort_by(|a, b| (a.ts, &a.key).cmp(&(b.ts, &b.key)));
        let has_more = !done || (resumed && !out.is_empty());
        Ok(PollPage {
            events: self.events(out),
            cursor: cursor.encode(),
            has_more,
        })
    }

    fn events(&self, found: Vec<Found>) -> Vec<Event> {
        found
            .into_iter()
            .map(|f| Event {
                id: f.key,
                trigger: self.trigger.to_string(),
                occurred_at: f.ts,
                data: f.data,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.into()).unwrap()
    }

    #[test]
    fn an_unparsed_item_goes_out_as_the_text_it_came_in() {
        let text = r#"{"type":"contact","id":"c1","role":"user","created_at":5,"updated_at":7,"custom_attributes":{"b":1,"a":"x"}}"#;
        let mut it = Item::lazy(raw(text));
        assert_eq!(
            (it.id(), it.role(), it.ts("created_at"), it.ts("updated_at")),
            (Some("c1"), Some("user"), Some(5), Some(7))
        );
        assert!(it.parsed.is_none(), "head fields need no full parse");
        assert_eq!(
            it.take_data().into_text(),
            text,
            "same bytes, key order kept"
        );
    }

    #[test]
    fn edits_and_other_windows_go_through_the_parsed_value() {
        let mut it = Item::lazy(raw(r#"{"id":"c1","created_at":5}"#));
        it.value()["extra"] = 1.into();
        assert_eq!(
            it.take_data().to_value(),
            serde_json::json!({"id": "c1", "created_at": 5, "extra": 1})
        );
        let it = Item::whole(raw(r#"{"id":"v1","statistics":{"last_close_at":9}}"#));
        assert_eq!(it.ts("statistics.last_close_at"), Some(9));
        // A head field of another type (here a text time) falls back to the parsed value.
        let it = Item::lazy(raw(r#"{"id":7,"created_at":"x"}"#));
        assert_eq!((it.id(), it.ts("created_at")), (None, None));
        assert!(it.parsed.is_some());
    }
}
