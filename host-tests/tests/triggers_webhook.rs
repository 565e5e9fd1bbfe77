//! Webhook deliveries through the real component: signature checks, topic → trigger mapping
//! (2.x and 1.x names), ping (with Intercom's `"id": null`) and unused topics, ISO-8601
//! normalisation, the notification id as the delivery id, and the same event (id, time, shape)
//! as polling gives for the same happening.

mod common;

use common::{invalid_field, kind, Harness};
use intercom_fake::state::{ADMIN_ID, DEFAULT_SEARCH_LAG_SECS};
use serde_json::{json, Value};

const SECRET: &str = "client-secret-abc";

fn sign(secret: &str, body: &[u8]) -> String {
    intercom_fake::sign_webhook(secret, body)
}

fn notification(topic: &str, item: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "type": "notification_event", "app_id": "fk4ke1nt", "id": format!("notif_{topic}"),
        "topic": topic, "created_at": 1_768_020_200, "delivery_attempts": 1,
        "first_sent_at": 1_768_020_200,
        "data": {"type": "notification_event_data", "item": item}
    }))
    .unwrap()
}

fn deliver(h: &Harness, body: &[u8]) -> intercom_host::WebhookResult {
    let sig = sign(SECRET, body);
    h.webhook(SECRET, &[("X-Hub-Signature", &sig)], body)
        .unwrap()
}

fn contact(role: &str) -> Value {
    json!({"type": "contact", "id": "6762f0d01bb69f9f2193bb7d", "role": role, "email": "ada@example.com",
        "created_at": "2026-01-10T04:41:59.251+00:00", "updated_at": "2026-01-10T04:42:00+00:00",
        "signed_up_at": null, "custom_attributes": {}})
}

#[test]
fn signatures_are_checked_before_anything_is_parsed() {
    let h = Harness::new();
    let body = notification("contact.user.created", contact("user"));
    let good = sign(SECRET, &body);
    for name in ["X-Hub-Signature", "x-hub-signature", "X-HUB-SIGNATURE"] {
        let r = h.webhook(SECRET, &[(name, &good)], &body).unwrap();
        assert_eq!(r.events.len(), 1, "{name}");
    }
    let wrong = sign("other", &body);
    assert_eq!(
        kind(
            &h.webhook(SECRET, &[("X-Hub-Signature", &wrong)], &body)
                .unwrap_err()
        ),
        "unauthorized"
    );
    assert_eq!(
        kind(&h.webhook(SECRET, &[], &body).unwrap_err()),
        "unauthorized"
    );
    let e = h
        .webhook(SECRET, &[("X-Hub-Signature", "sha1=nothex")], &body)
        .unwrap_err();
    assert_eq!(invalid_field(&e), "headers.X-Hub-Signature");
    let e = h
        .webhook("", &[("X-Hub-Signature", &good)], &body)
        .unwrap_err();
    assert_eq!(invalid_field(&e), "secret");
    // A tampered body fails even when it is valid JSON.
    let mut tampered = body.clone();
    tampered.push(b' ');
    assert_eq!(
        kind(
            &h.webhook(SECRET, &[("X-Hub-Signature", &good)], &tampered)
                .unwrap_err()
        ),
        "unauthorized"
    );
    // A signed body that is not a notification names what is wrong.
    let junk = br#"{"type":"list"}"#;
    let e = h
        .webhook(SECRET, &[("X-Hub-Signature", &sign(SECRET, junk))], junk)
        .unwrap_err();
    assert_eq!(invalid_field(&e), "body.type");
    assert!(h.fake.requests().is_empty(), "webhooks never call Intercom");
}

#[test]
fn every_topic_maps_to_its_triggers_in_2x_and_1x_names() {
    let h = Harness::new();
    let tag = json!({"type": "tag", "id": "17513", "name": "VIP"});
    let conv = json!({"type": "conversation", "id": "5", "created_at": 1_768_020_000, "state": "closed",
        "statistics": {"last_close_at": 1_768_020_100}, "tags_added": {"type": "tag.list", "tags": [tag]}});
    let company = serde_json::from_str::<Value>(include_str!(
        "../fixtures/intercom/examples/webhook_company_created.json"
    ))
    .unwrap();
    let cases: Vec<(&str, Value, &str)> = vec![
        ("contact.user.created", contact("user"), "new-user"),
        ("user.created", contact("user"), "new-user"),
        ("contact.lead.created", contact("lead"), "new-lead"),
        ("contact.created", contact("lead"), "new-lead"),
        (
            "contact.lead.added_email",
            contact("lead"),
            "lead-added-email",
        ),
        ("contact.added_email", contact("lead"), "lead-added-email"),
        (
            "contact.lead.signed_up",
            contact("user"),
            "lead-converted-to-user",
        ),
        (
            "contact.signed_up",
            contact("user"),
            "lead-converted-to-user",
        ),
        ("contact.merged", contact("user"), "lead-converted-to-user"),
        (
            "contact.user.tag.created",
            json!({"type": "contact_tag", "created_at": "2026-01-10T04:43:00Z", "tag": tag, "contact": contact("user")}),
            "tag-added-to-user",
        ),
        (
            "user.tag.created",
            json!({"type": "user_tag", "created_at": 1_768_020_180, "tag": tag, "user": contact("user")}),
            "tag-added-to-user",
        ),
        (
            "contact.lead.tag.created",
            json!({"type": "contact_tag", "created_at": 1_768_020_180, "tag": tag, "contact": contact("lead")}),
            "tag-added-to-lead",
        ),
        (
            "contact.tag.created",
            json!({"type": "contact_tag", "created_at": 1_768_020_180, "tag": tag, "contact": contact("lead")}),
            "tag-added-to-lead",
        ),
        (
            "conversation.user.created",
            conv.clone(),
            "new-conversation",
        ),
        (
            "conversation.admin.closed",
            conv.clone(),
            "new-closed-conversation",
        ),
        (
            "conversation_part.tag.created",
            conv.clone(),
            "tag-added-to-conversation",
        ),
        (
            "company.created",
            company["data"]["item"].clone(),
            "new-company",
        ),
        (
            "contact.unsubscribed",
            json!({"type": "contact_unsubscribe", "created_at": 1_768_020_190, "contact": contact("user"), "subscription_types": {"type": "list", "data": []}}),
            "new-unsubscription",
        ),
        ("user.unsubscribed", contact("user"), "new-unsubscription"),
    ];
    for (topic, item, trigger) in cases {
        let r = deliver(&h, &notification(topic, item));
        assert_eq!(r.topic, topic);
        let triggers: Vec<&str> = r.events.iter().map(|e| e.trigger.as_str()).collect();
        assert_eq!(triggers, vec![trigger], "{topic}");
        assert_eq!(
            r.delivery_id.as_deref(),
            Some(format!("notif_{topic}").as_str()),
            "{topic}: the notification id names the delivery"
        );
        assert_ne!(r.events[0].id, format!("notif_{topic}"), "{topic}");
        assert!(r.note.is_none());
        let data: Value = serde_json::from_str(&r.events[0].data).unwrap();
        match trigger {
            "tag-added-to-user" | "tag-added-to-lead" => {
                assert_eq!(data["type"], "contact_tag");
                assert_eq!(data["tag"]["id"], "17513");
                assert!(data["created_at"].is_i64(), "{topic}: {data}");
                assert!(data["contact"]["created_at"].is_i64());
            }
            "new-unsubscription" => {
                assert_eq!(data["type"], "contact_unsubscribe");
                assert_eq!(data["contact"]["created_at"], 1_768_020_119);
            }
            "tag-added-to-conversation" => {
                assert_eq!(data["type"], "conversation_tag");
                assert_eq!(data["conversation"]["id"], "5");
            }
            "new-closed-conversation" => assert_eq!(r.events[0].occurred_at, 1_768_020_100),
            _ => {}
        }
    }
}

#[test]
fn ping_and_unused_topics_give_no_events_and_say_why() {
    let h = Harness::new();
    for topic in ["ping", "contact.user.updated", "conversation.admin.noted"] {
        let r = deliver(
            &h,
            &notification(topic, json!({"type": "ping", "message": "hi"})),
        );
        assert!(r.events.is_empty(), "{topic}");
        assert!(r.note.is_some(), "{topic}");
    }
}

#[test]
fn intercoms_own_ping_with_a_null_id_is_accepted_and_other_topics_need_an_id() {
    let h = Harness::new();
    // The ping Intercom sends when a webhook URL is saved (Intercom's webhook docs): no id.
    let ping = serde_json::to_vec(&json!({
        "type": "notification_event", "app_id": "fk4ke1nt", "id": null, "topic": "ping",
        "created_at": 1_768_020_200, "delivery_attempts": 1, "first_sent_at": 1_768_020_200,
        "data": {"type": "notification_event_data", "item": {"type": "ping", "message": "something"}}
    }))
    .unwrap();
    let r = deliver(&h, &ping);
    assert_eq!((r.topic.as_str(), r.delivery_id), ("ping", None));
    assert!(r.events.is_empty());
    assert!(r.note.unwrap().contains("ping"));
    let mut other: Value =
        serde_json::from_slice(&notification("contact.user.created", contact("user"))).unwrap();
    other["id"] = Value::Null;
    let body = serde_json::to_vec(&other).unwrap();
    let sig = sign(SECRET, &body);
    let e = h
        .webhook(SECRET, &[("X-Hub-Signature", &sig)], &body)
        .unwrap_err();
    assert_eq!(invalid_field(&e), "body.id");
}

#[test]
fn a_conversation_tag_delivery_emits_only_the_tags_added() {
    let h = Harness::new();
    let old = json!({"type": "tag", "id": "1", "name": "Old", "applied_at": 1_768_000_000});
    let new = json!({"type": "tag", "id": "2", "name": "New", "applied_at": 1_768_020_150});
    let conv = json!({"type": "conversation", "id": "5", "created_at": 1_768_020_000,
        "tags": {"type": "tag.list", "tags": [old, new.clone()]},
        "tags_added": {"type": "tag.list", "tags": [new]}});
    let r = deliver(
        &h,
        &notification("conversation_part.tag.created", conv.clone()),
    );
    let ids: Vec<&str> = r.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["5:2:1768020150"]);
    // Without `tags_added` nothing says which tag is new: no event (not every tag it has).
    let mut bare = conv;
    bare.as_object_mut().unwrap().remove("tags_added");
    let r = deliver(&h, &notification("conversation_part.tag.created", bare));
    assert!(r.events.is_empty() && r.note.is_some());
}

/// (event id, occurred-at) of each event a path gave.
type Events = Vec<(String, i64)>;

/// The happening polled by `key` (from a first poll's cursor) and the same happening delivered
/// as a webhook built from the fake's own record: their events.
fn both_paths(
    h: &Harness,
    key: &str,
    input: Value,
    happen: impl FnOnce() -> (&'static str, Value),
) -> (Events, Events) {
    let first = h.poll(key, input.clone(), None).unwrap();
    h.fake.advance(5);
    let (topic, item) = happen();
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let polled = h.poll(key, input, Some(&first.cursor)).unwrap();
    let hooked = deliver(h, &notification(topic, item));
    let pairs = |events: &[intercom_host::Event]| {
        events
            .iter()
            .filter(|e| e.trigger == key)
            .map(|e| (e.id.clone(), e.occurred_at))
            .collect::<Vec<_>>()
    };
    (pairs(&polled.events), pairs(&hooked.events))
}

#[test]
fn the_same_happening_has_the_same_event_id_by_webhook_and_by_poll_for_every_trigger_with_both() {
    let h = Harness::new();
    h.fake.set_now(1_768_020_000);
    let seed = h
        .fake
        .insert_contact(json!({"role": "user", "email": "seed@example.com"}));
    let vip = h.fake.insert_tag("VIP");
    let vip_id = vip["id"].as_str().unwrap().to_string();
    let conv_of = |role: &str| {
        let c = h.fake.insert_contact(json!({"role": role}));
        h.fake
            .insert_conversation(json!({"contact_id": c["id"], "body": "Hi"}))["id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let conv = conv_of("user");
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let mut checked = Vec::new();
    let mut check = |key: &str, (polled, hooked): (Events, Events)| {
        assert_eq!(polled.len(), 1, "{key}: polled {polled:?}");
        assert_eq!(polled, hooked, "{key}");
        checked.push(key.to_string());
    };
    for (key, role, topic) in [
        ("new-user", "user", "contact.user.created"),
        ("new-lead", "lead", "contact.lead.created"),
    ] {
        let r = both_paths(&h, key, json!({}), || {
            (
                topic,
                h.fake
                    .insert_contact(json!({"role": role, "email": format!("{role}@example.com")})),
            )
        });
        check(key, r);
    }
    for (key, role, topic) in [
        ("tag-added-to-user", "user", "contact.user.tag.created"),
        ("tag-added-to-lead", "lead", "contact.lead.tag.created"),
    ] {
        let c = h.fake.insert_contact(json!({"role": role}));
        let id = c["id"].as_str().unwrap().to_string();
        let r = both_paths(&h, key, json!({"tag": "VIP"}), || {
            let now = h.fake.now();
            h.fake
                .with_state(|s| s.apply_tag_to_contact(&id, &vip_id, now, Some(ADMIN_ID)));
            let contact = h.fake.contact(&id).unwrap();
            (
                topic,
                json!({"type": "contact_tag", "created_at": now, "tag": vip, "contact": contact}),
            )
        });
        check(key, r);
    }
    let r = both_paths(&h, "new-conversation", json!({}), || {
        let id = conv_of("lead");
        let item = h
            .fake
            .conversations()
            .into_iter()
            .find(|c| c["id"] == id.as_str())
            .unwrap();
        ("conversation.user.created", item)
    });
    check("new-conversation", r);
    let r = both_paths(&h, "new-closed-conversation", json!({}), || {
        h.fake
            .with_state(|s| assert!(s.close_conversation(&conv, ADMIN_ID, None)));
        let item = h
            .fake
            .conversations()
            .into_iter()
            .find(|c| c["id"] == conv.as_str())
            .unwrap();
        ("conversation.admin.closed", item)
    });
    check("new-closed-conversation", r);
    let r = both_paths(&h, "tag-added-to-conversation", json!({}), || {
        h.fake
            .with_state(|s| assert!(s.tag_conversation(&conv, &vip_id, ADMIN_ID)));
        let mut item = h
            .fake
            .conversations()
            .into_iter()
            .find(|c| c["id"] == conv.as_str())
            .unwrap();
        item["tags_added"] = item["tags"].clone();
        ("conversation_part.tag.created", item)
    });
    check("tag-added-to-conversation", r);
    // One part each, in a conversation holding it alone as the notification does (see
    // `corpus/webhooks/SOURCES.md`); `triggers_replies.rs` tests these triggers further.
    let contact = h.fake.insert_contact(json!({"role": "user"}));
    let replied = h
        .fake
        .insert_conversation(json!({"contact_id": contact["id"], "body": "Hi"}))["id"]
        .as_str()
        .unwrap()
        .to_string();
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let contact_id = contact["id"].as_str().unwrap().to_string();
    let with_part = |part: Value| {
        let mut item = h
            .fake
            .conversations()
            .into_iter()
            .find(|c| c["id"] == replied.as_str())
            .unwrap();
        item["conversation_parts"] = json!({"type": "conversation_part.list",
            "conversation_parts": [part], "total_count": 1});
        item
    };
    let r = both_paths(&h, "new-reply-from-user", json!({}), || {
        let part = h.fake.add_user_reply(&replied, &contact_id, "More");
        ("conversation.user.replied", with_part(part))
    });
    check("new-reply-from-user", r);
    let r = both_paths(&h, "new-reply-from-admin", json!({}), || {
        let part = h.fake.add_admin_part(&replied, ADMIN_ID, "comment", "Sure");
        ("conversation.admin.replied", with_part(part))
    });
    check("new-reply-from-admin", r);
    let r = both_paths(&h, "conversation-assigned", json!({}), || {
        let part = h.fake.assign(&replied, ADMIN_ID, ADMIN_ID);
        ("conversation.admin.assigned", with_part(part))
    });
    check("conversation-assigned", r);
    let r = both_paths(&h, "new-company", json!({}), || {
        (
            "company.created",
            h.fake.insert_company(json!({"name": "Acme"})),
        )
    });
    check("new-company", r);
    // Tickets of the seeded type 67 (`tickets::seed_types`), for the seed contact.
    let ticket_of = || {
        h.fake
            .insert_ticket(json!({"ticket_type_id": "67", "contact_id": seed["id"],
            "ticket_attributes": {"_default_title_": "Broken",
                "Severity": "3f0b7a52-0002-4c1e-9d1f-5a1e2b3c4d02"}}))
    };
    let r = both_paths(&h, "new-ticket", json!({}), || {
        ("ticket.created", ticket_of())
    });
    check("new-ticket", r);
    let ticket = ticket_of()["id"].as_str().unwrap().to_string();
    let r = both_paths(&h, "ticket-state-changed", json!({}), || {
        let changed = h
            .action(
                "update-ticket",
                json!({"ticket_id": ticket, "ticket_state_id": "resolved"}),
            )
            .unwrap();
        ("ticket.state.updated", changed)
    });
    check("ticket-state-changed", r);
    // Every trigger that can poll and has a webhook topic.
    let both: Vec<String> = h
        .host
        .describe()
        .unwrap()
        .operations
        .iter()
        .filter(|o| {
            o.trigger
                .as_ref()
                .is_some_and(|t| t.can_poll && !t.webhook_topics.is_empty())
        })
        .map(|o| o.key.clone())
        .collect();
    checked.sort();
    let mut both = both;
    both.sort();
    assert_eq!(checked, both);
}

#[test]
fn webhook_contacts_have_unix_times_and_the_polled_shape() {
    let h = Harness::new();
    let user = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    h.fake.advance(DEFAULT_SEARCH_LAG_SECS + 1);
    let first = h.poll("new-user", json!({}), None).unwrap();
    let polled: Value = serde_json::from_str(&first.events[0].data).unwrap();
    // The same contact as a webhook would carry it: ISO-8601 strings for its times.
    let mut item = user.clone();
    for k in ["created_at", "updated_at"] {
        let secs = item[k].as_i64().unwrap();
        item[k] = json!(format!("{}", iso(secs)));
    }
    let r = deliver(&h, &notification("contact.user.created", item));
    let hooked: Value = serde_json::from_str(&r.events[0].data).unwrap();
    assert_eq!(hooked["created_at"], user["created_at"]);
    assert_eq!(hooked["updated_at"], user["updated_at"]);
    assert_eq!(r.events[0].occurred_at, first.events[0].occurred_at);
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&hooked), keys(&polled));
    assert_eq!(hooked, polled);
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SS.000+00:00`.
fn iso(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil_from_days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000+00:00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[test]
fn a_burst_from_one_app_is_answered_delivery_by_delivery_on_one_instance() {
    let h = Harness::new();
    let user = notification("contact.user.created", contact("user"));
    let lead = notification("contact.lead.created", contact("lead"));
    let header =
        |body: &[u8], secret: &str| vec![("X-Hub-Signature".to_string(), sign(secret, body))];
    let burst = vec![
        (header(&user, SECRET), user.clone()),
        (header(&lead, "someone-else"), lead.clone()),
        (header(&lead, SECRET), lead.clone()),
    ];
    let results = h.host.parse_webhooks(SECRET, &burst).unwrap();
    assert_eq!(results.len(), 3);
    let triggers = |r: &Result<intercom_host::WebhookResult, _>| -> Vec<String> {
        r.as_ref()
            .unwrap()
            .events
            .iter()
            .map(|e| e.trigger.clone())
            .collect()
    };
    assert_eq!(triggers(&results[0]), ["new-user"]);
    // A forged delivery in the middle fails alone; the ones around it are unaffected.
    assert_eq!(kind(results[1].as_ref().unwrap_err()), "unauthorized");
    assert_eq!(triggers(&results[2]), ["new-lead"]);
    // Same answers as one call per delivery.
    assert_eq!(
        results[2].as_ref().unwrap().events[0].data,
        deliver(&h, &lead).events[0].data
    );
}
