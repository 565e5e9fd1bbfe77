//! The three seed searches through the real component, with the exact requests Intercom received.

mod common;

use common::{invalid_field, kind, Harness};
use serde_json::{json, Value};

fn ids(items: &[Value]) -> Vec<&str> {
    items.iter().map(|c| c["id"].as_str().unwrap()).collect()
}

#[test]
fn find_user_by_email_sends_a_role_and_email_search() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    h.fake
        .insert_contact(json!({"role": "lead", "email": "ada@example.com"}));
    h.fake
        .insert_contact(json!({"role": "user", "email": "bob@example.com"}));

    let found = h
        .search("find-user", json!({"email": "ada@example.com"}))
        .unwrap();
    assert_eq!(
        ids(&found),
        vec![ada["id"].as_str().unwrap()],
        "only the user, never the lead"
    );

    let reqs = h.fake.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/contacts/search")
    );
    assert_eq!(
        r.header("authorization"),
        Some("Bearer fake-intercom-token-123")
    );
    assert_eq!(r.header("intercom-version"), Some("2.16"));
    assert_eq!(r.header("accept"), Some("application/json"));
    assert_eq!(
        r.json().unwrap(),
        json!({
            "query": {"operator": "AND", "value": [
                {"field": "role", "operator": "=", "value": "user"},
                {"field": "email", "operator": "=", "value": "ada@example.com"}
            ]},
            "sort": {"field": "updated_at", "order": "descending"},
            "pagination": {"per_page": 50}
        })
    );
}

#[test]
fn find_user_by_external_id_or_user_id_uses_find_by_external_id() {
    let h = Harness::new();
    let ada = h.fake.insert_contact(
        json!({"role": "user", "email": "ada@example.com", "external_id": "acct/42"}),
    );
    for input in [
        json!({"external_id": "acct/42"}),
        json!({"user_id": "acct/42"}),
    ] {
        let found = h.search("find-user", input).unwrap();
        assert_eq!(ids(&found), vec![ada["id"].as_str().unwrap()]);
    }
    let paths: Vec<_> = h.calls();
    assert_eq!(
        paths,
        vec![
            (
                "GET".to_string(),
                "/contacts/find_by_external_id/acct%2F42".to_string()
            );
            2
        ],
        "the id is percent-encoded as one path segment"
    );
    // Numeric ids from workflow tools are accepted as text.
    h.fake
        .insert_contact(json!({"role": "user", "external_id": "42"}));
    assert_eq!(
        h.search("find-user", json!({"user_id": 42})).unwrap().len(),
        1
    );
}

#[test]
fn find_user_with_email_and_external_id_needs_both_to_match() {
    let h = Harness::new();
    h.fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    assert_eq!(
        h.search(
            "find-user",
            json!({"external_id": "u-1", "email": "ADA@example.com"})
        )
        .unwrap()
        .len(),
        1
    );
    assert!(h
        .search(
            "find-user",
            json!({"external_id": "u-1", "email": "other@example.com"})
        )
        .unwrap()
        .is_empty());
}

#[test]
fn find_user_by_intercom_id_and_not_found_is_empty() {
    let h = Harness::new();
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "l@example.com"}));
    let id = ada["id"].as_str().unwrap();
    assert_eq!(
        ids(&h.search("find-user", json!({"id": id})).unwrap()),
        vec![id]
    );
    assert!(
        h.search("find-user", json!({"id": lead["id"]}))
            .unwrap()
            .is_empty(),
        "a lead is not a user"
    );
    assert!(h
        .search("find-user", json!({"id": "0123456789abcdef01234567"}))
        .unwrap()
        .is_empty());
    assert!(h
        .search("find-user", json!({"external_id": "nope"}))
        .unwrap()
        .is_empty());
    assert!(h
        .search("find-user", json!({"email": "nobody@example.com"}))
        .unwrap()
        .is_empty());
    let calls = h.calls();
    assert_eq!(calls[0], ("GET".into(), format!("/contacts/{id}")));
    assert_eq!(
        calls[3],
        ("GET".into(), "/contacts/find_by_external_id/nope".into())
    );
    assert_eq!(calls[4], ("POST".into(), "/contacts/search".into()));
}

#[test]
fn find_user_follows_a_merged_contact_to_its_canonical_record() {
    let h = Harness::new();
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "same@example.com"}));
    let user = h
        .fake
        .insert_contact(json!({"role": "user", "email": "same@example.com"}));
    let merged = h.action_raw_merge(lead["id"].as_str().unwrap(), user["id"].as_str().unwrap());
    assert!(merged, "the fake merged the contacts");
    let found = h.search("find-user", json!({"id": lead["id"]})).unwrap();
    assert_eq!(ids(&found), vec![user["id"].as_str().unwrap()]);
    let calls = h.calls();
    assert_eq!(
        calls.len(),
        2,
        "one 410, then exactly one follow: {calls:?}"
    );
    assert_eq!(
        calls[1].1,
        format!("/contacts/{}", user["id"].as_str().unwrap())
    );
}

trait MergeDirect {
    fn action_raw_merge(&self, from: &str, into: &str) -> bool;
}

impl MergeDirect for Harness {
    /// Marks `from` merged into `into` in the fake's state, so this test does not depend on the merge action.
    fn action_raw_merge(&self, from: &str, into: &str) -> bool {
        self.fake.with_state(|s| match s.contact_mut(from) {
            Some(c) => {
                c.status = intercom_fake::state::ContactStatus::Merged {
                    into: into.to_string(),
                };
                true
            }
            None => false,
        })
    }
}

#[test]
fn find_lead_by_email_phone_and_id() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let grace = h.fake.insert_contact(
        json!({"role": "lead", "email": "grace@example.com", "phone": "+15550100"}),
    );
    h.fake.insert_contact(
        json!({"role": "user", "email": "grace@example.com", "phone": "+15550100"}),
    );
    let gid = grace["id"].as_str().unwrap();
    assert_eq!(
        ids(&h
            .search("find-lead", json!({"email": "grace@example.com"}))
            .unwrap()),
        vec![gid]
    );
    assert_eq!(
        ids(&h
            .search("find-lead", json!({"phone": "+15550100"}))
            .unwrap()),
        vec![gid]
    );
    assert_eq!(
        ids(&h.search("find-lead", json!({"id": gid})).unwrap()),
        vec![gid]
    );
    assert!(h
        .search("find-lead", json!({"phone": "+1999"}))
        .unwrap()
        .is_empty());
    let phone_search = &h.fake.requests()[1];
    assert_eq!(
        phone_search.json().unwrap()["query"],
        json!({"operator": "AND", "value": [
            {"field": "role", "operator": "=", "value": "lead"},
            {"field": "phone", "operator": "=", "value": "+15550100"}
        ]})
    );
}

#[test]
fn find_company_by_company_id_name_and_id() {
    let h = Harness::new();
    let acme = h
        .fake
        .insert_company(json!({"company_id": "acme-1", "name": "Acme Inc"}));
    h.fake
        .insert_company(json!({"company_id": "other", "name": "Other"}));
    let aid = acme["id"].as_str().unwrap();
    assert_eq!(
        ids(&h
            .search("find-company", json!({"company_id": "acme-1"}))
            .unwrap()),
        vec![aid]
    );
    assert_eq!(
        ids(&h
            .search("find-company", json!({"name": "Acme Inc"}))
            .unwrap()),
        vec![aid]
    );
    assert_eq!(
        ids(&h.search("find-company", json!({"id": aid})).unwrap()),
        vec![aid]
    );
    assert!(h
        .search("find-company", json!({"company_id": "missing"}))
        .unwrap()
        .is_empty());
    let reqs = h.fake.requests();
    assert_eq!(reqs[0].path, "/companies");
    assert_eq!(reqs[0].query_param("company_id"), Some("acme-1"));
    assert_eq!(reqs[1].query_param("name"), Some("Acme Inc"));
    assert_eq!(reqs[2].path, format!("/companies/{aid}"));
}

#[test]
fn bad_search_input_names_the_field_and_sends_nothing() {
    let h = Harness::new();
    let cases = [
        ("find-user", json!({}), "id"),
        ("find-user", json!({"email": ""}), "email"),
        ("find-user", json!({"email": 5}), "email"),
        ("find-user", json!({"emial": "a@b.c"}), "emial"),
        ("find-lead", json!({"phone": ["x"]}), "phone"),
        ("find-company", json!({"company_id": true}), "company_id"),
    ];
    for (key, input, field) in cases {
        let err = h.search(key, input.clone()).unwrap_err();
        assert_eq!(invalid_field(&err), field, "{key} {input}");
    }
    let err = h
        .host
        .run_search(&h.conn, "find-user", "not json")
        .unwrap()
        .unwrap_err();
    assert_eq!(kind(&err), "invalid-input");
    let err = h.search("find-everything", json!({})).unwrap_err();
    assert_eq!(invalid_field(&err), "key");
    assert!(h.fake.requests().is_empty(), "nothing reaches Intercom");
}
