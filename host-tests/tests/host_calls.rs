//! How the embeddable host runs calls (issue 17): a thread's calls share one keep-alive
//! connection, calls from several threads run side by side (the host serialises nothing), and a
//! call made from async code is refused with an error that says what to do, not a panic.

mod common;

use common::Harness;
use intercom_fake::Fault;
use serde_json::json;
use std::time::Duration;

fn harness_with_ada() -> Harness {
    let h = Harness::new();
    // These tests are about the host, not the search index's lag.
    h.fake.set_search_lag(0);
    h.fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    h
}

#[test]
fn calls_on_one_thread_share_one_keep_alive_connection() {
    let h = harness_with_ada();
    for _ in 0..5 {
        let found = h
            .search("find-user", json!({"email": "ada@example.com"}))
            .expect("found");
        assert_eq!(found.len(), 1);
    }
    assert_eq!(h.fake.requests().len(), 5);
    assert_eq!(h.fake.connections_accepted(), 1);
}

#[test]
fn calls_from_eight_threads_reach_intercom_side_by_side() {
    let h = harness_with_ada();
    // Each search waits 300 ms in the fake: calls the host ran one after another would never
    // be in the fake at the same time.
    h.fake.inject(
        Fault::Slow(Duration::from_millis(300)),
        8,
        Some("/contacts/search"),
    );
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let found = h
                    .search("find-user", json!({"email": "ada@example.com"}))
                    .expect("found");
                assert_eq!(found.len(), 1);
            });
        }
    });
    assert_eq!(h.fake.requests().len(), 8);
    let peak = h.fake.peak_concurrent_requests();
    assert!(
        peak >= 2,
        "the fake never had two searches at once (peak {peak})"
    );
}

#[test]
fn a_call_from_async_code_is_refused_with_what_to_do_instead() {
    let h = harness_with_ada();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let outcome = runtime.block_on(async {
        h.host
            .run_search(&h.conn, "find-user", r#"{"email": "ada@example.com"}"#)
    });
    let error = outcome.expect_err("refused");
    assert!(format!("{error:#}").contains("spawn_blocking"), "{error:#}");
    assert!(h.fake.requests().is_empty());
    // The same host still serves calls from a plain thread.
    let found = h
        .search("find-user", json!({"email": "ada@example.com"}))
        .expect("found");
    assert_eq!(found.len(), 1);
}
