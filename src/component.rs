//! Glue between the generated WIT bindings and the plain-Rust modules: conversions only.

use crate::error::Error;
use crate::intercom::{Client, Connection, Region};
use crate::metadata::{self, Account, ConnectorInfo, OperationInfo};
use crate::operation::Kind;
use crate::transport::WakiTransport;
use crate::triggers::{self, Event, PollPage, WebhookResult};
use crate::{actions, searches};

wit_bindgen::generate!({
    path: "wit",
    world: "connector",
    generate_all,
});

use exports::workflow::connector::{
    actions as wit_actions, metadata as wit_metadata, searches as wit_searches,
    triggers as wit_triggers,
};
use workflow::connector::types as wit;

struct Component;

export!(Component);

type WitResult<T> = Result<T, wit::Error>;

/// Runs `f` with a client for `conn`, converting errors to the WIT variant.
fn with_client<T>(
    conn: wit::Connection,
    f: impl FnOnce(&Client) -> Result<T, Error>,
) -> WitResult<T> {
    let conn = Connection {
        access_token: conn.access_token,
        region: match conn.region {
            wit::Region::Us => Region::Us,
            wit::Region::Eu => Region::Eu,
            wit::Region::Au => Region::Au,
        },
        base_url: conn.base_url,
        api_version: conn.api_version,
        max_rate_limit_wait_ms: conn.max_rate_limit_wait_ms,
    };
    let transport = WakiTransport;
    let client = Client::new(&conn, &transport).map_err(to_wit_error)?;
    f(&client).map_err(to_wit_error)
}

fn to_wit_error(e: Error) -> wit::Error {
    match e {
        Error::InvalidInput { field, message } => {
            wit::Error::InvalidInput(wit::FieldError { field, message })
        }
        Error::Unauthorized(m) => wit::Error::Unauthorized(m),
        Error::Forbidden(m) => wit::Error::Forbidden(m),
        Error::NotFound(m) => wit::Error::NotFound(m),
        Error::Conflict(m) => wit::Error::Conflict(m),
        Error::RateLimited {
            retry_after_ms,
            message,
        } => wit::Error::RateLimited(wit::RateLimit {
            retry_after_ms,
            message,
        }),
        Error::Upstream {
            status,
            code,
            message,
            request_id,
        } => wit::Error::Upstream(wit::UpstreamError {
            status,
            code,
            message,
            request_id,
        }),
        Error::Transport(m) => wit::Error::Transport(m),
        Error::Internal(m) => wit::Error::Internal(m),
    }
}

fn to_wit_operation(op: OperationInfo) -> wit::Operation {
    wit::Operation {
        key: op.key.into(),
        kind: match op.kind {
            Kind::Trigger => wit::OperationKind::Trigger,
            Kind::Action => wit::OperationKind::Action,
            Kind::Search => wit::OperationKind::Search,
        },
        label: op.label.into(),
        description: op.description.into(),
        input_schema: op.input_schema.into(),
        output_schema: op.output_schema.into(),
        output_sample: op.output_sample.into(),
        trigger: op.trigger.map(|t| wit::TriggerInfo {
            webhook_topics: t.webhook_topics.iter().map(|s| s.to_string()).collect(),
            can_poll: t.can_poll,
            notes: t.notes.into(),
        }),
    }
}

/// JSON text of `v`, written straight into a byte buffer (`Value::to_string` goes through `fmt`,
/// which is markedly slower in wasm). Serialising a `Value` cannot fail.
fn json_text(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn to_wit_event(e: Event) -> wit::Event {
    wit::Event {
        id: e.id,
        trigger: e.trigger,
        occurred_at: e.occurred_at,
        data: e.data.into_text(),
    }
}

impl wit_metadata::Guest for Component {
    fn describe() -> wit::ConnectorInfo {
        let ConnectorInfo {
            name,
            version,
            hosts,
            operations,
        } = metadata::describe();
        wit::ConnectorInfo {
            name: name.into(),
            version: version.into(),
            hosts: hosts.into_iter().map(String::from).collect(),
            operations: operations.into_iter().map(to_wit_operation).collect(),
        }
    }

    fn test_connection(conn: wit::Connection) -> WitResult<wit::Account> {
        with_client(conn, metadata::test_connection).map(|a: Account| wit::Account {
            workspace_id: a.workspace_id,
            workspace_name: a.workspace_name,
            region: a.region,
            admin_id: a.admin_id,
            admin_name: a.admin_name,
            admin_email: a.admin_email,
        })
    }

    fn input_schema(conn: wit::Connection, key: String) -> WitResult<String> {
        with_client(conn, |client| metadata::input_schema(client, &key)).map(|v| json_text(&v))
    }
}

impl wit_actions::Guest for Component {
    fn run_action(conn: wit::Connection, key: String, input: String) -> WitResult<String> {
        with_client(conn, |client| actions::run(client, &key, &input)).map(|v| json_text(&v))
    }
}

impl wit_searches::Guest for Component {
    fn run_search(conn: wit::Connection, key: String, input: String) -> WitResult<Vec<String>> {
        with_client(conn, |client| searches::run(client, &key, &input))
            .map(|items| items.iter().map(json_text).collect())
    }
}

impl wit_triggers::Guest for Component {
    fn poll_trigger(
        conn: wit::Connection,
        key: String,
        input: String,
        cursor: Option<String>,
    ) -> WitResult<wit::PollPage> {
        with_client(conn, |client| {
            triggers::poll(client, &key, &input, cursor.as_deref())
        })
        .map(|p: PollPage| wit::PollPage {
            events: p.events.into_iter().map(to_wit_event).collect(),
            cursor: p.cursor,
            has_more: p.has_more,
        })
    }

    fn parse_webhook(
        secret: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> WitResult<wit::WebhookResult> {
        triggers::parse_webhook(&secret, &headers, &body)
            .map(|r: WebhookResult| wit::WebhookResult {
                topic: r.topic,
                events: r.events.into_iter().map(to_wit_event).collect(),
                note: r.note,
            })
            .map_err(to_wit_error)
    }
}
