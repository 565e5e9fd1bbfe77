//! `describe()` and `test-connection`: what the connector offers and who a token belongs to.

use crate::error::{Error, Result};
use crate::intercom::{Client, HOSTS};
use crate::operation::{Kind, Meta, TriggerInfo};
use crate::{actions, searches, triggers};
use serde_json::Value;

pub const NAME: &str = "intercom";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// One operation as `describe()` lists it (the WIT `operation`).
#[derive(Debug, Clone)]
pub struct OperationInfo {
    pub key: &'static str,
    pub kind: Kind,
    pub label: &'static str,
    pub description: &'static str,
    /// JSON text, as committed under `src/schemas/`.
    pub input_schema: &'static str,
    pub output_schema: &'static str,
    pub output_sample: &'static str,
    pub trigger: Option<&'static TriggerInfo>,
}

/// The WIT `connector-info`.
#[derive(Debug, Clone)]
pub struct ConnectorInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub hosts: Vec<&'static str>,
    pub operations: Vec<OperationInfo>,
}

impl std::fmt::Debug for TriggerInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TriggerInfo")
            .field("webhook_topics", &self.webhook_topics)
            .field("can_poll", &self.can_poll)
            .finish()
    }
}

fn info(meta: &Meta, kind: Kind, trigger: Option<&'static TriggerInfo>) -> OperationInfo {
    OperationInfo {
        key: meta.key,
        kind,
        label: meta.label,
        description: meta.description,
        input_schema: meta.input_schema.text.text(),
        output_schema: meta.output_schema.text(),
        output_sample: meta.output_sample.text(),
        trigger,
    }
}

/// Every operation with its schemas.
pub fn describe() -> ConnectorInfo {
    let mut operations = Vec::new();
    operations.extend(
        triggers::ALL
            .iter()
            .map(|t| info(&t.meta, Kind::Trigger, Some(&t.info))),
    );
    operations.extend(
        actions::ALL
            .iter()
            .map(|a| info(&a.meta, Kind::Action, None)),
    );
    operations.extend(
        searches::ALL
            .iter()
            .map(|s| info(&s.meta, Kind::Search, None)),
    );
    ConnectorInfo {
        name: NAME,
        version: VERSION,
        hosts: HOSTS.to_vec(),
        operations,
    }
}

/// Every operation's description, in `describe()` order.
pub fn all_meta() -> impl Iterator<Item = &'static Meta> {
    triggers::ALL
        .iter()
        .map(|t| &t.meta)
        .chain(actions::ALL.iter().map(|a| &a.meta))
        .chain(searches::ALL.iter().map(|s| &s.meta))
}

/// The static input schema of operation `key` (any kind).
pub fn static_input_schema(key: &str) -> Result<Value> {
    let meta = all_meta()
        .find(|m| m.key == key)
        .ok_or_else(|| Error::invalid("key", format!("unknown operation `{key}`")))?;
    Ok(meta.input_schema.value())
}

/// The account behind a connection (the WIT `account`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub workspace_id: String,
    pub workspace_name: String,
    pub region: Option<String>,
    pub admin_id: String,
    pub admin_name: String,
    pub admin_email: Option<String>,
}

/// `GET /me`: the admin that owns the token and its workspace.
pub fn test_connection(client: &Client) -> Result<Account> {
    let me = client.get("/me")?;
    let text = |v: &Value, k: &str| {
        v.get(k).and_then(|x| {
            x.as_str()
                .map(str::to_string)
                .or_else(|| x.as_i64().map(|n| n.to_string()))
        })
    };
    let app = me.get("app").cloned().unwrap_or(Value::Null);
    let missing = |what: &str| Error::Upstream {
        status: 200,
        code: None,
        message: format!("GET /me answered without {what}"),
        request_id: None,
    };
    Ok(Account {
        workspace_id: text(&app, "id_code").ok_or_else(|| missing("app.id_code"))?,
        workspace_name: text(&app, "name").unwrap_or_default(),
        region: text(&app, "region").map(|r| r.to_ascii_lowercase()),
        admin_id: text(&me, "id").ok_or_else(|| missing("the admin id"))?,
        admin_name: text(&me, "name").unwrap_or_default(),
        admin_email: text(&me, "email"),
    })
}

/// The input schema of `key` for this workspace. Custom attributes are added by the actions
/// that accept them; other operations return their static schema.
pub fn input_schema(client: &Client, key: &str) -> Result<Value> {
    match actions::workspace_schema(client, key)? {
        Some(schema) => Ok(schema),
        None => static_input_schema(key),
    }
}
