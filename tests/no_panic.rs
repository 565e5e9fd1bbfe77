//! Property tests on the connector's pure logic, natively: whatever the input, every operation
//! returns a value or a typed error (no panic), and input it rejects as invalid sends nothing.
//! Failing cases are kept by proptest in `tests/no_panic.proptest-regressions` (the corpus) and
//! replayed first on every run. Rerun with more cases: `PROPTEST_CASES=20000 cargo test -p
//! intercom-connector --test no_panic`.

use intercom_connector::transport::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use intercom_connector::{actions, searches, triggers, Client, Connection, Error, Region};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::cell::Cell;

/// Answers like Intercom does for a small workspace (one user and one lead with email
/// `ada@example.com`, a `VIP` tag, a company, custom attributes of each type, a conversation),
/// so operations that read before they write get that far; counts the writes it receives.
#[derive(Default)]
struct Workspace {
    writes: Cell<usize>,
}

fn contact(role: &str) -> Value {
    json!({"type": "contact", "id": format!("6762f0d01bb69f9f2193bb{role:.2}"), "role": role,
           "email": "ada@example.com", "external_id": if role == "user" { json!("42") } else { Value::Null },
           "name": "Ada", "custom_attributes": {"plan": "pro"}, "created_at": 1734537745, "updated_at": 1734537745})
}

fn attribute(name: &str, data_type: &str) -> Value {
    json!({"type": "data_attribute", "name": name, "full_name": format!("custom_attributes.{name}"),
           "data_type": data_type, "custom": true, "api_writable": true, "archived": false, "model": "contact"})
}

impl Workspace {
    fn answer(&self, get: bool, path: &str) -> (u16, Value) {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let company = json!({"type": "company", "id": "6762f07f1bb69f9f2193baf5", "company_id": "acme", "name": "Acme"});
        let tag = json!({"type": "tag", "id": "17513", "name": "VIP"});
        let list = |data: Vec<Value>| json!({"type": "list", "data": data, "total_count": 1, "pages": {"type": "pages", "page": 1, "per_page": 50, "total_pages": 1}});
        let found = match (get, segments.as_slice()) {
            (_, ["data_attributes"]) => list(vec![
                attribute("plan", "string"),
                attribute("seats", "integer"),
                attribute("score", "float"),
                attribute("trial", "boolean"),
                attribute("renewal", "date"),
            ]),
            (_, [_, "search"]) => list(vec![contact("user"), contact("lead")]),
            (true, ["tags"]) => list(vec![tag]),
            (_, ["tags", ..]) => tag,
            (true, ["me"]) => {
                json!({"type": "admin", "id": "991267460", "name": "Ava", "email": "ava@example.com",
                                      "app": {"type": "app", "id_code": "abc", "name": "Acme"}})
            }
            (true, ["companies"]) => {
                json!({"type": "list", "data": [company.clone()], "total_count": 1})
            }
            (_, ["companies", ..]) => company,
            (true, ["contacts", "find_by_external_id", _]) => contact("user"),
            (_, ["contacts", ..]) => contact(if path.contains("lead") {
                "lead"
            } else {
                "user"
            }),
            (true, ["conversations", id]) => {
                json!({"type": "conversation", "id": id, "state": "open",
                                                     "contacts": {"type": "contact.list", "contacts": []}})
            }
            _ => {
                return (
                    404,
                    json!({"type": "error.list", "errors": [{"code": "not_found", "message": "Resource Not Found"}]}),
                )
            }
        };
        (200, found)
    }
}

impl Transport for Workspace {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let path = request.url.trim_start_matches("http://127.0.0.1:9");
        let path = path.split('?').next().unwrap_or_default();
        let get = request.method == Method::Get;
        if !get && !path.ends_with("/search") {
            self.writes.set(self.writes.get() + 1);
        }
        let (status, body) = self.answer(get, path);
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

/// Runs one operation; returns its result and how many writes reached the workspace.
fn run(kind: &str, key: &str, input: &str, cursor: Option<&str>) -> (Result<(), Error>, usize) {
    let transport = Workspace::default();
    let client = Client::new(&conn(), &transport).unwrap();
    let result = match kind {
        "search" => searches::run(&client, key, input).map(drop),
        "action" => actions::run(&client, key, input).map(drop),
        _ => triggers::poll(&client, key, input, cursor).map(drop),
    };
    (result, transport.writes.get())
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
        let (result, writes) = run(kind, key, &text, cursor.as_deref());
        if let Err(Error::InvalidInput { field, .. }) = &result {
            // Reads may come first (custom attributes to type-check against, the contact to tag).
            prop_assert_eq!(writes, 0, "{} {} rejected `{}` as invalid ({}) after {} writes", kind, key, text, field, writes);
        }
    }

    #[test]
    fn webhook_parsing_never_panics(
        secret in ".{0,20}", name in "[A-Za-z-]{0,20}", value in ".{0,60}", body in prop::collection::vec(any::<u8>(), 0..300),
        json in json_value(), topic in topic(), created_at in any::<i64>(), signed in any::<bool>(),
    ) {
        let headers = vec![(name.clone(), value.clone()), ("X-Hub-Signature".to_string(), "sha1=".to_string() + &"ab".repeat(20))];
        let _ = triggers::parse_webhook(&secret, &headers, &body);
        let _ = triggers::parse_webhook(&secret, &headers, json.to_string().as_bytes());
        // Half the envelopes carry a valid signature, so parsing, shaping and time normalisation
        // run on the generated item too.
        let envelope = json!({"type": "notification_event", "topic": topic, "id": "notif_1",
                              "created_at": created_at, "data": {"type": "notification_event_data", "item": json}});
        let body = envelope.to_string();
        let signature = if signed { sign(&secret, body.as_bytes()) } else { "sha1=00".into() };
        let headers = vec![(name, value), ("X-Hub-Signature".to_string(), signature)];
        let _ = triggers::parse_webhook(&secret, &headers, body.as_bytes());
    }
}

/// Topics the triggers listen to, and some they do not.
fn topic() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("contact.user.created".to_string()),
        Just("contact.lead.created".to_string()),
        Just("contact.user.tag.created".to_string()),
        Just("contact.lead.tag.created".to_string()),
        Just("conversation.user.created".to_string()),
        Just("conversation.admin.closed".to_string()),
        Just("conversation_part.tag.created".to_string()),
        Just("company.created".to_string()),
        Just("contact.unsubscribed".to_string()),
        Just("contact.lead.signed_up".to_string()),
        Just("ping".to_string()),
        "[a-z_.]{0,30}",
    ]
}

/// `sha1=` and the hex HMAC-SHA1 of `body` keyed with `secret`, as Intercom signs a delivery.
fn sign(secret: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha1={hex}")
}
