//! Turns a non-2xx Intercom answer (an `error.list` body, or anything else) into a typed error
//! whose message tells a person what to do.

use crate::error::Error;
use crate::time::now_unix;
use crate::transport::HttpResponse;
use serde::Deserialize;

#[derive(Deserialize, Default)]
struct ErrorList {
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    code: String,
    #[serde(default)]
    message: Option<String>,
}

/// The permission a request to `path` needs, as Intercom's Developer Hub names it.
pub fn scope_for(path: &str) -> &'static str {
    let first = path
        .trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or_default();
    match first {
        "contacts" => "users and companies (Read and write users)",
        "companies" => "users and companies (Read and write companies)",
        "conversations" => "conversations (Read and write conversations)",
        "events" => "events (Read and write events)",
        "tags" => "tags (Read and write tags)",
        "data_attributes" => "data attributes (Read and write data attributes)",
        "me" | "admins" => "admins (Read admins)",
        _ => "the data this operation uses",
    }
}

/// Maps a non-2xx response to a request for `path` to the matching error variant.
pub fn error_from_response(response: &HttpResponse, path: &str) -> Error {
    let list: ErrorList = serde_json::from_slice(&response.body).unwrap_or_default();
    let request_id = list
        .request_id
        .or_else(|| response.header("x-request-id").map(str::to_string));
    let first = list.errors.into_iter().next();
    let code = first.as_ref().map(|e| e.code.clone());
    let message = first
        .and_then(|e| e.message)
        .unwrap_or_else(|| default_message(response));
    let status = response.status;
    let with_id = |m: String| match &request_id {
        Some(id) => format!("{m} (Intercom request id {id})"),
        None => m,
    };
    match (status, code.as_deref()) {
        (401, Some("token_unauthorized")) => Error::Unauthorized(with_id(format!(
            "Intercom says: {message}. The access token is valid but lacks a permission: in Intercom's \
             Developer Hub give the app read and write access to {}, then reconnect the account.",
            scope_for(path)
        ))),
        (401, _) => Error::Unauthorized(with_id(format!(
            "Intercom rejected the access token ({message}). Reconnect the Intercom account to get a new token \
             with read and write access."
        ))),
        (403, Some("api_plan_restricted")) => Error::Forbidden(with_id(format!(
            "Intercom says: {message}. Your Intercom plan does not include this API; it needs an active paid subscription."
        ))),
        (403, _) => Error::Forbidden(with_id(format!(
            "Intercom says: {message}. Give the app access to {} in Intercom's Developer Hub, then reconnect.",
            scope_for(path)
        ))),
        (404, _) | (410, _) => Error::NotFound(with_id(message)),
        (409, _) => Error::Conflict { existing_id: existing_id(&message), message: with_id(message) },
        (429, _) => Error::RateLimited { retry_after_ms: retry_after_ms(response), message: with_id(message) },
        _ => Error::Upstream { status, code, message, request_id },
    }
}

/// The id in Intercom's own 409 message, "A contact matching those details already exists with
/// id=<id>" (Intercom gives it only in the text), read before anything is appended to it.
fn existing_id(message: &str) -> Option<String> {
    let start = message.find("id=")? + 3;
    let id: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!id.is_empty()).then_some(id)
}

/// How long Intercom asks us to wait: `Retry-After` (seconds) if present, else until
/// `X-RateLimit-Reset` (Unix seconds), else one 10-second rate-limit window.
pub fn retry_after_ms(response: &HttpResponse) -> u64 {
    if let Some(secs) = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<u64>().ok())
    {
        return secs.saturating_mul(1000);
    }
    if let Some(reset) = response
        .header("x-ratelimit-reset")
        .and_then(|v| v.trim().parse::<i64>().ok())
    {
        return (reset - now_unix()).clamp(0, 3600) as u64 * 1000;
    }
    10_000
}

fn default_message(response: &HttpResponse) -> String {
    match response.status {
        500..=599 => format!("Intercom had a server error (HTTP {})", response.status),
        s => format!("Intercom answered HTTP {s} without an error.list body"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn not_authorized_says_which_permission() {
        let r = resp(
            401,
            r#"{"type":"error.list","request_id":"r1","errors":[{"code":"token_unauthorized","message":"Not authorized to access resource"}]}"#,
        );
        match error_from_response(&r, "/conversations") {
            Error::Unauthorized(m) => {
                assert!(m.contains("Not authorized to access resource"), "{m}");
                assert!(m.contains("conversations"), "{m}");
                assert!(m.contains("r1"), "{m}");
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn plan_and_rate_limits() {
        let r = resp(
            403,
            r#"{"type":"error.list","errors":[{"code":"api_plan_restricted","message":"Active subscription needed."}]}"#,
        );
        assert!(
            matches!(error_from_response(&r, "/conversations"), Error::Forbidden(m) if m.contains("plan"))
        );
        let mut r = resp(
            429,
            r#"{"type":"error.list","errors":[{"code":"rate_limit_exceeded","message":"Exceeded rate limit"}]}"#,
        );
        r.headers.push(("retry-after".into(), "7".into()));
        assert!(matches!(
            error_from_response(&r, "/contacts"),
            Error::RateLimited {
                retry_after_ms: 7000,
                ..
            }
        ));
    }

    #[test]
    fn conflicts_carry_the_existing_id_as_data() {
        let r = resp(
            409,
            r#"{"type":"error.list","request_id":"r-1","errors":[{"code":"conflict","message":"A contact matching those details already exists with id=6762f0d01bb69f9f2193bb7d"}]}"#,
        );
        match error_from_response(&r, "/contacts") {
            Error::Conflict {
                existing_id,
                message,
            } => {
                assert_eq!(existing_id.as_deref(), Some("6762f0d01bb69f9f2193bb7d"));
                assert!(message.contains("r-1"), "{message}");
            }
            e => panic!("{e:?}"),
        }
        let r = resp(
            409,
            r#"{"type":"error.list","errors":[{"code":"conflict","message":"Multiple existing users match this email address"}]}"#,
        );
        assert!(matches!(
            error_from_response(&r, "/contacts"),
            Error::Conflict {
                existing_id: None,
                ..
            }
        ));
    }

    #[test]
    fn non_json_errors_keep_the_status() {
        let r = resp(502, "<html>bad gateway</html>");
        assert!(matches!(
            error_from_response(&r, "/me"),
            Error::Upstream {
                status: 502,
                code: None,
                ..
            }
        ));
    }
}
