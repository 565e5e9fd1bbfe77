//! The demo's tour of the actions: the seed's create/update scenarios, a 409 recovered, tags,
//! custom attributes checked before writing, an event, and a conversation handled end to end.

use super::{section, show, Demo};
use anyhow::Result;
use intercom_host::json;
use serde_json::{json, Value};

/// Runs one action and prints a short view of its result (or its error).
fn run(d: &Demo, key: &str, input: Value, view: fn(&Value) -> Value) -> Result<Option<Value>> {
    section(&format!("action {key} {input}"));
    let before = d.fake.requests().len();
    let result = d
        .host
        .run_action(&d.conn, key, &input.to_string())?
        .map(|s| json::parse(&s));
    let sent: Vec<String> = d.fake.requests()[before..]
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    println!("requests: {}", sent.join(", "));
    let out = result.as_ref().ok().cloned();
    show(result.map(|v| view(&v)));
    Ok(out)
}

fn contact(v: &Value) -> Value {
    let mut out = super::summary(v);
    out["outcome"] = v["outcome"].clone();
    out
}

fn brief(v: &Value) -> Value {
    json!({"type": v["type"], "id": v["id"], "name": v["name"], "state": v["state"], "conversation_id": v["conversation_id"]})
}

pub fn tour(d: &Demo) -> Result<()> {
    d.fake
        .insert_contact(json!({"role": "user", "email": "linus@example.com", "name": "Linus"}));
    d.fake
        .insert_contact(json!({"role": "user", "email": "old@example.com", "archived": true}));
    d.fake.with_state(|s| {
        s.add_data_attribute("contact", "seats", "integer");
    });
    run(
        d,
        "create-or-update-user",
        json!({"email": "new@example.com", "user_id": "u-7"}),
        contact,
    )?;
    run(
        d,
        "create-or-update-user",
        json!({"email": "linus@example.com", "user_id": "u-8"}),
        contact,
    )?;
    run(
        d,
        "create-or-update-user",
        json!({"email": "old@example.com", "name": "Back again"}),
        contact,
    )?;
    run(
        d,
        "create-or-update-user",
        json!({"email": "linus@example.com", "custom_attributes": {"seats": "many"}}),
        contact,
    )?;
    run(
        d,
        "add-tag-to-user",
        json!({"user_id": "u-8", "tag": "VIP"}),
        brief,
    )?;
    run(
        d,
        "add-tag-to-lead",
        json!({"email": "linus@example.com", "tag": "VIP"}),
        brief,
    )?;
    run(
        d,
        "add-event",
        json!({"event_name": "upgraded", "user_id": "u-8", "metadata": {"plan": "pro"}}),
        |v| v.clone(),
    )?;
    let msg = run(
        d,
        "send-incoming-message",
        json!({"email": "grace@example.com", "body": "Can I upgrade?"}),
        brief,
    )?;
    if let Some(conv) = msg.as_ref().and_then(|m| m["conversation_id"].as_str()) {
        run(
            d,
            "reply-to-conversation",
            json!({"conversation_id": conv, "body": "Sure!"}),
            brief,
        )?;
        run(
            d,
            "add-tag-to-conversation",
            json!({"conversation_id": conv, "tag": "Sales"}),
            brief,
        )?;
        run(
            d,
            "close-conversation",
            json!({"conversation_id": conv}),
            brief,
        )?;
    }
    Ok(())
}
