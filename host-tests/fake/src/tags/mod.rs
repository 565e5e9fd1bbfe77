//! `/tags` (list, create-or-get/rename, tag/untag companies, tag users, find, delete) and the
//! contact tag sub-resource `/contacts/{id}/tags`.

pub(crate) mod state;

use super::state::{State, ADMIN_ID};
use super::util::id_str;
use super::{ApiError, Ctx, HResult, Resp};
use serde_json::{json, Value};

pub(crate) fn route(st: &mut State, cx: &Ctx) -> Option<HResult> {
    let s: Vec<&str> = cx.segs.iter().map(String::as_str).collect();
    Some(match (cx.method, s.as_slice()) {
        ("GET", ["tags"]) => {
            let data: Vec<Value> = st.tags.iter().map(|t| t.json()).collect();
            Ok(Resp::ok(json!({"type": "list", "data": data})))
        }
        ("POST", ["tags"]) => create_or_apply(st, cx),
        ("GET", ["tags", id]) => st
            .tag(id)
            .map(|t| Resp::ok(t.json()))
            .ok_or_else(ApiError::resource_not_found),
        ("DELETE", ["tags", id]) => delete(st, id),
        _ => return None,
    })
}

fn invalid() -> ApiError {
    ApiError::parameter_invalid("invalid tag parameters")
}

/// `POST /tags`: the operation is chosen by the body shape (spec "createTag").
fn create_or_apply(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    if b.keys()
        .any(|k| !matches!(k.as_str(), "name" | "id" | "companies" | "users"))
    {
        return Err(invalid());
    }
    let name = match b.get("name") {
        Some(Value::String(n)) if !n.trim().is_empty() => n.trim().to_string(),
        _ => return Err(invalid()),
    };
    let companies = b.get("companies").filter(|v| !v.is_null());
    let users = b.get("users").filter(|v| !v.is_null());

    if companies.is_none() && users.is_none() {
        if let Some(id) = id_str(b.get("id")) {
            // Rename an existing tag.
            if let Some(other) = st.tag_by_name(&name).filter(|t| t.id != id) {
                return Err(ApiError::parameter_invalid(format!(
                    "A tag named '{}' already exists",
                    other.name
                )));
            }
            let t = st
                .tags
                .iter_mut()
                .find(|t| t.id == id)
                .ok_or_else(ApiError::resource_not_found)?;
            t.name = name;
            return Ok(Resp::ok(t.json()));
        }
    }

    let tag_id = st.create_or_get_tag(&name);
    let mut out = st.tag(&tag_id).expect("exists").json();

    if let Some(list) = companies {
        let list = list.as_array().ok_or_else(invalid)?;
        let now = st.now;
        let mut results = Vec::new();
        for entry in list {
            // 2.16: unknown companies are skipped instead of failing the whole request.
            let found = id_str(entry.get("id"))
                .and_then(|id| st.company(&id).map(|c| c.id().to_string()))
                .or_else(|| {
                    id_str(entry.get("company_id"))
                        .and_then(|cid| st.company_by_company_id(&cid).map(|c| c.id().to_string()))
                });
            let Some(cid) = found else { continue };
            // The 2.16 spec's createTag example answers `companies: [{"id": "valid-123",
            // "tagged": true}]`: the company_id form, not Intercom's id.
            let answered_id = st.company(&cid).expect("exists").company_id().to_string();
            let untag = matches!(entry.get("untag"), Some(Value::Bool(true)))
                || entry.get("untag") == Some(&json!("true"));
            let c = st.company_mut(&cid).expect("exists");
            if untag {
                c.tag_ids.retain(|t| *t != tag_id);
            } else if !c.tag_ids.contains(&tag_id) {
                c.tag_ids.push(tag_id.clone());
            }
            c.fields.insert("updated_at".into(), json!(now));
            results.push(json!({"id": answered_id, "tagged": !untag}));
        }
        out["companies"] = json!(results);
    }

    if let Some(list) = users {
        let list = list.as_array().ok_or_else(invalid)?;
        let now = st.now;
        let mut results = Vec::new();
        for entry in list {
            let Some(uid) = id_str(entry.get("id")) else {
                continue;
            };
            if st.live_contact(&uid).is_err() {
                continue;
            }
            let untag = matches!(entry.get("untag"), Some(Value::Bool(true)));
            if untag {
                st.remove_tag_from_contact(&uid, &tag_id);
            } else {
                st.apply_tag_to_contact(&uid, &tag_id, now, Some(ADMIN_ID));
            }
            results.push(json!({"id": uid, "tagged": !untag}));
        }
        out["users"] = json!(results);
    }
    Ok(Resp::ok(out))
}

fn delete(st: &mut State, id: &str) -> HResult {
    if st.tag(id).is_none() {
        return Err(ApiError::resource_not_found());
    }
    st.tags.retain(|t| t.id != id);
    for c in st.contacts.iter_mut() {
        c.tags.retain(|t| t.tag_id != id);
    }
    for c in st.companies.iter_mut() {
        c.tag_ids.retain(|t| t != id);
    }
    for c in st.conversations.iter_mut() {
        c.tags.retain(|t| t.tag_id != id);
    }
    Ok(Resp::empty(200))
}

// --- /contacts/{id}/tags ---------------------------------------------------------------------

pub(crate) fn list_contact_tags(st: &mut State, contact_id: &str) -> HResult {
    let i = st.live_contact(contact_id)?;
    let data = st.contact_tags_json(&st.contacts[i]);
    Ok(Resp::ok(json!({"type": "list", "data": data})))
}

pub(crate) fn tag_contact(st: &mut State, cx: &Ctx, contact_id: &str) -> HResult {
    st.live_contact(contact_id)?;
    let b = cx.object()?;
    let tag_id =
        id_str(b.get("id")).ok_or_else(|| ApiError::parameter_not_found("tag id not specified"))?;
    if st.tag(&tag_id).is_none() {
        return Err(ApiError::resource_not_found());
    }
    let now = st.now;
    st.apply_tag_to_contact(contact_id, &tag_id, now, Some(ADMIN_ID));
    Ok(Resp::ok(
        st.contact_tag(contact_id, &tag_id).expect("applied"),
    ))
}

pub(crate) fn untag_contact(st: &mut State, contact_id: &str, tag_id: &str) -> HResult {
    st.live_contact(contact_id)?;
    let Some(tag) = st.tag(tag_id).map(|t| t.json()) else {
        return Err(ApiError::resource_not_found());
    };
    let applied = st.contact_tag(contact_id, tag_id);
    st.remove_tag_from_contact(contact_id, tag_id);
    Ok(Resp::ok(applied.unwrap_or(tag)))
}
