//! Upstream faults through the real component: what Intercom received and what the user sees.

mod common;

use common::{kind, Harness};
use intercom_fake::Fault;
use intercom_host::{ConnectorError, Limits};
use serde_json::json;
use std::time::Duration;

fn search(h: &Harness) -> Result<Vec<serde_json::Value>, ConnectorError> {
    h.search("find-user", json!({"email": "ada@example.com"}))
}

#[test]
fn a_long_rate_limit_returns_rate_limited_with_the_wait_and_no_retry() {
    let h = Harness::new();
    h.fake.inject(
        Fault::RateLimited {
            reset_in_secs: 60,
            retry_after_secs: None,
        },
        1,
        None,
    );
    match search(&h).unwrap_err() {
        ConnectorError::RateLimited(r) => {
            assert!(
                (55_000..=61_000).contains(&r.retry_after_ms),
                "{}",
                r.retry_after_ms
            );
            assert!(r.message.contains("rate limit"), "{}", r.message);
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(h.fake.requests().len(), 1, "no tight retry loop");
}

#[test]
fn a_short_rate_limit_is_waited_out_inside_the_call() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    h.fake.inject(
        Fault::RateLimited {
            reset_in_secs: 0,
            retry_after_secs: Some(1),
        },
        1,
        None,
    );
    h.fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    assert_eq!(search(&h).unwrap().len(), 1);
    assert_eq!(h.fake.requests().len(), 2);
}

#[test]
fn server_errors_are_retried_twice_then_typed() {
    let h = Harness::new();
    h.fake.inject(Fault::ServerError(503), 2, None);
    assert!(search(&h).is_ok(), "third attempt succeeds");
    assert_eq!(h.fake.requests().len(), 3);

    h.fake.clear_requests();
    h.fake.inject(Fault::ServerError(500), 3, None);
    match search(&h).unwrap_err() {
        ConnectorError::Upstream(u) => {
            assert_eq!(u.status, 500);
            assert!(u.request_id.is_some(), "request id kept for support");
        }
        e => panic!("{e:?}"),
    }
    assert_eq!(h.fake.requests().len(), 3, "at most two retries");
}

#[test]
fn malformed_json_is_an_upstream_error_not_a_trap() {
    let h = Harness::new();
    h.fake.inject(Fault::MalformedJson, 1, None);
    match search(&h).unwrap_err() {
        ConnectorError::Upstream(u) => {
            assert_eq!(u.status, 200);
            assert!(u.message.contains("not valid JSON"), "{}", u.message);
        }
        e => panic!("{e:?}"),
    }
    assert!(
        h.host.test_connection(&h.conn).unwrap().is_ok(),
        "the host serves the next call"
    );
}

#[test]
fn a_dropped_connection_is_retried() {
    let h = Harness::new();
    h.fake.inject(Fault::CloseConnection, 1, None);
    assert!(h.host.test_connection(&h.conn).unwrap().is_ok());
    assert_eq!(h.fake.requests().len(), 2);
    h.fake.clear_requests();
    h.fake.inject(Fault::CloseConnection, 3, None);
    assert_eq!(
        kind(&h.host.test_connection(&h.conn).unwrap().unwrap_err()),
        "transport"
    );
    assert_eq!(h.fake.requests().len(), 3);
}

#[test]
fn a_silent_server_times_out_on_the_first_byte() {
    let h = Harness::with_limits(Limits {
        first_byte_timeout: Duration::from_millis(300),
        ..Limits::default()
    });
    h.fake.inject(Fault::Slow(Duration::from_secs(5)), 3, None);
    match h.host.test_connection(&h.conn).unwrap().unwrap_err() {
        ConnectorError::Transport(m) => assert!(m.contains("did not answer in time"), "{m}"),
        e => panic!("{e:?}"),
    }
    assert_eq!(
        h.fake.requests().len(),
        3,
        "timeouts are retried like other transport failures"
    );
}

#[test]
fn a_body_that_stalls_times_out_between_bytes() {
    let h = Harness::with_limits(Limits {
        between_bytes_timeout: Duration::from_millis(300),
        ..Limits::default()
    });
    h.fake
        .inject(Fault::StallBody(Duration::from_secs(5)), 3, None);
    assert_eq!(
        kind(&h.host.test_connection(&h.conn).unwrap().unwrap_err()),
        "transport"
    );
}

#[test]
fn the_call_deadline_stops_a_call_and_the_host_serves_the_next() {
    let h = Harness::with_limits(Limits {
        call_timeout: Duration::from_millis(500),
        ..Limits::default()
    });
    h.fake.inject(Fault::Slow(Duration::from_secs(3)), 1, None);
    // The HTTP wait is capped at the budget, so the guest usually sees the timeout first; else
    // the epoch stops it. Either way the call ends (how soon: tests/host_limits.rs).
    match h.host.test_connection(&h.conn) {
        Err(trap) => assert!(format!("{trap:#}").contains("time limit"), "{trap:#}"),
        Ok(result) => assert_eq!(kind(&result.unwrap_err()), "transport"),
    }
    assert!(h.host.test_connection(&h.conn).unwrap().is_ok());
}

#[test]
fn a_response_over_the_size_bound_is_refused_and_the_host_goes_on() {
    let h = Harness::with_limits(Limits {
        max_response_bytes: 64 << 10,
        ..Limits::default()
    });
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let big = "x".repeat(100 << 10);
    h.fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "name": big}));
    match search(&h).map(|items| items.len()) {
        Err(ConnectorError::Transport(m)) => {
            assert!(m.contains("larger than the host allows"), "{m}")
        }
        other => panic!("expected a transport error, got {other:?}"),
    }
    assert_eq!(
        h.fake.requests().len(),
        1,
        "a too-large answer is not fetched again"
    );
    assert!(h.host.test_connection(&h.conn).unwrap().is_ok());
}

#[test]
fn running_out_of_linear_memory_ends_only_that_call() {
    let h = Harness::with_limits(Limits {
        max_memory_bytes: 3 << 20,
        ..Limits::default()
    });
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let big = "x".repeat(4 << 20);
    h.fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "name": big}));
    let outcome = h.host.run_search(
        &h.conn,
        "find-user",
        &json!({"email": "ada@example.com"}).to_string(),
    );
    assert!(outcome.is_err(), "the memory limit ends the call");
    assert!(
        h.host.test_connection(&h.conn).unwrap().is_ok(),
        "the next call is served"
    );
}

/// Requests the fake received whose path starts with `prefix`, as METHOD path.
fn hits(h: &Harness, method: &str, prefix: &str) -> usize {
    h.fake
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path.starts_with(prefix))
        .count()
}

#[test]
fn an_action_retries_only_what_is_safe_to_repeat() {
    let h = Harness::new();
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    let id = ada["id"].as_str().unwrap().to_string();

    // Tagging is idempotent: two 503s are retried and the tag lands once.
    h.fake.inject(
        Fault::ServerError(503),
        2,
        Some(&format!("/contacts/{id}/tags")),
    );
    let tagged = h
        .action("add-tag-to-user", json!({"id": id, "tag": "VIP"}))
        .unwrap();
    assert_eq!(tagged["name"], "VIP", "{tagged}");
    assert_eq!(hits(&h, "POST", &format!("/contacts/{id}/tags")), 3);
    let tags = h.fake.contact(&id).unwrap()["tags"]["data"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(tags, 1);

    // A note would be written twice: a 503 is reported, not retried, and says it may exist.
    h.fake.clear_requests();
    h.fake.inject(
        Fault::ServerError(503),
        1,
        Some(&format!("/contacts/{id}/notes")),
    );
    match h
        .action("add-note", json!({"id": id, "body": "hello"}))
        .unwrap_err()
    {
        ConnectorError::Transport(m) => assert!(m.contains("may have happened"), "{m}"),
        e => panic!("{e:?}"),
    }
    assert_eq!(
        hits(&h, "POST", &format!("/contacts/{id}/notes")),
        1,
        "sent once, never twice"
    );
    assert!(h.fake.notes().is_empty());

    // A long rate limit comes back to the host before anything is written.
    h.fake.clear_requests();
    h.fake.inject(
        Fault::RateLimited {
            reset_in_secs: 90,
            retry_after_secs: None,
        },
        1,
        None,
    );
    assert_eq!(
        kind(
            &h.action("add-note", json!({"id": id, "body": "hello"}))
                .unwrap_err()
        ),
        "rate-limited"
    );
    assert_eq!(h.fake.requests().len(), 1);
    assert!(h.fake.notes().is_empty());
}

#[test]
fn a_poll_survives_server_errors_and_reports_long_rate_limits() {
    let h = Harness::new();
    let first = h.poll("new-user", json!({}), None).unwrap();
    h.fake.advance(2);
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    // Let the fake's search index the new user (it lags writes like Intercom).
    h.fake
        .advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);

    h.fake.clear_requests();
    h.fake.inject(
        Fault::RateLimited {
            reset_in_secs: 90,
            retry_after_secs: None,
        },
        1,
        None,
    );
    assert_eq!(
        kind(
            &h.poll("new-user", json!({}), Some(&first.cursor))
                .unwrap_err()
        ),
        "rate-limited"
    );
    assert_eq!(h.fake.requests().len(), 1);

    h.fake.inject(Fault::ServerError(502), 2, None);
    let page = h.poll("new-user", json!({}), Some(&first.cursor)).unwrap();
    let ids: Vec<&str> = page.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![ada["id"].as_str().unwrap()],
        "the user is emitted once, after the retries"
    );

    h.fake.inject(Fault::MalformedJson, 1, None);
    match h
        .poll("new-user", json!({}), Some(&page.cursor))
        .unwrap_err()
    {
        ConnectorError::Upstream(u) => {
            assert!(u.message.contains("not valid JSON"), "{}", u.message)
        }
        e => panic!("{e:?}"),
    }
    // The cursor was not advanced by the failed poll: nothing is lost.
    h.fake.advance(2);
    let bob = h
        .fake
        .insert_contact(json!({"role": "user", "email": "bob@example.com"}));
    h.fake
        .advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);
    let next = h.poll("new-user", json!({}), Some(&page.cursor)).unwrap();
    let ids: Vec<&str> = next.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, vec![bob["id"].as_str().unwrap()]);
}
