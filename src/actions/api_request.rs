//! api-request: a raw call to the Intercom API with the connection's auth, for what no
//! operation covers. The path is checked so the request cannot leave the connection's host;
//! it goes through the client's retry and rate-limit rules, except that a POST is never
//! repeated (its effect is unknown). 401, 403 and 429 are the usual typed errors; any other
//! status comes back as data.

use crate::error::{Error, Result};
use crate::input::parse;
use crate::intercom::{encode, error_from_response, Client};
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{API_REQUEST_SAMPLE, API_REQUEST_SCHEMA};
use crate::transport::Method;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The HTTP method.
#[derive(Deserialize, JsonSchema, Clone, Copy)]
pub enum HttpMethod {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "DELETE")]
    Delete,
}

/// A request to the Intercom API on the connection's host, with its token and API version.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// GET, POST, PUT or DELETE.
    pub method: HttpMethod,
    /// The API path, e.g. `/contacts/abc` or `/teams`: begins with one `/`, without scheme, host,
    /// query (use `query`), fragment or `..` segment.
    pub path: String,
    /// Query parameters (values are encoded for you).
    // Read as a JSON object (code the component has anyway; a `BTreeMap` cost 12 KB of B-tree),
    // each value checked to be text below.
    #[schemars(with = "Option<std::collections::BTreeMap<String, String>>")]
    pub query: Option<Map<String, Value>>,
    /// The JSON request body (not for GET).
    pub body: Option<Value>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "api-request",
        label: "API Request (Advanced)",
        description: "Calls any Intercom API endpoint with this connection's token, region and pinned \
                      Intercom-Version. Returns the status, the response body and the request id; a 401, 403 or \
                      429 is an error as in every other operation. A POST is sent once, never retried.",
        input_schema: input_schema!("api-request", Input),
        output_schema: API_REQUEST_SCHEMA,
        output_sample: API_REQUEST_SAMPLE,
    },
    run,
};

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    check_path(&input.path)?;
    let method = match input.method {
        HttpMethod::Get => Method::Get,
        HttpMethod::Post => Method::Post,
        HttpMethod::Put => Method::Put,
        HttpMethod::Delete => Method::Delete,
    };
    if method == Method::Get && input.body.is_some() {
        return Err(Error::invalid("body", "a GET request has no body"));
    }
    let mut target = input.path.clone();
    for (i, (k, v)) in input.query.iter().flatten().enumerate() {
        if k.is_empty() {
            return Err(Error::invalid("query", "parameter names must not be empty"));
        }
        let Some(v) = v.as_str() else {
            return Err(Error::invalid(format!("query.{k}"), "must be text"));
        };
        target.push(if i == 0 { '?' } else { '&' });
        target.push_str(&encode(k));
        target.push('=');
        target.push_str(&encode(v));
    }
    let response =
        client.send_with(method, &target, input.body.as_ref(), method != Method::Post)?;
    if matches!(response.status, 401 | 403 | 429) {
        return Err(error_from_response(&response, &input.path));
    }
    let body = if response.body.iter().all(u8::is_ascii_whitespace) {
        Value::Null
    } else {
        serde_json::from_slice(&response.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&response.body).into_owned()))
    };
    // Intercom's `X-Request-Id` header, else the `request_id` an `error.list` body carries.
    let request_id = response
        .header("x-request-id")
        .map(str::to_string)
        .or_else(|| {
            body.get("request_id")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    Ok(json!({
        "status": response.status,
        "body": body,
        "request_id": request_id,
    }))
}

/// A path that stays on the host: `/` then segments, never `//` (a network-path reference),
/// a scheme, `..`, `?`, `#`, `\`, spaces or control characters. Percent-encoded dots count.
fn check_path(path: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid("path", format!("{why}; nothing was sent")));
    if !path.starts_with('/') {
        return bad(
            "must begin with `/` (a path on the connection's Intercom host, no scheme or host)",
        );
    }
    if path.starts_with("//") {
        return bad("must not begin with `//`, which names another host");
    }
    if path.contains(['?', '#']) {
        return bad("must not hold a query or fragment: put parameters into `query`");
    }
    if path
        .chars()
        .any(|c| c == '\\' || c.is_whitespace() || c.is_control())
    {
        return bad("must not contain backslashes, spaces or control characters");
    }
    if path.contains("://") {
        return bad("must be a path, not a URL");
    }
    let dots = path.split('/').any(|seg| {
        let decoded = seg.to_ascii_lowercase().replace("%2e", ".");
        decoded == "." || decoded == ".."
    });
    if dots || path.to_ascii_lowercase().contains("%2f") {
        return bad("must not contain `.` or `..` segments or encoded slashes");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_path;

    #[test]
    fn paths_that_could_leave_the_host_are_refused() {
        for p in [
            "//evil.example/x",
            "https://evil.example",
            "/../x",
            "/contacts/../../x",
            "/contacts#x",
            "/contacts?x=1",
            "/%2e%2e/x",
            "/a%2F..%2Fb",
            "contacts",
            "/a\\b",
            "/http://evil.example",
        ] {
            assert!(check_path(p).is_err(), "{p}");
        }
        for p in ["/contacts", "/contacts/abc/tags", "/me", "/a.b/c"] {
            assert!(check_path(p).is_ok(), "{p}");
        }
    }
}
