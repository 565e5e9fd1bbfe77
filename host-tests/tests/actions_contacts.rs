//! Contact actions through the real component: create/update users and leads (the seed's three
//! scenarios, 409 recovery, archived contacts), custom attributes, events, notes, merge.

mod common;

use common::{invalid_field, kind, Harness};
use intercom_host::json;
use serde_json::{json, Value};

fn message(e: &intercom_host::ConnectorError) -> String {
    json::error(e)["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Requests as (METHOD, path) with their JSON bodies.
fn writes(h: &Harness) -> Vec<(String, String, Value)> {
    h.fake
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET" && r.path != "/contacts/search")
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.json().unwrap_or(Value::Null),
            )
        })
        .collect()
}

fn users(h: &Harness) -> Vec<Value> {
    h.fake
        .contacts()
        .into_iter()
        .filter(|c| c["role"] == "user")
        .collect()
}

#[test]
fn scenario_1_missing_user_is_created_with_email_and_external_id() {
    let h = Harness::new();
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "ada@example.com", "user_id": "u-1", "name": "Ada"}),
        )
        .unwrap();
    assert_eq!(out["outcome"], "created");
    assert_eq!(out["external_id"], "u-1");
    let calls = h.calls();
    assert_eq!(
        calls[0],
        ("GET".into(), "/contacts/find_by_external_id/u-1".into())
    );
    assert_eq!(calls[1], ("POST".into(), "/contacts/search".into()));
    assert_eq!(
        writes(&h),
        vec![(
            "POST".into(),
            "/contacts".into(),
            json!({"role": "user", "email": "ada@example.com", "external_id": "u-1", "name": "Ada"})
        )]
    );
    let all = users(&h);
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0]["email"].as_str(), all[0]["name"].as_str()),
        (Some("ada@example.com"), Some("Ada"))
    );
}

#[test]
fn scenario_2_user_found_by_email_without_external_id_gets_it() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    let id = ada["id"].as_str().unwrap();
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "ada@example.com", "external_id": "u-1"}),
        )
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["id"].as_str()),
        (Some("updated"), Some(id))
    );
    assert_eq!(
        writes(&h),
        vec![(
            "PUT".into(),
            format!("/contacts/{id}"),
            json!({"email": "ada@example.com", "external_id": "u-1"})
        )]
    );
    let all = users(&h);
    assert_eq!(all.len(), 1, "no duplicate");
    assert_eq!(all[0]["external_id"], "u-1");
}

#[test]
fn scenario_3_other_external_id_creates_a_new_user_and_email_only_updates() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "ada@example.com", "external_id": "u-2"}),
        )
        .unwrap();
    assert_eq!(out["outcome"], "created");
    assert_ne!(out["id"], ada["id"]);
    assert_eq!(users(&h).len(), 2);

    // Both match: update.
    h.fake.clear_requests();
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "ada@example.com", "external_id": "u-1", "name": "Ada L"}),
        )
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), &out["id"]),
        (Some("updated"), &ada["id"])
    );
    assert_eq!(
        h.calls().len(),
        2,
        "find_by_external_id hit, then one PUT: {:?}",
        h.calls()
    );

    // Only the email: update the most recently updated user with it.
    h.fake.advance(10);
    h.fake.clear_requests();
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "ada@example.com", "phone": "+15550100"}),
        )
        .unwrap();
    assert_eq!(out["outcome"], "updated");
    assert_eq!(out["phone"], "+15550100");
    assert_eq!(users(&h).len(), 2, "still two users");
    assert_eq!(writes(&h).len(), 1);
}

#[test]
fn a_409_from_create_updates_the_existing_user_instead() {
    let h = Harness::new();
    // Search lags behind writes: the user exists but search cannot see it yet.
    h.fake.with_state(|s| s.search_lag_secs = 600);
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    let id = ada["id"].as_str().unwrap();
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "ada@example.com", "external_id": "u-9"}),
        )
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["id"].as_str()),
        (Some("updated"), Some(id))
    );
    let w = writes(&h);
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!((w[0].0.as_str(), w[0].1.as_str()), ("POST", "/contacts"));
    assert_eq!(
        (w[1].0.clone(), w[1].1.clone()),
        ("PUT".to_string(), format!("/contacts/{id}"))
    );
    let all = users(&h);
    assert_eq!(all.len(), 1, "never a duplicate");
    assert_eq!(all[0]["external_id"], "u-9");
}

#[test]
fn an_archived_match_is_unarchived_then_updated() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let old = h
        .fake
        .insert_contact(json!({"role": "user", "email": "old@example.com", "archived": true}));
    let id = old["id"].as_str().unwrap();
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "old@example.com", "name": "Back"}),
        )
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["id"].as_str()),
        (Some("updated"), Some(id))
    );
    let w: Vec<(String, String)> = writes(&h).into_iter().map(|(m, p, _)| (m, p)).collect();
    assert_eq!(
        w,
        vec![
            ("POST".into(), "/contacts".into()),
            ("POST".into(), format!("/contacts/{id}/unarchive")),
            ("PUT".into(), format!("/contacts/{id}")),
        ]
    );
    let c = h.fake.contact(id).unwrap();
    assert_eq!(c["name"], "Back");
    assert_eq!(users(&h).len(), 1);
    // Searchable again, i.e. no longer archived.
    assert_eq!(
        h.search("find-user", json!({"email": "old@example.com"}))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn create_user_refuses_a_duplicate_and_names_it() {
    let h = Harness::new();
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    let created = h
        .action(
            "create-user",
            json!({"email": "bob@example.com", "name": "Bob"}),
        )
        .unwrap();
    assert_eq!(created["role"], "user");
    let err = h
        .action("create-user", json!({"user_id": "u-1"}))
        .unwrap_err();
    assert_eq!(kind(&err), "conflict");
    assert!(
        message(&err).contains(ada["id"].as_str().unwrap()),
        "{}",
        message(&err)
    );
    assert_eq!(users(&h).len(), 2);
}

#[test]
fn company_is_created_and_attached_with_the_user() {
    let h = Harness::new();
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "ada@example.com", "company": {"company_id": "acme", "name": "Acme"}}),
        )
        .unwrap();
    let companies = h.fake.companies();
    assert_eq!(companies.len(), 1);
    assert_eq!(companies[0]["name"], "Acme");
    assert_eq!(out["company"]["id"], companies[0]["id"]);
    let user = h.fake.contact(out["id"].as_str().unwrap()).unwrap();
    assert_eq!(user["companies"]["data"][0]["id"], companies[0]["id"]);
    let w = writes(&h);
    assert_eq!(
        w[1],
        (
            "POST".into(),
            "/companies".into(),
            json!({"company_id": "acme", "name": "Acme"})
        )
    );
    assert_eq!(
        w[2].1,
        format!("/contacts/{}/companies", out["id"].as_str().unwrap())
    );
}

#[test]
fn leads_update_by_id_or_email_else_create() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let grace = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "grace@example.com"}));
    let user = h
        .fake
        .insert_contact(json!({"role": "user", "email": "u@example.com"}));
    let out = h
        .action(
            "create-or-update-lead",
            json!({"email": "grace@example.com", "name": "Grace"}),
        )
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), &out["id"]),
        (Some("updated"), &grace["id"])
    );
    let out = h
        .action(
            "create-or-update-lead",
            json!({"id": grace["id"], "phone": "+1555"}),
        )
        .unwrap();
    assert_eq!(out["phone"], "+1555");
    let out = h
        .action("create-or-update-lead", json!({"email": "new@example.com"}))
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["role"].as_str()),
        (Some("created"), Some("lead"))
    );
    // A user's id is not a lead's.
    let err = h
        .action(
            "create-or-update-lead",
            json!({"id": user["id"], "name": "x"}),
        )
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(message(&err).contains("is a user"), "{}", message(&err));
    assert_eq!(
        h.fake.contact(user["id"].as_str().unwrap()).unwrap()["name"],
        Value::Null
    );
    assert_eq!(h.fake.contacts().len(), 3);
}

#[test]
fn custom_attributes_are_typed_in_the_schema_and_checked_before_writing() {
    let h = Harness::new();
    h.fake.with_state(|s| {
        s.add_data_attribute("contact", "seats", "integer");
        s.add_data_attribute("contact", "tier", "string");
        s.add_data_attribute("contact", "locked", "string");
        for a in s.data_attributes.iter_mut() {
            if a["name"] == "tier" && a["custom"] == true {
                a["options"] = json!(["gold", "silver"]);
            }
            if a["name"] == "locked" {
                a["api_writable"] = json!(false);
            }
        }
        s.add_data_attribute("company", "arr", "float");
    });
    let schema = json::parse(
        &h.host
            .input_schema(&h.conn, "create-or-update-user")
            .unwrap()
            .unwrap(),
    );
    let ca = &schema["properties"]["custom_attributes"];
    assert_eq!(ca["properties"]["seats"]["type"], "integer");
    assert_eq!(ca["properties"]["tier"]["enum"], json!(["gold", "silver"]));
    assert!(
        ca["properties"].get("locked").is_none(),
        "read-only attributes are not offered"
    );
    assert!(
        ca["properties"].get("arr").is_none(),
        "company attributes are not contact ones"
    );
    assert_eq!(h.fake.requests()[0].query_param("model"), Some("contact"));
    let company = json::parse(
        &h.host
            .input_schema(&h.conn, "update-company")
            .unwrap()
            .unwrap(),
    );
    assert_eq!(
        company["properties"]["custom_attributes"]["properties"]["arr"]["type"],
        "number"
    );
    // Operations without custom attributes get their static schema without any request.
    h.fake.clear_requests();
    h.host.input_schema(&h.conn, "find-user").unwrap().unwrap();
    assert!(h.fake.requests().is_empty());

    for (attrs, field) in [
        (json!({"seats": "many"}), "custom_attributes.seats"),
        (json!({"tier": "bronze"}), "custom_attributes.tier"),
        (json!({"locked": "x"}), "custom_attributes.locked"),
        (json!({"unknown": 1}), "custom_attributes.unknown"),
    ] {
        h.fake.clear_requests();
        let err = h
            .action(
                "create-or-update-user",
                json!({"email": "a@example.com", "custom_attributes": attrs}),
            )
            .unwrap_err();
        assert_eq!(invalid_field(&err), field);
        assert_eq!(
            h.calls(),
            vec![("GET".to_string(), "/data_attributes".to_string())],
            "nothing written"
        );
    }
    let out = h
        .action(
            "create-user",
            json!({"email": "a@example.com", "custom_attributes": {"seats": "12", "tier": "gold"}}),
        )
        .unwrap();
    assert_eq!(
        out["custom_attributes"],
        json!({"seats": 12, "tier": "gold"})
    );
    // Without custom attributes, no data attribute request.
    h.fake.clear_requests();
    h.action("create-user", json!({"email": "b@example.com"}))
        .unwrap();
    assert_eq!(
        h.calls(),
        vec![("POST".to_string(), "/contacts".to_string())]
    );
}

#[test]
fn events_for_users_and_leads_with_checked_metadata() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "lead@example.com"}));
    let out = h
        .action("add-event", json!({"event_name": "upgraded", "user_id": "u-1", "created_at": "2025-01-31T12:00:00Z",
                                     "metadata": {"plan": "pro", "seats": 3, "renew_date": "2025-02-01"}}))
        .unwrap();
    assert_eq!(out["created_at"], 1_738_324_800);
    let sent = h.fake.requests().last().unwrap().json().unwrap();
    assert_eq!(
        sent,
        json!({"event_name": "upgraded", "created_at": 1_738_324_800, "user_id": "u-1",
               "metadata": {"plan": "pro", "seats": 3, "renew_date": 1_738_368_000}})
    );
    // A lead by email: resolved to its id, which Intercom needs for leads.
    h.action(
        "add-event",
        json!({"event_name": "visited", "email": "lead@example.com"}),
    )
    .unwrap();
    let events = h.fake.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["intercom_user_id"], ada["id"]);
    assert_eq!(events[1]["intercom_user_id"], lead["id"]);
    assert!(
        events[1]["created_at"].as_i64().unwrap() > 1_700_000_000,
        "defaults to now"
    );

    h.fake.clear_requests();
    let many: serde_json::Map<String, Value> =
        (0..11).map(|i| (format!("k{i}"), json!(i))).collect();
    for (input, field) in [
        (
            json!({"event_name": "x", "id": ada["id"], "metadata": many}),
            "metadata",
        ),
        (
            json!({"event_name": "x", "id": ada["id"], "metadata": {"deep": {"a": {"b": 1}}}}),
            "metadata.deep",
        ),
        (
            json!({"event_name": "x", "id": ada["id"], "metadata": {"ok": true}}),
            "metadata.ok",
        ),
        (json!({"event_name": "", "id": ada["id"]}), "event_name"),
        (json!({"event_name": "x"}), "id"),
        (
            json!({"event_name": "x", "id": ada["id"], "created_at": "yesterday"}),
            "created_at",
        ),
    ] {
        assert_eq!(
            invalid_field(&h.action("add-event", input.clone()).unwrap_err()),
            field,
            "{input}"
        );
    }
    assert!(h.fake.requests().is_empty());
    let err = h
        .action("add-event", json!({"event_name": "x", "user_id": "nobody"}))
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(
        message(&err).contains("external_id=nobody"),
        "{}",
        message(&err)
    );
}

#[test]
fn notes_and_lead_conversion() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "same@example.com"}));
    let user = h
        .fake
        .insert_contact(json!({"role": "user", "email": "same@example.com", "external_id": "u-1"}));
    let other = h
        .fake
        .insert_contact(json!({"role": "user", "email": "other@example.com"}));
    let note = h
        .action("add-note", json!({"user_id": "u-1", "body": "Called them"}))
        .unwrap();
    assert_eq!(note["type"], "note");
    assert_eq!(h.fake.notes()[0]["contact"]["id"], user["id"]);
    let err = h
        .action(
            "add-note",
            json!({"id": user["id"], "body": "x", "admin_id": "404"}),
        )
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(message(&err).contains("admin id=404"), "{}", message(&err));

    // Not duplicates: refused before any write unless skip_duplicate_validation.
    h.fake.clear_requests();
    let err = h
        .action(
            "convert-lead-to-user",
            json!({"lead": {"id": lead["id"]}, "user": {"id": other["id"]}}),
        )
        .unwrap_err();
    assert_eq!(invalid_field(&err), "skip_duplicate_validation");
    assert!(h.calls().iter().all(|(m, _)| m == "GET"));
    let merged = h
        .action(
            "convert-lead-to-user",
            json!({"lead": {"email": "same@example.com"}, "user": {"user_id": "u-1"}}),
        )
        .unwrap();
    assert_eq!(merged["id"], user["id"]);
    let merge = h
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/contacts/merge")
        .unwrap();
    assert_eq!(
        merge.json().unwrap(),
        json!({"from": lead["id"], "into": user["id"]})
    );
    assert!(
        h.fake.contact(lead["id"].as_str().unwrap()).is_none(),
        "the lead is gone"
    );
}

#[test]
fn bad_contact_inputs_name_the_field_and_send_nothing() {
    let h = Harness::new();
    let cases = [
        ("create-user", json!({}), "email"),
        ("create-user", json!({"email": "not-an-email"}), "email"),
        (
            "create-user",
            json!({"email": "a@b.co", "signed_up_at": "later"}),
            "signed_up_at",
        ),
        (
            "create-user",
            json!({"email": "a@b.co", "unsubscribed_from_emails": "yes"}),
            "unsubscribed_from_emails",
        ),
        ("create-or-update-user", json!({"name": "x"}), "email"),
        (
            "create-or-update-user",
            json!({"email": "a@b.co", "company": {"name": "x"}}),
            "company.company_id",
        ),
        (
            "create-or-update-user",
            json!({"email": "a@b.co", "emial": "x"}),
            "emial",
        ),
        ("create-or-update-lead", json!({"id": ""}), "id"),
        ("add-note", json!({"id": "abc"}), "body"),
        ("add-note", json!({"body": "hi"}), "id"),
        (
            "convert-lead-to-user",
            json!({"lead": {}, "user": {"id": "1"}}),
            "lead",
        ),
        (
            "create-user",
            json!({"email": "a@b.co", "custom_attributes": [1]}),
            "custom_attributes",
        ),
    ];
    for (key, input, field) in cases {
        let err = h.action(key, input.clone()).unwrap_err();
        assert_eq!(invalid_field(&err), field, "{key} {input}");
    }
    assert!(h.fake.requests().is_empty(), "{:?}", h.calls());
}
