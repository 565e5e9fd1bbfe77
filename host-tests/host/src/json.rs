//! WIT values as JSON, for the runner's output and for tests.

use crate::{
    Account, AuthInfo, ChoicePage, ConnectorError, ConnectorInfo, Event, OperationKind, PollPage,
    WebhookResult,
};
use serde_json::{json, Value};

/// Parses JSON text the component returned; text that is not JSON stays a string.
/// Parses JSON text the component returned; text that is not JSON becomes a JSON string.
pub fn parse(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_string()))
}

/// `describe()`'s answer as JSON.
pub fn connector_info(info: &ConnectorInfo) -> Value {
    json!({
        "name": info.name,
        "version": info.version,
        "hosts": info.hosts,
        "operations": info.operations.iter().map(|op| json!({
            "key": op.key,
            "kind": match op.kind { OperationKind::Trigger => "trigger", OperationKind::Action => "action", OperationKind::Search => "search" },
            "label": op.label,
            "description": op.description,
            "input_schema": parse(&op.input_schema),
            "output_schema": parse(&op.output_schema),
            "output_sample": parse(&op.output_sample),
            "trigger": op.trigger.as_ref().map(|t| json!({
                "webhook_topics": t.webhook_topics, "can_poll": t.can_poll, "notes": t.notes,
            })),
            "find_or_create": op.find_or_create,
        })).collect::<Vec<_>>(),
        "auth": auth_info(&info.auth),
    })
}

/// How to connect an account, as `describe()` declares it.
pub fn auth_info(a: &AuthInfo) -> Value {
    json!({
        "oauth2": a.oauth2.as_ref().map(|o| json!({
            "endpoints": o.endpoints.iter().map(|e| json!({
                "region": e.region, "authorize_url": e.authorize_url, "token_url": e.token_url,
                "api_base_url": e.api_base_url,
            })).collect::<Vec<_>>(),
            "scopes": o.scopes, "token_request_params": o.token_request_params,
            "token_response_field": o.token_response_field, "refresh_token": o.refresh_token,
            "token_placement": o.token_placement, "notes": o.notes,
        })),
        "access_token": a.access_token.as_ref().map(|t| json!({
            "label": t.label, "help": t.help, "token_placement": t.token_placement,
        })),
    })
}

/// A page of dropdown choices.
pub fn choice_page(p: &ChoicePage) -> Value {
    json!({
        "choices": p.choices.iter().map(|c| json!({"value": c.value, "label": c.label})).collect::<Vec<_>>(),
        "next_cursor": p.next_cursor,
    })
}

/// A `test-connection` account as JSON.
pub fn account(a: &Account) -> Value {
    json!({
        "label": a.label,
        "workspace_id": a.workspace_id, "workspace_name": a.workspace_name, "region": a.region,
        "admin_id": a.admin_id, "admin_name": a.admin_name, "admin_email": a.admin_email,
    })
}

/// A trigger event as JSON, its data parsed.
pub fn event(e: &Event) -> Value {
    json!({ "id": e.id, "trigger": e.trigger, "occurred_at": e.occurred_at, "data": parse(&e.data) })
}

/// A poll's answer as JSON: events, cursor, `has_more`.
pub fn poll_page(p: &PollPage) -> Value {
    json!({ "events": p.events.iter().map(event).collect::<Vec<_>>(), "cursor": p.cursor, "has_more": p.has_more })
}

/// A parsed webhook delivery as JSON: topic, events, note, delivery id.
pub fn webhook_result(r: &WebhookResult) -> Value {
    json!({ "topic": r.topic, "events": r.events.iter().map(event).collect::<Vec<_>>(), "note": r.note, "delivery_id": r.delivery_id })
}

/// `{"error": {"kind": ..., ...}}`, the shape the runner prints on failure.
pub fn error(e: &ConnectorError) -> Value {
    let inner = match e {
        ConnectorError::InvalidInput(f) => {
            json!({ "kind": "invalid-input", "field": f.field, "message": f.message })
        }
        ConnectorError::Unauthorized(m) => json!({ "kind": "unauthorized", "message": m }),
        ConnectorError::Forbidden(m) => json!({ "kind": "forbidden", "message": m }),
        ConnectorError::NotFound(m) => json!({ "kind": "not-found", "message": m }),
        ConnectorError::Conflict(c) => {
            json!({ "kind": "conflict", "message": c.message, "existing_id": c.existing_id })
        }
        ConnectorError::RateLimited(r) => {
            json!({ "kind": "rate-limited", "retry_after_ms": r.retry_after_ms, "message": r.message })
        }
        ConnectorError::Upstream(u) => json!({
            "kind": "upstream", "status": u.status, "code": u.code, "message": u.message, "request_id": u.request_id,
        }),
        ConnectorError::Transport(m) => json!({ "kind": "transport", "message": m }),
        ConnectorError::Internal(m) => json!({ "kind": "internal", "message": m }),
    };
    json!({ "error": inner })
}

/// The error's kind, e.g. `not-found`.
pub fn error_kind(e: &ConnectorError) -> String {
    error(e)["error"]["kind"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}
