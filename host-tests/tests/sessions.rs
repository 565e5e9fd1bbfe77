//! Sessions (issue 17): a platform's run of calls for one connection on one kept instance. The
//! answers and the requests that reach Intercom are those of fresh-instance calls; a trap leaves
//! the next call a fresh instance, never a broken one.

mod common;

use common::Harness;
use intercom_host::{json, Limits};
use serde_json::json;

fn harness_with_ada(limits: Limits) -> Harness {
    let h = Harness::with_limits(limits);
    // About the host, not the search index's lag.
    h.fake.set_search_lag(0);
    h.fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    h
}

#[test]
fn a_session_serves_its_connections_calls_on_one_instance() {
    let h = harness_with_ada(Limits::default());
    let input = r#"{"email": "ada@example.com"}"#;
    let fresh = h
        .host
        .run_search(&h.conn, "find-user", input)
        .unwrap()
        .unwrap();
    h.fake.clear_requests();

    let mut session = h.host.session(&h.conn);
    for _ in 0..3 {
        let found = session.run_search("find-user", input).unwrap().unwrap();
        assert_eq!(found, fresh, "the same items as a fresh instance gives");
    }
    let tagged = session
        .run_action(
            "add-tag-to-user",
            r#"{"email": "ada@example.com", "tag": "vip"}"#,
        )
        .unwrap()
        .unwrap();
    assert_eq!(json::parse(&tagged)["name"], "vip", "{tagged}");
    let page = session
        .poll_trigger("new-user", "{}", None)
        .unwrap()
        .unwrap();
    // A second poll from the first one's cursor: the session keeps no cursor of its own.
    let again = session
        .poll_trigger("new-user", "{}", Some(&page.cursor))
        .unwrap()
        .unwrap();
    assert!(
        again.events.is_empty(),
        "nothing emitted twice: {:?}",
        again.events
    );
    // An input error is an answer, not a trap: the instance is kept.
    let bad = session.run_search("find-user", r#"{"email": 5}"#).unwrap();
    assert!(bad.is_err());
    session.run_search("find-user", input).unwrap().unwrap();

    assert_eq!(session.instances(), 1, "every call on the one instance");
    let searches = h
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/contacts/search")
        .count();
    assert!(searches >= 4, "each search reached Intercom: {searches}");
    let tags = h.fake.tags();
    assert_eq!((tags.len(), &tags[0]["name"]), (1, &json!("vip")));
    assert!(h.fake.requests().iter().any(|r| r.method == "POST"
        && r.path.ends_with("/tags")
        && r.path.starts_with("/contacts/")));
}

#[test]
fn after_a_trap_the_next_call_gets_a_fresh_instance() {
    // Room for a search, not for 150 contacts read, parsed and written out again.
    let limits = Limits {
        max_memory_bytes: 2 << 20,
        ..Limits::default()
    };
    let h = harness_with_ada(limits);
    for i in 0..150 {
        h.fake.insert_contact(json!({
            "role": "user",
            "email": format!("user{i}@example.com"),
            "name": "x".repeat(200),
        }));
    }
    let mut session = h.host.session(&h.conn);
    session
        .run_search("find-user", r#"{"email": "ada@example.com"}"#)
        .unwrap()
        .unwrap();
    let trap = session
        .run_action(
            "api-request",
            r#"{"method": "GET", "path": "/contacts", "query": {"per_page": "150"}}"#,
        )
        .expect_err("the memory limit stops the call");
    assert!(
        format!("{trap:#}").contains("aborted"),
        "a trap a person understands: {trap:#}"
    );
    assert_eq!(session.instances(), 1);
    let found = session
        .run_search("find-user", r#"{"email": "ada@example.com"}"#)
        .unwrap()
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        session.instances(),
        2,
        "the trapped instance was not reused"
    );
}
