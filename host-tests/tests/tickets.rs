//! Ticket operations through the real component: the requests the fake Intercom received and the
//! state they left; attribute checks before anything is written; find-ticket; ticket type and
//! state dropdowns and the per-type input schema; both ticket triggers by webhook and by poll,
//! giving the same event ids.

mod common;

use common::{invalid_field, kind, Harness};
use intercom_fake::state::{ADMIN_ID, DEFAULT_SEARCH_LAG_SECS};
use intercom_fake::Fault;
use serde_json::{json, Value};

const SECRET: &str = "client-secret-abc";
/// Seeded by the fake (`tickets::seed_types`).
const BUG: &str = "67";
const HIGH: &str = "3f0b7a52-0002-4c1e-9d1f-5a1e2b3c4d02";

/// Requests that could change something: not GET, not a search.
fn writes(h: &Harness) -> Vec<(String, String)> {
    h.calls()
        .into_iter()
        .filter(|(m, p)| m != "GET" && !p.ends_with("/search"))
        .collect()
}

fn contact(h: &Harness) -> Value {
    h.fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "ada-1"}))
}

fn bug_ticket(h: &Harness, contact_id: &str) -> Value {
    h.fake.insert_ticket(json!({
        "ticket_type_id": BUG, "contact_id": contact_id,
        "ticket_attributes": {"_default_title_": "Broken", "Severity": HIGH}
    }))
}

#[test]
fn create_ticket_checks_the_types_attributes_then_posts_once() {
    let h = Harness::new();
    let ada = contact(&h);
    let out = h
        .action(
            "create-ticket",
            json!({"ticket_type_id": BUG, "contact_email": "ada@example.com", "title": "Login fails",
                   "description": "Since Monday", "ticket_attributes":
                   {"Severity": "high", "Affected users": "12", "Reproducible": true}}),
        )
        .unwrap();
    assert_eq!(out["type"], "ticket");
    let reqs = h.fake.requests();
    let calls: Vec<(&str, &str)> = reqs
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(calls, [("GET", "/ticket_types/67"), ("POST", "/tickets")]);
    assert_eq!(
        reqs[1].json().unwrap(),
        json!({"ticket_type_id": BUG, "contacts": [{"email": "ada@example.com"}],
               "ticket_attributes": {"_default_title_": "Login fails", "_default_description_": "Since Monday",
                                     "Severity": HIGH, "Affected users": 12, "Reproducible": true}})
    );
    let tickets = h.fake.tickets();
    assert_eq!(tickets.len(), 1);
    let t = &tickets[0];
    assert_eq!(t["ticket_attributes"]["Severity"], HIGH);
    assert_eq!(t["ticket_attributes"]["Affected users"], 12);
    assert_eq!(t["contacts"]["contacts"][0]["id"], ada["id"]);
    assert_eq!(t["ticket_state"]["category"], "submitted");
}

#[test]
fn wrong_attributes_are_invalid_input_naming_the_field_and_nothing_is_written() {
    let h = Harness::new();
    contact(&h);
    let base = json!({"ticket_type_id": BUG, "contact_external_id": "ada-1", "title": "T",
                      "ticket_attributes": {"Severity": "Low"}});
    let with = |k: &str, v: Value| {
        let mut i = base.clone();
        i["ticket_attributes"][k] = v;
        i
    };
    for (input, field) in [
        (
            with("Affected users", json!("many")),
            "ticket_attributes.Affected users",
        ),
        (
            with("Reproducible", json!("sometimes")),
            "ticket_attributes.Reproducible",
        ),
        (
            with("Severity", json!("Blocker")),
            "ticket_attributes.Severity",
        ),
        (with("Nope", json!(1)), "ticket_attributes.Nope"),
        (
            json!({"ticket_type_id": BUG, "contact_id": "x", "ticket_attributes": {"Severity": "Low"}}),
            "title",
        ),
        (
            json!({"ticket_type_id": BUG, "contact_id": "x", "title": "T"}),
            "ticket_attributes.Severity",
        ),
        (
            json!({"ticket_type_id": "999", "contact_id": "x", "title": "T"}),
            "ticket_type_id",
        ),
    ] {
        let e = h.action("create-ticket", input.clone()).unwrap_err();
        assert_eq!(invalid_field(&e), field, "{input}");
    }
    // Two contacts: refused before any request.
    h.fake.clear_requests();
    let e = h
        .action(
            "create-ticket",
            json!({"ticket_type_id": BUG, "contact_id": "a", "contact_email": "ada@example.com", "title": "T"}),
        )
        .unwrap_err();
    assert_eq!(invalid_field(&e), "contact_email");
    assert!(h.calls().is_empty(), "{:?}", h.calls());
    // update-ticket checks against the ticket's own type.
    let ada = h.fake.contacts()[0]["id"].as_str().unwrap().to_string();
    let t = bug_ticket(&h, &ada);
    let id = t["id"].as_str().unwrap();
    let e = h
        .action(
            "update-ticket",
            json!({"ticket_id": id, "ticket_attributes": {"Affected users": 1.5}}),
        )
        .unwrap_err();
    assert_eq!(invalid_field(&e), "ticket_attributes.Affected users");
    // "With engineering" is a state of the other type.
    let e = h
        .action(
            "update-ticket",
            json!({"ticket_id": id, "ticket_state_id": "With engineering"}),
        )
        .unwrap_err();
    assert_eq!(invalid_field(&e), "ticket_state_id");
    assert!(writes(&h).is_empty(), "{:?}", writes(&h));
    assert!(h.fake.tickets().len() == 1);
}

#[test]
fn a_lost_create_answer_is_not_sent_again() {
    let h = Harness::new();
    contact(&h);
    h.fake
        .inject_on(Fault::CommitThenDrop, 1, "POST", "/tickets");
    let e = h
        .action(
            "create-ticket",
            json!({"ticket_type_id": BUG, "contact_id": h.fake.contacts()[0]["id"], "title": "T",
                   "ticket_attributes": {"Severity": "Low"}}),
        )
        .unwrap_err();
    assert_eq!(kind(&e), "transport");
    let posts = h
        .calls()
        .into_iter()
        .filter(|c| c == &("POST".to_string(), "/tickets".to_string()))
        .count();
    assert_eq!(posts, 1, "sent once");
    assert_eq!(h.fake.tickets().len(), 1, "Intercom made it, once");
}

#[test]
fn update_ticket_state_assignee_open_and_attributes() {
    let h = Harness::new();
    let ada = contact(&h);
    let t = bug_ticket(&h, ada["id"].as_str().unwrap());
    let id = t["id"].as_str().unwrap();
    h.fake.clear_requests();
    let out = h
        .action(
            "update-ticket",
            json!({"ticket_id": id, "ticket_state_id": "in progress", "assignee_id": ADMIN_ID,
                   "open": false, "ticket_attributes": {"Severity": "Critical"}}),
        )
        .unwrap();
    assert_eq!(out["ticket_state"]["id"], "8322");
    let reqs = h.fake.requests();
    let put = reqs.iter().find(|r| r.method == "PUT").unwrap();
    assert_eq!(put.path, format!("/tickets/{id}"));
    let admin: u64 = ADMIN_ID.parse().unwrap();
    assert_eq!(
        put.json().unwrap(),
        json!({"admin_id": admin, "ticket_state_id": "8322", "assignee_id": ADMIN_ID, "open": false,
               "ticket_attributes": {"Severity": "3f0b7a52-0003-4c1e-9d1f-5a1e2b3c4d03"}})
    );
    let now = h.fake.ticket(id).unwrap();
    assert_eq!(now["open"], false);
    assert_eq!(now["admin_assignee_id"].to_string(), ADMIN_ID);
    assert_eq!(now["ticket_state"]["category"], "in_progress");
    assert_eq!(now["previous_ticket_state_id"], "8321");
    // Only an assignment needs no lookups.
    h.fake.clear_requests();
    let team = h.fake.insert_team("Support", &[]);
    h.action(
        "update-ticket",
        json!({"ticket_id": id, "assignee_id": team["id"]}),
    )
    .unwrap();
    assert_eq!(
        h.calls(),
        [
            ("GET".to_string(), "/me".to_string()),
            ("PUT".to_string(), format!("/tickets/{id}"))
        ]
    );
    assert_eq!(
        h.fake.ticket(id).unwrap()["team_assignee_id"].to_string(),
        team["id"].as_str().unwrap()
    );
    let e = h
        .action("update-ticket", json!({"ticket_id": "404404"}))
        .unwrap_err();
    assert_eq!(invalid_field(&e), "ticket_state_id", "nothing to update");
    let e = h
        .action(
            "update-ticket",
            json!({"ticket_id": "404404", "open": true}),
        )
        .unwrap_err();
    assert_eq!(kind(&e), "not-found");
}

#[test]
fn reply_to_ticket_as_admin_note_and_as_the_contact() {
    let h = Harness::new();
    let ada = contact(&h);
    let t = bug_ticket(&h, ada["id"].as_str().unwrap());
    let id = t["id"].as_str().unwrap();
    h.fake.clear_requests();
    let part = h
        .action(
            "reply-to-ticket",
            json!({"ticket_id": id, "body": "Looking", "message_type": "note"}),
        )
        .unwrap();
    assert_eq!(part["part_type"], "note");
    let reqs = h.fake.requests();
    let post = reqs.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(post.path, format!("/tickets/{id}/reply"));
    assert_eq!(
        post.json().unwrap(),
        json!({"type": "admin", "message_type": "note", "admin_id": ADMIN_ID, "body": "Looking"})
    );
    h.fake.clear_requests();
    h.action(
        "reply-to-ticket",
        json!({"ticket_id": id, "body": "Thanks", "as": "contact", "contact_email": "ada@example.com"}),
    )
    .unwrap();
    assert_eq!(
        h.fake.requests()[0].json().unwrap(),
        json!({"type": "user", "message_type": "comment", "body": "Thanks", "email": "ada@example.com"})
    );
    let parts = h.fake.ticket(id).unwrap()["ticket_parts"]["ticket_parts"].clone();
    let kinds: Vec<&str> = parts
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["part_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["ticket_state_updated_by_admin", "note", "comment"]);
    let e = h
        .action("reply-to-ticket", json!({"ticket_id": id, "body": "x", "as": "contact", "message_type": "note", "contact_id": "c"}))
        .unwrap_err();
    assert_eq!(invalid_field(&e), "message_type");
}

#[test]
fn tag_and_untag_a_ticket() {
    let h = Harness::new();
    let ada = contact(&h);
    let t = bug_ticket(&h, ada["id"].as_str().unwrap());
    let id = t["id"].as_str().unwrap();
    let out = h
        .action(
            "add-tag-to-ticket",
            json!({"ticket_id": id, "tag": "Billing"}),
        )
        .unwrap();
    assert_eq!(out["name"], "Billing");
    assert_eq!(out["ticket_id"], id);
    let tag_id = h.fake.tags()[0]["id"].as_str().unwrap().to_string();
    let post = h
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path == format!("/tickets/{id}/tags"))
        .unwrap();
    assert_eq!(
        post.json().unwrap(),
        json!({"id": tag_id, "admin_id": ADMIN_ID})
    );
    assert_eq!(h.fake.ticket_tag_ids(id), [tag_id.as_str()]);
    h.action(
        "remove-tag-from-ticket",
        json!({"ticket_id": id, "tag_id": tag_id}),
    )
    .unwrap();
    assert!(h.fake.ticket_tag_ids(id).is_empty());
    // A missing ticket leaves no tag behind.
    h.fake.clear_requests();
    let e = h
        .action(
            "add-tag-to-ticket",
            json!({"ticket_id": "404404", "tag": "New tag"}),
        )
        .unwrap_err();
    assert_eq!(kind(&e), "not-found");
    assert_eq!(h.fake.tags().len(), 1);
}

#[test]
fn find_ticket_by_id_and_by_contact_and_state_with_search_lag() {
    let h = Harness::new();
    let ada = contact(&h);
    let ada_id = ada["id"].as_str().unwrap();
    let t = bug_ticket(&h, ada_id);
    let id = t["id"].as_str().unwrap();
    // By id: immediate.
    let found = h.search("find-ticket", json!({"id": id})).unwrap();
    assert_eq!(found.len(), 1);
    assert!(h
        .search("find-ticket", json!({"id": id, "state": "resolved"}))
        .unwrap()
        .is_empty());
    assert!(h
        .search("find-ticket", json!({"id": "404404"}))
        .unwrap()
        .is_empty());
    // By contact: the search index lags behind the create.
    let by_contact = json!({"contact_email": "ada@example.com", "state": "submitted"});
    assert!(
        h.search("find-ticket", by_contact.clone())
            .unwrap()
            .is_empty(),
        "not indexed yet"
    );
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let found = h.search("find-ticket", by_contact).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["id"], id);
    let search = h
        .fake
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path == "/tickets/search")
        .unwrap();
    assert_eq!(
        search.json().unwrap()["query"],
        json!({"operator": "AND", "value": [
            {"field": "contact_ids", "operator": "=", "value": ada_id},
            {"field": "state", "operator": "=", "value": "submitted"}]})
    );
    assert!(h
        .search(
            "find-ticket",
            json!({"contact_id": ada_id, "state": "resolved"})
        )
        .unwrap()
        .is_empty());
    assert!(h
        .search(
            "find-ticket",
            json!({"contact_email": "nobody@example.com"})
        )
        .unwrap()
        .is_empty());
    assert_eq!(
        invalid_field(&h.search("find-ticket", json!({})).unwrap_err()),
        "id"
    );
}

#[test]
fn ticket_types_and_states_are_dropdowns_and_the_schema_types_each_types_attributes() {
    let h = Harness::new();
    let page = h
        .host
        .list_options(&h.conn, "create-ticket", "ticket_type_id", None, None)
        .unwrap()
        .unwrap();
    let types: Vec<(&str, &str)> = page
        .choices
        .iter()
        .map(|c| (c.value.as_str(), c.label.as_str()))
        .collect();
    assert_eq!(types, [("67", "Bug report"), ("68", "Internal task")]);
    let page = h
        .host
        .list_options(
            &h.conn,
            "update-ticket",
            "ticket_state_id",
            Some("In prog"),
            None,
        )
        .unwrap()
        .unwrap();
    let labels: Vec<&str> = page.choices.iter().map(|c| c.label.as_str()).collect();
    assert_eq!(labels, ["In progress (in_progress)"]);

    let schema: Value = serde_json::from_str(
        &h.host
            .input_schema(&h.conn, "create-ticket")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        schema["properties"]["ticket_type_id"]["oneOf"],
        json!([{"const": "67", "title": "Bug report"}, {"const": "68", "title": "Internal task"}])
    );
    let bug = schema["allOf"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["if"]["properties"]["ticket_type_id"]["const"] == BUG)
        .unwrap();
    let attrs = &bug["then"]["properties"]["ticket_attributes"];
    assert_eq!(attrs["properties"]["Affected users"]["type"], "integer");
    assert_eq!(attrs["properties"]["Reproducible"]["type"], "boolean");
    assert_eq!(
        attrs["properties"]["Severity"]["oneOf"][1],
        json!({"const": HIGH, "title": "High"})
    );
    assert_eq!(attrs["required"], json!(["Severity"]));
    assert!(
        attrs["properties"].get("_default_title_").is_none(),
        "set as `title`"
    );
    let update: Value = serde_json::from_str(
        &h.host
            .input_schema(&h.conn, "update-ticket")
            .unwrap()
            .unwrap(),
    )
    .unwrap();
    let per_type = &update["properties"]["ticket_attributes"]["x-ticket-type-attributes"];
    assert_eq!(per_type[BUG]["properties"]["Browser"]["type"], "string");
    assert_eq!(per_type[BUG]["required"], json!([]));
}

fn deliver(h: &Harness, body: &[u8]) -> intercom_host::WebhookResult {
    let sig = intercom_fake::sign_webhook(SECRET, body);
    h.webhook(SECRET, &[("X-Hub-Signature", &sig)], body)
        .unwrap()
}

fn notification(topic: &str, item: Value, at: i64) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "notification_event", "app_id": "fk4ke1nt", "id": format!("notif_{topic}_{at}"),
        "topic": topic, "created_at": at, "delivery_attempts": 1, "first_sent_at": at,
        "data": {"type": "notification_event_data", "item": item}
    }))
    .unwrap()
}

fn ids(p: &intercom_host::PollPage) -> Vec<String> {
    p.events.iter().map(|e| e.id.clone()).collect()
}

#[test]
fn new_ticket_by_poll_and_by_webhook_has_one_id() {
    let h = Harness::new();
    let ada = contact(&h);
    let first = h.poll("new-ticket", json!({}), None).unwrap();
    assert!(first.events.is_empty());
    h.fake.advance(10);
    let t = h
        .action(
            "create-ticket",
            json!({"ticket_type_id": BUG, "contact_id": ada["id"], "title": "T", "ticket_attributes": {"Severity": "Low"}}),
        )
        .unwrap();
    let id = t["id"].as_str().unwrap().to_string();
    let hook = deliver(&h, &notification("ticket.created", t.clone(), h.fake.now()));
    assert_eq!(hook.events.len(), 1);
    assert_eq!(hook.events[0].trigger, "new-ticket");
    // Search has not indexed it yet: nothing, and nothing lost.
    let early = h
        .poll("new-ticket", json!({}), Some(&first.cursor))
        .unwrap();
    assert!(early.events.is_empty());
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let later = h
        .poll("new-ticket", json!({}), Some(&early.cursor))
        .unwrap();
    assert_eq!(ids(&later), [id.as_str()]);
    assert_eq!(hook.events[0].id, id);
    assert_eq!(hook.events[0].occurred_at, later.events[0].occurred_at);
    let again = h
        .poll("new-ticket", json!({}), Some(&later.cursor))
        .unwrap();
    assert!(again.events.is_empty(), "once");
    // Another type's filter skips it.
    let other = h
        .poll("new-ticket", json!({"ticket_type_id": "68"}), None)
        .unwrap();
    assert!(other.events.is_empty());
}

#[test]
fn ticket_state_changed_by_poll_and_by_webhook_has_one_id() {
    let h = Harness::new();
    let ada = contact(&h);
    let t = bug_ticket(&h, ada["id"].as_str().unwrap());
    let id = t["id"].as_str().unwrap().to_string();
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let first = h.poll("ticket-state-changed", json!({}), None).unwrap();
    assert!(first.events.is_empty(), "creation is not a state change");
    h.fake.advance(60);
    let changed = h
        .action(
            "update-ticket",
            json!({"ticket_id": id, "ticket_state_id": "resolved"}),
        )
        .unwrap();
    let at = h.fake.now();
    let hook = deliver(
        &h,
        &notification("ticket.state.updated", changed.clone(), at + 2),
    );
    assert_eq!(hook.events.len(), 1);
    let want = format!("{id}:state:{at}");
    assert_eq!(hook.events[0].id, want);
    let data: Value = serde_json::from_str(&hook.events[0].data).unwrap();
    assert_eq!(
        data["state_change"],
        json!({"from": "submitted", "to": "resolved", "changed_at": at})
    );
    // A reply later moves `updated_at`, not the state: no second event.
    h.fake.advance(30);
    h.action("reply-to-ticket", json!({"ticket_id": id, "body": "Done"}))
        .unwrap();
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let polled = h
        .poll("ticket-state-changed", json!({}), Some(&first.cursor))
        .unwrap();
    assert_eq!(ids(&polled), [want.as_str()]);
    let polled_data: Value = serde_json::from_str(&polled.events[0].data).unwrap();
    assert_eq!(polled_data["state_change"], data["state_change"]);
    let again = h
        .poll("ticket-state-changed", json!({}), Some(&polled.cursor))
        .unwrap();
    assert!(again.events.is_empty(), "once");
    // A notification without parts (only the ticket) still names the same happening.
    let mut bare = changed.clone();
    bare.as_object_mut().unwrap().remove("ticket_parts");
    let hook = deliver(&h, &notification("ticket.state.updated", bare, at + 5));
    assert_eq!(hook.events[0].id, want);
}

#[test]
fn corpus_ticket_webhooks_parse() {
    let h = Harness::new();
    let created = include_bytes!("corpus/webhook_ticket_created.json");
    let r = deliver(&h, created);
    assert_eq!(r.topic, "ticket.created");
    assert_eq!(ids_of(&r), ["631"]);
    assert_eq!(r.events[0].occurred_at, 1_734_537_974);
    let state = include_bytes!("corpus/webhook_ticket_state_updated.json");
    let r = deliver(&h, state);
    assert_eq!(r.topic, "ticket.state.updated");
    assert_eq!(ids_of(&r), ["627:state:1734537954"]);
    assert_eq!(
        r.delivery_id.as_deref(),
        Some("notif_6e3b8a4c-1f0e-4d6a-9a3e-2b7c51d0a002")
    );
    assert!(h.fake.requests().is_empty(), "webhooks call nothing");
}

fn ids_of(r: &intercom_host::WebhookResult) -> Vec<String> {
    r.events.iter().map(|e| e.id.clone()).collect()
}
