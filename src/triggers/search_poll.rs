//! The search poller every search-backed trigger uses (`POST /contacts/search`,
//! `POST /conversations/search`): a window on one date field, client-side filtering on exact
//! seconds, body cursor pagination, a page bound per poll with resumption, and a cursor (see
//! [`cursor`](super::cursor)) that survives Intercom's search as it really is:
//!
//! * **Late results.** Search lags writes by "a few minutes" (Intercom's docs, Search contacts,
//!   "Contact creation delay"), for updates too. Every read re-reads a trailing window of
//!   [`LAG_ALLOWANCE_MINUTES`] (or the trigger's `lag_allowance_minutes`) behind the mark, and the
//!   cursor keeps what was emitted inside it, so a late item is emitted once when it appears.
//! * **The mark moves on what was scanned**, not on what was emitted: a trigger that filters
//!   everything out still moves on, and items already expanded in the window (tag lookups) are
//!   remembered, so an idle poll costs one search request.
//! * **A rejected search cursor** (400 `client_error` "Invalid starting_after param", listed in
//!   the OpenAPI error examples) restarts the read from its lower bound; the window memory keeps
//!   it from emitting anything twice.
//!
//! Each candidate item is expanded into zero or more [`Found`] events (a contact into itself, a
//! tagged contact into its tag applications...). No clock is read: the mark only ever comes from
//! Intercom's own timestamps, so host and API clocks may disagree.
//!
//! Contact search matches dates by calendar day in the workspace timezone (see
//! [`contact_poll`](super::contact_poll)); conversation search compares seconds.

use super::cursor::{Cursor, Scan};
pub use super::shapes::Found;
use super::{Data, Event, PollPage};
use crate::error::{Error, Result};
use crate::intercom::query::{and, filter, Search};
use crate::intercom::Client;
use crate::time::DAY;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::Value;

/// How far behind the mark every poll re-reads, by default: Intercom documents a search delay
/// of "a few minutes"; 15 minutes is several times that.
pub const LAG_ALLOWANCE_MINUTES: u32 = 15;
/// The largest allowance a trigger input may ask for (one day).
const MAX_LAG_ALLOWANCE_MINUTES: u32 = 24 * 60;

/// Minutes a record may take to appear in Intercom's search after it was created or changed
/// (default 15, at most 1440). Each poll re-reads this far behind the newest item it saw, so
/// late items are still emitted, once. Raise it for workspaces whose search lags more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, JsonSchema)]
#[schemars(inline)]
pub struct LagAllowance(#[schemars(range(min = 1, max = 1440))] u32);

impl<'de> Deserialize<'de> for LagAllowance {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let n = u32::deserialize(d)?;
        if !(1..=MAX_LAG_ALLOWANCE_MINUTES).contains(&n) {
            return Err(serde::de::Error::custom(format!(
                "lag_allowance_minutes must be 1 to {MAX_LAG_ALLOWANCE_MINUTES}, got {n}"
            )));
        }
        Ok(LagAllowance(n))
    }
}

/// The allowance in seconds (the default when not given).
pub fn lag_secs(allowance: Option<LagAllowance>) -> i64 {
    i64::from(allowance.map_or(LAG_ALLOWANCE_MINUTES, |a| a.0)) * 60
}

/// How many of the newest events the first poll returns as samples.
pub const SAMPLES: usize = 3;

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
        match serde_json::from_slice(raw.get().as_bytes()) {
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
            .get_or_insert_with(|| {
                serde_json::from_slice(raw.get().as_bytes()).unwrap_or(Value::Null)
            })
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
                serde_json::value::to_raw_value(&()).expect("`null` serializes"),
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
    /// `POST /tickets/search`: like conversations. The spec's ticket search table documents
    /// `>`/`<` on dates as "greater (or equal)" / "lower (or equal)" on Unix timestamps (no
    /// calendar-day matching as for contacts) and its `search_request` has no `sort`.
    Tickets,
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
    /// The lag allowance, seconds ([`lag_secs`]).
    pub lag: i64,
    /// Expanding an item costs requests (tag lookups): remember the items expanded inside the
    /// window so a re-read does not expand them again.
    pub memo: bool,
    /// The `tag` input and its id, kept in the cursor ([`Cursor::tag`]).
    pub tag: Option<(String, String)>,
    pub expand: Expand<'a>,
}

/// The number at a dotted path of `item`.
pub fn ts_at(item: &Value, path: &str) -> Option<i64> {
    path.split('.')
        .try_fold(item, |v, k| v.get(k))
        .and_then(Value::as_i64)
}

/// Intercom rejected a saved `starting_after` (stale or expired): 400 `client_error`.
fn rejected_cursor(e: &Error) -> bool {
    matches!(e, Error::Upstream { status: 400, code, message, .. }
        if code.as_deref() == Some("client_error") || message.contains("starting_after"))
}

impl Source<'_> {
    fn path(&self) -> &'static str {
        match self.endpoint {
            Endpoint::Contacts => "/contacts/search",
            Endpoint::Conversations => "/conversations/search",
            Endpoint::Tickets => "/tickets/search",
        }
    }

    fn sorted(&self) -> bool {
        self.endpoint == Endpoint::Contacts
    }

    /// The `>` bound that finds every item at or after `start`. Contacts: a day earlier, because
    /// `>` starts at the next calendar day (in any workspace timezone, the day after the one
    /// holding `start - DAY` starts at or before `start`). Conversations: a second earlier.
    pub fn lower_bound(&self, start: i64) -> i64 {
        match self.endpoint {
            Endpoint::Contacts => (start - DAY).max(0),
            Endpoint::Conversations | Endpoint::Tickets => (start - 1).max(0),
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

    /// The newest items as samples; the cursor starts at the newest window second seen (its
    /// floor), remembering the events found at or after it.
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
        let mark = page
            .data
            .iter()
            .filter_map(|i| self.window_ts(i))
            .max()
            .unwrap_or(0);
        let mut cursor = Cursor::new(self.trigger, mark);
        cursor.floor = mark;
        cursor.tag = self.tag.clone();
        let mut candidates: Vec<&mut Item> = page.data.iter_mut().collect();
        crate::sort::sort_by_key(&mut candidates, |i| {
            std::cmp::Reverse(self.window_ts(i).unwrap_or(i64::MIN))
        });
        let mut found: Vec<Found> = Vec::new();
        for item in candidates {
            let Some(wts) = self.window_ts(item) else {
                continue;
            };
            let newest = found.iter().map(|f| f.ts).max();
            // An item's events are never later than its window time: once we have samples and
            // the window falls below the newest event, nothing further can reach that second.
            // Items at the mark are all expanded: the cursor must know what it already holds.
            if wts < mark && found.len() >= SAMPLES && newest.is_some_and(|n| wts < n) {
                break;
            }
            let id = item.id().unwrap_or_default().to_string();
            for f in (self.expand)(item)? {
                if !found.iter().any(|g| g.key == f.key) {
                    if f.ts >= mark {
                        cursor.remember_emitted(f.ts, f.key.clone());
                    }
                    found.push(f);
                }
            }
            if self.memo && wts >= mark {
                cursor.remember_expanded(wts, id);
            }
        }
        crate::sort::sort_by(&mut found, |a, b| (b.ts, &b.key).cmp(&(a.ts, &a.key)));
        found.truncate(SAMPLES);
        found.reverse();
        Ok(PollPage {
            events: self.events(found),
            cursor: cursor.encode(),
            has_more: false,
        })
    }

    fn next_poll(&self, client: &Client, mut cursor: Cursor) -> Result<PollPage> {
        cursor.tag = self.tag.clone();
        let start = (cursor.mark - self.lag).max(cursor.floor);
        let mut scan = cursor.scan.take().unwrap_or_else(|| Scan {
            lower: self.lower_bound(start),
            window_start: start,
            after: String::new(),
            max: cursor.mark,
        });
        // A read resumed from an earlier poll: items created meanwhile sort before where it
        // started (newest first), so when it still found events, start a fresh read at once.
        let mut resumed = !scan.after.is_empty();
        let mut out: Vec<Found> = Vec::new();
        // Pages counted against `max_pages`, and all pages read: a restarted read re-reads
        // pages it already emitted without counting them (else a burst longer than one poll
        // would restart at its top forever), up to a hard bound.
        let (mut pages, mut read, mut restarted) = (0, 0, false);
        let done = loop {
            let after = (!scan.after.is_empty()).then_some(scan.after.as_str());
            let mut page = match self.page(client, scan.lower, self.per_page, after) {
                // A stale or expired search cursor: read again from the lower bound. What this
                // read emitted is in the window memory, so nothing comes twice; what the size
                // bound made the cursor forget is below its floor, so it is not emitted either.
                Err(e) if after.is_some() && rejected_cursor(&e) => {
                    scan.after.clear();
                    scan.window_start = scan.window_start.max(cursor.floor);
                    (resumed, restarted) = (false, true);
                    continue;
                }
                other => other?,
            };
            read += 1;
            let before = out.len();
            let mut older = false;
            for item in &mut page.data {
                let Some(wts) = self.window_ts(item) else {
                    continue;
                };
                if wts < scan.window_start {
                    // Sorted newest first: the rest is behind the window, handled by earlier polls.
                    older |= self.sorted();
                    continue;
                }
                scan.max = scan.max.max(wts);
                let id = item.id().unwrap_or_default().to_string();
                if self.memo && cursor.was_expanded(wts, &id) {
                    continue;
                }
                for f in (self.expand)(item)? {
                    if f.ts < scan.window_start || cursor.was_emitted(f.ts, &f.key) {
                        continue;
                    }
                    cursor.remember_emitted(f.ts, f.key.clone());
                    out.push(f);
                }
                if self.memo {
                    cursor.remember_expanded(wts, id);
                }
            }
            if !restarted || out.len() > before {
                pages += 1;
            }
            match page.next {
                Some(next) if !older => {
                    scan.after = next;
                    if pages >= self.max_pages || read >= self.max_pages * 8 {
                        break false;
                    }
                }
                _ => break true,
            }
        };
        if done {
            cursor.mark = scan.max;
            cursor.forget_before((cursor.mark - self.lag).max(cursor.floor));
        } else {
            cursor.scan = Some(scan);
        }
        crate::sort::sort_by(&mut out, |a, b| (a.ts, &a.key).cmp(&(b.ts, &b.key)));
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
            .map(|f| f.into_event(self.trigger))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intercom::{Connection, Region};
    use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError};
    use serde_json::json;
    use std::cell::{Cell, RefCell};

    /// A conversation search over `(id, window time, visible)` items: `> lower` on the window,
    /// newest first, offset cursors; `reject` answers the next `starting_after` with Intercom's
    /// 400 `client_error`.
    #[derive(Default)]
    struct Index {
        items: RefCell<Vec<(String, i64, bool)>>,
        requests: Cell<usize>,
        reject: Cell<bool>,
    }

    impl Index {
        fn add(&self, id: &str, ts: i64, visible: bool) {
            self.items.borrow_mut().push((id.into(), ts, visible));
        }
        fn show_all(&self) {
            self.items.borrow_mut().iter_mut().for_each(|i| i.2 = true);
        }
    }

    impl Transport for Index {
        fn send(&self, r: &HttpRequest) -> std::result::Result<HttpResponse, TransportError> {
            self.requests.set(self.requests.get() + 1);
            let body: Value = serde_json::from_slice(r.body.as_deref().unwrap()).unwrap();
            let q = &body["query"];
            let lower = q["value"]
                .as_array()
                .map_or(std::slice::from_ref(q), Vec::as_slice)
                .iter()
                .find(|f| f["operator"] == ">")
                .and_then(|f| f["value"].as_i64())
                .unwrap();
            let per_page = body["pagination"]["per_page"].as_u64().unwrap() as usize;
            let after = body["pagination"]["starting_after"].as_str();
            if after.is_some() && self.reject.replace(false) {
                let e = r#"{"type":"error.list","errors":[{"code":"client_error","message":"Invalid starting_after param"}]}"#;
                return Ok(HttpResponse {
                    status: 400,
                    headers: vec![],
                    body: e.into(),
                });
            }
            let mut hits: Vec<_> = self
                .items
                .borrow()
                .iter()
                .filter(|i| i.2 && i.1 >= lower)
                .cloned()
                .collect();
            hits.sort_by(|a, b| (b.1, &b.0).cmp(&(a.1, &a.0)));
            let from: usize = after.map_or(0, |a| a.parse().unwrap());
            let page: Vec<Value> = hits
                .iter()
                .skip(from)
                .take(per_page)
                .map(|(id, ts, _)| json!({"id": id, "created_at": ts}))
                .collect();
            let next = (from + per_page < hits.len())
                .then(|| json!({"starting_after": (from + per_page).to_string()}));
            let answer = json!({"conversations": page, "pages": {"next": next}});
            Ok(HttpResponse {
                status: 200,
                headers: vec![],
                body: answer.to_string().into(),
            })
        }
    }

    fn client(t: &Index) -> Client<'_> {
        let conn = Connection {
            access_token: "tok".into(),
            region: Region::Us,
            base_url: None,
            api_version: None,
            max_rate_limit_wait_ms: None,
        };
        Client::new(&conn, t).unwrap()
    }

    /// Polls `source` from `cursor` until `has_more` is false; every event id, the last cursor.
    fn drain(source: &Source, c: &Client, cursor: &str) -> (Vec<String>, String) {
        let (mut ids, mut cursor) = (Vec::new(), cursor.to_string());
        for _ in 0..50 {
            let page = source.poll(c, Some(&cursor)).unwrap();
            ids.extend(page.events.iter().map(|e| e.id.clone()));
            cursor = page.cursor;
            if !page.has_more {
                return (ids, cursor);
            }
        }
        panic!("still has_more after 50 polls");
    }

    fn created(item: &mut Item) -> Result<Vec<Found>> {
        let id = item.id().unwrap_or_default().to_string();
        let ts = item.ts("created_at").unwrap_or_default();
        Ok(vec![super::super::shapes::created(
            &id,
            ts,
            item.take_data(),
        )])
    }

    fn source<'a>(expand: Expand<'a>, memo: bool) -> Source<'a> {
        Source {
            trigger: "new-conversation",
            endpoint: Endpoint::Conversations,
            filters: vec![],
            window: "created_at",
            per_page: 2,
            max_pages: 2,
            lag: 15 * 60,
            memo,
            tag: None,
            expand,
        }
    }

    const T: i64 = 1_750_000_000;

    #[test]
    fn first_poll_starts_at_the_newest_second_and_knows_what_it_holds_there() {
        let ix = Index::default();
        for (i, ts) in [T - 50, T, T, T, T].into_iter().enumerate() {
            ix.add(&format!("c{i}"), ts, true);
        }
        ix.add("late-old", T - 30, false);
        let src = source(&created, false);
        let c = client(&ix);
        let first = src.poll(&c, None).unwrap();
        assert_eq!(first.events.len(), SAMPLES);
        let cursor = Cursor::decode(&first.cursor, "new-conversation").unwrap();
        assert_eq!((cursor.mark, cursor.floor), (T, T));
        assert_eq!(
            cursor.emitted.get(T).unwrap().len(),
            4,
            "all four at the newest second"
        );
        // Something older than the trigger itself turning up late is not new; the same second is.
        ix.add("late-same-second", T, false);
        ix.show_all();
        let (ids, _) = drain(&src, &c, &first.cursor);
        assert_eq!(ids, ["late-same-second"]);
    }

    #[test]
    fn a_late_item_inside_the_window_is_emitted_once_and_one_past_it_is_not() {
        let ix = Index::default();
        ix.add("a", T, true);
        let src = source(&created, false);
        let c = client(&ix);
        let cursor = src.poll(&c, None).unwrap().cursor;
        ix.add("b", T + 100, true);
        ix.add("late", T + 60, false);
        let (ids, cursor) = drain(&src, &c, &cursor);
        assert_eq!(ids, ["b"]);
        // `late` reaches search 14 minutes behind the mark: inside the window, emitted once.
        ix.show_all();
        ix.add("c", T + 900, true);
        let (ids, cursor) = drain(&src, &c, &cursor);
        assert_eq!(ids, ["late", "c"]);
        let (ids, cursor) = drain(&src, &c, &cursor);
        assert!(ids.is_empty(), "{ids:?}");
        // The mark is now T + 900: an item at T + 100 surfacing now is 13 min behind: kept...
        ix.add("late2", T + 100, true);
        // ...but one 20 minutes behind the mark is past the allowance.
        ix.add("too-late", T + 900 - 20 * 60, true);
        let (ids, _) = drain(&src, &c, &cursor);
        assert_eq!(ids, ["late2"]);
    }

    #[test]
    fn the_mark_moves_on_what_was_scanned_and_an_idle_poll_is_one_request() {
        let ix = Index::default();
        let nothing = |_: &mut Item| -> Result<Vec<Found>> { Ok(vec![]) };
        let src = source(&nothing, false);
        let c = client(&ix);
        let mut cursor = src.poll(&c, None).unwrap().cursor;
        for i in 0..30 {
            ix.add(&format!("n{i}"), T + 3600 * i, true);
        }
        (_, cursor) = drain(&src, &c, &cursor);
        let mark = Cursor::decode(&cursor, "new-conversation").unwrap().mark;
        assert_eq!(mark, T + 3600 * 29, "moved though nothing was emitted");
        ix.requests.set(0);
        let page = src.poll(&c, Some(&cursor)).unwrap();
        assert!(page.events.is_empty() && !page.has_more);
        assert_eq!(ix.requests.get(), 1, "an idle poll reads one page");
    }

    #[test]
    fn items_expanded_inside_the_window_are_not_expanded_again() {
        let ix = Index::default();
        let calls = Cell::new(0);
        let counting = |item: &mut Item| {
            calls.set(calls.get() + 1);
            created(item)
        };
        let src = source(&counting, true);
        let c = client(&ix);
        let cursor = src.poll(&c, None).unwrap().cursor;
        ix.add("a", T, true);
        ix.add("b", T + 1, true);
        let (ids, cursor) = drain(&src, &c, &cursor);
        assert_eq!(ids, ["a", "b"]);
        calls.set(0);
        let (ids, _) = drain(&src, &c, &cursor);
        assert!(ids.is_empty());
        assert_eq!(calls.get(), 0, "window re-read without re-expanding");
    }

    #[test]
    fn a_rejected_search_cursor_restarts_the_read_and_emits_nothing_twice() {
        let ix = Index::default();
        let src = source(&created, false);
        let c = client(&ix);
        let cursor = src.poll(&c, None).unwrap().cursor;
        let want: Vec<String> = (0..9).map(|i| format!("x{i}")).collect();
        for (i, id) in want.iter().enumerate() {
            ix.add(id, T + i as i64, true);
        }
        // Two pages per poll, two items per page: the read resumes from a saved position...
        let p1 = src.poll(&c, Some(&cursor)).unwrap();
        assert!(p1.has_more);
        // ...which Intercom has meanwhile expired.
        ix.reject.set(true);
        let mut ids: Vec<String> = p1.events.iter().map(|e| e.id.clone()).collect();
        let (rest, _) = drain(&src, &c, &p1.cursor);
        assert!(!ix.reject.get(), "the stale cursor was sent and rejected");
        ids.extend(rest);
        let mut sorted = ids.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ids.len(), "nothing twice: {ids:?}");
        assert_eq!(sorted, want);
    }

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
