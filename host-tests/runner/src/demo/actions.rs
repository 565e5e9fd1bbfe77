//! The demo's tour of the actions: the seed's create/update scenarios, a 409 recovered, tags,
//! custom attributes checked before writing, an event, a conversation handled end to end, and a
//! ticket (typed attributes checked before writing, a state change, a reply, a search).

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
    tickets(d)
}

fn ticket(v: &Value) -> Value {
    json!({"type": v["type"], "id": v["id"], "ticket_id": v["ticket_id"],
        "state": v["ticket_state"]["category"], "attributes": v["ticket_attributes"]})
}

/// The fake's seeded ticket type 67 (`Bug report`) has a required list attribute `Severity`
/// and an integer `Affected users`.
fn tickets(d: &Demo) -> Result<()> {
    let create = |extra: Value| {
        let mut input = json!({"ticket_type_id": "67", "contact_email": "linus@example.com",
            "title": "Export fails", "ticket_attributes": {"Severity": "High"}});
        input["ticket_attributes"]["Affected users"] = extra;
        input
    };
    run(d, "create-ticket", create(json!("many")), ticket)?;
    let created = run(d, "create-ticket", create(json!(12)), ticket)?;
    let Some(id) = created.as_ref().and_then(|t| t["id"].as_str()) else {
        return Ok(());
    };
    run(
        d,
        "update-ticket",
        json!({"ticket_id": id, "ticket_state_id": "in_progress"}),
        ticket,
    )?;
    run(
        d,
        "reply-to-ticket",
        json!({"ticket_id": id, "body": "We are on it."}),
        |v| json!({"type": v["type"], "id": v["id"], "part_type": v["part_type"]}),
    )?;
    let find = |title: &str| -> Result<()> {
        section(title);
        let input = json!({"contact_email": "linus@example.com"}).to_string();
        show(
            d.host
                .run_search(&d.conn, "find-ticket", &input)?
                .map(|items| {
                    let items: Vec<Value> = items.iter().map(|s| ticket(&json::parse(s))).collect();
                    json!(items)
                }),
        );
        Ok(())
    };
    find("search find-ticket by contact at once: Intercom's ticket search lags, so nothing yet")?;
    d.fake
        .advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);
    find("search find-ticket by contact a few minutes later")?;
    Ok(())
}
