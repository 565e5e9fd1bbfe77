//! Writes that never duplicate or overwrite, through the real component: lost answers after a
//! commit, 409s that name another person, conflicts as data, merged contacts, the lead window,
//! company tagging's id forms, update-company's outcome (issue 12, problems 1-7).

mod common;

use common::{kind, Harness};
use intercom_fake::Fault;
use intercom_host::json;
use intercom_host::ConnectorError;
use serde_json::{json, Value};

fn message(e: &ConnectorError) -> String {
    json::error(e)["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn sent(h: &Harness, method: &str, path: &str) -> usize {
    h.fake
        .requests()
        .iter()
        .filter(|r| r.method == method && r.path == path)
        .count()
}

fn with_role(h: &Harness, role: &str) -> Vec<Value> {
    h.fake
        .contacts()
        .into_iter()
        .filter(|c| c["role"] == role)
        .collect()
}

/// The next `POST /contacts` is committed, and its answer lost.
fn lose_the_create_answer(h: &Harness) {
    h.fake
        .inject_on(Fault::CommitThenDrop, 1, "POST", "/contacts");
}

// --- 1. a create retried after its answer was lost -----------------------------------------------

#[test]
fn create_user_whose_answer_was_lost_reports_the_user_it_created() {
    let h = Harness::new();
    lose_the_create_answer(&h);
    let out = h
        .action(
            "create-user",
            json!({"email": "ada@example.com", "external_id": "u-1", "name": "Ada"}),
        )
        .expect("the user this call created, not a conflict with itself");
    assert_eq!(out["external_id"], "u-1");
    let users = with_role(&h, "user");
    assert_eq!(users.len(), 1, "one user");
    assert_eq!(out["id"], users[0]["id"]);
    assert_eq!(
        sent(&h, "POST", "/contacts"),
        1,
        "looked up, not sent again"
    );
}

#[test]
fn an_email_only_create_whose_answer_was_lost_is_created_once() {
    let h = Harness::new();
    lose_the_create_answer(&h);
    let out = h
        .action(
            "create-or-update-user",
            json!({"email": "bo@example.com", "name": "Bo"}),
        )
        .unwrap();
    // Sent again, Intercom's 409 names the contact this call created: that is success.
    assert_eq!(out["outcome"], "created", "{out}");
    assert_eq!(with_role(&h, "user").len(), 1);
    assert_eq!(
        sent(
            &h,
            "PUT",
            &format!("/contacts/{}", out["id"].as_str().unwrap())
        ),
        0
    );
}

#[test]
fn a_lead_whose_answer_was_lost_is_never_created_twice() {
    let h = Harness::new();
    // Search lags behind writes ("contact creation delay"), so the new lead cannot be found.
    h.fake.with_state(|s| s.search_lag_secs = 600);
    lose_the_create_answer(&h);
    let err = h
        .action(
            "create-or-update-lead",
            json!({"email": "lee@example.com", "name": "Lee"}),
        )
        .unwrap_err();
    assert_eq!(kind(&err), "transport");
    assert!(
        message(&err).contains("may have happened"),
        "{}",
        message(&err)
    );
    assert_eq!(
        with_role(&h, "lead").len(),
        1,
        "exactly the one lead Intercom committed"
    );
    assert_eq!(sent(&h, "POST", "/contacts"), 1, "never sent twice");
}

#[test]
fn a_lead_whose_answer_was_lost_is_found_once_search_sees_it() {
    let h = Harness::new();
    // A search index that has caught up (the lag case is the test above).
    h.fake.set_search_lag(0);
    lose_the_create_answer(&h);
    let out = h
        .action("create-or-update-lead", json!({"email": "lou@example.com"}))
        .unwrap();
    assert_eq!(out["outcome"], "created");
    assert_eq!(with_role(&h, "lead").len(), 1);
    assert_eq!(sent(&h, "POST", "/contacts"), 1);
}

#[test]
fn notes_and_events_whose_answer_was_lost_are_sent_once_and_say_so() {
    let h = Harness::new();
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    let id = ada["id"].as_str().unwrap();
    let notes = format!("/contacts/{id}/notes");
    h.fake.inject_on(Fault::CommitThenDrop, 1, "POST", &notes);
    let err = h
        .action("add-note", json!({"id": id, "body": "hello"}))
        .unwrap_err();
    assert_eq!(kind(&err), "transport");
    assert!(
        message(&err).contains("may have happened"),
        "{}",
        message(&err)
    );
    assert_eq!(sent(&h, "POST", &notes), 1);
    assert_eq!(h.fake.notes().len(), 1, "Intercom has the note once");

    h.fake
        .inject_on(Fault::CommitThenDrop, 1, "POST", "/events");
    let err = h
        .action(
            "add-event",
            json!({"external_id": "u-1", "event_name": "paid"}),
        )
        .unwrap_err();
    assert!(
        message(&err).contains("may have happened"),
        "{}",
        message(&err)
    );
    assert_eq!(
        sent(&h, "POST", "/events"),
        1,
        "an event is never sent twice"
    );
}

// --- 2. 409 recovery never overwrites somebody else ----------------------------------------------

#[test]
fn a_409_naming_another_person_is_a_conflict_and_writes_nothing() {
    let h = Harness::new();
    let cy = h.fake.insert_contact(
        json!({"role": "user", "email": "cy@example.com", "external_id": "u-old", "name": "Cy"}),
    );
    let cy_id = cy["id"].as_str().unwrap().to_string();
    // Intercom matches the create to Cy by email although the external_ids differ.
    h.fake.inject_on(
        Fault::ContactConflict(cy_id.clone()),
        1,
        "POST",
        "/contacts",
    );
    let err = h
        .action(
            "create-or-update-user",
            json!({"email": "cy@example.com", "external_id": "u-new", "name": "Someone else"}),
        )
        .unwrap_err();
    match &err {
        ConnectorError::Conflict(c) => {
            assert_eq!(c.existing_id.as_deref(), Some(cy_id.as_str()));
            assert!(
                c.message.contains("u-old") && c.message.contains("u-new"),
                "{}",
                c.message
            );
        }
        e => panic!("{e:?}"),
    }
    let after = h.fake.contact(&cy_id).unwrap();
    assert_eq!(
        (after["external_id"].as_str(), after["name"].as_str()),
        (Some("u-old"), Some("Cy"))
    );
    assert_eq!(
        sent(&h, "PUT", &format!("/contacts/{cy_id}")),
        0,
        "nothing written"
    );
}

// --- 3. the conflict id is data --------------------------------------------------------------------

#[test]
fn create_user_conflicts_carry_the_existing_id() {
    let h = Harness::new();
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    let err = h
        .action("create-user", json!({"external_id": "u-1", "name": "Ada"}))
        .unwrap_err();
    match &err {
        ConnectorError::Conflict(c) => assert_eq!(c.existing_id.as_deref(), ada["id"].as_str()),
        e => panic!("{e:?}"),
    }
    assert_eq!(json::error(&err)["error"]["existing_id"], ada["id"]);
}

// --- 4. a merged contact found by external id is followed ----------------------------------------

#[test]
fn a_merged_contact_found_by_external_id_is_followed_to_its_survivor() {
    let h = Harness::new();
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "mo@example.com", "external_id": "u-m"}));
    let user = h
        .fake
        .insert_contact(json!({"role": "user", "email": "mo@example.com"}));
    let (lead_id, user_id) = (
        lead["id"].as_str().unwrap().to_string(),
        user["id"].as_str().unwrap().to_string(),
    );
    let merged = h.host.run_action(
        &h.conn,
        "convert-lead-to-user",
        &json!({"lead": {"id": lead_id}, "user": {"id": user_id}}).to_string(),
    );
    assert!(merged.unwrap().is_ok(), "the lead is merged into the user");
    let out = h
        .action(
            "create-or-update-user",
            json!({"external_id": "u-m", "name": "Mo"}),
        )
        .unwrap();
    assert_eq!(
        (out["outcome"].as_str(), out["id"].as_str()),
        (Some("updated"), Some(user_id.as_str()))
    );
    assert_eq!(with_role(&h, "user").len(), 1, "no new user");
    assert_eq!(h.fake.contact(&user_id).unwrap()["name"], "Mo");
}

// --- 5. leads: the remaining window of duplication ---------------------------------------------

#[test]
fn leads_by_email_can_duplicate_only_within_the_search_lag() {
    let h = Harness::new();
    let lag = 180; // "a few minutes" (Intercom's docs, "Search contacts")
    h.fake.with_state(|s| s.search_lag_secs = lag);
    let first = h
        .action("create-or-update-lead", json!({"email": "win@example.com"}))
        .unwrap();
    assert_eq!(first["outcome"], "created");
    // Within the lag search cannot see the first lead: a second one is created. (The fake
    // makes each record searchable between half and all of the lag after its change.)
    h.fake.advance(lag / 2 - 1);
    let second = h
        .action("create-or-update-lead", json!({"email": "win@example.com"}))
        .unwrap();
    assert_eq!(second["outcome"], "created");
    assert_eq!(with_role(&h, "lead").len(), 2, "the documented window");
    // Past the lag, the most recently updated lead with the email is updated.
    h.fake.advance(lag);
    let third = h
        .action(
            "create-or-update-lead",
            json!({"email": "win@example.com", "name": "W"}),
        )
        .unwrap();
    assert_eq!(third["outcome"], "updated");
    assert_eq!(with_role(&h, "lead").len(), 2);
    // With the id, the window is closed: the lead is updated at once.
    let fresh = h
        .action("create-or-update-lead", json!({"email": "new@example.com"}))
        .unwrap();
    let again = h
        .action(
            "create-or-update-lead",
            json!({"id": fresh["id"], "email": "new@example.com", "name": "N"}),
        )
        .unwrap();
    assert_eq!(
        (again["outcome"].as_str(), &again["id"]),
        (Some("updated"), &fresh["id"])
    );
    assert_eq!(with_role(&h, "lead").len(), 3);
    let notes = h.host.describe().unwrap();
    let lead_op = notes
        .operations
        .iter()
        .find(|o| o.key == "create-or-update-lead")
        .unwrap();
    assert!(
        lead_op.description.contains("a few minutes"),
        "{}",
        lead_op.description
    );
}

// --- 6. company tagging accepts either id form ---------------------------------------------------

#[test]
fn tagging_a_company_succeeds_when_intercom_answers_with_the_company_id_form() {
    let h = Harness::new();
    let acme = h
        .fake
        .insert_company(json!({"company_id": "acme", "name": "Acme"}));
    let out = h
        .action(
            "add-tag-to-company",
            json!({"company_id": "acme", "tag": "VIP"}),
        )
        .unwrap();
    assert_eq!(out["company_id"], acme["id"]);
    let tagged = h
        .fake
        .companies()
        .into_iter()
        .find(|c| c["company_id"] == "acme")
        .unwrap();
    assert_eq!(tagged["tags"]["tags"][0]["name"], "VIP", "{tagged}");
}

// --- 7. update-company says created or updated ---------------------------------------------------

#[test]
fn update_company_says_whether_it_created_or_updated() {
    let h = Harness::new();
    let created = h
        .action(
            "update-company",
            json!({"company_id": "c-1", "name": "One"}),
        )
        .unwrap();
    assert_eq!(created["outcome"], "created");
    let updated = h
        .action(
            "update-company",
            json!({"company_id": "c-1", "plan": "pro"}),
        )
        .unwrap();
    assert_eq!(updated["outcome"], "updated");
    assert_eq!(
        (&updated["id"], h.fake.companies().len()),
        (&created["id"], 1)
    );
}
