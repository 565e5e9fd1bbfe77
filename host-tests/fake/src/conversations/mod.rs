//! `/conversations`: create from a contact, retrieve, list (cursor), search (same engine as
//! contacts but exact-second dates), reply, manage parts (close/open/snooze/assign), tags.

pub(crate) mod state;

use super::contacts::search_error;
use super::search::{self, DateMode, Dialect, Sort};
use super::state::State;
use super::util::{as_i64, id_str};
use super::{ApiError, Ctx, HResult, Resp};
use serde_json::{json, Value};

pub(crate) fn route(st: &mut State, cx: &Ctx) -> Option<HResult> {
    let s: Vec<&str> = cx.segs.iter().map(String::as_str).collect();
    Some(match (cx.method, s.as_slice()) {
        ("POST", ["conversations"]) => create(st, cx),
        ("GET", ["conversations"]) => list(st, cx),
        ("POST", ["conversations", "search"]) => search(st, cx),
        ("GET", ["conversations", id]) => match st.conversation(id) {
            Some(c) => Ok(Resp::ok(st.render_conversation(c, true))),
            None => Err(ApiError::resource_not_found()),
        },
        ("POST", ["conversations", id, "reply"]) => reply(st, cx, id),
        ("POST", ["conversations", id, "parts"]) => parts(st, cx, id),
        ("POST", ["conversations", id, "tags"]) => tag(st, cx, id),
        ("DELETE", ["conversations", id, "tags", tag_id]) => untag(st, cx, id, tag_id),
        _ => return None,
    })
}

fn create(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    let from = b
        .get("from")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::parameter_invalid("from is required"))?;
    match from.get("type").and_then(Value::as_str) {
        Some("user" | "lead" | "contact") => {}
        _ => {
            return Err(ApiError::parameter_invalid(
                "from.type must be one of user, lead, contact",
            ))
        }
    }
    let contact_id =
        id_str(from.get("id")).ok_or_else(|| ApiError::parameter_invalid("from.id is required"))?;
    let body = match b.get("body") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(ApiError::parameter_invalid("body is required")),
    };
    let created_at =
        match b.get("created_at") {
            None | Some(Value::Null) => None,
            Some(v) => Some(as_i64(v).ok_or_else(|| {
                ApiError::parameter_invalid("created_at must be a unix timestamp")
            })?),
        };
    let subject = b.get("subject").and_then(Value::as_str);
    st.live_contact(&contact_id)?;
    let (conv_id, msg_id) = st.start_conversation(&contact_id, &body, created_at, subject);
    let created = st
        .conversation(&conv_id)
        .and_then(|c| c.fields["created_at"].as_i64())
        .unwrap_or(st.now);
    Ok(Resp::ok(json!({
        "type": "user_message", "id": msg_id, "created_at": created, "body": body,
        "message_type": "inapp", "conversation_id": conv_id
    })))
}

fn conversation_list(page: search::Page<Value>) -> Value {
    json!({"type": "conversation.list", "pages": page.pages_json(), "total_count": page.total_count, "conversations": page.items})
}

/// `GET /conversations`: most recently updated first, cursor in `?starting_after=`.
fn list(st: &mut State, cx: &Ctx) -> HResult {
    let per_page = cx.q_int("per_page")?.unwrap_or(20);
    if !(1..=search::MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::parameter_invalid(
            "per_page must be between 1 and 150",
        ));
    }
    let docs = st
        .conversations
        .iter()
        .map(|c| {
            (
                st.conversation_search_doc(c),
                st.render_conversation(c, false),
            )
        })
        .collect();
    let sort = Sort {
        field: "updated_at".into(),
        descending: true,
    };
    let page = search::paginate(
        docs,
        &sort,
        per_page as usize,
        cx.q("starting_after").filter(|s| !s.is_empty()),
        st.search_clock(),
    )
    .map_err(|_| ApiError::invalid_starting_after())?;
    Ok(Resp::ok(conversation_list(page)))
}

fn search(st: &mut State, cx: &Ctx) -> HResult {
    let body = cx.json()?;
    let kind = |f: &str| st.conversation_search_kind(f);
    let d = Dialect {
        kind_of: &kind,
        dates: DateMode::Exact,
    };
    let req = search::parse_request(&body, &d, 20).map_err(search_error)?;
    let docs = st
        .conversations
        .iter()
        .filter(|c| st.conversation_indexed(c))
        .map(|c| {
            (
                st.conversation_search_doc(c),
                st.render_conversation(c, false),
            )
        })
        .collect();
    let default_sort = Sort {
        field: "created_at".into(),
        descending: true,
    };
    let page =
        search::run(docs, &req, &d, &default_sort, st.search_clock()).map_err(search_error)?;
    Ok(Resp::ok(conversation_list(page)))
}

fn body_of(b: &serde_json::Map<String, Value>) -> Option<String> {
    b.get("body")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string)
}

fn require_admin(st: &State, v: Option<&Value>) -> Result<String, ApiError> {
    let id = id_str(v.filter(|v| !v.is_null()))
        .ok_or_else(|| ApiError::parameter_not_found("admin_id not specified"))?;
    if st.admin(&id).is_none() {
        return Err(ApiError::admin_not_found());
    }
    Ok(id)
}

fn reply(st: &mut State, cx: &Ctx, conv_id: &str) -> HResult {
    let b = cx.object()?;
    let now = st.now;
    let message_type = b.get("message_type").and_then(Value::as_str).unwrap_or("");
    match b.get("type").and_then(Value::as_str) {
        Some("admin") => {
            if st.conversation(conv_id).is_none() {
                return Err(ApiError::resource_not_found());
            }
            let admin_id = require_admin(st, b.get("admin_id"))?;
            let part_type = match message_type {
                "comment" | "note" | "quick_reply" => message_type,
                _ => {
                    return Err(ApiError::parameter_invalid(
                        "message_type must be one of comment, note, quick_reply",
                    ))
                }
            };
            let body = body_of(&b);
            if body.is_none() && part_type != "quick_reply" {
                return Err(ApiError::parameter_invalid("Body is required"));
            }
            let author = st.admin_author(&admin_id);
            st.add_part(conv_id, part_type, body.as_deref(), author, Value::Null);
            if part_type == "comment" {
                let c = st.conversation_mut(conv_id).expect("exists");
                let s = c.stats();
                if s.get("first_admin_reply_at").is_none_or(Value::is_null) {
                    s.insert("first_admin_reply_at".into(), json!(now));
                }
                s.insert("last_admin_reply_at".into(), json!(now));
                c.fields.insert("waiting_since".into(), Value::Null);
            }
            Ok(Resp::ok(st.render_conversation(
                st.conversation(conv_id).expect("exists"),
                true,
            )))
        }
        Some("user") => {
            let named =
                st.contact_named(id_str(b.get("intercom_user_id")), id_str(b.get("user_id")));
            let contact_id = if let Some(found) = named {
                found?
            } else if let Some(email) = b.get("email").and_then(Value::as_str) {
                st.searchable_contacts()
                    .find(|c| c.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
                    .map(|c| c.id().to_string())
                    .ok_or_else(ApiError::user_not_found)?
            } else {
                return Err(ApiError::parameter_invalid(
                    "intercom_user_id, user_id or email is required",
                ));
            };
            // "last" replies to the contact's most recent conversation.
            let conv_id = if conv_id == "last" {
                st.conversations
                    .iter()
                    .filter(|c| c.contact_ids().contains(&contact_id))
                    .max_by_key(|c| {
                        (
                            c.fields["updated_at"].as_i64().unwrap_or(0),
                            c.id().parse::<u64>().unwrap_or(0),
                        )
                    })
                    .map(|c| c.id().to_string())
                    .ok_or_else(ApiError::resource_not_found)?
            } else {
                conv_id.to_string()
            };
            if st.conversation(&conv_id).is_none() {
                return Err(ApiError::resource_not_found());
            }
            if message_type != "comment" && message_type != "quick_reply" {
                return Err(ApiError::parameter_invalid("message_type must be comment"));
            }
            let body = body_of(&b);
            if body.is_none() && message_type == "comment" {
                return Err(ApiError::parameter_invalid("Body is required"));
            }
            let c = st.find_contact(&contact_id).expect("live");
            let author = st.contact_author(c);
            st.add_part(&conv_id, message_type, body.as_deref(), author, Value::Null);
            let c = st.conversation_mut(&conv_id).expect("exists");
            // A customer reply reopens a closed or snoozed conversation.
            if c.fields["state"] != json!("open") {
                c.fields.insert("state".into(), json!("open"));
                c.fields.insert("open".into(), json!(true));
                c.fields.insert("snoozed_until".into(), Value::Null);
            }
            if c.fields["waiting_since"].is_null() {
                c.fields.insert("waiting_since".into(), json!(now));
            }
            c.stats().insert("last_contact_reply_at".into(), json!(now));
            Ok(Resp::ok(st.render_conversation(
                st.conversation(&conv_id).expect("exists"),
                true,
            )))
        }
        _ => Err(ApiError::parameter_invalid(
            "type must be one of admin, user",
        )),
    }
}

/// `POST /conversations/{id}/parts`: close | open | snoozed | assignment.
fn parts(st: &mut State, cx: &Ctx, conv_id: &str) -> HResult {
    if st.conversation(conv_id).is_none() {
        return Err(ApiError::resource_not_found());
    }
    let b = cx.object()?;
    let message_type = b
        .get("message_type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let admin_id = require_admin(st, b.get("admin_id"))?;
    let body = body_of(&b);
    match message_type.as_str() {
        "close" => {
            st.close_conversation(conv_id, &admin_id, body.as_deref());
        }
        "open" => {
            st.open_conversation(conv_id, &admin_id);
        }
        // The spec's enum value is "snoozed"; accept "snooze" too.
        "snoozed" | "snooze" => {
            let until = b
                .get("snoozed_until")
                .and_then(as_i64)
                .ok_or_else(|| ApiError::parameter_invalid("snoozed_until is required"))?;
            st.snooze_conversation(conv_id, &admin_id, until);
        }
        "assignment" => {
            let kind = match b.get("type").and_then(Value::as_str) {
                Some(t @ ("admin" | "team")) => t.to_string(),
                _ => {
                    return Err(ApiError::parameter_invalid(
                        "type must be one of admin, team",
                    ))
                }
            };
            let assignee = id_str(b.get("assignee_id"))
                .ok_or_else(|| ApiError::parameter_not_found("assignee_id not specified"))?;
            if kind == "admin" && assignee != "0" && st.admin(&assignee).is_none() {
                return Err(ApiError::new(
                    404,
                    "assignee_not_found",
                    "Assignee not found",
                ));
            }
            st.assign_conversation(conv_id, &admin_id, &kind, &assignee, body.as_deref());
        }
        other => {
            return Err(ApiError::parameter_invalid(format!(
                "message_type '{other}' is not one of close, open, snoozed, assignment"
            )))
        }
    }
    Ok(Resp::ok(st.render_conversation(
        st.conversation(conv_id).expect("exists"),
        true,
    )))
}

fn tag(st: &mut State, cx: &Ctx, conv_id: &str) -> HResult {
    if st.conversation(conv_id).is_none() {
        return Err(ApiError::conversation_not_found());
    }
    let b = cx.object()?;
    let tag_id =
        id_str(b.get("id")).ok_or_else(|| ApiError::parameter_not_found("tag id not specified"))?;
    let admin_id = require_admin(st, b.get("admin_id"))?;
    if st.tag(&tag_id).is_none() {
        return Err(ApiError::tag_not_found());
    }
    st.tag_conversation(conv_id, &tag_id, &admin_id);
    Ok(Resp::ok(
        st.conversation_tag(conv_id, &tag_id).expect("applied"),
    ))
}

fn untag(st: &mut State, cx: &Ctx, conv_id: &str, tag_id: &str) -> HResult {
    if st.conversation(conv_id).is_none() {
        return Err(ApiError::conversation_not_found());
    }
    let b = cx.object()?;
    require_admin(st, b.get("admin_id"))?;
    let applied = st
        .conversation_tag(conv_id, tag_id)
        .ok_or_else(ApiError::tag_not_found)?;
    st.untag_conversation(conv_id, tag_id);
    Ok(Resp::ok(applied))
}
