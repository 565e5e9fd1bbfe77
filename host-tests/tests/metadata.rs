//! `describe()` and `test-connection` through the real component.

mod common;

use common::{kind, Harness};
use intercom_fake::TOKEN;
use intercom_host::json;
use intercom_host::{self as host, ConnectorError, OperationKind, Region};
use serde_json::{json, Value};

fn schemas(h: &Harness) -> Vec<(String, Value)> {
    h.host
        .describe()
        .unwrap()
        .operations
        .iter()
        .map(|op| (op.key.clone(), json::parse(&op.input_schema)))
        .collect()
}

#[test]
fn describe_lists_operations_hosts_and_version_without_any_request() {
    let h = Harness::new();
    let info = h.host.describe().unwrap();
    assert_eq!(info.name, "intercom");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    assert_eq!(
        info.hosts,
        vec![
            "api.intercom.io",
            "api.eu.intercom.io",
            "api.au.intercom.io"
        ]
    );
    let keys: Vec<&str> = info.operations.iter().map(|o| o.key.as_str()).collect();
    for key in ["find-user", "find-lead", "find-company"] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), keys.len(), "keys are unique");
    for op in &info.operations {
        assert!(
            !op.label.is_empty() && !op.description.is_empty(),
            "{}",
            op.key
        );
        assert!(
            json::parse(&op.output_sample).is_object(),
            "{} sample",
            op.key
        );
        assert_eq!(
            op.trigger.is_some(),
            op.kind == OperationKind::Trigger,
            "{}",
            op.key
        );
    }
    assert!(h.fake.requests().is_empty());
}

#[test]
fn every_schema_is_valid_draft_2020_12_and_samples_fit_output_schemas() {
    let h = Harness::new();
    let info = h.host.describe().unwrap();
    for op in &info.operations {
        for (what, text) in [("input", &op.input_schema), ("output", &op.output_schema)] {
            let schema = json::parse(text);
            assert_eq!(
                schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
                "{} {what}",
                op.key
            );
            jsonschema::draft202012::meta::validate(&schema)
                .unwrap_or_else(|e| panic!("{} {what} schema is not valid 2020-12: {e}", op.key));
        }
        let output = jsonschema::draft202012::new(&json::parse(&op.output_schema)).unwrap();
        let sample = json::parse(&op.output_sample);
        assert!(
            output.is_valid(&sample),
            "{} sample does not fit its output schema",
            op.key
        );
    }
}

#[test]
fn search_schemas_accept_good_inputs_and_reject_bad_ones_like_the_component() {
    let h = Harness::new();
    let schemas = schemas(&h);
    let schema = |key: &str| {
        let s = &schemas.iter().find(|(k, _)| k == key).unwrap().1;
        jsonschema::draft202012::new(s).unwrap()
    };
    let cases = [
        ("find-user", json!({"email": "a@b.c"}), true),
        ("find-user", json!({"user_id": "42"}), false), // alias accepted by the component, not advertised
        ("find-user", json!({"external_id": 42}), true),
        ("find-user", json!({}), false),
        ("find-user", json!({"email": ""}), false),
        ("find-user", json!({"email": 5}), false),
        ("find-user", json!({"email": "a@b.c", "bogus": 1}), false),
        ("find-lead", json!({"phone": "+1555"}), true),
        ("find-lead", json!({"name": "x"}), false),
        ("find-company", json!({"name": "Acme"}), true),
        ("find-company", json!({"company_id": null}), false),
    ];
    for (key, input, valid) in cases {
        assert_eq!(
            schema(key).is_valid(&input),
            valid,
            "schema of {key} on {input}"
        );
        if valid {
            assert!(
                h.search(key, input.clone()).is_ok(),
                "component accepts {key} {input}"
            );
        } else if !(key == "find-user" && input.get("user_id").is_some()) {
            assert_eq!(
                kind(&h.search(key, input.clone()).unwrap_err()),
                "invalid-input",
                "component rejects {key} {input}"
            );
        }
    }
}

#[test]
fn test_connection_reports_workspace_region_and_admin() {
    let h = Harness::new();
    let account = h.host.test_connection(&h.conn).unwrap().unwrap();
    assert_eq!(account.workspace_id, "fk4ke1nt");
    assert_eq!(account.region.as_deref(), Some("us"));
    assert!(!account.admin_id.is_empty());
    let reqs = h.fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(
        (reqs[0].method.as_str(), reqs[0].path.as_str()),
        ("GET", "/me")
    );
}

#[test]
fn a_rejected_token_is_unauthorized_with_a_message_that_says_how_to_fix_it() {
    let h = Harness::new();
    let conn = host::connection("not-the-token", Region::Us, Some(h.fake.base_url()));
    for result in [
        h.host.test_connection(&conn).unwrap().map(|_| ()),
        h.host
            .run_search(&conn, "find-user", &json!({"email": "a@b.c"}).to_string())
            .unwrap()
            .map(|_| ()),
    ] {
        match result.unwrap_err() {
            ConnectorError::Unauthorized(m) => {
                assert!(m.contains("Access Token Invalid"), "{m}");
                assert!(m.contains("Reconnect"), "{m}");
                assert!(!m.contains("not-the-token"), "the token never appears: {m}");
            }
            e => panic!("expected unauthorized, got {e:?}"),
        }
    }
    assert_eq!(h.fake.requests().len(), 2);
}

#[test]
fn an_empty_token_or_bad_base_url_is_invalid_input_before_any_request() {
    let h = Harness::new();
    let empty = host::connection("", Region::Us, Some(h.fake.base_url()));
    match h.host.test_connection(&empty).unwrap().unwrap_err() {
        ConnectorError::InvalidInput(f) => assert_eq!(f.field, "connection.access-token"),
        e => panic!("{e:?}"),
    }
    let bad_url = host::connection(TOKEN, Region::Us, Some("127.0.0.1:80".into()));
    match h.host.test_connection(&bad_url).unwrap().unwrap_err() {
        ConnectorError::InvalidInput(f) => assert_eq!(f.field, "connection.base-url"),
        e => panic!("{e:?}"),
    }
    assert!(h.fake.requests().is_empty());
}
