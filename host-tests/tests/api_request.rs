//! api-request through the real component: the request that reached the fake (host, token,
//! version, query, body), statuses as data, the typed 401/403/429, a POST never repeated, and
//! paths that could leave the host refused before anything is sent.

mod common;

use common::{invalid_field, kind, Harness};
use intercom_fake::Fault;
use serde_json::json;

#[test]
fn a_get_carries_the_token_version_and_encoded_query() {
    let h = Harness::new();
    h.fake
        .insert_company(json!({"company_id": "sup-1", "name": "Support & Success"}));
    let out = h
        .action(
            "api-request",
            json!({"method": "GET", "path": "/companies", "query": {"name": "Support & Success"}}),
        )
        .unwrap();
    assert_eq!(out["status"], 200, "{out}");
    assert_eq!(out["body"]["data"][0]["company_id"], "sup-1", "{out}");
    let reqs = h.fake.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("GET", "/companies"));
    assert_eq!(
        r.query,
        vec![("name".to_string(), "Support & Success".to_string())]
    );
    assert_eq!(
        r.header("authorization"),
        Some("Bearer fake-intercom-token-123")
    );
    assert_eq!(r.header("intercom-version"), Some("2.16"));
}

#[test]
fn a_post_sends_its_body_and_other_statuses_come_back_as_data() {
    let h = Harness::new();
    let out = h
        .action(
            "api-request",
            json!({"method": "POST", "path": "/contacts", "body": {"role": "user", "email": "raw@example.com"}}),
        )
        .unwrap();
    assert_eq!(out["status"], 200);
    assert_eq!(out["body"]["email"], "raw@example.com");
    assert_eq!(h.fake.contacts().len(), 1);

    let out = h
        .action(
            "api-request",
            json!({"method": "GET", "path": "/contacts/nope"}),
        )
        .unwrap();
    assert_eq!(out["status"], 404, "{out}");
    assert_eq!(out["body"]["type"], "error.list");
    assert_eq!(out["request_id"], out["body"]["request_id"]);
    assert!(out["request_id"].is_string());
}

#[test]
fn a_post_is_never_repeated_a_get_is_retried() {
    let h = Harness::new();
    h.fake.inject(Fault::ServerError(503), 1, Some("/contacts"));
    let out = h
        .action(
            "api-request",
            json!({"method": "POST", "path": "/contacts", "body": {"role": "lead"}}),
        )
        .unwrap();
    assert_eq!(
        out["status"], 503,
        "the outcome is unknown: reported, not resent"
    );
    assert_eq!(h.fake.requests().len(), 1);

    h.fake.clear_requests();
    h.fake.inject(Fault::ServerError(503), 1, Some("/me"));
    let out = h
        .action("api-request", json!({"method": "GET", "path": "/me"}))
        .unwrap();
    assert_eq!(out["status"], 200);
    assert_eq!(h.fake.requests().len(), 2, "a GET is retried after a 503");
}

#[test]
fn unauthorized_and_rate_limited_are_the_usual_errors() {
    let mut h = Harness::new();
    h.fake.inject(
        Fault::RateLimited {
            reset_in_secs: 60,
            retry_after_secs: Some(60),
        },
        1,
        None,
    );
    let e = h
        .action("api-request", json!({"method": "GET", "path": "/me"}))
        .unwrap_err();
    assert_eq!(kind(&e), "rate-limited");
    h.conn.access_token = "not-a-valid-token".into();
    let e = h
        .action("api-request", json!({"method": "GET", "path": "/me"}))
        .unwrap_err();
    assert_eq!(kind(&e), "unauthorized");
    assert!(!format!("{e:?}").contains("not-a-valid-token"));
}

#[test]
fn paths_that_could_leave_the_host_send_nothing() {
    let h = Harness::new();
    for path in [
        "//evil.example/x",
        "https://evil.example",
        "/../x",
        "/contacts#x",
        "/contacts/%2e%2e/me",
        "contacts",
        "/contacts?per_page=1",
    ] {
        let e = h
            .action("api-request", json!({"method": "GET", "path": path}))
            .unwrap_err();
        assert_eq!(invalid_field(&e), "path", "{path}");
    }
    let e = h
        .action("api-request", json!({"method": "PATCH", "path": "/me"}))
        .unwrap_err();
    assert_eq!(invalid_field(&e), "method");
    let e = h
        .action(
            "api-request",
            json!({"method": "GET", "path": "/me", "body": {}}),
        )
        .unwrap_err();
    assert_eq!(invalid_field(&e), "body");
    // A query value that is not text names its parameter.
    let e = h
        .action(
            "api-request",
            json!({"method": "GET", "path": "/companies", "query": {"name": "x", "per_page": 5}}),
        )
        .unwrap_err();
    assert_eq!(invalid_field(&e), "query.per_page");
    assert!(h.fake.requests().is_empty(), "{:?}", h.calls());
}
