//! Polling triggers through the real component and the fake Intercom: each test asserts the
//! exact set of event ids emitted (no loss, no duplicate) across same-second items, page bounds,
//! items created while paging, day boundaries and restarts from a saved cursor.

mod common;

use common::{invalid_field, Harness};
use intercom_fake::state::ADMIN_ID;
use intercom_host::PollPage;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// 2025-06-15T12:00:00Z
const NOON: i64 = 1_749_988_800;

fn ids(page: &PollPage) -> Vec<String> {
    page.events.iter().map(|e| e.id.clone()).collect()
}

fn data(page: &PollPage) -> Vec<Value> {
    page.events
        .iter()
        .map(|e| serde_json::from_str(&e.data).unwrap())
        .collect()
}

/// Polls until `has_more` is false; returns every event id (in order), the final cursor and how
/// many polls answered `has_more`.
fn drain(h: &Harness, key: &str, input: Value, cursor: &str) -> (Vec<String>, String, usize) {
    let mut all = Vec::new();
    let mut cursor = cursor.to_string();
    for more in 0..50 {
        let page = h.poll(key, input.clone(), Some(&cursor)).unwrap();
        all.extend(ids(&page));
        cursor = page.cursor;
        if !page.has_more {
            return (all, cursor, more);
        }
    }
    panic!("{key}: still has_more after 50 polls");
}

fn exactly(emitted: &[String], expected: &[String]) {
    let set: BTreeSet<&String> = emitted.iter().collect();
    assert_eq!(set.len(), emitted.len(), "duplicates emitted");
    let want: BTreeSet<&String> = expected.iter().collect();
    let lost: Vec<_> = want.difference(&set).take(5).collect();
    let extra: Vec<_> = set.difference(&want).take(5).collect();
    assert!(
        lost.is_empty() && extra.is_empty(),
        "{} lost (e.g. {lost:?}), {} unexpected (e.g. {extra:?})",
        want.difference(&set).count(),
        set.difference(&want).count()
    );
}

fn users(h: &Harness, n: usize, tag: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            let c = h
                .fake
                .insert_contact(json!({"role": "user", "email": format!("{tag}-{i}@example.com")}));
            c["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn first_poll_gives_newest_samples_and_a_cursor_from_now_on() {
    let h = Harness::new();
    h.fake.set_now(NOON - 100);
    let old = users(&h, 5, "old");
    h.fake
        .insert_contact(json!({"role": "lead", "email": "lead@example.com"}));
    let first = h.poll("new-user", json!({}), None).unwrap();
    assert!(!first.has_more);
    assert_eq!(first.events.len(), 3, "a few samples");
    for e in &first.events {
        assert!(old.contains(&e.id));
        assert_eq!(e.trigger, "new-user");
        assert_eq!(e.occurred_at, NOON - 100);
    }
    // Nothing new: nothing emitted, however often we poll.
    let again = h.poll("new-user", json!({}), Some(&first.cursor)).unwrap();
    assert!(again.events.is_empty(), "{:?}", ids(&again));
    let again = h.poll("new-user", json!({}), Some(&again.cursor)).unwrap();
    assert!(again.events.is_empty());

    // Requests: contact search with role, window and descending sort, 150 per page.
    let body = h.fake.requests().last().unwrap().json().unwrap();
    assert_eq!(body["pagination"]["per_page"], 150);
    assert_eq!(
        body["sort"],
        json!({"field": "created_at", "order": "descending"})
    );
    assert_eq!(
        body["query"]["value"][0],
        json!({"field": "role", "operator": "=", "value": "user"})
    );
    assert_eq!(body["query"]["value"][1]["field"], "created_at");
    assert_eq!(body["query"]["value"][1]["operator"], ">");
}

#[test]
fn hundreds_of_users_in_one_second_across_pages_are_emitted_exactly_once() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    users(&h, 2, "before");
    let first = h.poll("new-user", json!({}), None).unwrap();
    // Same second as the samples: only the later ones are new.
    let new = users(&h, 700, "burst");
    h.fake
        .insert_contact(json!({"role": "lead", "email": "not-a-user@example.com"}));
    let (emitted, cursor, more) = drain(&h, "new-user", json!({}), &first.cursor);
    assert!(more >= 1, "700 contacts need more than one poll");
    exactly(&emitted, &new);
    let (after, _, _) = drain(&h, "new-user", json!({}), &cursor);
    assert!(after.is_empty());
}

#[test]
fn items_created_while_a_poll_pages_are_not_lost() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let first = h.poll("new-user", json!({}), None).unwrap();
    assert!(first.events.is_empty());
    let mut expected = users(&h, 600, "a");
    let p1 = h.poll("new-user", json!({}), Some(&first.cursor)).unwrap();
    assert!(p1.has_more, "600 users exceed one poll");
    let mut emitted = ids(&p1);
    // Created between two polls of one read: at the same second and a second later.
    expected.extend(users(&h, 40, "same-second"));
    h.fake.advance(1);
    expected.extend(users(&h, 40, "next-second"));
    let (rest, cursor, _) = drain(&h, "new-user", json!({}), &p1.cursor);
    emitted.extend(rest);
    exactly(&emitted, &expected);
    // Order: every poll's events are oldest first.
    let later = users(&h, 3, "later");
    let p = h.poll("new-user", json!({}), Some(&cursor)).unwrap();
    assert_eq!(ids(&p), later);
}

#[test]
fn a_day_boundary_loses_nothing() {
    let h = Harness::new();
    let midnight = NOON + 12 * 3600;
    h.fake.set_now(midnight - 2);
    users(&h, 1, "seed");
    let first = h.poll("new-user", json!({}), None).unwrap();
    h.fake.set_now(midnight - 1);
    let mut expected = users(&h, 3, "late");
    h.fake.set_now(midnight);
    expected.extend(users(&h, 3, "midnight"));
    h.fake.set_now(midnight + 1);
    expected.extend(users(&h, 3, "early"));
    let (emitted, cursor, _) = drain(&h, "new-user", json!({}), &first.cursor);
    exactly(&emitted, &expected);
    // The mark is now in the new day; items later that day still come, once.
    h.fake.set_now(midnight + 5 * 3600);
    let more = users(&h, 2, "morning");
    let (emitted, cursor, _) = drain(&h, "new-user", json!({}), &cursor);
    exactly(&emitted, &more);
    // And two days later.
    h.fake.set_now(midnight + 2 * 86_400 + 7);
    let more = users(&h, 2, "later");
    let (emitted, _, _) = drain(&h, "new-user", json!({}), &cursor);
    exactly(&emitted, &more);
}

#[test]
fn restarting_from_a_saved_cursor_repeats_that_poll_and_loses_nothing() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let first = h.poll("new-user", json!({}), None).unwrap();
    let expected = users(&h, 500, "x");
    let p1 = h.poll("new-user", json!({}), Some(&first.cursor)).unwrap();
    assert!(p1.has_more);
    let saved = p1.cursor.clone();
    let p2 = h.poll("new-user", json!({}), Some(&saved)).unwrap();
    // The host crashed before storing p2's cursor: the same poll again gives the same events.
    let p2_again = h.poll("new-user", json!({}), Some(&saved)).unwrap();
    assert_eq!(ids(&p2), ids(&p2_again));
    assert_eq!(p2.cursor, p2_again.cursor);
    // A fresh component instance continues from the stored cursor.
    let mut emitted = ids(&p1);
    emitted.extend(ids(&p2));
    let (rest, _, _) = drain(&h, "new-user", json!({}), &p2_again.cursor);
    emitted.extend(rest);
    exactly(&emitted, &expected);
}

#[test]
fn new_lead_sees_only_leads_and_bad_cursors_are_invalid_input() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let first = h.poll("new-lead", json!({}), None).unwrap();
    users(&h, 3, "u");
    let leads: Vec<String> = (0..4)
        .map(|i| {
            h.fake
                .insert_contact(json!({"role": "lead", "name": format!("L{i}")}))["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let (emitted, _, _) = drain(&h, "new-lead", json!({}), &first.cursor);
    exactly(&emitted, &leads);

    let user_cursor = h.poll("new-user", json!({}), None).unwrap().cursor;
    let e = h
        .poll("new-lead", json!({}), Some(&user_cursor))
        .unwrap_err();
    assert_eq!(invalid_field(&e), "cursor");
    let e = h
        .poll("new-lead", json!({}), Some("not a cursor"))
        .unwrap_err();
    assert_eq!(invalid_field(&e), "cursor");
    let e = h.poll("new-lead", json!({"bogus": 1}), None).unwrap_err();
    assert_eq!(invalid_field(&e), "bogus");
}

#[test]
fn webhook_only_triggers_say_so() {
    let h = Harness::new();
    for key in [
        "lead-added-email",
        "lead-converted-to-user",
        "new-unsubscription",
    ] {
        let e = h.poll(key, json!({}), None).unwrap_err();
        assert_eq!(invalid_field(&e), "key");
    }
}

#[test]
fn new_user_can_carry_company_custom_attributes_with_one_call_per_company() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let first = h
        .poll(
            "new-user",
            json!({"include_company_attributes": true}),
            None,
        )
        .unwrap();
    let acme = h
        .fake
        .insert_company(json!({"name": "Acme", "custom_attributes": {"tier": "gold"}}));
    let acme_id = acme["id"].as_str().unwrap().to_string();
    let ids_: Vec<String> = users(&h, 3, "acme");
    h.fake.with_state(|s| {
        for id in &ids_ {
            assert!(s.attach_company(id, &acme_id));
        }
    });
    h.fake.clear_requests();
    let page = h
        .poll(
            "new-user",
            json!({"include_company_attributes": true}),
            Some(&first.cursor),
        )
        .unwrap();
    assert_eq!(ids(&page), ids_);
    for d in data(&page) {
        assert_eq!(
            d["companies"]["data"][0]["custom_attributes"]["tier"],
            "gold"
        );
    }
    let company_calls = h
        .calls()
        .iter()
        .filter(|(m, p)| m == "GET" && p.starts_with("/companies/"))
        .count();
    assert_eq!(company_calls, 1, "one GET per distinct company");
}

fn start_conversation(h: &Harness, role: &str) -> String {
    let c = h
        .fake
        .insert_contact(json!({"role": role, "email": format!("{role}@example.com")}));
    let conv = h
        .fake
        .insert_conversation(json!({"contact_id": c["id"], "body": "Hi"}));
    conv["id"].as_str().unwrap().to_string()
}

#[test]
fn conversations_started_by_users_and_leads_trigger_new_conversation() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    start_conversation(&h, "user");
    let first = h.poll("new-conversation", json!({}), None).unwrap();
    for r in h.fake.requests() {
        eprintln!("REQ {} {}", r.path, String::from_utf8_lossy(&r.body));
    }
    eprintln!(
        "CONVS {}",
        serde_json::to_string(&h.fake.conversations()).unwrap()
    );
    assert_eq!(first.events.len(), 1);
    let mut expected = vec![
        start_conversation(&h, "lead"),
        start_conversation(&h, "user"),
    ];
    for _ in 0..200 {
        expected.push(start_conversation(&h, "user"));
    }
    h.fake.advance(1);
    expected.push(start_conversation(&h, "lead"));
    let (emitted, cursor, _) = drain(&h, "new-conversation", json!({}), &first.cursor);
    exactly(&emitted, &expected);
    let (none, _, _) = drain(&h, "new-conversation", json!({}), &cursor);
    assert!(none.is_empty());
    let r = h.fake.requests().last().unwrap().clone();
    assert_eq!(r.path, "/conversations/search");
}

#[test]
fn a_reclosed_conversation_fires_again() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let conv = start_conversation(&h, "user");
    let first = h.poll("new-closed-conversation", json!({}), None).unwrap();
    assert!(first.events.is_empty());
    h.fake.advance(10);
    h.fake
        .with_state(|s| assert!(s.close_conversation(&conv, ADMIN_ID, None)));
    let p1 = h
        .poll("new-closed-conversation", json!({}), Some(&first.cursor))
        .unwrap();
    assert_eq!(ids(&p1), vec![format!("{conv}:{}", NOON + 10)]);
    let p2 = h
        .poll("new-closed-conversation", json!({}), Some(&p1.cursor))
        .unwrap();
    assert!(p2.events.is_empty(), "closed once, emitted once");
    h.fake.advance(5);
    h.fake
        .with_state(|s| assert!(s.open_conversation(&conv, ADMIN_ID)));
    h.fake.advance(5);
    h.fake
        .with_state(|s| assert!(s.close_conversation(&conv, ADMIN_ID, None)));
    let p3 = h
        .poll("new-closed-conversation", json!({}), Some(&p2.cursor))
        .unwrap();
    assert_eq!(ids(&p3), vec![format!("{conv}:{}", NOON + 20)]);
    assert_eq!(p3.events[0].occurred_at, NOON + 20);
}

#[test]
fn tags_added_to_users_fire_once_per_application() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let vip = h.fake.insert_tag("VIP");
    let other = h.fake.insert_tag("Other");
    let (vip, other) = (
        vip["id"].as_str().unwrap().to_string(),
        other["id"].as_str().unwrap().to_string(),
    );
    let first = h
        .poll("tag-added-to-user", json!({"tag": "vip"}), None)
        .unwrap();
    let us = users(&h, 120, "t");
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "l@example.com"}));
    h.fake.advance(3);
    h.fake.with_state(|s| {
        for u in &us {
            s.apply_tag_to_contact(u, &vip, NOON + 3, Some(ADMIN_ID));
        }
        s.apply_tag_to_contact(&us[0], &other, NOON + 3, Some(ADMIN_ID));
        s.apply_tag_to_contact(lead["id"].as_str().unwrap(), &vip, NOON + 3, Some(ADMIN_ID));
    });
    let expected: Vec<String> = us
        .iter()
        .map(|u| format!("{u}:{vip}:{}", NOON + 3))
        .collect();
    let (emitted, cursor, _) = drain(
        &h,
        "tag-added-to-user",
        json!({"tag": "VIP"}),
        &first.cursor,
    );
    exactly(&emitted, &expected);
    let (none, cursor, _) = drain(&h, "tag-added-to-user", json!({"tag": "VIP"}), &cursor);
    assert!(none.is_empty());
    // Untag and tag again: a new application.
    h.fake.advance(7);
    h.fake.with_state(|s| {
        s.remove_tag_from_contact(&us[5], &vip);
        s.apply_tag_to_contact(&us[5], &vip, NOON + 10, Some(ADMIN_ID));
    });
    let p = h
        .poll("tag-added-to-user", json!({"tag": vip}), Some(&cursor))
        .unwrap();
    assert_eq!(ids(&p), vec![format!("{}:{vip}:{}", us[5], NOON + 10)]);
    let d = &data(&p)[0];
    assert_eq!(d["type"], "contact_tag");
    assert_eq!(d["tag"]["name"], "VIP");
    assert_eq!(d["contact"]["id"], us[5].as_str());
    assert_eq!(d["created_at"], NOON + 10);
}

#[test]
fn tag_added_to_lead_without_a_tag_filter_sees_any_tag_on_leads() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let t1 = h.fake.insert_tag("A")["id"].as_str().unwrap().to_string();
    let t2 = h.fake.insert_tag("B")["id"].as_str().unwrap().to_string();
    let lead = h.fake.insert_contact(json!({"role": "lead"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = users(&h, 1, "u").remove(0);
    let first = h.poll("tag-added-to-lead", json!({}), None).unwrap();
    h.fake.advance(1);
    h.fake.with_state(|s| {
        s.apply_tag_to_contact(&lead, &t1, NOON + 1, None);
        s.apply_tag_to_contact(&lead, &t2, NOON + 1, None);
        s.apply_tag_to_contact(&user, &t1, NOON + 1, None);
    });
    let (emitted, _, _) = drain(&h, "tag-added-to-lead", json!({}), &first.cursor);
    exactly(
        &emitted,
        &[
            format!("{lead}:{t1}:{}", NOON + 1),
            format!("{lead}:{t2}:{}", NOON + 1),
        ],
    );
    let e = h
        .poll("tag-added-to-lead", json!({"tag": "nope"}), None)
        .unwrap_err();
    assert_eq!(invalid_field(&e), "tag");
}

#[test]
fn tags_added_to_conversations() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let t = h.fake.insert_tag("Urgent")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let convs: Vec<String> = (0..3).map(|_| start_conversation(&h, "user")).collect();
    let first = h
        .poll("tag-added-to-conversation", json!({"tag": "Urgent"}), None)
        .unwrap();
    h.fake.advance(2);
    h.fake.with_state(|s| {
        for c in &convs[..2] {
            assert!(s.tag_conversation(c, &t, ADMIN_ID));
        }
    });
    let (emitted, _, _) = drain(
        &h,
        "tag-added-to-conversation",
        json!({"tag": "Urgent"}),
        &first.cursor,
    );
    let expected: Vec<String> = convs[..2]
        .iter()
        .map(|c| format!("{c}:{t}:{}", NOON + 2))
        .collect();
    exactly(&emitted, &expected);
}

#[test]
fn new_companies_are_emitted_once() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    for i in 0..5 {
        h.fake.insert_company(json!({"name": format!("Old {i}")}));
    }
    let first = h.poll("new-company", json!({}), None).unwrap();
    assert_eq!(first.events.len(), 3);
    let mut expected = Vec::new();
    for i in 0..120 {
        expected.push(
            h.fake.insert_company(json!({"name": format!("New {i}")}))["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    h.fake.advance(1);
    expected.push(
        h.fake.insert_company(json!({"name": "Later"}))["id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    let (emitted, cursor, _) = drain(&h, "new-company", json!({}), &first.cursor);
    exactly(&emitted, &expected);
    let (none, _, _) = drain(&h, "new-company", json!({}), &cursor);
    assert!(none.is_empty());
}
