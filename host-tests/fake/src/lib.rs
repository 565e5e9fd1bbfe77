//! A stateful fake Intercom (REST API 2.16) on loopback, for driving the real connector
//! component in tests and demos.
//!
//! * Behaviour follows `../shared/intercom/API-NOTES.md` and the 2.16 OpenAPI file: status
//!   codes, `error.list` bodies, day-truncated contact search, cursor pagination, merge rules...
//! * Every request is recorded ([`FakeIntercom::requests`]) and checked against the OpenAPI
//!   request schemas ([`FakeIntercom::spec_violations`]).
//! * Faults (429, 5xx, slow, malformed JSON, stalled or trickled body, dropped connection, a write
//!   committed whose answer is dropped) can be injected for
//!   the next N requests ([`FakeIntercom::inject`]).
//! * A frozen clock ([`FakeIntercom::set_now`], [`FakeIntercom::advance`]) stamps every
//!   `created_at`/`updated_at` the fake assigns; it starts at the wall-clock time.
//!
//! Module map: `http` (HTTP/1.1 server), `errors` (error.list), `state` (workspace data),
//! `search` (query engine), and one handler module per API area.

pub mod artifact;
pub mod canned;
pub mod gateway;
pub mod openapi;

mod companies;
mod contacts;
mod conversations;
pub mod errors;
mod events;
mod http;
pub mod oauth;
pub mod search;
pub mod state;
mod tags;
pub mod tickets;
mod util;
mod workspace;

pub use errors::ApiError;
pub use state::State;

use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// Where Intercom exchanges an OAuth code for a token.
pub const TOKEN_PATH: &str = "/auth/eagle/token";

/// The one valid access token.
pub const TOKEN: &str = "fake-intercom-token-123";

/// Per-10-second-window request budget advertised in `X-RateLimit-Limit` (10,000/min).
pub const RATE_LIMIT_PER_WINDOW: i64 = 1666;

/// The `X-Hub-Signature` value Intercom sends with a webhook delivery: `sha1=` and the hex
/// HMAC-SHA1 of the raw body keyed with the app's client secret.
pub fn sign_webhook(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha1={hex}")
}

/// Fault injected instead of normal handling (see [`FakeIntercom::inject`]).
#[derive(Clone, Debug, PartialEq)]
pub enum Fault {
    /// 429 `rate_limit_exceeded` with `X-RateLimit-*` headers (`Reset` = now + `reset_in_secs`)
    /// and an optional `Retry-After`.
    RateLimited {
        reset_in_secs: i64,
        retry_after_secs: Option<u64>,
    },
    /// That status with an `error.list` body (`service_unavailable` for 503, else `server_error`).
    ServerError(u16),
    /// Sleep, then answer normally.
    Slow(Duration),
    /// 200, `Content-Type: application/json`, truncated JSON body.
    MalformedJson,
    /// Handle normally, send the headers and half the body, stall for the duration, then the rest.
    StallBody(Duration),
    /// Close the connection without answering.
    CloseConnection,
    /// Handle the request normally (a write is committed), then close the connection without
    /// answering: Intercom applying a write whose answer is lost to a timeout, a proxy or a
    /// dropped connection. Works for every endpoint, writes included.
    CommitThenDrop,
    /// Handle normally, send the headers, then the body one byte per interval.
    Trickle(Duration),
    /// 409 `conflict` naming this contact, whatever the body: Intercom matching a create to a
    /// contact by details the fake's own rule would not (observed: intercom/intercom-php#344, a
    /// create with email and external_id answered Conflict although no contact had that
    /// external_id).
    ContactConflict(String),
    /// 302 to this `Location` (a client must not follow it to another host).
    Redirect(String),
}

/// A request as received (recorded before any fault or auth check).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Url-decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }
    pub fn query_param(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }
}

struct FaultRule {
    fault: Fault,
    remaining: usize,
    prefix: Option<String>,
    /// `(method, path)` the rule applies to exactly (see [`FakeIntercom::inject_on`]).
    exact: Option<(String, String)>,
}

struct Inner {
    state: Mutex<State>,
    requests: Mutex<Vec<RecordedRequest>>,
    violations: Mutex<Vec<String>>,
    faults: Mutex<Vec<FaultRule>>,
    /// (window start, requests in window) for the `X-RateLimit-*` headers.
    rate: Mutex<(i64, i64)>,
    /// Time spent answering requests, so a benchmark can tell the fake's share from the caller's.
    busy_nanos: std::sync::atomic::AtomicU64,
    /// The OAuth app and the codes issued for it (`POST /auth/eagle/token`).
    oauth: Mutex<oauth::OAuth>,
    shutdown: AtomicBool,
}

/// The fake server. Dropping it stops the server and closes open connections.
pub struct FakeIntercom {
    inner: Arc<Inner>,
    server: Option<http::HttpServer>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panicking handler must not take the whole fake down with a poisoned lock.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl FakeIntercom {
    /// Starts the server on `127.0.0.1:<ephemeral>` with an empty workspace (one admin/app).
    pub fn start() -> FakeIntercom {
        Self::start_on(0).expect("fake Intercom: cannot bind 127.0.0.1:0")
    }

    /// Starts the server on `127.0.0.1:port` (`0`: ephemeral), e.g. `connector fake --port N`.
    pub fn start_on(port: u16) -> std::io::Result<FakeIntercom> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(1_735_000_000);
        let inner = Arc::new(Inner {
            state: Mutex::new(State::new(now)),
            requests: Mutex::new(Vec::new()),
            violations: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            rate: Mutex::new((0, 0)),
            busy_nanos: Default::default(),
            oauth: Mutex::default(),
            shutdown: AtomicBool::new(false),
        });
        // Load the OpenAPI description now rather than inside the first request, so the
        // connector's first call isn't slowed down; a failure is reported per request later.
        let _ = std::panic::catch_unwind(openapi::SpecChecker::global);
        let handler_inner = inner.clone();
        let server = http::HttpServer::start(
            port,
            Arc::new(move |req| {
                let started = std::time::Instant::now();
                let reply = handler_inner.handle(req);
                let spent = started.elapsed().as_nanos() as u64;
                handler_inner.busy_nanos.fetch_add(spent, Ordering::Relaxed);
                reply
            }),
        )?;
        Ok(FakeIntercom {
            inner,
            server: Some(server),
        })
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> String {
        format!("http://{}", self.host())
    }

    /// `127.0.0.1:PORT`
    pub fn host(&self) -> String {
        self.server
            .as_ref()
            .map(|s| s.addr().to_string())
            .unwrap_or_default()
    }

    /// Intercom's hosts plus this fake: the egress policy of a host that talks to it.
    pub fn egress_policy(&self) -> intercom_host::EgressPolicy {
        let mut policy = intercom_host::EgressPolicy::intercom();
        policy.allow(&self.host());
        policy
    }

    /// A connection to this fake with the token it accepts.
    pub fn connection(&self) -> intercom_host::Connection {
        intercom_host::connection(TOKEN, intercom_host::Region::Us, Some(self.base_url()))
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.inner.requests).clone()
    }

    /// TCP connections accepted so far (keep-alive reuse shows as fewer connections than
    /// requests).
    pub fn connections_accepted(&self) -> u64 {
        self.server
            .as_ref()
            .map_or(0, |server| server.connections_accepted())
    }

    /// The most requests the fake was handling at the same time (calls that run side by side
    /// show as more than one).
    pub fn peak_concurrent_requests(&self) -> u64 {
        self.server
            .as_ref()
            .map_or(0, |server| server.peak_concurrent_requests())
    }

    /// Total time spent answering requests so far.
    pub fn busy(&self) -> Duration {
        Duration::from_nanos(self.inner.busy_nanos.load(Ordering::Relaxed))
    }

    pub fn clear_requests(&self) {
        lock(&self.inner.requests).clear();
    }

    pub fn spec_violations(&self) -> Vec<String> {
        lock(&self.inner.violations).clone()
    }

    /// Panics listing every OpenAPI violation seen so far.
    pub fn assert_spec_ok(&self) {
        let v = self.spec_violations();
        if !v.is_empty() {
            panic!(
                "{} request(s) violate the Intercom OpenAPI spec:\n  {}",
                v.len(),
                v.join("\n  ")
            );
        }
    }

    pub fn now(&self) -> i64 {
        lock(&self.inner.state).now
    }

    pub fn set_now(&self, ts: i64) {
        lock(&self.inner.state).now = ts;
    }

    pub fn advance(&self, secs: i64) {
        lock(&self.inner.state).now += secs;
    }

    /// Seeds a contact (no HTTP, not recorded): fills `id`, defaults and timestamps from the clock
    /// unless given; custom attributes used here are registered as data attributes; accepts
    /// `"archived": true`. Returns the contact as GET would return it.
    pub fn insert_contact(&self, fields: Value) -> Value {
        let mut st = lock(&self.inner.state);
        let i = st.seed_contact(&fields);
        st.render_contact(&st.contacts[i])
    }

    /// The longest search indexing delay (see `state::DEFAULT_SEARCH_LAG_SECS`, on by default):
    /// each record becomes searchable between half and all of it after its last change. 0 turns
    /// it off, for tests about something else.
    pub fn set_search_lag(&self, secs: i64) {
        lock(&self.inner.state).search_lag_secs = secs;
    }

    /// Seeds `n` companies at once (no HTTP), the `i`-th created at `created_at(i)`: cheap enough
    /// for 50,000-company workspaces. Returns their ids in order.
    pub fn insert_companies(&self, n: usize, created_at: impl Fn(usize) -> i64) -> Vec<String> {
        let mut st = lock(&self.inner.state);
        (0..n)
            .map(|i| {
                let mut m = Map::new();
                m.insert("name".into(), json!(format!("Company {i}")));
                m.insert("created_at".into(), json!(created_at(i)));
                m.insert("updated_at".into(), json!(created_at(i)));
                st.create_company(&m)
            })
            .collect()
    }

    /// Another integration opens the app's one company scroll now (and leaves it open).
    pub fn open_foreign_scroll(&self) {
        let mut st = lock(&self.inner.state);
        let now = st.now;
        st.scroll = Some(state::Scroll {
            param: "someone-else".into(),
            ids: Vec::new(),
            pos: 0,
            used_at: now,
        });
    }

    /// Seeds a company (`company_id` generated when absent, `plan` may be a name).
    pub fn insert_company(&self, fields: Value) -> Value {
        let mut st = lock(&self.inner.state);
        let id = st.seed_company(&fields);
        let c = st.company(&id).expect("just created");
        st.render_company(c)
    }

    /// Seeds a conversation: `contact_id` (the author), `body`, `state` (open|closed|snoozed),
    /// `created_at`/`updated_at`, `statistics` (merged); other keys override stored fields.
    pub fn insert_conversation(&self, fields: Value) -> Value {
        let mut st = lock(&self.inner.state);
        let id = st.seed_conversation(&fields);
        let c = st.conversation(&id).expect("just created");
        st.render_conversation(c, true)
    }

    /// Seeds a ticket (see [`State::seed_ticket`]); returns it as `GET /tickets/{id}` shows it.
    pub fn insert_ticket(&self, fields: Value) -> Value {
        lock(&self.inner.state).seed_ticket(&fields)
    }

    /// A ticket as `GET /tickets/{id}` shows it.
    pub fn ticket(&self, id: &str) -> Option<Value> {
        let st = lock(&self.inner.state);
        st.ticket(id).map(|t| st.render_ticket(t))
    }

    /// Every ticket, in creation order.
    pub fn tickets(&self) -> Vec<Value> {
        let st = lock(&self.inner.state);
        st.tickets.iter().map(|t| st.render_ticket(t)).collect()
    }

    /// The ids of the tags on a ticket (the ticket object itself carries none).
    pub fn ticket_tag_ids(&self, id: &str) -> Vec<String> {
        let st = lock(&self.inner.state);
        st.ticket(id).map(|t| t.tag_ids.clone()).unwrap_or_default()
    }

    /// A reply by the conversation's contact (or any contact id: a `user` or `lead` author), now:
    /// a `comment` part, which bumps `updated_at` and reopens the conversation, as
    /// `POST /conversations/{id}/reply` with `type: user` does. Returns the part.
    pub fn add_user_reply(&self, conv_id: &str, contact_id: &str, body: &str) -> Value {
        let mut st = lock(&self.inner.state);
        let author = match st.find_contact(contact_id) {
            Some(c) => st.contact_author(c),
            None => panic!("no contact {contact_id}"),
        };
        let part = st
            .add_part(conv_id, "comment", Some(body), author, Value::Null)
            .unwrap_or_else(|| panic!("no conversation {conv_id}"));
        let now = st.now;
        let c = st.conversation_mut(conv_id).expect("exists");
        c.fields.insert("state".into(), json!("open"));
        c.fields.insert("open".into(), json!(true));
        c.stats().insert("last_contact_reply_at".into(), json!(now));
        part
    }

    /// A part by admin `admin_id` now: `comment`, `note`, `quick_reply`..., as
    /// `POST /conversations/{id}/reply` with `type: admin` does. Returns the part.
    pub fn add_admin_part(
        &self,
        conv_id: &str,
        admin_id: &str,
        part_type: &str,
        body: &str,
    ) -> Value {
        let mut st = lock(&self.inner.state);
        let author = st.admin_author(admin_id);
        let part = st
            .add_part(conv_id, part_type, Some(body), author, Value::Null)
            .unwrap_or_else(|| panic!("no conversation {conv_id}"));
        if part_type == "comment" {
            let now = st.now;
            let c = st.conversation_mut(conv_id).expect("exists");
            c.stats().insert("last_admin_reply_at".into(), json!(now));
        }
        part
    }

    /// Assigns the conversation to admin `assignee_id` as `admin_id`, now (an `assignment` part,
    /// as `POST /conversations/{id}/parts` does). Returns the part.
    pub fn assign(&self, conv_id: &str, admin_id: &str, assignee_id: &str) -> Value {
        let mut st = lock(&self.inner.state);
        assert!(
            st.assign_conversation(conv_id, admin_id, "admin", assignee_id, None),
            "no conversation {conv_id}"
        );
        let c = st.conversation(conv_id).expect("exists");
        c.parts.last().expect("just added").clone()
    }

    /// Creates (or gets, case-insensitively) a tag.
    pub fn insert_tag(&self, name: &str) -> Value {
        let mut st = lock(&self.inner.state);
        let id = st.create_or_get_tag(name);
        st.tag(&id).expect("just created").json()
    }

    /// Contact as GET would return it (archived included); `None` when unknown, merged or deleted.
    pub fn contact(&self, id: &str) -> Option<Value> {
        let st = lock(&self.inner.state);
        st.find_contact(id)
            .filter(|c| c.is_live())
            .map(|c| st.render_contact(c))
    }

    /// All existing contacts (archived included, merged/deleted not), in creation order.
    pub fn contacts(&self) -> Vec<Value> {
        let st = lock(&self.inner.state);
        st.contacts
            .iter()
            .filter(|c| c.is_live())
            .map(|c| st.render_contact(c))
            .collect()
    }

    pub fn companies(&self) -> Vec<Value> {
        let st = lock(&self.inner.state);
        st.live_companies().map(|c| st.render_company(c)).collect()
    }

    pub fn conversations(&self) -> Vec<Value> {
        let st = lock(&self.inner.state);
        st.conversations
            .iter()
            .map(|c| st.render_conversation(c, true))
            .collect()
    }

    pub fn tags(&self) -> Vec<Value> {
        lock(&self.inner.state)
            .tags
            .iter()
            .map(|t| t.json())
            .collect()
    }

    pub fn notes(&self) -> Vec<Value> {
        lock(&self.inner.state).notes.clone()
    }

    /// Events accepted by `POST /events` (duplicates stored once).
    pub fn events(&self) -> Vec<Value> {
        lock(&self.inner.state).events.clone()
    }

    /// Direct access to the workspace (tag at a given time, close a conversation, unsubscribe,
    /// add data attributes, change the timezone offset...). The state lock is held during `f`:
    /// don't call other `FakeIntercom` methods from inside it.
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut lock(&self.inner.state))
    }

    /// Registers the OAuth app whose client id and secret `POST /auth/eagle/token` accepts.
    pub fn register_oauth_app(&self, client_id: &str, client_secret: &str) {
        lock(&self.inner.oauth).register_app(client_id, client_secret);
    }

    /// Issues an authorization code, as Intercom's redirect would carry it: valid once, for
    /// [`oauth::CODE_TTL_SECS`] on the fake clock. The token it is exchanged for is accepted.
    pub fn issue_oauth_code(&self, code: &str) {
        let now = self.now();
        lock(&self.inner.oauth).issue(code, now);
    }

    /// Adds a team (`GET /teams`) with these admin ids; returns it as the API shows it.
    pub fn insert_team(&self, name: &str, admin_ids: &[i64]) -> Value {
        let mut st = lock(&self.inner.state);
        let id = (814_865 + st.teams.len()).to_string();
        let team =
            serde_json::json!({"type": "team", "id": id, "name": name, "admin_ids": admin_ids});
        st.teams.push(team.clone());
        team
    }

    /// The next `count` requests whose path starts with `path_prefix` (any if `None`) get `fault`
    /// instead of normal handling; they are still recorded. Rules apply in injection order.
    pub fn inject(&self, fault: Fault, count: usize, path_prefix: Option<&str>) {
        if count == 0 {
            return;
        }
        lock(&self.inner.faults).push(FaultRule {
            fault,
            remaining: count,
            prefix: path_prefix.map(str::to_string),
            exact: None,
        });
    }

    /// Like [`inject`](Self::inject), for the next `count` requests with exactly this method and
    /// path (e.g. `POST /contacts`, not `POST /contacts/search`).
    pub fn inject_on(&self, fault: Fault, count: usize, method: &str, path: &str) {
        if count == 0 {
            return;
        }
        lock(&self.inner.faults).push(FaultRule {
            fault,
            remaining: count,
            prefix: None,
            exact: Some((method.to_string(), path.to_string())),
        });
    }
}

impl Drop for FakeIntercom {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, Ordering::SeqCst);
        self.server.take();
    }
}

// --- request handling ------------------------------------------------------------------------

/// What handlers see of a request.
pub(crate) struct Ctx<'a> {
    pub method: &'a str,
    /// Decoded, non-empty path segments.
    pub segs: Vec<String>,
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
}

impl Ctx<'_> {
    pub fn q(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    }

    /// Body as JSON; an empty body counts as `{}`.
    pub fn json(&self) -> Result<Value, ApiError> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Object(Map::new()));
        }
        serde_json::from_slice(self.body).map_err(|_| ApiError::invalid_json())
    }

    /// Body as a JSON object (anything else is a 400 `bad_request`).
    pub fn object(&self) -> Result<Map<String, Value>, ApiError> {
        match self.json()? {
            Value::Object(m) => Ok(m),
            _ => Err(ApiError::bad_request("Request body must be a JSON object")),
        }
    }

    /// Query integer parameter; 400 if present but not an integer.
    pub fn q_int(&self, k: &str) -> Result<Option<i64>, ApiError> {
        match self.q(k) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::parameter_invalid(format!("{k} must be an integer"))),
        }
    }
}

/// A handler's successful answer.
pub(crate) struct Resp {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn ok(body: Value) -> Resp {
        Resp {
            status: 200,
            body: Some(body),
            headers: Vec::new(),
        }
    }
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            body: None,
            headers: Vec::new(),
        }
    }
}

pub(crate) type HResult = Result<Resp, ApiError>;

/// Known `Intercom-Version` values in the 2.16 spec.
const VERSIONS: &[&str] = &[
    "1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
    "2.8", "2.9", "2.10", "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "Unstable",
];

fn route(st: &mut State, cx: &Ctx) -> HResult {
    workspace::route(st, cx)
        .or_else(|| contacts::route(st, cx))
        .or_else(|| tags::route(st, cx))
        .or_else(|| companies::route(st, cx))
        .or_else(|| conversations::route(st, cx))
        .or_else(|| events::route(st, cx))
        .or_else(|| tickets::route(st, cx))
        .unwrap_or_else(|| Err(ApiError::route_not_found()))
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

const JSON_CT: (&str, &str) = ("Content-Type", "application/json; charset=utf-8");

fn json_reply(status: u16, body: &Value, mut headers: Vec<(String, String)>) -> http::Reply {
    headers.insert(0, (JSON_CT.0.to_string(), JSON_CT.1.to_string()));
    http::Reply::Full {
        status,
        headers,
        body: serde_json::to_vec(body).unwrap_or_default(),
    }
}

impl Inner {
    fn sleep(&self, d: Duration) {
        let end = std::time::Instant::now() + d;
        while !self.shutdown.load(Ordering::SeqCst) {
            let left = end.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(left.min(Duration::from_millis(20)));
        }
    }

    fn take_fault(&self, method: &str, path: &str) -> Option<Fault> {
        let mut faults = lock(&self.faults);
        let i = faults.iter().position(|r| {
            r.remaining > 0
                && r.prefix.as_deref().is_none_or(|p| path.starts_with(p))
                && r.exact
                    .as_ref()
                    .is_none_or(|(m, p)| m == method && p == path)
        })?;
        faults[i].remaining -= 1;
        let f = faults[i].fault.clone();
        if faults[i].remaining == 0 {
            faults.remove(i);
        }
        Some(f)
    }

    fn handle(&self, req: http::HttpRequest) -> http::Reply {
        let (path, query) = util::split_target(&req.target);
        let rec = RecordedRequest {
            method: req.method.clone(),
            path: path.clone(),
            query,
            headers: req.headers.clone(),
            body: req.body.clone(),
        };
        lock(&self.requests).push(rec.clone());

        // A checker failure (e.g. spec file missing) is reported as a violation instead of
        // killing the connection thread.
        // The token exchange is not part of the OpenAPI description (see `oauth`).
        let problems = if path == TOKEN_PATH {
            Vec::new()
        } else {
            std::panic::catch_unwind(|| {
                let spec = openapi::SpecChecker::global();
                let mut problems = spec.check(&rec.method, &rec.path, &rec.headers, &rec.body);
                problems.extend(spec.check_query(&rec.method, &rec.path, &rec.query));
                problems
            })
            .unwrap_or_else(|p| vec![format!("OpenAPI checker panicked: {}", panic_message(&*p))])
        };
        if !problems.is_empty() {
            let mut v = lock(&self.violations);
            v.extend(problems);
        }

        match self.take_fault(&rec.method, &path) {
            None => self.answer(&rec),
            Some(Fault::CloseConnection) => http::Reply::Close,
            Some(Fault::ContactConflict(id)) => {
                let e = ApiError::conflict(&id, false);
                json_reply(e.status, &e.body(), Vec::new())
            }
            Some(Fault::CommitThenDrop) => {
                let _committed = self.answer(&rec);
                http::Reply::Close
            }
            Some(Fault::Trickle(every)) => match self.answer(&rec) {
                http::Reply::Full { status, headers, body } => {
                    http::Reply::Trickle { status, headers, body, every }
                }
                other => other,
            },
            Some(Fault::Redirect(location)) => http::Reply::Full {
                status: 302,
                headers: vec![("Location".to_string(), location)],
                body: Vec::new(),
            },
            Some(Fault::Slow(d)) => {
                self.sleep(d);
                self.answer(&rec)
            }
            Some(Fault::StallBody(pause)) => match self.answer(&rec) {
                http::Reply::Full { status, headers, body } => {
                    let split = body.len() / 2;
                    http::Reply::Stall { status, headers, body, split, pause }
                }
                other => other,
            },
            Some(Fault::MalformedJson) => http::Reply::Full {
                status: 200,
                headers: vec![(JSON_CT.0.into(), JSON_CT.1.into())],
                body: br#"{"type":"list","data":[{"type":"contact","id":"6762f0d01bb69f9f2193bb7d","email":"jo"#.to_vec(),
            },
            Some(Fault::ServerError(status)) => {
                let (code, msg) = if status == 503 {
                    ("service_unavailable", "Service Unavailable")
                } else {
                    ("server_error", "Server Error")
                };
                json_reply(status, &errors::error_list(code, msg), Vec::new())
            }
            Some(Fault::RateLimited { reset_in_secs, retry_after_secs }) => {
                let now = lock(&self.state).now;
                let mut headers = vec![
                    ("X-RateLimit-Limit".to_string(), RATE_LIMIT_PER_WINDOW.to_string()),
                    ("X-RateLimit-Remaining".to_string(), "0".to_string()),
                    ("X-RateLimit-Reset".to_string(), (now + reset_in_secs).to_string()),
                ];
                if let Some(r) = retry_after_secs {
                    headers.push(("Retry-After".to_string(), r.to_string()));
                }
                let body = errors::error_list(
                    "rate_limit_exceeded",
                    &format!("Exceeded rate limit of {RATE_LIMIT_PER_WINDOW} in 10_seconds"),
                );
                json_reply(429, &body, headers)
            }
        }
    }

    /// Normal handling ([`Inner::route_request`]), with the answer checked against the response
    /// schema Intercom's description gives for its operation and status: the fake may not
    /// answer in a shape Intercom never would.
    fn answer(&self, rec: &RecordedRequest) -> http::Reply {
        if rec.path == TOKEN_PATH && rec.method == "POST" {
            return self.exchange_code(rec);
        }
        let (status, body, headers) = self.route_request(rec);
        let problems = openapi::SpecChecker::global().check_response(
            &rec.method,
            &rec.path,
            status,
            body.as_ref(),
        );
        if !problems.is_empty() {
            lock(&self.violations).extend(problems);
        }
        match body {
            Some(b) => json_reply(status, &b, headers),
            None => http::Reply::Full {
                status,
                headers,
                body: Vec::new(),
            },
        }
    }

    /// Auth, version, routing, rate-limit headers: the status, JSON body and headers to send.
    fn route_request(&self, rec: &RecordedRequest) -> (u16, Option<Value>, Vec<(String, String)>) {
        let mut st = lock(&self.state);
        let authorized = rec
            .header("authorization")
            .and_then(|h| h.split_once(' '))
            .is_some_and(|(scheme, tok)| {
                let tok = tok.trim();
                scheme.eq_ignore_ascii_case("bearer")
                    && (tok == TOKEN || st.extra_tokens.iter().any(|t| t == tok))
            });
        if !authorized {
            let e = ApiError::unauthorized();
            return (e.status, Some(e.body()), Vec::new());
        }

        let rate_headers = self.rate_headers(st.now);
        let result = if let Some(v) = rec
            .header("intercom-version")
            .filter(|v| !VERSIONS.contains(v))
        {
            Err(ApiError::new(
                400,
                "intercom_version_invalid",
                format!("The requested version {v} is not a valid version"),
            ))
        } else {
            let segs = rec
                .path
                .split('/')
                .filter(|s| !s.is_empty())
                .map(|s| util::percent_decode(s, false))
                .collect();
            let cx = Ctx {
                method: &rec.method,
                segs,
                query: &rec.query,
                body: &rec.body,
            };
            let st_ref: &mut State = &mut st;
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(st_ref, &cx)))
                .unwrap_or_else(|p| {
                    Err(ApiError::new(
                        500,
                        "server_error",
                        format!("fake Intercom handler panicked: {}", panic_message(&*p)),
                    ))
                })
        };
        drop(st);

        let mut headers = rate_headers;
        match result {
            Ok(r) => {
                headers.extend(r.headers);
                (r.status, r.body, headers)
            }
            Err(e) => {
                headers.extend(e.headers.clone());
                (e.status, Some(e.body()), headers)
            }
        }
    }

    /// `POST /auth/eagle/token`: no bearer token; a token issued here is accepted from then on.
    fn exchange_code(&self, rec: &RecordedRequest) -> http::Reply {
        let mut st = lock(&self.state);
        let (status, body, token) = lock(&self.oauth).exchange(&rec.query, &rec.body, st.now);
        st.extra_tokens.extend(token);
        json_reply(status, &body, Vec::new())
    }

    /// `X-RateLimit-*` for a 10-second window on the fake clock (advertised, not enforced: use
    /// [`Fault::RateLimited`] to exercise 429 handling).
    fn rate_headers(&self, now: i64) -> Vec<(String, String)> {
        let mut r = lock(&self.rate);
        let window = now - now.rem_euclid(10);
        if r.0 != window {
            *r = (window, 0);
        }
        r.1 += 1;
        vec![
            (
                "X-RateLimit-Limit".to_string(),
                RATE_LIMIT_PER_WINDOW.to_string(),
            ),
            (
                "X-RateLimit-Remaining".to_string(),
                (RATE_LIMIT_PER_WINDOW - r.1).max(0).to_string(),
            ),
            ("X-RateLimit-Reset".to_string(), (window + 10).to_string()),
        ]
    }
}

#[cfg(test)]
mod tests;
