//! Dropdown choices through the real component: the fields input schemas mark with
//! `x-dynamic-options`, each source (tags, admins, teams, companies, data attributes), typing
//! filters, and paging through more than one page with the cursor.

mod common;

use common::{invalid_field, Harness};
use intercom_host::{ChoicePage, ConnectorError};
use serde_json::{json, Value};

fn options(
    h: &Harness,
    key: &str,
    field: &str,
    query: Option<&str>,
    cursor: Option<&str>,
) -> Result<ChoicePage, ConnectorError> {
    h.host
        .list_options(&h.conn, key, field, query, cursor)
        .expect("no trap")
}

fn labels(p: &ChoicePage) -> Vec<&str> {
    p.choices.iter().map(|c| c.label.as_str()).collect()
}

#[test]
fn input_schemas_mark_dynamic_fields() {
    let h = Harness::new();
    let info = h.host.describe().unwrap();
    let schema = |key: &str| -> Value {
        let op = info.operations.iter().find(|o| o.key == key).unwrap();
        serde_json::from_str(&op.input_schema).unwrap()
    };
    assert_eq!(
        schema("add-tag-to-user")["properties"]["tag_id"]["x-dynamic-options"],
        "tags"
    );
    assert_eq!(
        schema("add-note")["properties"]["admin_id"]["x-dynamic-options"],
        "admins"
    );
    assert_eq!(
        schema("assign-conversation")["properties"]["assignee_id"]["x-dynamic-options"],
        "assignees"
    );
    assert_eq!(
        schema("attach-user-to-company")["properties"]["company_id"]["x-dynamic-options"],
        "companies"
    );
    assert_eq!(
        schema("create-user")["properties"]["custom_attributes"]["x-dynamic-options"],
        "contact-attributes"
    );
}

#[test]
fn tags_page_through_more_than_one_page_and_filter() {
    let h = Harness::new();
    for i in 0..60 {
        h.fake.insert_tag(&format!("tag-{i:02}"));
    }
    h.fake.insert_tag("Urgent VIP");
    let first = options(&h, "add-tag-to-user", "tag_id", None, None).unwrap();
    assert_eq!(first.choices.len(), 50);
    let cursor = first.next_cursor.clone().expect("a second page");
    let second = options(&h, "add-tag-to-user", "tag_id", None, Some(&cursor)).unwrap();
    assert_eq!(second.choices.len(), 11);
    assert_eq!(second.next_cursor, None);
    let mut all: Vec<String> = first
        .choices
        .iter()
        .chain(&second.choices)
        .map(|c| c.value.clone())
        .collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 61, "every tag once");
    let ids: Vec<String> = h
        .fake
        .tags()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert!(all.iter().all(|v| ids.contains(v)), "values are tag ids");

    let urgent = options(&h, "add-tag-to-user", "tag", Some("urgent"), None).unwrap();
    assert_eq!(labels(&urgent), vec!["Urgent VIP"]);
    assert_eq!(
        urgent.choices[0].value, "Urgent VIP",
        "the tag field takes names"
    );
    assert!(h
        .calls()
        .iter()
        .all(|c| c == &("GET".to_string(), "/tags".to_string())));
}

#[test]
fn admins_and_teams_for_the_assignee() {
    let h = Harness::new();
    let admin = h.fake.with_state(|st| st.admins[0].clone());
    h.fake.insert_team("Billing", &[1]);
    let notes = options(&h, "add-note", "admin_id", None, None).unwrap();
    assert_eq!(notes.choices.len(), 1);
    assert_eq!(notes.choices[0].value, admin["id"].as_str().unwrap());
    assert!(notes.choices[0]
        .label
        .contains(admin["email"].as_str().unwrap()));
    let assignees = options(&h, "assign-conversation", "assignee_id", None, None).unwrap();
    assert_eq!(assignees.choices.len(), 2);
    assert_eq!(assignees.choices[1].label, "Billing (team)");
    let billing = options(&h, "assign-conversation", "assignee_id", Some("bill"), None).unwrap();
    assert_eq!(labels(&billing), vec!["Billing (team)"]);
}

#[test]
fn companies_page_by_intercom_pages_and_a_query_filters_them() {
    let h = Harness::new();
    let user = h
        .fake
        .insert_contact(json!({"role": "user", "email": "member@example.com"}));
    let user_id = user["id"].as_str().unwrap().to_string();
    for i in 0..70 {
        let c = h.fake.insert_company(
            json!({"company_id": format!("co-{i:02}"), "name": format!("Company {i:02}")}),
        );
        let id = c["id"].as_str().unwrap().to_string();
        // Intercom lists only companies with users.
        h.fake
            .with_state(|st| st.contact_mut(&user_id).unwrap().company_ids.push(id));
    }
    let first = options(&h, "attach-user-to-company", "company_id", None, None).unwrap();
    assert_eq!(first.choices.len(), 50);
    let second = options(
        &h,
        "attach-user-to-company",
        "company_id",
        None,
        first.next_cursor.as_deref(),
    )
    .unwrap();
    assert_eq!(second.choices.len(), 20);
    assert_eq!(second.next_cursor, None);
    assert!(first.choices[0]
        .label
        .ends_with(&format!("({})", first.choices[0].value)));
    let pages: Vec<String> = h
        .fake
        .requests()
        .iter()
        .filter(|r| r.path == "/companies/list")
        .filter_map(|r| r.query_param("page").map(str::to_string))
        .collect();
    assert_eq!(pages, vec!["1", "2"]);

    let hit = options(
        &h,
        "create-or-update-user",
        "company.company_id",
        Some("company 07"),
        None,
    )
    .unwrap();
    assert_eq!(
        hit.choices
            .iter()
            .map(|c| c.value.as_str())
            .collect::<Vec<_>>(),
        vec!["co-07"]
    );
}

#[test]
fn custom_attributes_list_the_writable_ones() {
    let h = Harness::new();
    h.fake.insert_contact(json!({"role": "user", "email": "a@example.com", "custom_attributes": {"plan_tier": "gold"}}));
    let page = options(&h, "create-user", "custom_attributes", None, None).unwrap();
    assert!(
        page.choices.iter().any(|c| c.value == "plan_tier"),
        "{:?}",
        page.choices
    );
}

#[test]
fn fields_without_options_and_bad_cursors_are_invalid_input() {
    let h = Harness::new();
    let e = options(&h, "add-note", "body", None, None).unwrap_err();
    assert_eq!(invalid_field(&e), "field");
    assert!(format!("{e:?}").contains("admin_id"), "{e:?}");
    assert_eq!(
        invalid_field(&options(&h, "no-such-op", "x", None, None).unwrap_err()),
        "key"
    );
    assert_eq!(
        invalid_field(&options(&h, "add-note", "admin_id", None, Some("zzz")).unwrap_err()),
        "cursor"
    );
    assert!(h.fake.requests().is_empty());
}
