//! Tag, company and conversation actions through the real component, with the requests Intercom
//! received and the resulting workspace state.

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

fn tag_names(contact: &Value) -> Vec<String> {
    contact["tags"]["data"]
        .as_array()
        .map(|t| {
            t.iter()
                .map(|t| t["name"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn contact_tags(h: &Harness, id: &Value) -> Vec<String> {
    let c = h.fake.contact(id.as_str().unwrap()).unwrap();
    let ids: Vec<String> = c["tags"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    h.fake
        .tags()
        .into_iter()
        .filter(|t| ids.contains(&t["id"].as_str().unwrap().to_string()))
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn tag_a_user_by_email_creating_the_tag_then_remove_it() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    let id = ada["id"].as_str().unwrap();
    let out = h
        .action(
            "add-tag-to-user",
            json!({"email": "ada@example.com", "tag": "VIP"}),
        )
        .unwrap();
    assert_eq!(out["name"], "VIP");
    assert_eq!(out["contact_id"], id);
    let tags = h.fake.tags();
    assert_eq!(tags.len(), 1);
    let tag_id = tags[0]["id"].as_str().unwrap().to_string();
    let reqs = h.fake.requests();
    assert_eq!(reqs[1].path, "/tags");
    assert_eq!(reqs[1].json().unwrap(), json!({"name": "VIP"}));
    assert_eq!(
        (reqs[2].method.as_str(), reqs[2].path.clone()),
        ("POST", format!("/contacts/{id}/tags"))
    );
    assert_eq!(reqs[2].json().unwrap(), json!({"id": tag_id}));
    assert_eq!(contact_tags(&h, &ada["id"]), vec!["VIP"]);

    // Same name, other case: the existing tag is reused.
    h.action("add-tag-to-user", json!({"id": id, "tag": "vip"}))
        .unwrap();
    assert_eq!(h.fake.tags().len(), 1);

    h.fake.clear_requests();
    h.action("remove-tag-from-user", json!({"id": id, "tag": "VIP"}))
        .unwrap();
    let calls = h.calls();
    assert_eq!(
        calls.last().unwrap(),
        &(
            "DELETE".to_string(),
            format!("/contacts/{id}/tags/{tag_id}")
        )
    );
    assert!(
        !calls.iter().any(|(m, p)| m == "POST" && p == "/tags"),
        "removing never creates a tag"
    );
    assert!(contact_tags(&h, &ada["id"]).is_empty());
    assert!(tag_names(&h.fake.contact(id).unwrap()).is_empty());
}

#[test]
fn user_keys_never_touch_leads_and_back() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "l@example.com"}));
    let user = h
        .fake
        .insert_contact(json!({"role": "user", "email": "u@example.com"}));
    let err = h
        .action(
            "add-tag-to-user",
            json!({"email": "l@example.com", "tag": "VIP"}),
        )
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(
        message(&err).contains("no user with email=l@example.com"),
        "{}",
        message(&err)
    );
    let err = h
        .action("add-tag-to-lead", json!({"id": user["id"], "tag": "VIP"}))
        .unwrap_err();
    assert!(message(&err).contains("is a user"), "{}", message(&err));
    assert!(
        h.fake.tags().is_empty(),
        "no tag created for a contact that was not found"
    );
    h.action(
        "add-tag-to-lead",
        json!({"email": "l@example.com", "tag": "Warm"}),
    )
    .unwrap();
    assert_eq!(contact_tags(&h, &lead["id"]), vec!["Warm"]);
    h.action(
        "remove-tag-from-lead",
        json!({"id": lead["id"], "tag_id": h.fake.tags()[0]["id"]}),
    )
    .unwrap();
    assert!(contact_tags(&h, &lead["id"]).is_empty());
    let err = h
        .action(
            "remove-tag-from-lead",
            json!({"id": lead["id"], "tag": "Nope"}),
        )
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(
        message(&err).contains("no tag named 'Nope'"),
        "{}",
        message(&err)
    );
    let err = h
        .action(
            "add-tag-to-lead",
            json!({"id": lead["id"], "tag_id": "999999"}),
        )
        .unwrap_err();
    assert!(
        message(&err).contains("no tag with id=999999"),
        "{}",
        message(&err)
    );
}

#[test]
fn company_tags_go_through_post_tags() {
    let h = Harness::new();
    let acme = h
        .fake
        .insert_company(json!({"company_id": "acme", "name": "Acme"}));
    let cid = acme["id"].as_str().unwrap();
    h.action(
        "add-tag-to-company",
        json!({"company_id": "acme", "tag": "Enterprise"}),
    )
    .unwrap();
    let tag_post = h
        .fake
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/tags")
        .unwrap();
    assert_eq!(
        tag_post.json().unwrap(),
        json!({"name": "Enterprise", "companies": [{"id": cid}]})
    );
    let tagged = &h.fake.companies()[0];
    assert_eq!(tagged["tags"]["tags"][0]["name"], "Enterprise");
    h.action(
        "remove-tag-from-company",
        json!({"id": cid, "tag": "enterprise"}),
    )
    .unwrap();
    let untag = h
        .fake
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/tags" && r.method == "POST")
        .unwrap();
    assert_eq!(
        untag.json().unwrap(),
        json!({"name": "Enterprise", "companies": [{"id": cid, "untag": true}]})
    );
    assert_eq!(h.fake.companies()[0]["tags"]["tags"], json!([]));
    let err = h
        .action(
            "add-tag-to-company",
            json!({"company_id": "missing", "tag": "X"}),
        )
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(
        message(&err).contains("company_id=missing"),
        "{}",
        message(&err)
    );
    assert_eq!(
        h.fake.tags().len(),
        1,
        "no tag created for a missing company"
    );
}

#[test]
fn update_company_upserts_and_attaches_a_user() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    h.fake.with_state(|s| {
        s.add_data_attribute("company", "arr", "float");
    });
    let out = h
        .action("update-company", json!({"company_id": "acme", "name": "Acme", "plan": "pro", "size": 50, "monthly_spend": 99.9,
                                          "remote_created_at": "2024-01-01", "custom_attributes": {"arr": "1200.5"},
                                          "user": {"email": "ada@example.com"}}))
        .unwrap();
    let company = &h.fake.companies()[0];
    assert_eq!(out["id"], company["id"]);
    assert_eq!(company["name"], "Acme");
    assert_eq!(company["custom_attributes"]["arr"], 1200.5);
    let upsert = h
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/companies")
        .unwrap();
    assert_eq!(out["outcome"], "created");
    assert_eq!(
        upsert.json().unwrap(),
        json!({"company_id": "acme", "name": "Acme", "plan": "pro", "size": 50, "monthly_spend": 99,
               "remote_created_at": 1_704_067_200, "custom_attributes": {"arr": 1200.5}})
    );
    let user = h.fake.contact(ada["id"].as_str().unwrap()).unwrap();
    assert_eq!(user["companies"]["data"][0]["id"], company["id"]);
    // Second run updates the same company.
    h.action(
        "update-company",
        json!({"company_id": "acme", "industry": "Rockets"}),
    )
    .unwrap();
    assert_eq!(h.fake.companies().len(), 1);
    assert_eq!(h.fake.companies()[0]["industry"], "Rockets");
    // A missing user: nothing written.
    h.fake.clear_requests();
    let err = h
        .action(
            "update-company",
            json!({"company_id": "acme", "name": "X", "user": {"email": "no@example.com"}}),
        )
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(h
        .calls()
        .iter()
        .all(|(m, p)| m == "GET" || p == "/contacts/search"));
    let err = h
        .action(
            "update-company",
            json!({"company_id": "acme", "custom_attributes": {"nope": 1}}),
        )
        .unwrap_err();
    assert_eq!(invalid_field(&err), "custom_attributes.nope");
}

#[test]
fn attach_and_detach_a_user() {
    let h = Harness::new();
    let ada = h
        .fake
        .insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1"}));
    let acme = h
        .fake
        .insert_company(json!({"company_id": "acme", "name": "Acme"}));
    let (uid, cid) = (ada["id"].as_str().unwrap(), acme["id"].as_str().unwrap());
    h.action(
        "attach-user-to-company",
        json!({"user_id": "u-1", "company_id": "acme"}),
    )
    .unwrap();
    assert_eq!(
        h.fake.contact(uid).unwrap()["companies"]["data"][0]["id"],
        cid
    );
    let attach = h
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        (attach.path.clone(), attach.json().unwrap()),
        (format!("/contacts/{uid}/companies"), json!({"id": cid}))
    );
    h.action(
        "detach-user-from-company",
        json!({"id": uid, "company_intercom_id": cid}),
    )
    .unwrap();
    assert_eq!(
        h.calls().last().unwrap(),
        &(
            "DELETE".to_string(),
            format!("/contacts/{uid}/companies/{cid}")
        )
    );
    assert_eq!(h.fake.contact(uid).unwrap()["companies"]["data"], json!([]));
    let err = h
        .action(
            "attach-user-to-company",
            json!({"id": uid, "company_id": "nope"}),
        )
        .unwrap_err();
    assert!(
        message(&err).contains("no company with company_id=nope"),
        "{}",
        message(&err)
    );
}

fn conversation(h: &Harness) -> (Value, String) {
    let lead = h
        .fake
        .insert_contact(json!({"role": "lead", "email": "lead@example.com"}));
    let out = h
        .action(
            "send-incoming-message",
            json!({"email": "lead@example.com", "body": "Hello there"}),
        )
        .unwrap();
    let conv = out["conversation_id"].as_str().unwrap().to_string();
    let sent = h
        .fake
        .requests()
        .into_iter()
        .find(|r| r.path == "/conversations")
        .unwrap();
    assert_eq!(
        sent.json().unwrap(),
        json!({"from": {"type": "lead", "id": lead["id"]}, "body": "Hello there"})
    );
    (lead, conv)
}

fn state_of(h: &Harness, id: &str) -> Value {
    h.fake
        .conversations()
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

#[test]
fn send_a_message_then_reply_close_open_snooze_assign() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let (lead, conv) = conversation(&h);
    assert_eq!(
        state_of(&h, &conv)["source"]["body"]
            .as_str()
            .map(|b| b.contains("Hello there")),
        Some(true)
    );

    h.fake.clear_requests();
    h.action(
        "reply-to-conversation",
        json!({"conversation_id": conv, "body": "Internal", "message_type": "note"}),
    )
    .unwrap();
    let reqs = h.fake.requests();
    assert_eq!(reqs[0].path, "/me", "the token's admin by default");
    assert_eq!(reqs[1].path, format!("/conversations/{conv}/reply"));
    assert_eq!(
        reqs[1].json().unwrap(),
        json!({"type": "admin", "message_type": "note", "admin_id": "991267459", "body": "Internal"})
    );

    h.action("reply-to-conversation", json!({"conversation_id": conv, "body": "Me again", "as": "contact", "contact_id": lead["id"]})).unwrap();
    let last = h.fake.requests().pop().unwrap();
    assert_eq!(
        last.json().unwrap(),
        json!({"type": "user", "message_type": "comment", "body": "Me again", "intercom_user_id": lead["id"]})
    );

    h.action(
        "close-conversation",
        json!({"conversation_id": conv, "admin_id": "991267459", "body": "Bye"}),
    )
    .unwrap();
    assert_eq!(state_of(&h, &conv)["state"], "closed");
    h.action("open-conversation", json!({"conversation_id": conv}))
        .unwrap();
    assert_eq!(state_of(&h, &conv)["state"], "open");
    let until = h.fake.now() + 86_400 * 365;
    h.action(
        "snooze-conversation",
        json!({"conversation_id": conv, "snoozed_until": until}),
    )
    .unwrap();
    let c = state_of(&h, &conv);
    assert_eq!(
        (c["state"].as_str(), c["snoozed_until"].as_i64()),
        (Some("snoozed"), Some(until))
    );
    h.action(
        "assign-conversation",
        json!({"conversation_id": conv, "assignee_id": "991267459"}),
    )
    .unwrap();
    let last = h.fake.requests().pop().unwrap();
    assert_eq!(
        last.json().unwrap(),
        json!({"message_type": "assignment", "type": "admin", "admin_id": "991267459", "assignee_id": "991267459"})
    );
    assert_eq!(
        state_of(&h, &conv)["admin_assignee_id"]
            .to_string()
            .trim_matches('"'),
        "991267459"
    );

    let err = h
        .action("close-conversation", json!({"conversation_id": "424242"}))
        .unwrap_err();
    assert_eq!(kind(&err), "not-found");
    assert!(
        message(&err).contains("conversation id=424242"),
        "{}",
        message(&err)
    );
}

#[test]
fn conversation_tags() {
    let h = Harness::new();
    h.fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let (_, conv) = conversation(&h);
    h.action(
        "add-tag-to-conversation",
        json!({"conversation_id": conv, "tag": "Billing"}),
    )
    .unwrap();
    let tag_id = h.fake.tags()[0]["id"].as_str().unwrap().to_string();
    let last = h.fake.requests().pop().unwrap();
    assert_eq!(last.path, format!("/conversations/{conv}/tags"));
    assert_eq!(
        last.json().unwrap(),
        json!({"id": tag_id, "admin_id": "991267459"})
    );
    assert_eq!(state_of(&h, &conv)["tags"]["tags"][0]["name"], "Billing");
    h.action(
        "remove-tag-from-conversation",
        json!({"conversation_id": conv, "tag": "billing"}),
    )
    .unwrap();
    let last = h.fake.requests().pop().unwrap();
    assert_eq!(
        (last.method.as_str(), last.path.clone()),
        ("DELETE", format!("/conversations/{conv}/tags/{tag_id}"))
    );
    assert_eq!(state_of(&h, &conv)["tags"]["tags"], json!([]));
    let err = h
        .action(
            "add-tag-to-conversation",
            json!({"conversation_id": "777", "tag": "New"}),
        )
        .unwrap_err();
    assert!(
        message(&err).contains("no conversation with id=777"),
        "{}",
        message(&err)
    );
    assert_eq!(
        h.fake.tags().len(),
        1,
        "no tag created for a missing conversation"
    );
}

#[test]
fn bad_inputs_name_the_field_and_send_nothing() {
    let h = Harness::new();
    let cases = [
        ("add-tag-to-user", json!({"email": "a@b.co"}), "tag"),
        ("add-tag-to-user", json!({"tag": "x"}), "id"),
        (
            "add-tag-to-user",
            json!({"email": "a@b.co", "tag": ""}),
            "tag",
        ),
        ("remove-tag-from-company", json!({"tag": "x"}), "company_id"),
        ("send-incoming-message", json!({"email": "a@b.co"}), "body"),
        ("send-incoming-message", json!({"body": "x"}), "id"),
        (
            "reply-to-conversation",
            json!({"conversation_id": "1", "body": "x", "as": "bot"}),
            "as",
        ),
        (
            "reply-to-conversation",
            json!({"conversation_id": "1", "body": "x", "as": "contact"}),
            "contact_id",
        ),
        (
            "reply-to-conversation",
            json!({"conversation_id": "1", "body": "x", "as": "contact", "contact_id": "c", "message_type": "note"}),
            "message_type",
        ),
        (
            "snooze-conversation",
            json!({"conversation_id": "1", "snoozed_until": 1000}),
            "snoozed_until",
        ),
        (
            "snooze-conversation",
            json!({"conversation_id": "1"}),
            "snoozed_until",
        ),
        (
            "assign-conversation",
            json!({"conversation_id": "1", "assignee_id": "2", "assignee_type": "bot"}),
            "assignee_type",
        ),
        ("close-conversation", json!({}), "conversation_id"),
        ("update-company", json!({"name": "x"}), "company_id"),
        (
            "update-company",
            json!({"company_id": "a", "size": -1}),
            "size",
        ),
        ("attach-user-to-company", json!({"id": "1"}), "company_id"),
        (
            "add-tag-to-conversation",
            json!({"conversation_id": "1"}),
            "tag",
        ),
    ];
    for (key, input, field) in cases {
        let err = h.action(key, input.clone()).unwrap_err();
        assert_eq!(invalid_field(&err), field, "{key} {input}");
    }
    assert!(h.fake.requests().is_empty(), "{:?}", h.calls());
    let info = h.host.describe().unwrap();
    let actions: Vec<_> = info
        .operations
        .iter()
        .filter(|o| matches!(o.kind, intercom_host::OperationKind::Action))
        .collect();
    // The seed's 23, the three find-or-creates, api-request and the five ticket actions.
    assert_eq!(actions.len(), 32);
}
