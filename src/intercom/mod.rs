//! The one place that knows how to talk to Intercom: regional hosts, headers, the pinned API
//! version, JSON bodies, and how `error.list` answers become typed errors.

pub mod companies;
pub mod contacts;
mod errors;
pub mod query;

use crate::error::{Error, Result};
use crate::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::Value;

pub use errors::error_from_response;

/// The Intercom API version every request pins unless the connection overrides it.
pub const API_VERSION: &str = "2.16";

/// The hosts the connector calls, one per region.
pub const HOSTS: [&str; 3] = ["api.intercom.io", "api.eu.intercom.io", "api.au.intercom.io"];

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
}

/// Credentials and routing for one Intercom workspace (the WIT `connection`).
#[derive(Clone, PartialEq, Eq)]
pub struct Connection {
    pub access_token: String,
    pub region: Region,
    pub base_url: Option<String>,
    pub api_version: Option<String>,
}

// Hand-written so the token can never reach a log line through `{:?}`.
impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("access_token", &"<redacted>")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("api_version", &self.api_version)
            .finish()
    }
}

/// Characters escaped inside one path segment: everything but unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

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
}

impl<'a> Client<'a> {
    /// Checks the connection (token present, base URL well-formed) and builds a client.
    pub fn new(conn: &Connection, transport: &'a dyn Transport) -> Result<Self> {
        let token = conn.access_token.trim();
        if token.is_empty() {
            return Err(Error::invalid("connection.access-token", "the access token is empty: connect an Intercom account"));
        }
        if token.chars().any(|c| c.is_control() || c == ' ') {
            return Err(Error::invalid("connection.access-token", "the access token contains spaces or control characters"));
        }
        let base_url = match &conn.base_url {
            Some(url) => parse_base_url(url)?,
            None => format!("https://{}", conn.region.host()),
        };
        let version = match &conn.api_version {
            Some(v) if !v.trim().is_empty() => {
                let v = v.trim();
                if !v.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                    return Err(Error::invalid("connection.api-version", "expected a version such as 2.16"));
                }
                v.to_string()
            }
            _ => API_VERSION.to_string(),
        };
        Ok(Client { transport, base_url, authorization: format!("Bearer {token}"), version })
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
        let response = self.send(method, path, body)?;
        if !(200..300).contains(&response.status) {
            return Err(error_from_response(&response, path));
        }
        if response.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&response.body).map_err(|e| Error::Upstream {
            status: response.status,
            code: None,
            message: format!("Intercom answered {} with a body that is not valid JSON ({e})", response.status),
            request_id: response.header("x-request-id").map(str::to_string),
        })
    }

    /// Sends one request and returns the raw response, whatever its status.
    pub fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Result<HttpResponse> {
        let mut headers = vec![
            ("authorization", self.authorization.clone()),
            ("accept", "application/json".to_string()),
            ("intercom-version", self.version.clone()),
        ];
        let body = body.map(|b| {
            headers.push(("content-type", "application/json".to_string()));
            serde_json::to_vec(b).expect("serde_json::Value always serializes")
        });
        let request = HttpRequest { method, url: format!("{}{}", self.base_url, path), headers, body };
        self.transport.send(&request).map_err(|e| transport_error(e, &self.base_url))
    }
}

fn transport_error(err: TransportError, base_url: &str) -> Error {
    Error::Transport(match err {
        TransportError::Denied => {
            format!("the host's egress policy denied the request to {base_url}; allow that host or use the regional Intercom host")
        }
        TransportError::Timeout => format!("Intercom at {base_url} did not answer in time"),
        TransportError::Connection(detail) => format!("could not reach Intercom at {base_url}: {detail}"),
    })
}

/// Accepts `http(s)://host[:port][/prefix]`, without query, fragment or credentials.
fn parse_base_url(url: &str) -> Result<String> {
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
        return Err(Error::invalid(field, "must be a plain URL without query, fragment, credentials or spaces"));
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    /// Records requests and answers each with the next scripted response.
    pub struct Scripted {
        pub sent: RefCell<Vec<HttpRequest>>,
        pub answers: RefCell<Vec<HttpResponse>>,
    }

    impl Transport for Scripted {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
            self.sent.borrow_mut().push(request.clone());
            Ok(self.answers.borrow_mut().remove(0))
        }
    }

    fn conn(base_url: Option<&str>, region: Region) -> Connection {
        Connection { access_token: "tok".into(), region, base_url: base_url.map(str::to_string), api_version: None }
    }

    fn ok(body: &str) -> HttpResponse {
        HttpResponse { status: 200, headers: vec![], body: body.as_bytes().to_vec() }
    }

    #[test]
    fn regions_pick_hosts_and_headers_are_set() {
        let t = Scripted { sent: RefCell::new(vec![]), answers: RefCell::new(vec![ok("{}"), ok("{}")]) };
        Client::new(&conn(None, Region::Eu), &t).unwrap().get("/me").unwrap();
        Client::new(&conn(Some("http://127.0.0.1:9/"), Region::Au), &t).unwrap().get("/me").unwrap();
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
        let t = Scripted { sent: RefCell::new(vec![]), answers: RefCell::new(vec![]) };
        let mut c = conn(Some("ftp://x"), Region::Us);
        assert!(matches!(Client::new(&c, &t), Err(Error::InvalidInput { field, .. }) if field == "connection.base-url"));
        c.base_url = None;
        c.access_token = " ".into();
        assert!(matches!(Client::new(&c, &t), Err(Error::InvalidInput { field, .. }) if field == "connection.access-token"));
    }

    #[test]
    fn debug_never_shows_the_token() {
        let c = Connection { access_token: "secret-123".into(), ..conn(None, Region::Us) };
        assert!(!format!("{c:?}").contains("secret-123"));
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode("a/b c+d@e.f"), "a%2Fb%20c%2Bd%40e.f");
    }
}
