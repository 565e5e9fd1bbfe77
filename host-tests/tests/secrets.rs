//! Secrets never leak: every failure path is driven with a recognisable access token and client
//! secret, and every error, output and log line is searched for them.

mod common;

use common::Harness;
use intercom_fake::artifact;
use intercom_fake::Fault;
use intercom_host::json;
use intercom_host::{self as host, ConnectorError, ConnectorHost, EgressPolicy, Limits, Region};
use serde_json::json;
use std::time::Duration;

const TOKEN: &str = "SECRET-TOKEN-7f3a9c";
const WRONG_TOKEN: &str = "SECRET-WRONG-TOKEN-51d2";
const CLIENT_SECRET: &str = "SECRET-CLIENT-e8b4";

fn assert_clean(what: &str, text: &str) {
    for secret in [TOKEN, WRONG_TOKEN, CLIENT_SECRET, "SECRET-"] {
        assert!(!text.contains(secret), "{what} leaks a secret: {text}");
    }
}

fn outcome<T: std::fmt::Debug>(r: anyhow::Result<Result<T, ConnectorError>>) -> String {
    match r {
        Ok(Ok(v)) => format!("{v:?}"),
        Ok(Err(e)) => format!("{e:?} {}", json::error(&e)),
        Err(e) => format!("{e:#} {e:?}"),
    }
}

#[test]
fn no_failure_path_reveals_the_token_or_the_client_secret() {
    let h = Harness::with_limits(Limits {
        first_byte_timeout: Duration::from_millis(200),
        ..Limits::default()
    });
    h.fake.with_state(|s| s.extra_tokens.push(TOKEN.into()));
    let conn = host::connection(TOKEN, Region::Us, Some(h.fake.base_url()));
    let wrong = host::connection(WRONG_TOKEN, Region::Us, Some(h.fake.base_url()));
    let denied = host::connection(TOKEN, Region::Us, Some("http://198.51.100.1:9".into()));
    let s = |v: serde_json::Value| v.to_string();

    let mut outputs = vec![
        outcome(h.host.test_connection(&wrong)),
        outcome(h.host.test_connection(&denied)),
        outcome(
            h.host
                .run_search(&conn, "find-user", &s(json!({"email": ""}))),
        ),
        outcome(
            h.host
                .run_search(&wrong, "find-lead", &s(json!({"email": "a@b.c"}))),
        ),
        outcome(h.host.run_action(
            &conn,
            "add-note",
            &s(json!({"email": "nobody@example.com", "body": "hi"})),
        )),
        outcome(h.host.run_action(&conn, "add-note", "{not json")),
        outcome(
            h.host
                .run_action(&wrong, "create-user", &s(json!({"email": "a@b.c"}))),
        ),
        outcome(
            h.host
                .poll_trigger(&conn, "new-user", "{}", Some("garbage-cursor")),
        ),
        outcome(h.host.poll_trigger(&wrong, "new-user", "{}", None)),
        outcome(h.host.parse_webhook(
            CLIENT_SECRET,
            &[("X-Hub-Signature".into(), "sha1=00".into())],
            b"{}",
        )),
        outcome(
            h.host
                .parse_webhook(CLIENT_SECRET, &[], b"{\"topic\":\"ping\"}"),
        ),
    ];
    for fault in [
        Fault::RateLimited {
            reset_in_secs: 120,
            retry_after_secs: None,
        },
        Fault::ServerError(503),
        Fault::MalformedJson,
        Fault::Slow(Duration::from_secs(2)),
        Fault::CloseConnection,
    ] {
        h.fake.inject(fault, 3, None);
        outputs.push(outcome(h.host.test_connection(&conn)));
        outputs.push(outcome(h.host.run_search(
            &conn,
            "find-user",
            &s(json!({"email": "a@b.c"})),
        )));
    }
    let no_egress = ConnectorHost::load(
        artifact::component(),
        EgressPolicy::deny_all(),
        Limits::default(),
    )
    .unwrap();
    outputs.push(outcome(no_egress.test_connection(&conn)));

    for (i, text) in outputs.iter().enumerate() {
        assert_clean(&format!("outcome {i}"), text);
    }
    // The token did reach Intercom, in the Authorization header only.
    let reqs = h.fake.requests();
    assert!(reqs
        .iter()
        .any(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
    for r in &reqs {
        assert_clean(
            "a request path or body",
            &format!(
                "{} {:?} {}",
                r.path,
                r.query,
                String::from_utf8_lossy(&r.body)
            ),
        );
    }
}
