//! Shared fixture: the real component, loaded by the embeddable host, talking to a fresh fake
//! Intercom on loopback. Every request the fake receives is checked against Intercom's OpenAPI
//! description; a violation fails the test when the harness is dropped.
#![allow(dead_code)] // each test binary uses a different part

use intercom_fake::artifact;
use intercom_fake::FakeIntercom;
use intercom_host::json;
use intercom_host::{Connection, ConnectorError, ConnectorHost, Limits, PollPage, WebhookResult};
use serde_json::Value;

pub struct Harness {
    pub fake: FakeIntercom,
    pub host: ConnectorHost,
    pub conn: Connection,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_limits(Limits::default())
    }

    pub fn with_limits(limits: Limits) -> Self {
        let fake = FakeIntercom::start();
        let host = ConnectorHost::load(artifact::component(), fake.egress_policy(), limits)
            .expect("component loads");
        let conn = fake.connection();
        Harness { fake, host, conn }
    }

    pub fn search(&self, key: &str, input: Value) -> Result<Vec<Value>, ConnectorError> {
        let r = self
            .host
            .run_search(&self.conn, key, &input.to_string())
            .expect("no trap");
        r.map(|items| items.iter().map(|s| json::parse(s)).collect())
    }

    pub fn action(&self, key: &str, input: Value) -> Result<Value, ConnectorError> {
        let r = self
            .host
            .run_action(&self.conn, key, &input.to_string())
            .expect("no trap");
        r.map(|s| json::parse(&s))
    }

    pub fn poll(
        &self,
        key: &str,
        input: Value,
        cursor: Option<&str>,
    ) -> Result<PollPage, ConnectorError> {
        self.host
            .poll_trigger(&self.conn, key, &input.to_string(), cursor)
            .expect("no trap")
    }

    pub fn webhook(
        &self,
        secret: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<WebhookResult, ConnectorError> {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.host
            .parse_webhook(secret, &headers, body)
            .expect("no trap")
    }

    /// Requests the fake received, as (METHOD, path) pairs.
    pub fn calls(&self) -> Vec<(String, String)> {
        self.fake
            .requests()
            .into_iter()
            .map(|r| (r.method, r.path))
            .collect()
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.fake.assert_spec_ok();
        }
    }
}

/// The error's kind (`not-found`, `invalid-input`, ...).
pub fn kind(e: &ConnectorError) -> String {
    json::error_kind(e)
}

/// The field an `invalid-input` error names; panics on any other error.
pub fn invalid_field(e: &ConnectorError) -> String {
    match e {
        ConnectorError::InvalidInput(f) => f.field.clone(),
        other => panic!("expected invalid-input, got {other:?}"),
    }
}
