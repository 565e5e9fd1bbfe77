//! The one place that knows how to talk to Intercom: regional hosts, headers, the pinned API
//! version, JSON bodies, and how `error.list` answers become typed errors.

pub mod companies;
pub mod contacts;
pub mod data_attributes;
pub mod errors;
pub mod lookup;
pub mod query;
pub mod tickets;

use crate::error::{Error, Result};
use crate::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;
use std::time::Duration;

pub use errors::error_from_response;

/// The Intercom API version every request pins unless the connection overrides it.
pub const API_VERSION: &str = "2.16";

/// The hosts the connector calls, one per region.
pub const HOSTS: [&str; 3] = [
    "api.intercom.io",
    "api.eu.intercom.io",
    "api.au.intercom.io",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Region {
    #[default]
    Us,
    Eu,
    Au,
}

impl Region {
    pub fn host(self) -> &'static str {
        match self {
            Region::Us => HOSTS[0],
            Region::Eu => HOSTS[1],
            Region::Au => HOSTS[2],
        }
    }

    /// Lower case, as `test-connection` reports it and `describe()` lists OAuth endpoints.
    pub fn as_str(self) -> &'static str {
        match self {
            Region::Us => "us",
            Region::Eu => "eu",
            Region::Au => "au",
        }
    }
}

/// Credentials and routing for one Intercom workspace (the WIT `connection`).
#[derive(Clone, PartialEq, Eq)]
pub struct Connection {
    pub access_token: String,
    pub region: Region,
    pub base_url: Option<String>,
    pub api_version: Option<String>,
    /// Longest in-call wait for a rate limit, in ms (default [`DEFAULT_MAX_RATE_LIMIT_WAIT_MS`]).
    pub max_rate_limit_wait_ms: Option<u32>,
}

// Hand-written so the token can never reach a log line through `{:?}`.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("access_token", &"<redacted>")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .field("max_rate_limit_wait_ms", &self.max_rate_limit_wait_ms)
            .finish()
    }
}

/// Characters escaped inside one path segment: everything but unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes one path segment or query value (ids and emails may hold `/`, `+`, spaces).
pub fn encode(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// An Intercom API client bound to one connection and one transport.
pub struct Client<'a> {
    transport: &'a dyn Transport,
    base_url: String,
    authorization: String,
    version: String,
    max_rate_limit_wait: Duration,
    region: Region,
    /// Whether the connection overrides the regional host (then the region picks no host).
    custom_base_url: bool,
}

impl<'a> Client<'a> {
    /// Checks the connection (token present, base URL well-formed) and builds a client.
    pub fn new(conn: &Connection, transport: &'a dyn Transport) -> Result<Self> {
        let token = conn.access_token.trim();
        if token.is_empty() {
            return Err(Error::invalid(
                "connection.access-token",
                "the access token is empty: connect an Intercom account",
            ));
        }
        if token.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid(
                "connection.access-token",
                "the access token contains spaces or control characters",
            ));
        }
        let base_url = match &conn.base_url {
            Some(url) => parse_base_url(url)?,
            None => format!("https://{}", conn.region.host()),
        };
        let version = match &conn.api_version {
            Some(v) if !v.trim().is_empty() => {
                let v = v.trim();
                if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                    return Err(Error::invalid(
                        "connection.api-version",
                        "expected a version such as 2.16",
                    ));
                }
                v.to_string()
            }
            _ => API_VERSION.to_string(),
        };
        let wait_ms = conn
            .max_rate_limit_wait_ms
            .unwrap_or(DEFAULT_MAX_RATE_LIMIT_WAIT_MS);
        Ok(Client {
            transport,
            base_url,
            authorization: format!("Bearer {token}"),
            version,
            max_rate_limit_wait: Duration::from_millis(wait_ms.into()),
            region: conn.region,
            custom_base_url: conn.base_url.is_some(),
        })
    }

    /// The connection's region.
    pub fn region(&self) -> Region {
        self.region
    }

    /// Whether requests go to a base URL the connection set rather than the regional host.
    pub fn custom_base_url(&self) -> bool {
        self.custom_base_url
    }

    pub fn get(&self, path: &str) -> Result<Value> {
        self.call(Method::Get, path, None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Result<Value> {
        self.call(Method::Post, path, Some(body))
    }

    pub fn put(&self, path: &str, body: &Value) -> Result<Value> {
        self.call(Method::Put, path, Some(body))
    }

    pub fn delete(&self, path: &str) -> Result<Value> {
        self.call(Method::Delete, path, None)
    }

    /// Sends one request; `path` starts with `/` and may carry an already-encoded query.
    /// A 2xx with an empty body (e.g. `POST /events` answers 202) yields `Value::Null`.
    pub fn call(&self, method: Method, path: &str, body: Option<&Value>) -> Result<Value> {
        let response = self.call_ok(method, path, body)?;
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&response.body).map_err(|e| not_json(&response, e))
    }

    /// Like [`call`](Self::call), but hands back the 2xx response unparsed, for callers that
    /// read only parts of a large answer.
    pub fn call_ok(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<HttpResponse> {
        let response = self.send(method, path, body)?;
        if !(200..300).contains(&response.status) {
            return Err(error_from_response(&response, path));
        }
        Ok(response)
    }

    /// Sends one request and returns the raw response, whatever its status, after the retries
    /// below. Rate limits (429) wait in the call when the wait is short, else surface as
    /// `rate-limited`. Server errors (5xx) and transport failures are retried with backoff and
    /// jitter, at most [`MAX_RETRIES`] times, and only for requests that are safe to repeat; for
    /// the others they are a `transport` error saying the write may have happened.
    pub fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<HttpResponse> {
        self.send_write(method, path, body, safe_to_repeat(method, path), false)
            .map_err(Error::from)
    }

    /// [`send`](Self::send) with the caller saying whether the request is safe to repeat after
    /// an unknown outcome (a 5xx or a transport failure); a 429 is retried either way. A raw
    /// call: a 5xx Intercom answered to a request not repeated comes back as the answer (the
    /// caller sees the status), a lost answer as the `transport` error that says so.
    pub fn send_with(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        repeatable: bool,
    ) -> Result<HttpResponse> {
        self.send_write(method, path, body, repeatable, true)
            .map_err(Error::from)
    }

    /// `POST` of a write that is never repeated (a create, a note, a message): like
    /// [`call`](Self::call), but says apart a failure Intercom answered from a lost answer.
    pub fn post_once(&self, path: &str, body: &Value) -> Result<Value, WriteError> {
        let response = self.send_write(Method::Post, path, Some(body), false, false)?;
        if !(200..300).contains(&response.status) {
            return Err(WriteError::Failed(error_from_response(&response, path)));
        }
        serde_json::from_slice(&response.body)
            .map_err(|e| WriteError::Failed(not_json(&response, e)))
    }

    fn send_write(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        repeatable: bool,
        answers_are_data: bool,
    ) -> Result<HttpResponse, WriteError> {
        let request = self.request(method, path, body);
        let mut retries = 0;
        loop {
            let outcome = self.transport.send(&request);
            let wait = match &outcome {
                Ok(r) if r.status == 429 => {
                    let wait =
                        Duration::from_millis(errors::retry_after_ms(r)).max(MIN_RATE_LIMIT_WAIT);
                    (wait <= self.max_rate_limit_wait).then_some(wait)
                }
                Ok(r) if repeatable && is_server_error(r.status) => Some(backoff(retries)),
                Err(TransportError::Timeout | TransportError::Connection(_)) if repeatable => {
                    Some(backoff(retries))
                }
                _ => None,
            };
            match wait {
                Some(wait) if retries < MAX_RETRIES => {
                    retries += 1;
                    self.transport.sleep(wait);
                }
                _ if repeatable => {
                    return outcome
                        .map_err(|e| WriteError::Failed(transport_error(e, &self.base_url)))
                }
                _ => return self.unrepeated_outcome(outcome, method, path, answers_are_data),
            }
        }
    }

    /// A write sent once: a lost answer or a server error leaves its outcome unknown.
    fn unrepeated_outcome(
        &self,
        outcome: Result<HttpResponse, TransportError>,
        method: Method,
        path: &str,
        answers_are_data: bool,
    ) -> Result<HttpResponse, WriteError> {
        let cause = match outcome {
            Ok(r) if is_server_error(r.status) && !answers_are_data => {
                format!("Intercom answered HTTP {}", r.status)
            }
            Ok(r) => return Ok(r),
            Err(e @ (TransportError::Timeout | TransportError::Connection(_))) => {
                transport_error(e, &self.base_url).to_string()
            }
            Err(e) => return Err(WriteError::Failed(transport_error(e, &self.base_url))),
        };
        let path = path.split('?').next().unwrap_or_default();
        Err(WriteError::MaybeApplied(Error::Transport(format!(
            "{cause} to {} {path}: the write may have happened in Intercom, so it was not sent \
             again; check Intercom before repeating it",
            method.as_str()
        ))))
    }

    fn request(&self, method: Method, path: &str, body: Option<&Value>) -> HttpRequest {
        let mut headers = vec![
            ("authorization", self.authorization.clone()),
            ("accept", "application/json".to_string()),
            ("intercom-version", self.version.clone()),
        ];
        let body = body.map(|b| {
            headers.push(("content-type", "application/json".to_string()));
            serde_json::to_vec(b).expect("serde_json::Value always serializes")
        });
        HttpRequest {
            method,
            url: format!("{}{}", self.base_url, path),
            headers,
            body,
        }
    }
}

/// How a write that is never repeated failed.
#[derive(Debug)]
pub enum WriteError {
    /// Intercom answered with an error, or the request never left: nothing was written.
    Failed(Error),
    /// The answer was lost (timeout, dropped connection, 5xx): the write may have happened.
    MaybeApplied(Error),
}

impl From<WriteError> for Error {
    fn from(e: WriteError) -> Error {
        match e {
            WriteError::Failed(e) | WriteError::MaybeApplied(e) => e,
        }
    }
}

fn is_server_error(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

/// Retries after the first attempt, for 429, 5xx and transport failures alike.
pub const MAX_RETRIES: u32 = 2;

/// Default bound on an in-call rate-limit wait: longer waits go back to the host.
pub const DEFAULT_MAX_RATE_LIMIT_WAIT_MS: u32 = 5_000;

/// Never retry a 429 sooner than this, even when the reset time has already passed.
const MIN_RATE_LIMIT_WAIT: Duration = Duration::from_millis(250);

/// 200 ms, then 400 ms, each plus up to 50% jitter so parallel callers spread out.
fn backoff(retry: u32) -> Duration {
    let base = 200u64 << retry.min(5);
    Duration::from_millis(base + jitter(base / 2))
}

/// A random number below `bound`, from std's randomly seeded hasher (no RNG crate needed).
fn jitter(bound: u64) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(bound);
    h.finish() % bound.max(1)
}

/// Whether repeating `method path` after an unknown outcome can do no harm, by Intercom's
/// semantics: GET, PUT (the same body twice) and DELETE; searches; `POST /tags` (create-or-get by
/// name, tagging sets a flag); attaching a tag or a company; archive/unarchive; `POST
/// /companies` (an upsert keyed by company_id); tagging a ticket. Everything else may happen twice: contact creates
/// (a lead has no unique key), notes, messages, replies, conversation parts, events, merges.
pub fn safe_to_repeat(method: Method, path: &str) -> bool {
    if method != Method::Post {
        return true;
    }
    let path = path.split('?').next().unwrap_or_default();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    matches!(
        segments.as_slice(),
        [_, "search"]
            | ["tags"]
            | ["companies"]
            | [
                "contacts",
                _,
                "tags" | "companies" | "archive" | "unarchive"
            ]
            | ["conversations", _, "tags"]
            | ["tickets", _, "tags"]
    )
}

fn transport_error(err: TransportError, base_url: &str) -> Error {
    Error::Transport(match err {
        TransportError::Denied => {
            format!("the host's egress policy denied the request to {base_url}; allow that host or use the regional Intercom host")
        }
        TransportError::Timeout => format!("Intercom at {base_url} did not answer in time"),
        TransportError::TooLarge => {
            format!("the response from {base_url} was larger than the host allows")
        }
        TransportError::Connection(detail) => {
            format!("could not reach Intercom at {base_url}: {detail}")
        }
    })
}

/// Accepts `http(s)://host[:port][/prefix]`, without query, fragment or credentials.
pub fn parse_base_url(url: &str) -> Result<String> {
    let field = "connection.base-url";
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| Error::invalid(field, "must start with https:// or http://"))?;
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() {
        return Err(Error::invalid(field, "has no host"));
    }
    if rest.contains(['?', '#', '@', ' ']) {
        return Err(Error::invalid(
            field,
            "must be a plain URL without query, fragment, credentials or spaces",
        ));
    }
    Ok(url.to_string())
}

/// A 2xx answer whose body is not the JSON expected.
pub fn not_json(response: &HttpResponse, e: impl std::fmt::Display) -> Error {
    Error::Upstream {
        status: response.status,
        code: None,
        message: format!(
            "Intercom answered {} with a body that is not valid JSON ({e})",
            response.status
        ),
        request_id: response.header("x-request-id").map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Records requests and waits, and answers each request with the next scripted outcome.
    #[derive(Default)]
    pub struct Scripted {
        pub sent: RefCell<Vec<HttpRequest>>,
        pub answers: RefCell<Vec<HttpResponse>>,
        pub failures: RefCell<Vec<Option<TransportError>>>,
        pub slept: RefCell<Vec<Duration>>,
    }

    impl Transport for Scripted {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
            self.sent.borrow_mut().push(request.clone());
            let mut failures = self.failures.borrow_mut();
            if let Some(Some(e)) = (!failures.is_empty()).then(|| failures.remove(0)) {
                return Err(e);
            }
            Ok(self.answers.borrow_mut().remove(0))
        }

        fn sleep(&self, d: Duration) {
            self.slept.borrow_mut().push(d);
        }
    }

    fn scripted(answers: Vec<HttpResponse>) -> Scripted {
        Scripted {
            answers: RefCell::new(answers),
            ..Default::default()
        }
    }

    fn status(code: u16, headers: &[(&str, &str)]) -> HttpResponse {
        HttpResponse {
            status: code,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: br#"{"type":"error.list","errors":[{"code":"x","message":"m"}]}"#.to_vec(),
        }
    }

    #[test]
    fn server_errors_are_retried_twice_with_growing_backoff_for_safe_requests() {
        let t = scripted(vec![status(503, &[]), status(502, &[]), ok("{}")]);
        let client = Client::new(&conn(None, Region::Us), &t).unwrap();
        assert_eq!(client.get("/me").unwrap(), serde_json::json!({}));
        assert_eq!(t.sent.borrow().len(), 3);
        let slept = t.slept.borrow();
        assert!(
            slept[0] >= Duration::from_millis(200) && slept[0] < Duration::from_millis(300),
            "{slept:?}"
        );
        assert!(
            slept[1] >= Duration::from_millis(400) && slept[1] < Duration::from_millis(600),
            "{slept:?}"
        );

        let t = scripted(vec![status(500, &[]), status(500, &[]), status(500, &[])]);
        let client = Client::new(&conn(None, Region::Us), &t).unwrap();
        assert!(matches!(
            client.get("/me"),
            Err(Error::Upstream { status: 500, .. })
        ));
        assert_eq!(t.sent.borrow().len(), 3, "at most two retries");
    }

    #[test]
    fn unsafe_posts_are_never_repeated() {
        let t = scripted(vec![status(503, &[])]);
        let client = Client::new(&conn(None, Region::Us), &t).unwrap();
        let r = client.post("/contacts/abc/notes", &serde_json::json!({"body": "x"}));
        assert!(
            matches!(&r, Err(Error::Transport(m)) if m.contains("may have happened")),
            "{r:?}"
        );
        assert_eq!(t.sent.borrow().len(), 1);
        assert!(!safe_to_repeat(Method::Post, "/conversations"));
        assert!(!safe_to_repeat(Method::Post, "/conversations/1/reply"));
        assert!(safe_to_repeat(Method::Post, "/contacts/search"));
        assert!(!safe_to_repeat(Method::Post, "/contacts"));
        assert!(!safe_to_repeat(Method::Post, "/events"));
        assert!(safe_to_repeat(Method::Post, "/contacts/abc/tags"));
        assert!(safe_to_repeat(Method::Delete, "/contacts/a/tags/1"));
    }

    #[test]
    fn short_rate_limits_wait_in_the_call_long_ones_go_back_to_the_host() {
        let t = scripted(vec![status(429, &[("retry-after", "1")]), ok("{}")]);
        let client = Client::new(&conn(None, Region::Us), &t).unwrap();
        assert!(
            client
                .post("/conversations", &serde_json::json!({}))
                .is_ok(),
            "a 429 was not applied: safe to resend"
        );
        assert_eq!(*t.slept.borrow(), vec![Duration::from_secs(1)]);

        let t = scripted(vec![status(429, &[("retry-after", "60")])]);
        let client = Client::new(&conn(None, Region::Us), &t).unwrap();
        assert!(matches!(
            client.get("/me"),
            Err(Error::RateLimited {
                retry_after_ms: 60_000,
                ..
            })
        ));
        assert_eq!(t.sent.borrow().len(), 1);
        assert!(t.slept.borrow().is_empty(), "no wait in the call");

        let mut c = conn(None, Region::Us);
        c.max_rate_limit_wait_ms = Some(0);
        let t = scripted(vec![status(429, &[("retry-after", "1")])]);
        assert!(matches!(
            Client::new(&c, &t).unwrap().get("/me"),
            Err(Error::RateLimited { .. })
        ));
    }

    #[test]
    fn transport_failures_are_retried_then_typed() {
        let t = Scripted {
            failures: RefCell::new(vec![Some(TransportError::Timeout); 3]),
            ..Default::default()
        };
        let client = Client::new(&conn(None, Region::Us), &t).unwrap();
        assert!(
            matches!(client.get("/me"), Err(Error::Transport(m)) if m.contains("did not answer in time"))
        );
        assert_eq!(t.sent.borrow().len(), 3);
        let t = Scripted {
            failures: RefCell::new(vec![Some(TransportError::Denied)]),
            ..Default::default()
        };
        let client = Client::new(&conn(None, Region::Us), &t).unwrap();
        assert!(matches!(client.get("/me"), Err(Error::Transport(_))));
        assert_eq!(t.sent.borrow().len(), 1, "a denial is final");
    }

    fn conn(base_url: Option<&str>, region: Region) -> Connection {
        Connection {
            access_token: "tok".into(),
            region,
            base_url: base_url.map(str::to_string),
            api_version: None,
            max_rate_limit_wait_ms: None,
        }
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn regions_pick_hosts_and_headers_are_set() {
        let t = scripted(vec![ok("{}"), ok("{}")]);
        Client::new(&conn(None, Region::Eu), &t)
            .unwrap()
            .get("/me")
            .unwrap();
        Client::new(&conn(Some("http://127.0.0.1:9/"), Region::Au), &t)
            .unwrap()
            .get("/me")
            .unwrap();
        let sent = t.sent.borrow();
        assert_eq!(sent[0].url, "https://api.eu.intercom.io/me");
        assert_eq!(sent[1].url, "http://127.0.0.1:9/me");
        let h = &sent[0].headers;
        assert!(h.contains(&("authorization", "Bearer tok".to_string())));
        assert!(h.contains(&("intercom-version", "2.16".to_string())));
        assert!(h.contains(&("accept", "application/json".to_string())));
    }

    #[test]
    fn bad_connections_are_invalid_input() {
        let t = scripted(vec![]);
        let mut c = conn(Some("ftp://x"), Region::Us);
        assert!(
            matches!(Client::new(&c, &t), Err(Error::InvalidInput { field, .. }) if field == "connection.base-url")
        );
        c.base_url = None;
        c.access_token = " ".into();
        assert!(
            matches!(Client::new(&c, &t), Err(Error::InvalidInput { field, .. }) if field == "connection.access-token")
        );
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = Connection {
            access_token: "secret-123".into(),
            ..conn(None, Region::Us)
        };
        assert!(!format!("{c:?}").contains("secret-123"));
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode("a/b c+d@e.f"), "a%2Fb%20c%2Bd%40e.f");
    }
}
