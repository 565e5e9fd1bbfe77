//! Polling triggers through the real component and the fake Intercom, whose search lags writes
//! by default (each record appears up to 3 minutes after its last change; some tests make it
//! lag up to the poller's whole allowance): each test asserts the exact set of event ids emitted
//! (no loss, no duplicate) across late results, same-second items, page bounds, items created
//! while paging, day boundaries, restarts from saved and rejected cursors, and the requests an
//! idle poll makes.

mod common;

use common::{invalid_field, Harness};
use intercom_fake::state::{ADMIN_ID, DEFAULT_SEARCH_CURSOR_TTL_SECS, DEFAULT_SEARCH_LAG_SECS};
use intercom_host::PollPage;
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// 2025-06-15T12:00:00Z
const NOON: i64 = 1_749_988_800;

/// The poller's default lag allowance.
const ALLOWANCE: i64 = 15 * 60;

/// Lets the fake's search index catch up with every write so far.
fn settle(h: &Harness) {
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
}

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
    settle(&h);
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
    settle(&h);
    let first = h.poll("new-user", json!({}), None).unwrap();
    // Same second as the samples (reaching search later): only the later ones are new.
    h.fake.set_now(NOON);
    let new = users(&h, 700, "burst");
    h.fake
        .insert_contact(json!({"role": "lead", "email": "not-a-user@example.com"}));
    settle(&h);
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
    settle(&h);
    let p1 = h.poll("new-user", json!({}), Some(&first.cursor)).unwrap();
    assert!(p1.has_more, "600 users exceed one poll");
    let mut emitted = ids(&p1);
    // Created between two polls of one read: at the same second and a second later.
    expected.extend(users(&h, 40, "same-second"));
    h.fake.advance(1);
    expected.extend(users(&h, 40, "next-second"));
    settle(&h);
    let (rest, cursor, _) = drain(&h, "new-user", json!({}), &p1.cursor);
    emitted.extend(rest);
    exactly(&emitted, &expected);
    // Order: every poll's events are oldest first.
    let later = users(&h, 3, "later");
    settle(&h);
    let p = h.poll("new-user", json!({}), Some(&cursor)).unwrap();
    assert_eq!(ids(&p), later);
}

#[test]
fn a_day_boundary_loses_nothing() {
    let h = Harness::new();
    let midnight = NOON + 12 * 3600;
    h.fake.set_now(midnight - 2);
    users(&h, 1, "seed");
    h.fake.set_search_lag(0); // seeding only; the index lags again below
    let first = h.poll("new-user", json!({}), None).unwrap();
    h.fake.set_search_lag(DEFAULT_SEARCH_LAG_SECS);
    h.fake.set_now(midnight - 1);
    let mut expected = users(&h, 3, "late");
    h.fake.set_now(midnight);
    expected.extend(users(&h, 3, "midnight"));
    h.fake.set_now(midnight + 1);
    expected.extend(users(&h, 3, "early"));
    settle(&h);
    let (emitted, cursor, _) = drain(&h, "new-user", json!({}), &first.cursor);
    exactly(&emitted, &expected);
    // The mark is now in the new day; items later that day still come, once.
    h.fake.set_now(midnight + 5 * 3600);
    let more = users(&h, 2, "morning");
    settle(&h);
    let (emitted, cursor, _) = drain(&h, "new-user", json!({}), &cursor);
    exactly(&emitted, &more);
    // And two days later.
    h.fake.set_now(midnight + 2 * 86_400 + 7);
    let more = users(&h, 2, "later");
    settle(&h);
    let (emitted, _, _) = drain(&h, "new-user", json!({}), &cursor);
    exactly(&emitted, &more);
}

#[test]
fn restarting_from_a_saved_cursor_repeats_that_poll_and_loses_nothing() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let first = h.poll("new-user", json!({}), None).unwrap();
    let expected = users(&h, 500, "x");
    settle(&h);
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
    settle(&h);
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
    let e = h
        .poll("new-lead", json!({"lag_allowance_minutes": 0}), None)
        .unwrap_err();
    assert_eq!(invalid_field(&e), "lag_allowance_minutes");
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
    settle(&h);
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
    settle(&h);
    let first = h.poll("new-conversation", json!({}), None).unwrap();
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
    settle(&h);
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
    settle(&h);
    let first = h.poll("new-closed-conversation", json!({}), None).unwrap();
    assert!(first.events.is_empty());
    let closed1 = h.fake.now() + 10;
    h.fake.set_now(closed1);
    h.fake
        .with_state(|s| assert!(s.close_conversation(&conv, ADMIN_ID, None)));
    settle(&h);
    let p1 = h
        .poll("new-closed-conversation", json!({}), Some(&first.cursor))
        .unwrap();
    assert_eq!(ids(&p1), vec![format!("{conv}:{closed1}")]);
    let p2 = h
        .poll("new-closed-conversation", json!({}), Some(&p1.cursor))
        .unwrap();
    assert!(p2.events.is_empty(), "closed once, emitted once");
    h.fake.advance(5);
    h.fake
        .with_state(|s| assert!(s.open_conversation(&conv, ADMIN_ID)));
    h.fake.advance(5);
    let closed2 = h.fake.now();
    h.fake
        .with_state(|s| assert!(s.close_conversation(&conv, ADMIN_ID, None)));
    settle(&h);
    let p3 = h
        .poll("new-closed-conversation", json!({}), Some(&p2.cursor))
        .unwrap();
    assert_eq!(ids(&p3), vec![format!("{conv}:{closed2}")]);
    assert_eq!(p3.events[0].occurred_at, closed2);
}

fn tag_id(h: &Harness, name: &str) -> String {
    h.fake.insert_tag(name)["id"].as_str().unwrap().to_string()
}

#[test]
fn tags_added_to_users_fire_once_per_application() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let (vip, other) = (tag_id(&h, "VIP"), tag_id(&h, "Other"));
    let first = h
        .poll("tag-added-to-user", json!({"tag": "vip"}), None)
        .unwrap();
    let us = users(&h, 120, "t");
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "l@example.com"}));
    h.fake.advance(3);
    let at = h.fake.now();
    h.fake.with_state(|s| {
        for u in &us {
            s.apply_tag_to_contact(u, &vip, at, Some(ADMIN_ID));
        }
        s.apply_tag_to_contact(&us[0], &other, at, Some(ADMIN_ID));
        s.apply_tag_to_contact(lead["id"].as_str().unwrap(), &vip, at, Some(ADMIN_ID));
    });
    let expected: Vec<String> = us.iter().map(|u| format!("{u}:{vip}:{at}")).collect();
    settle(&h);
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
    let again = h.fake.now();
    h.fake.with_state(|s| {
        s.remove_tag_from_contact(&us[5], &vip);
        s.apply_tag_to_contact(&us[5], &vip, again, Some(ADMIN_ID));
    });
    settle(&h);
    let p = h
        .poll("tag-added-to-user", json!({"tag": vip}), Some(&cursor))
        .unwrap();
    assert_eq!(ids(&p), vec![format!("{}:{vip}:{again}", us[5])]);
    let d = &data(&p)[0];
    assert_eq!(d["type"], "contact_tag");
    assert_eq!(d["tag"]["name"], "VIP");
    assert_eq!(d["contact"]["id"], us[5].as_str());
    assert_eq!(d["created_at"], again);
}

#[test]
fn tag_added_to_lead_without_a_tag_filter_sees_any_tag_on_leads() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let (t1, t2) = (tag_id(&h, "A"), tag_id(&h, "B"));
    let lead = h.fake.insert_contact(json!({"role": "lead"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    let user = users(&h, 1, "u").remove(0);
    settle(&h);
    let first = h.poll("tag-added-to-lead", json!({}), None).unwrap();
    h.fake.advance(1);
    let at = h.fake.now();
    h.fake.with_state(|s| {
        s.apply_tag_to_contact(&lead, &t1, at, None);
        s.apply_tag_to_contact(&lead, &t2, at, None);
        s.apply_tag_to_contact(&user, &t1, at, None);
    });
    settle(&h);
    let (emitted, _, _) = drain(&h, "tag-added-to-lead", json!({}), &first.cursor);
    exactly(
        &emitted,
        &[format!("{lead}:{t1}:{at}"), format!("{lead}:{t2}:{at}")],
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
    let t = tag_id(&h, "Urgent");
    let convs: Vec<String> = (0..3).map(|_| start_conversation(&h, "user")).collect();
    settle(&h);
    let first = h
        .poll("tag-added-to-conversation", json!({"tag": "Urgent"}), None)
        .unwrap();
    h.fake.advance(2);
    let at = h.fake.now();
    h.fake.with_state(|s| {
        for c in &convs[..2] {
            assert!(s.tag_conversation(c, &t, ADMIN_ID));
        }
    });
    settle(&h);
    let (emitted, _, _) = drain(
        &h,
        "tag-added-to-conversation",
        json!({"tag": "Urgent"}),
        &first.cursor,
    );
    let expected: Vec<String> = convs[..2].iter().map(|c| format!("{c}:{t}:{at}")).collect();
    exactly(&emitted, &expected);
}

fn companies(h: &Harness, n: usize, name: &str) -> Vec<String> {
    (0..n)
        .map(|i| {
            h.fake
                .insert_company(json!({"name": format!("{name} {i}")}))["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn new_companies_are_emitted_once() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    companies(&h, 5, "Old");
    let first = h.poll("new-company", json!({}), None).unwrap();
    assert_eq!(first.events.len(), 3);
    let mut expected = companies(&h, 120, "New");
    h.fake.advance(1);
    expected.extend(companies(&h, 1, "Later"));
    let (emitted, cursor, _) = drain(&h, "new-company", json!({}), &first.cursor);
    exactly(&emitted, &expected);
    let (none, _, _) = drain(&h, "new-company", json!({}), &cursor);
    assert!(none.is_empty());
    // No scroll: another integration's open scroll is no obstacle.
    assert!(!h.calls().iter().any(|(_, p)| p.contains("scroll")));
}

/// Polls once a minute for `minutes`, calling `write(minute)` before each poll; returns every
/// event id emitted and the last cursor.
fn poll_every_minute(
    h: &Harness,
    key: &str,
    input: Value,
    cursor: &str,
    minutes: i64,
    mut write: impl FnMut(i64) -> Vec<String>,
) -> (Vec<String>, Vec<String>, String) {
    let (mut emitted, mut written, mut cursor) = (Vec::new(), Vec::new(), cursor.to_string());
    for minute in 0..minutes {
        written.extend(write(minute));
        h.fake.advance(60);
        let (ids, next, _) = drain(h, key, input.clone(), &cursor);
        emitted.extend(ids);
        cursor = next;
    }
    (emitted, written, cursor)
}

/// Search requests the fake received since the last `clear_requests`.
fn searches(h: &Harness) -> usize {
    h.calls()
        .iter()
        .filter(|(m, p)| m == "POST" && p.ends_with("/search"))
        .count()
}

#[test]
fn users_reaching_search_up_to_the_allowance_late_in_bursts_across_pages_and_midnight_are_emitted_once(
) {
    let h = Harness::new();
    let midnight = NOON + 12 * 3600;
    h.fake.set_now(midnight - 20 * 60);
    users(&h, 2, "seed");
    settle(&h);
    let first = h.poll("new-user", json!({}), None).unwrap();
    // Each record reaches search 7 to 14 minutes after it was written: inside the allowance.
    h.fake.set_search_lag(ALLOWANCE - 60);
    let (mut emitted, expected, cursor) =
        poll_every_minute(&h, "new-user", json!({}), &first.cursor, 40, |minute| {
            // A 500-user burst (more than a poll's pages) at midnight, a few users otherwise.
            let n = match minute {
                18 => 500,
                m if m % 3 == 0 => 4,
                _ => 0,
            };
            users(&h, n, &format!("m{minute}"))
        });
    // Let every record reach search, then drain.
    h.fake.advance(ALLOWANCE);
    let (rest, cursor, _) = drain(&h, "new-user", json!({}), &cursor);
    emitted.extend(rest);
    exactly(&emitted, &expected);
    // An idle poll of the now quiet workspace: one search request.
    h.fake.advance(ALLOWANCE);
    let (none, cursor, _) = drain(&h, "new-user", json!({}), &cursor);
    assert!(none.is_empty());
    h.fake.clear_requests();
    let idle = h.poll("new-user", json!({}), Some(&cursor)).unwrap();
    assert!(idle.events.is_empty() && !idle.has_more);
    assert_eq!(h.calls().len(), 1, "{:?}", h.calls());
}

#[test]
fn a_user_reaching_search_later_than_the_allowance_can_be_given_more() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    settle(&h);
    let input = json!({"lag_allowance_minutes": 40});
    let first = h.poll("new-user", input.clone(), None).unwrap();
    // Up to 30 minutes late: past the default 15, inside the 40 asked for.
    h.fake.set_search_lag(30 * 60);
    // Written over 20 minutes, polled for 50: they reach search out of order.
    let (mut emitted, expected, cursor) =
        poll_every_minute(&h, "new-user", input.clone(), &first.cursor, 50, |m| {
            users(&h, usize::from(m < 20 && m % 2 == 0), &format!("m{m}"))
        });
    h.fake.advance(30 * 60);
    let (rest, _, _) = drain(&h, "new-user", input, &cursor);
    emitted.extend(rest);
    exactly(&emitted, &expected);
}

#[test]
fn a_search_cursor_rejected_mid_read_restarts_the_read_and_nothing_is_emitted_twice() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    settle(&h);
    let first = h.poll("new-user", json!({}), None).unwrap();
    let expected = users(&h, 1000, "burst");
    settle(&h);
    let p1 = h.poll("new-user", json!({}), Some(&first.cursor)).unwrap();
    assert!(p1.has_more, "1000 users take several polls");
    // The host polls again only after the search cursor saved in p1 has expired.
    h.fake.advance(DEFAULT_SEARCH_CURSOR_TTL_SECS + 60);
    h.fake.clear_requests();
    let mut emitted = ids(&p1);
    let (rest, _, _) = drain(&h, "new-user", json!({}), &p1.cursor);
    emitted.extend(rest);
    exactly(&emitted, &expected);
    // The stale cursor was really sent (and so rejected by the fake).
    let now = h.fake.now();
    let stale = h.fake.requests().iter().any(|r| {
        r.json()
            .and_then(|b| {
                b["pagination"]["starting_after"]
                    .as_str()
                    .map(str::to_string)
            })
            .and_then(|a| intercom_fake::search::decode_cursor(&a))
            .is_some_and(|(_, _, issued)| now - issued > DEFAULT_SEARCH_CURSOR_TTL_SECS)
    });
    assert!(stale, "the read resumed with the expired cursor first");
}

#[test]
fn tagged_users_reaching_search_late_are_emitted_once_and_an_idle_poll_reads_no_tags() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    let vip = tag_id(&h, "VIP");
    let us = users(&h, 60, "u");
    settle(&h);
    let input = json!({"tag": "VIP"});
    let first = h.poll("tag-added-to-user", input.clone(), None).unwrap();
    h.fake.set_search_lag(ALLOWANCE - 60);
    let mut next = 0;
    let (mut emitted, expected, cursor) = poll_every_minute(
        &h,
        "tag-added-to-user",
        input.clone(),
        &first.cursor,
        30,
        |m| {
            let now = h.fake.now();
            let batch: Vec<String> = us[next..(next + (m as usize % 4)).min(us.len())].to_vec();
            next += batch.len();
            h.fake.with_state(|s| {
                for u in &batch {
                    s.apply_tag_to_contact(u, &vip, now, Some(ADMIN_ID));
                }
            });
            batch.iter().map(|u| format!("{u}:{vip}:{now}")).collect()
        },
    );
    assert!(expected.len() > 20);
    h.fake.advance(ALLOWANCE);
    let (rest, cursor, _) = drain(&h, "tag-added-to-user", input.clone(), &cursor);
    emitted.extend(rest);
    exactly(&emitted, &expected);
    h.fake.clear_requests();
    let (none, cursor, _) = drain(&h, "tag-added-to-user", input.clone(), &cursor);
    assert!(none.is_empty());
    // Re-reading the window expanded nothing again: no tag lookups, no tag list.
    assert_eq!(h.calls().len(), 1, "{:?}", h.calls());
    // Quiet after the window passes too.
    h.fake.advance(ALLOWANCE);
    h.fake.clear_requests();
    h.poll("tag-added-to-user", input, Some(&cursor)).unwrap();
    assert_eq!(h.calls().len(), 1, "{:?}", h.calls());
}

#[test]
fn conversations_and_closes_reaching_search_late_are_emitted_once() {
    let h = Harness::new();
    h.fake.set_now(NOON);
    settle(&h);
    let new_first = h.poll("new-conversation", json!({}), None).unwrap();
    let closed_first = h.poll("new-closed-conversation", json!({}), None).unwrap();
    h.fake.set_search_lag(ALLOWANCE - 60);
    let mut opened: Vec<String> = Vec::new();
    let mut closes: Vec<String> = Vec::new();
    let (mut new_cursor, mut closed_cursor) = (new_first.cursor, closed_first.cursor);
    let (mut new_ids, mut closed_ids) = (Vec::new(), Vec::new());
    for minute in 0..30 {
        if minute % 2 == 0 {
            // 160 conversations at minute 10: more than one search page.
            let n = if minute == 10 { 160 } else { 2 };
            for _ in 0..n {
                opened.push(start_conversation(
                    &h,
                    if minute % 4 == 0 { "user" } else { "lead" },
                ));
            }
            // An admin-started conversation is not a new conversation by a contact.
            let c = start_conversation(&h, "user");
            h.fake.with_state(|s| {
                s.conversation_mut(&c).unwrap().fields["source"]["author"]["type"] = json!("admin");
            });
        }
        if minute % 3 == 0 && !opened.is_empty() {
            let c = opened[closes.len() * 7 % opened.len()].clone();
            let now = h.fake.now();
            if h.fake
                .with_state(|s| s.close_conversation(&c, ADMIN_ID, None))
            {
                closes.push(format!("{c}:{now}"));
            }
        }
        h.fake.advance(60);
        let (a, c, _) = drain(&h, "new-conversation", json!({}), &new_cursor);
        new_ids.extend(a);
        new_cursor = c;
        let (a, c, _) = drain(&h, "new-closed-conversation", json!({}), &closed_cursor);
        closed_ids.extend(a);
        closed_cursor = c;
    }
    h.fake.advance(ALLOWANCE);
    let (a, new_cursor, _) = drain(&h, "new-conversation", json!({}), &new_cursor);
    new_ids.extend(a);
    let (a, closed_cursor, _) = drain(&h, "new-closed-conversation", json!({}), &closed_cursor);
    closed_ids.extend(a);
    exactly(&new_ids, &opened);
    exactly(&closed_ids, &closes);
    for (key, cursor) in [
        ("new-conversation", new_cursor),
        ("new-closed-conversation", closed_cursor),
    ] {
        h.fake.clear_requests();
        let idle = h.poll(key, json!({}), Some(&cursor)).unwrap();
        assert!(idle.events.is_empty(), "{key}");
        assert_eq!(searches(&h), 1, "{key}: an idle poll is one search");
        assert_eq!(h.calls().len(), 1, "{key}");
    }
}

#[test]
fn new_company_polls_fifty_thousand_companies_in_bounded_memory_past_the_list_cap() {
    // 16 MiB of linear memory: the whole workspace as JSON is over 40 MiB.
    let h = Harness::with_limits(intercom_host::Limits {
        max_memory_bytes: 16 << 20,
        ..Default::default()
    });
    h.fake.set_now(NOON - 86_400);
    h.fake
        .insert_companies(50_000, |i| NOON - 86_400 + (i as i64 / 10));
    h.fake.set_now(NOON);
    let first = h.poll("new-company", json!({}), None).unwrap();
    assert_eq!(first.events.len(), 3);
    let expected = companies(&h, 7, "New");
    h.fake.clear_requests();
    let (emitted, cursor, _) = drain(&h, "new-company", json!({}), &first.cursor);
    exactly(&emitted, &expected);
    // Past 10,000 companies the page-number list stops: the scroll reads the rest.
    assert!(h.calls().iter().any(|(_, p)| p == "/companies/scroll"));
    // Another integration holds the app's one scroll: a retryable error, not a wrong answer.
    h.fake.open_foreign_scroll();
    let e = h.poll("new-company", json!({}), Some(&cursor)).unwrap_err();
    assert!(
        matches!(e, intercom_host::ConnectorError::RateLimited(ref r) if r.message.contains("scroll")),
        "{e:?}"
    );
    // A minute later that scroll has expired and the poll goes on, losing nothing.
    h.fake.advance(61);
    let later = companies(&h, 2, "Later");
    let (emitted, _, _) = drain(&h, "new-company", json!({}), &cursor);
    exactly(&emitted, &later);
}

#[test]
fn new_company_needs_no_scroll_below_the_list_cap_and_ignores_one_held_by_others() {
    let h = Harness::new();
    h.fake.set_now(NOON - 3600);
    h.fake.insert_companies(2_000, |i| NOON - 3600 + i as i64);
    h.fake.set_now(NOON);
    h.fake.open_foreign_scroll();
    let first = h.poll("new-company", json!({}), None).unwrap();
    let expected = companies(&h, 3, "New");
    let (emitted, _, _) = drain(&h, "new-company", json!({}), &first.cursor);
    exactly(&emitted, &expected);
    assert!(!h.calls().iter().any(|(_, p)| p.contains("scroll")));
}
