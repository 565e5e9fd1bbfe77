//! Property tests on the connector's pure logic, natively: whatever the input, every operation
//! returns a value or a typed error (no panic), and input it rejects as invalid sends nothing.
//! Failing cases are kept by proptest in `tests/no_panic.proptest-regressions` (the corpus) and
//! replayed first on every run. Rerun with more cases: `PROPTEST_CASES=20000 cargo test -p
//! intercom-connector --test no_panic`.

use intercom_connector::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use intercom_connector::{actions, searches, triggers, Client, Connection, Error, Region};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::cell::Cell;

/// Answers every request with an empty-but-valid Intercom-shaped body and counts requests.
#[derive(Default)]
struct Counting {
    sent: Cell<usize>,
}

impl Transport for Counting {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        self.sent.set(self.sent.get() + 1);
        let body = if request.url.contains("/search") || request.url.contains("/scroll") {
            json!({"type": "list", "data": [], "total_count": 0, "pages": {}})
        } else {
            json!({"type": "error.list", "errors": [{"code": "not_found", "message": "Resource Not Found"}]})
        };
        let status = if body["type"] == "list" { 200 } else { 404 };
        Ok(HttpResponse {
            status,
            headers: vec![],
            body: body.to_string().into_bytes(),
        })
    }

    fn sleep(&self, _: std::time::Duration) {}
}

fn conn() -> Connection {
    Connection {
        access_token: "tok".into(),
        region: Region::Us,
        base_url: Some("http://127.0.0.1:9".into()),
        api_version: None,
        max_rate_limit_wait_ms: None,
    }
}

fn keys() -> Vec<(&'static str, &'static str)> {
    let mut keys: Vec<(&str, &str)> = searches::ALL
        .iter()
        .map(|s| ("search", s.meta.key))
        .collect();
    keys.extend(actions::ALL.iter().map(|a| ("action", a.meta.key)));
    keys.extend(triggers::ALL.iter().map(|t| ("trigger", t.meta.key)));
    keys
}

/// Arbitrary JSON, biased towards the field names operations actually read.
fn json_value() -> impl Strategy<Value = Value> {
    let field = prop_oneof![
        Just("id".to_string()),
        Just("email".to_string()),
        Just("external_id".to_string()),
        Just("user_id".to_string()),
        Just("tag".to_string()),
        Just("name".to_string()),
        Just("company_id".to_string()),
        Just("custom_attributes".to_string()),
        Just("body".to_string()),
        Just("metadata".to_string()),
        Just("event_name".to_string()),
        Just("created_at".to_string()),
        Just("conversation_id".to_string()),
        Just("admin_id".to_string()),
        "[a-z_]{1,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        "[a-z0-9.+@-]{1,30}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            prop::collection::btree_map(field.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn run(kind: &str, key: &str, input: &str, cursor: Option<&str>) -> (Result<(), Error>, usize) {
    let transport = Counting::default();
    let client = Client::new(&conn(), &transport).unwrap();
    let result = match kind {
        "search" => searches::run(&client, key, input).map(drop),
        "action" => actions::run(&client, key, input).map(drop),
        _ => triggers::poll(&client, key, input, cursor).map(drop),
    };
    (result, transport.sent.get())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn operations_never_panic_and_invalid_input_sends_nothing(
        op in 0usize..64, input in json_value(), raw in ".{0,64}", use_raw in any::<bool>(),
        cursor in proptest::option::of(".{0,80}"),
    ) {
        let keys = keys();
        let (kind, key) = keys[op % keys.len()];
        let text = if use_raw { raw } else { input.to_string() };
        let (result, sent) = run(kind, key, &text, cursor.as_deref());
        if let Err(Error::InvalidInput { field, .. }) = &result {
            // Webhook-only triggers and bad cursors are refused up front as well.
            prop_assert_eq!(sent, 0, "{} {} rejected `{}` as invalid ({}) after sending {} requests", kind, key, text, field, sent);
        }
    }

    #[test]
    fn webhook_parsing_never_panics(
        secret in ".{0,20}", name in "[A-Za-z-]{0,20}", value in ".{0,60}", body in prop::collection::vec(any::<u8>(), 0..300),
        json in json_value(),
    ) {
        let headers = vec![(name, value), ("X-Hub-Signature".to_string(), "sha1=".to_string() + &"ab".repeat(20))];
        let _ = triggers::parse_webhook(&secret, &headers, &body);
        let _ = triggers::parse_webhook(&secret, &headers, json.to_string().as_bytes());
    }
}
