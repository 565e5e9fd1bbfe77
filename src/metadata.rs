//! `describe()` and `test-connection`: what the connector offers and who a token belongs to.

use crate::connect::{self, AuthInfo};
use crate::error::{Error, Result};
use crate::intercom::{Client, Region, HOSTS};
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
    /// For a search: its find-or-create action.
    pub find_or_create: Option<&'static str>,
}

/// The WIT `connector-info`.
#[derive(Debug, Clone)]
pub struct ConnectorInfo {
    pub name: &'static str,
    pub version: &'static str,
    pub hosts: Vec<&'static str>,
    pub operations: Vec<OperationInfo>,
    pub auth: AuthInfo,
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
        find_or_create: None,
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
    operations.extend(searches::ALL.iter().map(|s| OperationInfo {
        find_or_create: actions::find_or_create_for(s.meta.key),
        ..info(&s.meta, Kind::Search, None)
    }));
    ConnectorInfo {
        name: NAME,
        version: VERSION,
        hosts: HOSTS.to_vec(),
        operations,
        auth: connect::auth_info(),
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
    /// Workspace name and admin email, e.g. `Acme (jane@acme.example)`.
    pub label: String,
    pub workspace_id: String,
    pub workspace_name: String,
    pub region: Option<String>,
    pub admin_id: String,
    pub admin_name: String,
    pub admin_email: Option<String>,
}

/// `GET /me`: the admin that owns the token and its workspace. A token of a workspace hosted in
/// another region than the connection's is an error naming the region to use.
pub fn test_connection(client: &Client) -> Result<Account> {
    let me = client.get("/me").map_err(|e| match e {
        Error::Unauthorized(m) if !client.custom_base_url() => Error::Unauthorized(format!(
            "{m} If the workspace is hosted in another region than {} (its Intercom address is \
             app.intercom.com for us, app.eu.intercom.com for eu, app.au.intercom.com for au), set the \
             connection's region to that one: a token works only on its region's host.",
            client.region().as_str()
        )),
        e => e,
    })?;
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
    let reported = text(&app, "region");
    if let Some(region) = reported.as_deref().and_then(parse_region) {
        if region != client.region() {
            return Err(Error::invalid(
                "connection.region",
                format!(
                    "this token belongs to a workspace hosted in the {} region, not {}: set the connection's \
                     region to `{}` (its API host is {})",
                    region.as_str().to_ascii_uppercase(),
                    client.region().as_str(),
                    region.as_str(),
                    region.host()
                ),
            ));
        }
    }
    let workspace_name = text(&app, "name").unwrap_or_default();
    let admin_email = text(&me, "email");
    Ok(Account {
        label: match &admin_email {
            Some(email) => format!("{workspace_name} ({email})"),
            None => workspace_name.clone(),
        },
        workspace_id: text(&app, "id_code").ok_or_else(|| missing("app.id_code"))?,
        workspace_name,
        region: reported
            .map(|r| parse_region(&r).map_or(r.to_ascii_lowercase(), |r| r.as_str().into())),
        admin_id: text(&me, "id").ok_or_else(|| missing("the admin id"))?,
        admin_name: text(&me, "name").unwrap_or_default(),
        admin_email,
    })
}

/// `app.region` of `GET /me`: `US` in the 2.16 spec's example; `EU`/`AU` and the long names
/// are a guess at the other regions' spelling.
fn parse_region(reported: &str) -> Option<Region> {
    match reported.trim().to_ascii_lowercase().as_str() {
        "us" | "united states" => Some(Region::Us),
        "eu" | "europe" => Some(Region::Eu),
        "au" | "australia" => Some(Region::Au),
        _ => None,
    }
}

/// The input schema of `key` for this workspace. Custom attributes are added by the actions
/// that accept them; other operations return their static schema.
pub fn input_schema(client: &Client, key: &str) -> Result<Value> {
    match actions::workspace_schema(client, key)? {
        Some(schema) => Ok(schema),
        None => static_input_schema(key),
    }
}
