//! `POST /events`: 202 with an empty body; the contact is addressed by `id` (any role; the only
//! way for leads), `user_id` (= external_id) or `email` (users only); unknown → 404; duplicates
//! (same contact + event_name + created_at) are accepted but stored once; metadata keeps 10 keys.

use super::state::State;
use super::util::{as_i64, id_str};
use super::{ApiError, Ctx, HResult, Resp};
use serde_json::{json, Map, Value};

const MAX_METADATA_KEYS: usize = 10;

pub(crate) fn route(st: &mut State, cx: &Ctx) -> Option<HResult> {
    let s: Vec<&str> = cx.segs.iter().map(String::as_str).collect();
    Some(match (cx.method, s.as_slice()) {
        ("POST", ["events"]) => create(st, cx),
        ("GET", ["events"]) => list(st, cx),
        _ => return None,
    })
}

fn create(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    let event_name = match b.get("event_name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
        _ => return Err(ApiError::parameter_not_found("event_name is required")),
    };
    let created_at = b
        .get("created_at")
        .and_then(|v| as_i64(v).filter(|_| !v.is_null()))
        .ok_or_else(|| ApiError::parameter_invalid("created_at must be a unix timestamp"))?;
    let contact_id = if let Some(id) = id_str(b.get("id")) {
        st.live_contact(&id)?;
        id
    } else if let Some(ext) = id_str(b.get("user_id")) {
        st.searchable_contacts()
            .find(|c| c.role() == "user" && c.external_id() == Some(ext.as_str()))
            .map(|c| c.id().to_string())
            .ok_or_else(ApiError::user_not_found)?
    } else if let Some(email) = b.get("email").and_then(Value::as_str) {
        st.searchable_contacts()
            .find(|c| {
                c.role() == "user" && c.email().is_some_and(|e| e.eq_ignore_ascii_case(email))
            })
            .map(|c| c.id().to_string())
            .ok_or_else(ApiError::user_not_found)?
    } else {
        return Err(ApiError::parameter_not_found(
            "id, user_id or email is required",
        ));
    };
    let metadata: Map<String, Value> = match b.get("metadata") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m
            .iter()
            .take(MAX_METADATA_KEYS)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        Some(_) => return Err(ApiError::parameter_invalid("metadata must be an object")),
    };
    let duplicate = st.events.iter().any(|e| {
        e["intercom_user_id"] == json!(contact_id)
            && e["event_name"] == json!(event_name)
            && e["created_at"] == json!(created_at)
    });
    if !duplicate {
        let c = st.find_contact(&contact_id).expect("live");
        let event = json!({
            "type": "event",
            "id": st.events.len() + 1,
            "event_name": event_name,
            "created_at": created_at,
            "intercom_user_id": contact_id,
            "user_id": c.fields.get("external_id").cloned().unwrap_or(Value::Null),
            "email": c.fields.get("email").cloned().unwrap_or(Value::Null),
            "metadata": metadata,
        });
        st.events.push(event);
    }
    Ok(Resp::empty(202))
}

/// `GET /events?type=user&intercom_user_id=|user_id=|email=`: the contact's events.
fn list(st: &mut State, cx: &Ctx) -> HResult {
    if cx.q("type") != Some("user") {
        return Err(ApiError::parameter_invalid("type must be user"));
    }
    let contact = if let Some(id) = cx.q("intercom_user_id") {
        st.live_contact(id).map(|i| st.contacts[i].clone())?
    } else if let Some(ext) = cx.q("user_id") {
        st.searchable_contacts()
            .find(|c| c.external_id() == Some(ext))
            .cloned()
            .ok_or_else(ApiError::user_not_found)?
    } else if let Some(email) = cx.q("email") {
        st.searchable_contacts()
            .find(|c| c.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
            .cloned()
            .ok_or_else(ApiError::user_not_found)?
    } else {
        return Err(ApiError::parameter_not_found(
            "intercom_user_id, user_id or email is required",
        ));
    };
    let events: Vec<Value> = st
        .events
        .iter()
        .filter(|e| e["intercom_user_id"] == json!(contact.id()))
        .cloned()
        .collect();
    Ok(Resp::ok(json!({
        "type": "event.list",
        "events": events,
        "pages": {},
        "email": contact.fields.get("email").cloned().unwrap_or(Value::Null),
        "intercom_user_id": contact.id(),
        "user_id": contact.fields.get("external_id").cloned().unwrap_or(Value::Null)
    })))
}
