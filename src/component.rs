//! Glue between the generated WIT bindings and the plain-Rust modules: conversions only.

use crate::connect::{self, oauth};
use crate::error::Error;
use crate::intercom::{Client, Connection, Region};
use crate::metadata::{self, Account, ConnectorInfo, OperationInfo};
use crate::operation::Kind;
use crate::transport::WakiTransport;
use crate::triggers::{self, Event, PollPage, WebhookResult};
use crate::{actions, options, searches};

wit_bindgen::generate!({
    path: "wit",
    world: "connector",
    generate_all,
});

use exports::workflow::connector::{
    actions as wit_actions, connect as wit_connect, metadata as wit_metadata,
    options as wit_options, searches as wit_searches, triggers as wit_triggers,
};
use workflow::connector::auth as wit_auth;
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
        region: region(conn.region),
        base_url: conn.base_url,
        api_version: conn.api_version,
        max_rate_limit_wait_ms: conn.max_rate_limit_wait_ms,
    };
    let transport = WakiTransport;
    let client = Client::new(&conn, &transport).map_err(to_wit_error)?;
    f(&client).map_err(to_wit_error)
}

fn region(r: wit::Region) -> Region {
    match r {
        wit::Region::Us => Region::Us,
        wit::Region::Eu => Region::Eu,
        wit::Region::Au => Region::Au,
    }
}

fn to_wit_auth(a: connect::AuthInfo) -> wit_auth::AuthInfo {
    let o = a.oauth2;
    wit_auth::AuthInfo {
        oauth2: Some(wit_auth::Oauth2Method {
            endpoints: o
                .endpoints
                .into_iter()
                .map(|e| wit_auth::Oauth2Endpoints {
                    region: e.region.into(),
                    authorize_url: e.authorize_url,
                    token_url: e.token_url,
                    api_base_url: e.api_base_url,
                })
                .collect(),
            scopes: o.scopes.into_iter().map(String::from).collect(),
            token_request_params: o
                .token_request_params
                .into_iter()
                .map(String::from)
                .collect(),
            token_response_field: o.token_response_field.into(),
            refresh_token: o.refresh_token,
            token_placement: o.token_placement.into(),
            notes: o.notes.into(),
        }),
        access_token: Some(wit_auth::AccessTokenMethod {
            label: a.access_token.label.into(),
            help: a.access_token.help.into(),
            token_placement: a.access_token.token_placement.into(),
        }),
    }
}

fn to_wit_error(e: Error) -> wit::Error {
    match e {
        Error::InvalidInput { field, message } => {
            wit::Error::InvalidInput(wit::FieldError { field, message })
        }
        Error::Unauthorized(m) => wit::Error::Unauthorized(m),
        Error::Forbidden(m) => wit::Error::Forbidden(m),
        Error::NotFound(m) => wit::Error::NotFound(m),
        Error::Conflict {
            message,
            existing_id,
        } => wit::Error::Conflict(wit::ConflictError {
            message,
            existing_id,
        }),
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
            notes: t.notes.text().into(),
        }),
        find_or_create: op.find_or_create.map(String::from),
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
            auth,
        } = metadata::describe();
        wit::ConnectorInfo {
            name: name.into(),
            version: version.into(),
            hosts: hosts.into_iter().map(String::from).collect(),
            operations: operations.into_iter().map(to_wit_operation).collect(),
            auth: to_wit_auth(auth),
        }
    }

    fn test_connection(conn: wit::Connection) -> WitResult<wit::Account> {
        with_client(conn, metadata::test_connection).map(|a: Account| wit::Account {
            label: a.label,
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
        with_client(conn, |client| searches::run(client, &key, &input)).map(|items| {
            items
                .into_iter()
                .map(|item| String::from(Box::<str>::from(item)))
                .collect()
        })
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
                delivery_id: r.delivery_id,
            })
            .map_err(to_wit_error)
    }
}

impl wit_connect::Guest for Component {
    fn oauth_authorize_url(r: wit_connect::AuthorizeRequest) -> WitResult<String> {
        oauth::authorize(&oauth::AuthorizeRequest {
            region: region(r.region),
            client_id: &r.client_id,
            state: &r.state,
            redirect_uri: r.redirect_uri.as_deref(),
        })
        .map_err(to_wit_error)
    }

    fn oauth_exchange_code(r: wit_connect::CodeExchange) -> WitResult<wit_connect::OauthToken> {
        let exchange = oauth::CodeExchange {
            region: region(r.region),
            base_url: r.base_url.as_deref(),
            client_id: &r.client_id,
            client_secret: &r.client_secret,
            code: &r.code,
        };
        oauth::exchange(&exchange, &WakiTransport)
            .map(|t| wit_connect::OauthToken {
                access_token: t.access_token,
                token_type: t.token_type,
            })
            .map_err(to_wit_error)
    }
}

impl wit_options::Guest for Component {
    fn list_options(
        conn: wit::Connection,
        key: String,
        field: String,
        query: Option<String>,
        cursor: Option<String>,
    ) -> WitResult<wit_options::ChoicePage> {
        with_client(conn, |client| {
            options::list(client, &key, &field, query.as_deref(), cursor.as_deref())
        })
        .map(|p| wit_options::ChoicePage {
            choices: p
                .choices
                .into_iter()
                .map(|c| wit_options::Choice {
                    value: c.value,
                    label: c.label,
                })
                .collect(),
            next_cursor: p.next_cursor,
        })
    }
}
