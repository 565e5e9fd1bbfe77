//! A canned upstream: answers recorded from the fake Intercom, replayed byte for byte by the
//! minimal server, so a benchmark measures what the component and the host cost and not what the
//! fake spends checking and searching (issue 17). It keeps no state and checks nothing: a request
//! it has no answer for gets a 404 naming it.

use crate::http::{HttpRequest, HttpServer, Reply};
use std::collections::HashMap;
use std::sync::Arc;

/// What identifies a request: method, path, decoded query pairs and body.
type Key = (String, String, Vec<(String, String)>, Vec<u8>);

/// One recorded exchange.
#[derive(Clone, Debug)]
pub struct Answer {
    /// `GET`, `POST`, …
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// Decoded query pairs, in order.
    pub query: Vec<(String, String)>,
    /// The request body.
    pub request_body: Vec<u8>,
    /// The status that was answered.
    pub status: u16,
    /// The body that was answered.
    pub body: Vec<u8>,
}

/// The canned server on `127.0.0.1`; stops when dropped.
pub struct CannedUpstream {
    server: HttpServer,
}

impl CannedUpstream {
    /// Serves `answers` on an ephemeral loopback port.
    pub fn start(answers: Vec<Answer>) -> std::io::Result<CannedUpstream> {
        let table: HashMap<Key, (u16, Vec<u8>)> = answers
            .into_iter()
            .map(|a| {
                (
                    (a.method, a.path, a.query, a.request_body),
                    (a.status, a.body),
                )
            })
            .collect();
        let table = Arc::new(table);
        let server = HttpServer::start(
            0,
            Arc::new(move |req: HttpRequest| {
                let key = key_of(req);
                let (status, body) = table.get(&key).cloned().unwrap_or_else(|| {
                    let msg = format!("no canned answer for {} {}", key.0, key.1);
                    (
                        404,
                        serde_json::json!({"type": "error.list", "errors": [
                        {"code": "not_found", "message": msg}]})
                        .to_string()
                        .into_bytes(),
                    )
                });
                Reply::Full {
                    status,
                    headers: vec![("content-type".into(), "application/json".into())],
                    body,
                }
            }),
        )?;
        Ok(CannedUpstream { server })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.server.addr())
    }

    /// `127.0.0.1:PORT`, for an egress policy.
    pub fn host(&self) -> String {
        self.server.addr().to_string()
    }
}

fn key_of(req: HttpRequest) -> Key {
    let (path, query) = match req.target.split_once('?') {
        Some((p, q)) => (p.to_string(), q),
        None => (req.target.clone(), ""),
    };
    let query = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    (req.method, path, query, req.body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_what_was_recorded_and_404s_the_rest() {
        let canned = CannedUpstream::start(vec![Answer {
            method: "GET".into(),
            path: "/contacts".into(),
            query: vec![("email".into(), "a b@example.com".into())],
            request_body: vec![],
            status: 200,
            body: br#"{"type":"list","data":[]}"#.to_vec(),
        }])
        .unwrap();
        let agent = ureq::Agent::new_with_defaults();
        let url = format!("{}/contacts?email=a%20b%40example.com", canned.base_url());
        let text = agent
            .get(&url)
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        assert_eq!(text, r#"{"type":"list","data":[]}"#);
        let other = format!("{}/contacts?email=c%40example.com", canned.base_url());
        let err = agent.get(&other).call().unwrap_err();
        assert!(matches!(err, ureq::Error::StatusCode(404)), "{err:?}");
    }
}
