//! The webhook gateway: the one URL an Intercom app sends every webhook to. It checks each
//! delivery with the connector's own webhook code (`triggers::webhook::parse`, the same verify
//! and normalise path as `parse-webhook`) and forwards its events, signed per Standard Webhooks,
//! to the workflow platform. Plain Rust over the `Transport` seam; `serve` is the `wasi:http`
//! glue (waki), so every decision here unit-tests natively.

use crate::error::Error;
use crate::transport::{HttpRequest, Method, Transport, TransportError};
use crate::triggers::{webhook, Data, WebhookResult};
use serde::Serialize;
use std::time::{Duration, Instant};

#[cfg(target_arch = "wasm32")]
mod serve;

/// Largest delivery accepted; Intercom's notifications are far smaller.
pub const MAX_BODY_BYTES: usize = 1 << 20;

/// The longest a forward may take: Intercom expects an answer within seconds and retries a
/// delivery that got none (https://developers.intercom.com/docs/webhooks/webhook-notifications).
pub const FORWARD_BUDGET: Duration = Duration::from_secs(3);

/// The environment variables the gateway reads (`wasmtime serve --env NAME=value`).
pub const ENV_CLIENT_SECRETS: &str = "INTERCOM_CLIENT_SECRETS";
pub const ENV_FORWARD_URL: &str = "FORWARD_URL";
pub const ENV_FORWARD_SECRET: &str = "FORWARD_SECRET";

/// What the gateway needs, from the environment. Never printed: it holds secrets.
pub struct Config {
    /// The app's client secrets, newest or oldest first: any one may sign a delivery, so a
    /// secret rotates without dropping deliveries.
    secrets: Vec<String>,
    forward_url: String,
    signer: standardwebhooks::Webhook,
}

impl Config {
    /// Reads the configuration through `var`. An error names the variable, never its value.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let required = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| format!("{name} is not set"))
        };
        let secrets: Vec<String> = required(ENV_CLIENT_SECRETS)?
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        if secrets.is_empty() {
            return Err(format!("{ENV_CLIENT_SECRETS} holds no secret"));
        }
        let forward_url = required(ENV_FORWARD_URL)?;
        if !(forward_url.starts_with("https://") || forward_url.starts_with("http://")) {
            return Err(format!(
                "{ENV_FORWARD_URL} must start with https:// or http://"
            ));
        }
        let secret = required(ENV_FORWARD_SECRET)?;
        if !secret.starts_with("whsec_") {
            return Err(format!(
                "{ENV_FORWARD_SECRET} must be a Standard Webhooks key: whsec_ then base64"
            ));
        }
        let signer = standardwebhooks::Webhook::new(&secret)
            .map_err(|_| format!("{ENV_FORWARD_SECRET} is not whsec_ followed by base64"))?;
        Ok(Config {
            secrets,
            forward_url,
            signer,
        })
    }
}

/// The gateway's answer to one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    /// JSON; never holds a secret, the forward URL or the receiver's answer.
    pub body: String,
}

impl Reply {
    fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
        }
    }

    fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::json(status, serde_json::json!({ "error": message.into() }))
    }

    /// A misconfigured gateway: Intercom retries, the operator reads the log line.
    pub fn misconfigured(why: &str) -> Reply {
        Reply::error(500, format!("the gateway is misconfigured: {why}"))
    }

    /// 413: the body went over `MAX_BODY_BYTES`; the rest of it is not read.
    pub fn too_large() -> Reply {
        Reply::error(
            413,
            format!("a delivery is at most {MAX_BODY_BYTES} bytes; this one is larger"),
        )
    }
}

/// The answer to a request's method alone: `HEAD` is Intercom's URL check, only `POST` carries
/// deliveries. `None` means read the body and call [`deliver`].
pub fn check_method(method: &str) -> Option<Reply> {
    match method {
        "POST" => None,
        "HEAD" => Some(Reply {
            status: 200,
            headers: vec![],
            body: String::new(),
        }),
        _ => Some(Reply {
            headers: vec![
                ("allow", "HEAD, POST".into()),
                ("content-type", "application/json".into()),
            ],
            ..Reply::error(405, "only HEAD and POST are served")
        }),
    }
}

/// Reads a body chunk by chunk, stopping as soon as it is over `MAX_BODY_BYTES` (or says it
/// will be, by its `Content-Length`). `Err` is the reply to send instead.
pub fn read_body(
    declared_len: Option<u64>,
    mut next_chunk: impl FnMut() -> Result<Option<Vec<u8>>, ()>,
) -> Result<Vec<u8>, Reply> {
    if declared_len.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(Reply::too_large());
    }
    let mut body = Vec::new();
    loop {
        match next_chunk() {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(Reply::too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(()) => return Err(Reply::error(400, "the request body broke off")),
        }
    }
}

/// The one JSON body a delivery's events travel in.
#[derive(Serialize)]
struct Forwarded<'a> {
    delivery_id: &'a str,
    topic: &'a str,
    events: Vec<ForwardedEvent<'a>>,
}

#[derive(Serialize)]
struct ForwardedEvent<'a> {
    id: &'a str,
    trigger: &'a str,
    occurred_at: i64,
    data: &'a Data,
}

/// Verifies one `POST`ed delivery against each client secret in turn, parses it with the
/// connector's webhook code and forwards its events. 200 only after the receiver took them.
pub fn deliver(
    config: &Config,
    transport: &dyn Transport,
    headers: &[(String, String)],
    body: &[u8],
    now_unix: i64,
) -> Reply {
    let mut refusal = String::from("no client secret is configured");
    for secret in &config.secrets {
        match webhook::parse(secret, headers, body) {
            Ok(result) => return forward(config, transport, result, now_unix),
            // Signed with another secret (or not at all): the next secret may match.
            Err(Error::Unauthorized(why)) => refusal = why,
            Err(Error::InvalidInput { field, message }) if field.starts_with("headers.") => {
                return Reply::error(401, format!("{field}: {message}"))
            }
            Err(Error::InvalidInput { field, message }) => {
                return Reply::error(400, format!("{field}: {message}"))
            }
            Err(e) => return Reply::error(400, e.to_string()),
        }
    }
    Reply::error(401, refusal)
}

fn forward(
    config: &Config,
    transport: &dyn Transport,
    result: WebhookResult,
    now_unix: i64,
) -> Reply {
    if result.events.is_empty() {
        // `ping`, or a topic no trigger uses: nothing to forward.
        return Reply::json(
            200,
            serde_json::json!({"forwarded": 0, "topic": result.topic, "note": result.note}),
        );
    }
    let Some(delivery_id) = result.delivery_id.as_deref() else {
        return Reply::error(400, "body.id: missing notification id");
    };
    let payload = Forwarded {
        delivery_id,
        topic: &result.topic,
        events: result
            .events
            .iter()
            .map(|e| ForwardedEvent {
                id: &e.id,
                trigger: &e.trigger,
                occurred_at: e.occurred_at,
                data: &e.data,
            })
            .collect(),
    };
    let payload = match serde_json::to_vec(&payload) {
        Ok(p) => p,
        Err(e) => return Reply::error(500, format!("the events could not be written: {e}")),
    };
    let signature = match config.signer.sign(delivery_id, now_unix, &payload) {
        Ok(s) => s,
        Err(e) => return Reply::error(500, format!("the events could not be signed: {e}")),
    };
    let request = HttpRequest {
        method: Method::Post,
        url: config.forward_url.clone(),
        headers: vec![
            ("content-type", "application/json".into()),
            // Sent rather than chunked: every receiver reads a body with a length.
            ("content-length", payload.len().to_string()),
            ("webhook-id", delivery_id.to_string()),
            ("webhook-timestamp", now_unix.to_string()),
            ("webhook-signature", signature),
        ],
        body: Some(payload),
    };
    let started = Instant::now();
    let outcome = transport.send(&request);
    let retry = |why: String| Reply {
        headers: vec![
            ("content-type", "application/json".into()),
            ("retry-after", "1".into()),
        ],
        ..Reply::error(503, format!("{why}; Intercom will retry the delivery"))
    };
    match outcome {
        // Taken, but after the budget: Intercom may have given up, so ask for the retry; the
        // receiver dedupes on `webhook-id`.
        Ok(_) if started.elapsed() > FORWARD_BUDGET => retry(format!(
            "the receiver took longer than {} s",
            FORWARD_BUDGET.as_secs()
        )),
        Ok(r) if (200..300).contains(&r.status) => Reply::json(
            200,
            serde_json::json!({"forwarded": result.events.len(), "topic": result.topic}),
        ),
        Ok(r) => retry(format!("the receiver answered {}", r.status)),
        Err(TransportError::Timeout) => retry(format!(
            "the receiver did not answer within {} s",
            FORWARD_BUDGET.as_secs()
        )),
        Err(TransportError::Denied) => retry("the host denied the forward".into()),
        Err(TransportError::TooLarge) => retry("the receiver's answer was too large".into()),
        Err(TransportError::Connection(_)) => retry("the receiver could not be reached".into()),
    }
}

#[cfg(test)]
mod tests;
