//! Host limits that hold (issue 12, problems 8 and 9): a call that overruns its budget returns
//! within budget + 100 ms whatever the server does, and the compile cache loads nothing it did
//! not check.

mod common;

use common::Harness;
use intercom_fake::artifact;
use intercom_fake::Fault;
use intercom_host::{ConnectorHost, EgressPolicy, Limits, Loaded};
use std::time::{Duration, Instant};

const BUDGET: Duration = Duration::from_millis(500);
/// What the issue allows past the budget.
const SLACK: Duration = Duration::from_millis(100);

/// Runs a search (retried on timeouts, with backoff) against a server misbehaving with `fault`
/// on every attempt; the call must end, with an error, within budget + slack.
fn search_ends_within_budget(fault: Fault) {
    let h = Harness::with_limits(Limits {
        call_timeout: BUDGET,
        ..Limits::default()
    });
    h.fake.inject(fault, 10, Some("/contacts/search"));
    let started = Instant::now();
    let outcome = h
        .host
        .run_search(&h.conn, "find-user", r#"{"email":"ada@example.com"}"#);
    let took = started.elapsed();
    assert!(
        took <= BUDGET + SLACK,
        "the call took {took:?} on a {BUDGET:?} budget"
    );
    match outcome {
        Err(trap) => assert!(format!("{trap:#}").contains("time limit"), "{trap:#}"),
        Ok(result) => assert!(result.is_err(), "a call past its budget cannot succeed"),
    }
}

#[test]
fn a_server_that_stalls_before_the_headers_cannot_hold_a_call_past_its_budget() {
    search_ends_within_budget(Fault::Slow(Duration::from_secs(3)));
}

#[test]
fn a_server_that_stalls_mid_body_cannot_hold_a_call_past_its_budget() {
    search_ends_within_budget(Fault::StallBody(Duration::from_secs(3)));
}

#[test]
fn a_server_that_trickles_cannot_hold_a_call_past_its_budget() {
    // One byte every 40 ms: never silent long enough for the between-bytes timeout.
    search_ends_within_budget(Fault::Trickle(Duration::from_millis(40)));
}

fn load(dir: &std::path::Path) -> Loaded {
    ConnectorHost::load_with_cache(
        artifact::component(),
        Some(dir),
        EgressPolicy::intercom(),
        Limits::default(),
    )
    .expect("the component loads")
    .loaded
}

fn artifacts(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .collect()
}

#[test]
fn a_tampered_cache_file_is_rebuilt_not_loaded() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("cache");
    assert_eq!(load(&dir), Loaded::Compiled);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the cache directory is private");
    }
    assert_eq!(load(&dir), Loaded::FromCache);

    let [artifact] = artifacts(&dir).try_into().expect("one artifact");
    let mut bytes = std::fs::read(&artifact).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&artifact, &bytes).unwrap();
    assert_eq!(load(&dir), Loaded::Compiled, "a changed file is not loaded");
    assert_ne!(
        std::fs::read(&artifact).unwrap(),
        bytes,
        "and it was rebuilt"
    );
    assert_eq!(load(&dir), Loaded::FromCache);
}

#[cfg(unix)]
#[test]
fn a_cache_directory_others_can_write_is_neither_read_nor_written() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    assert_eq!(load(&dir), Loaded::Compiled);
    assert!(
        artifacts(&dir).is_empty(),
        "nothing written where others can write"
    );
}
