//! find-or-create-user/lead/company through the real component: found records are returned
//! untouched, new ones created once, concurrent calls end with one record, and a 409 naming a
//! different person is a conflict, not a write onto them. The fake's search lags behind writes
//! as Intercom's does.

mod common;

use common::{kind, Harness};
use serde_json::{json, Value};

/// Intercom's search index lags behind writes; minutes in practice (see the fake's state).
fn with_search_lag(h: &Harness) {
    h.fake.with_state(|st| st.search_lag_secs = 120);
}

fn posts(h: &Harness, path: &str) -> usize {
    h.calls()
        .iter()
        .filter(|(m, p)| m == "POST" && p == path)
        .count()
}

/// Lets the fake's search index catch up with what the test seeded (Intercom's search lags
/// writes; these tests are about records that existed before the call).
fn caught_up(h: &Harness) {
    h.fake
        .advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);
}

#[test]
fn describe_pairs_each_search_with_its_find_or_create() {
    let h = Harness::new();
    let info = h.host.describe().unwrap();
    let pair = |key: &str| {
        info.operations
            .iter()
            .find(|o| o.key == key)
            .and_then(|o| o.find_or_create.clone())
    };
    assert_eq!(pair("find-user").as_deref(), Some("find-or-create-user"));
    assert_eq!(pair("find-lead").as_deref(), Some("find-or-create-lead"));
    assert_eq!(
        pair("find-company").as_deref(),
        Some("find-or-create-company")
    );
    assert_eq!(pair("create-user"), None);
    for key in [
        "find-or-create-user",
        "find-or-create-lead",
        "find-or-create-company",
    ] {
        assert!(info.operations.iter().any(|o| o.key == key), "{key}");
    }
}

#[test]
fn an_existing_user_is_found_and_left_unchanged() {
    let h = Harness::new();
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "name": "Ada"}));
    caught_up(&h);
    let out = h
        .action(
            "find-or-create-user",
            json!({"email": "ada@example.com", "name": "Other"}),
        )
        .unwrap();
    assert_eq!(out["outcome"], "found");
    assert_eq!(out["id"], ada["id"]);
    assert_eq!(
        h.fake.contact(ada["id"].as_str().unwrap()).unwrap()["name"],
        "Ada"
    );
    assert_eq!(posts(&h, "/contacts"), 0);
}

#[test]
fn two_concurrent_calls_for_a_new_user_end_with_one_user() {
    let h = Harness::new();
    with_search_lag(&h);
    let input = json!({"email": "new@example.com", "name": "New"});
    let outcomes: Vec<Value> = std::thread::scope(|s| {
        let a = s.spawn(|| h.action("find-or-create-user", input.clone()).unwrap());
        let b = s.spawn(|| h.action("find-or-create-user", input.clone()).unwrap());
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(h.fake.contacts().len(), 1, "one user");
    assert_eq!(outcomes[0]["id"], outcomes[1]["id"]);
    let mut o: Vec<&str> = outcomes
        .iter()
        .map(|v| v["outcome"].as_str().unwrap())
        .collect();
    o.sort();
    assert_eq!(o, vec!["created", "found"]);
}

#[test]
fn a_conflict_with_a_different_person_writes_nothing() {
    let h = Harness::new();
    // Same email, no external_id: Intercom refuses a second user with this email (409 naming
    // this one), which does not carry the external_id asked for.
    let other = h
        .fake
        .insert_contact(json!({"role": "user", "email": "shared@example.com", "name": "Someone"}));
    let before = h.fake.contact(other["id"].as_str().unwrap()).unwrap();
    let e = h
        .action(
            "find-or-create-user",
            json!({"email": "shared@example.com", "external_id": "u-77", "name": "Me"}),
        )
        .unwrap_err();
    assert_eq!(kind(&e), "conflict", "{e:?}");
    assert_eq!(h.fake.contacts().len(), 1);
    assert_eq!(
        h.fake.contact(other["id"].as_str().unwrap()).unwrap(),
        before,
        "untouched"
    );
    assert!(!h.calls().iter().any(|(m, _)| m == "PUT"));
}

#[test]
fn a_user_is_created_when_none_matches() {
    let h = Harness::new();
    let out = h
        .action(
            "find-or-create-user",
            json!({"external_id": "u-1", "email": "u1@example.com"}),
        )
        .unwrap();
    assert_eq!(out["outcome"], "created");
    assert_eq!(out["external_id"], "u-1");
    let again = h
        .action("find-or-create-user", json!({"external_id": "u-1"}))
        .unwrap();
    assert_eq!(
        (again["outcome"].as_str(), &again["id"]),
        (Some("found"), &out["id"])
    );
}

#[test]
fn leads_are_found_by_search_or_created() {
    let h = Harness::new();
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "lead@example.com"}));
    caught_up(&h);
    let out = h
        .action("find-or-create-lead", json!({"email": "lead@example.com"}))
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), &out["id"]),
        (Some("found"), &lead["id"])
    );
    let out = h
        .action(
            "find-or-create-lead",
            json!({"email": "fresh@example.com", "name": "Fresh"}),
        )
        .unwrap();
    assert_eq!(out["outcome"], "created");
    assert_eq!(out["role"], "lead");
    let e = h
        .action("find-or-create-lead", json!({"id": "no-such-lead"}))
        .unwrap_err();
    assert_eq!(kind(&e), "not-found");
}

#[test]
fn two_concurrent_calls_for_a_new_company_end_with_one_company() {
    let h = Harness::new();
    let input = json!({"company_id": "acme-1", "name": "Acme"});
    let outcomes: Vec<Value> = std::thread::scope(|s| {
        let a = s.spawn(|| h.action("find-or-create-company", input.clone()).unwrap());
        let b = s.spawn(|| h.action("find-or-create-company", input.clone()).unwrap());
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(
        h.fake.companies().len(),
        1,
        "companies are upserts by company_id"
    );
    assert_eq!(outcomes[0]["id"], outcomes[1]["id"]);

    let found = h
        .action(
            "find-or-create-company",
            json!({"company_id": "acme-1", "name": "Renamed"}),
        )
        .unwrap();
    assert_eq!(found["outcome"], "found");
    assert_eq!(
        h.fake.companies()[0]["name"],
        "Acme",
        "an existing company is not changed"
    );
}
