//! The webhook gateway (`dist/intercom-webhooks.wasm`) under the stock `wasmtime serve`, with a
//! workflow-platform receiver that checks its Standard Webhooks signatures, and Intercom-side
//! deliveries to drive it. Shared by `tests/gateway.rs` and `connector bench gateway`.

mod receiver;
mod serve;

pub use receiver::{Answer, Forward, Receiver};
pub use serve::{closed_port_url, wasmtime_cli, Served};

use crate::sign_webhook;
use serde_json::{json, Value};

/// The workflow platform's Standard Webhooks key, as `FORWARD_SECRET` (tests only).
pub const FORWARD_KEY: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// One Intercom notification (a delivery's body) with the given id, topic and item.
pub fn notification(id: &str, topic: &str, item: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "notification_event", "app_id": "fk4ke1nt", "id": id, "topic": topic,
        "created_at": 1_768_020_200, "delivery_attempts": 1, "first_sent_at": 1_768_020_200,
        "data": {"type": "notification_event_data", "item": item}
    }))
    .expect("JSON")
}

/// The headers Intercom sends with `body` when the app's client secret is `secret`.
pub fn intercom_headers(secret: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("content-type", "application/json".into()),
        ("x-hub-signature", sign_webhook(secret, body)),
    ]
}

/// A keep-alive HTTP client that hands back every status instead of failing on 4xx/5xx.
pub fn client() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
}

/// POSTs one delivery; returns the status and the body text.
pub fn post(
    agent: &ureq::Agent,
    url: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> anyhow::Result<(u16, String)> {
    let mut request = agent.post(url);
    for (k, v) in headers {
        request = request.header(*k, v);
    }
    let mut response = request.send(body)?;
    let status = response.status().as_u16();
    Ok((status, response.body_mut().read_to_string()?))
}
