//! `connector demo`: a readable tour of the connector against the embedded fake Intercom.
//! Needs no token and no network.

mod actions;
mod triggers;

use anyhow::Result;
use intercom_fake::artifact;
use intercom_fake::{FakeIntercom, TOKEN};
use intercom_host::json;
use intercom_host::{self as host, ConnectorHost, Limits, Region};
use serde_json::{json, Value};
use std::path::Path;

pub fn run(component: &Path) -> Result<()> {
    artifact::ensure_built(component)?;
    let fake = FakeIntercom::start();
    let host = ConnectorHost::load(component, fake.egress_policy(), Limits::default())?;
    let conn = fake.connection();
    let demo = Demo { fake, host, conn };
    let Demo { fake, host, conn } = &demo;
    println!(
        "Intercom connector demo: the real component, a fake Intercom at {}\n",
        fake.base_url()
    );

    let info = host.describe()?;
    println!(
        "describe(): {} {} with {} operations:",
        info.name,
        info.version,
        info.operations.len()
    );
    for op in &info.operations {
        println!("  {:<8} {:<28} {}", kind(op), op.key, op.label);
    }

    section("test-connection");
    show(host.test_connection(conn)?.map(|a| json::account(&a)));

    seed(fake);

    for (key, input) in [
        ("find-user", json!({"email": "ada@example.com"})),
        ("find-user", json!({"user_id": "u-1"})),
        ("find-user", json!({"email": "nobody@example.com"})),
        ("find-lead", json!({"phone": "+15550100"})),
        ("find-company", json!({"company_id": "acme"})),
        ("find-user", json!({"email": ""})),
    ] {
        section(&format!("search {key} {input}"));
        let result = host.run_search(conn, key, &input.to_string())?;
        show(result.map(|items| {
            json!(items
                .iter()
                .map(|s| { summary(&json::parse(s)) })
                .collect::<Vec<_>>())
        }));
    }

    actions::tour(&demo)?;
    triggers::tour(&demo)?;

    section("an invalid token");
    let bad = host::connection("wrong-token", Region::Us, Some(fake.base_url()));
    show(host.test_connection(&bad)?.map(|a| json::account(&a)));

    section("a base URL outside the egress allowlist");
    let denied = host::connection(TOKEN, Region::Us, Some("http://203.0.113.7:9".into()));
    show(host.test_connection(&denied)?.map(|a| json::account(&a)));

    println!("\nFake Intercom received {} requests; every one matched Intercom's OpenAPI description: {}",
        fake.requests().len(), fake.spec_violations().is_empty());
    Ok(())
}

/// The demo workspace: a user, a lead, a company, a tag and a team. Also what `connector fake`
/// serves.
pub fn seed(fake: &FakeIntercom) {
    fake.insert_contact(json!({"role": "user", "email": "ada@example.com", "external_id": "u-1", "name": "Ada Lovelace"}));
    fake.insert_contact(json!({"role": "lead", "email": "grace@example.com", "phone": "+15550100", "name": "Grace Hopper"}));
    fake.insert_company(json!({"company_id": "acme", "name": "Acme Inc", "plan": "pro"}));
    fake.insert_tag("VIP");
    fake.insert_team("Support", &[]);
    // An existing workspace: its search index has caught up (the fake lags writes like Intercom).
    fake.advance(intercom_fake::state::DEFAULT_SEARCH_LAG_SECS + 1);
}

/// What a tour of one group of operations gets.
pub struct Demo {
    pub fake: FakeIntercom,
    pub host: ConnectorHost,
    pub conn: host::Connection,
}

fn kind(op: &host::Operation) -> &'static str {
    match op.kind {
        host::OperationKind::Trigger => "trigger",
        host::OperationKind::Action => "action",
        host::OperationKind::Search => "search",
    }
}

pub fn section(title: &str) {
    println!("\n== {title}");
}

pub fn show(result: Result<serde_json::Value, host::ConnectorError>) {
    let value = match result {
        Ok(v) => v,
        Err(e) => json::error(&e),
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&value).unwrap_or_default()
    );
}

/// The fields a reader wants of a record: a company's are not a contact's.
pub fn summary(v: &Value) -> Value {
    match v["type"].as_str() {
        Some("company") => {
            json!({"type": "company", "id": v["id"], "company_id": v["company_id"], "name": v["name"], "user_count": v["user_count"]})
        }
        _ => {
            json!({"id": v["id"], "role": v["role"], "email": v["email"], "external_id": v["external_id"], "name": v["name"]})
        }
    }
}
