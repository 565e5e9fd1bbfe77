//! The demo's tour of the triggers: a first poll (samples and a cursor), new users created in the
//! same second picked up exactly once, three replies between two polls as three events, and a
//! signed webhook delivery verified and normalised.

use super::{section, show, Demo};
use anyhow::Result;
use intercom_fake::sign_webhook;
use intercom_host::json;
use intercom_host::PollPage;
use serde_json::json;

fn brief(page: &PollPage) -> serde_json::Value {
    json!({
        "events": page.events.iter().map(|e| {
            let d = json::parse(&e.data);
            json!({"id": e.id, "occurred_at": e.occurred_at, "email": d["email"]})
        }).collect::<Vec<_>>(),
        "has_more": page.has_more,
        "cursor": format!("{}…", page.cursor.chars().take(24).collect::<String>()),
    })
}

pub fn tour(d: &Demo) -> Result<()> {
    section("poll new-user, first time: the newest users as samples, and a cursor");
    let first = d.host.poll_trigger(&d.conn, "new-user", "{}", None)?;
    show(first.as_ref().map(brief).map_err(Clone::clone));
    let Ok(first) = first else { return Ok(()) };

    d.fake.advance(5);
    for name in ["ann", "bob", "cy"] {
        d.fake
            .insert_contact(json!({"role": "user", "email": format!("{name}@example.com")}));
    }
    // Intercom's search shows new contacts only minutes later; the fake's clock moves on.
    d.fake
        .advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);
    section("three users signed up in the same second, now in search; poll with the saved cursor");
    let second = d
        .host
        .poll_trigger(&d.conn, "new-user", "{}", Some(&first.cursor))?;
    show(second.as_ref().map(brief).map_err(Clone::clone));
    if let Ok(second) = second {
        section("poll again with the new cursor: nothing is repeated");
        show(
            d.host
                .poll_trigger(&d.conn, "new-user", "{}", Some(&second.cursor))?
                .map(|p| brief(&p)),
        );
    }

    replies(d)?;

    section("webhook contact.user.created, signed with the app's client secret");
    let secret = "demo-client-secret";
    let body = json!({
        "type": "notification_event", "app_id": "fk4ke1nt", "id": "notif_demo-1",
        "topic": "contact.user.created", "created_at": 1_790_000_000, "delivery_attempts": 1,
        "data": {"type": "notification_event_data", "item": {
            "type": "contact", "id": "6b07258b1bb69f9f000000aa", "role": "user",
            "email": "dee@example.com", "created_at": "2026-09-21T12:00:00.000+00:00"
        }}
    })
    .to_string();
    let headers = vec![(
        "X-Hub-Signature".to_string(),
        sign_webhook(secret, body.as_bytes()),
    )];
    let parsed = d.host.parse_webhook(secret, &headers, body.as_bytes())?;
    show(parsed.map(|r| {
        json!({"topic": r.topic, "events": r.events.iter().map(|e| {
            let data = json::parse(&e.data);
            json!({"id": e.id, "trigger": e.trigger, "created_at (ISO-8601 in the delivery, Unix seconds here)": data["created_at"]})
        }).collect::<Vec<_>>()})
    }));

    section("the same delivery with a forged signature");
    let forged = vec![(
        "x-hub-signature".to_string(),
        format!("sha1={}", "0".repeat(40)),
    )];
    show(
        d.host
            .parse_webhook(secret, &forged, body.as_bytes())?
            .map(|r| json!(r.topic)),
    );
    Ok(())
}

/// Three replies by the customer between two polls of `new-reply-from-user`: three events, each
/// named after its conversation part.
fn replies(d: &Demo) -> Result<()> {
    let user = d
        .fake
        .insert_contact(json!({"role": "user", "email": "rae@example.com"}));
    let user_id = user["id"].as_str().unwrap_or_default().to_string();
    let conv = d
        .fake
        .insert_conversation(json!({"contact_id": user_id, "body": "Hello?"}));
    let conv_id = conv["id"].as_str().unwrap_or_default().to_string();
    d.fake
        .advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);
    let first = d
        .host
        .poll_trigger(&d.conn, "new-reply-from-user", "{}", None)?;
    let Ok(first) = first else {
        show(first.map(|_| json!(null)));
        return Ok(());
    };
    d.fake.advance(5);
    for body in ["Still there?", "It is urgent.", "Found it, thanks!"] {
        d.fake.add_user_reply(&conv_id, &user_id, body);
        d.fake.advance(1);
    }
    d.fake
        .advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);
    section("three replies between two polls of new-reply-from-user: three events, one per part");
    show(
        d.host
            .poll_trigger(&d.conn, "new-reply-from-user", "{}", Some(&first.cursor))?
            .map(|p| {
                json!(p
                    .events
                    .iter()
                    .map(|e| {
                        let data = json::parse(&e.data);
                        json!({"id (the part)": e.id, "body": data["part"]["body"],
                        "conversation": data["conversation"]["id"]})
                    })
                    .collect::<Vec<_>>())
            }),
    );
    Ok(())
}
