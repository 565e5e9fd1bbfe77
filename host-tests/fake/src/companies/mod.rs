//! `/companies` (upsert by `company_id`, retrieve by id / company_id / name, update, delete,
//! page-number list, scroll) and the contact sub-resource `/contacts/{id}/companies`.

pub(crate) mod state;

use super::state::{company_plan, State, SCROLL_IDLE_SECS};
use super::util::{as_i64, id_str, uuid_like};
use super::{ApiError, Ctx, HResult, Resp};
use serde_json::{json, Map, Value};

/// Spec limit on companies per contact.
const CONTACT_COMPANY_LIMIT: usize = 1000;

pub(crate) fn route(st: &mut State, cx: &Ctx) -> Option<HResult> {
    let s: Vec<&str> = cx.segs.iter().map(String::as_str).collect();
    Some(match (cx.method, s.as_slice()) {
        ("POST", ["companies"]) => upsert(st, cx),
        ("GET", ["companies"]) => retrieve(st, cx),
        ("POST", ["companies", "list"]) => list(st, cx),
        ("GET", ["companies", "scroll"]) => scroll(st, cx),
        ("GET", ["companies", id]) => match st.company(id) {
            Some(c) => Ok(Resp::ok(st.render_company(c))),
            None => Err(ApiError::company_not_found()),
        },
        ("PUT", ["companies", id]) => update(st, cx, id),
        ("DELETE", ["companies", id]) => delete(st, id),
        ("GET", ["companies", id, "contacts"]) => contacts_of(st, id),
        _ => return None,
    })
}

const COMPANY_KEYS: &[&str] = &[
    "company_id",
    "name",
    "plan",
    "size",
    "website",
    "industry",
    "monthly_spend",
    "remote_created_at",
    "custom_attributes",
    "update_last_request_at",
];

/// Validates a create/update body into stored fields. Unknown keys are rejected with the spec's
/// `bad_request` "bad '<key>' parameter".
fn company_fields(
    st: &State,
    b: &Map<String, Value>,
    allow_company_id: bool,
) -> Result<(Map<String, Value>, bool), ApiError> {
    let mut out = Map::new();
    let mut touch_last_request = false;
    for (k, v) in b {
        if !COMPANY_KEYS.contains(&k.as_str()) || (k == "company_id" && !allow_company_id) {
            return Err(ApiError::bad_request(format!("bad '{k}' parameter")));
        }
        let bad = || ApiError::parameter_invalid(format!("{k} has an invalid value: {v}"));
        match k.as_str() {
            "company_id" => {
                out.insert(k.clone(), json!(id_str(Some(v)).ok_or_else(bad)?));
            }
            "name" | "website" | "industry" => {
                if !(v.is_string() || v.is_null()) {
                    return Err(bad());
                }
                out.insert(k.clone(), v.clone());
            }
            "plan" => match v {
                Value::String(p) => {
                    out.insert("plan".into(), company_plan(p));
                }
                Value::Null => {
                    out.insert("plan".into(), json!({}));
                }
                _ => return Err(bad()),
            },
            "size" | "remote_created_at" => {
                out.insert(k.clone(), json!(as_i64(v).ok_or_else(bad)?));
            }
            "monthly_spend" => {
                // Truncated to an integer, max 2^31-1 (spec).
                let f = v
                    .as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(bad)?;
                if !(0.0..=2_147_483_647.0).contains(&f) {
                    return Err(bad());
                }
                out.insert(k.clone(), json!(f.trunc() as i64));
            }
            "custom_attributes" => {
                st.check_custom_attributes("company", Some(v))?;
                out.insert(k.clone(), v.clone());
            }
            "update_last_request_at" => touch_last_request = v == &json!(true),
            _ => unreachable!(),
        }
    }
    Ok((out, touch_last_request))
}

fn apply_update(st: &mut State, id: &str, fields: Map<String, Value>, touch_last_request: bool) {
    let now = st.now;
    let c = st.company_mut(id).expect("exists");
    for (k, v) in fields {
        if k == "custom_attributes" {
            if let (Some(Value::Object(dst)), Value::Object(src)) =
                (c.fields.get_mut("custom_attributes"), v)
            {
                dst.extend(src);
            }
            continue;
        }
        if k == "company_id" {
            continue; // immutable once set
        }
        c.fields.insert(k, v);
    }
    if touch_last_request {
        c.fields.insert("last_request_at".into(), json!(now));
    }
    c.fields.insert("updated_at".into(), json!(now));
}

/// `POST /companies`: looked up by `company_id`; created if new (created_at set once), else updated.
fn upsert(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    let (fields, touch) = company_fields(st, &b, true)?;
    let existing = fields
        .get("company_id")
        .and_then(Value::as_str)
        .and_then(|cid| st.company_by_company_id(cid))
        .map(|c| c.id().to_string());
    let id = match existing {
        Some(id) => {
            apply_update(st, &id, fields, touch);
            id
        }
        None => {
            let mut f = fields;
            if touch {
                f.insert("last_request_at".into(), json!(st.now));
            }
            st.create_company(&f)
        }
    };
    Ok(Resp::ok(
        st.render_company(st.company(&id).expect("exists")),
    ))
}

fn update(st: &mut State, cx: &Ctx, id: &str) -> HResult {
    if st.company(id).is_none() {
        return Err(ApiError::company_not_found());
    }
    let b = cx.object()?;
    let (fields, touch) = company_fields(st, &b, true)?;
    apply_update(st, id, fields, touch);
    Ok(Resp::ok(st.render_company(st.company(id).expect("exists"))))
}

fn delete(st: &mut State, id: &str) -> HResult {
    let now = st.now;
    if st.company(id).is_none() {
        return Err(ApiError::company_not_found());
    }
    for c in st.contacts.iter_mut() {
        if c.company_ids.iter().any(|x| x == id) {
            c.company_ids.retain(|x| x != id);
            c.fields.insert("updated_at".into(), json!(now));
        }
    }
    st.company_mut(id).expect("exists").deleted = true;
    Ok(Resp::ok(
        json!({"id": id, "object": "company", "deleted": true}),
    ))
}

/// "There is a limit of 10,000 Companies that can be returned" through page-number lists
/// (OpenAPI 2.16, "List all companies"); what a page past it answers is not documented: a 400
/// here (a guess, conservative: a client that pages on past it gets nothing silently wrong).
pub const LIST_CAP: usize = 10_000;

/// Page-number pagination (`page`, `per_page`, default 15). `pages.next` is null on the last page
/// and `{page, per_page}` of the following page otherwise.
fn paged(st: &State, cx: &Ctx, ids: Vec<String>) -> HResult {
    let per_page = cx.q_int("per_page")?.unwrap_or(15);
    let page = cx.q_int("page")?.unwrap_or(1);
    if !(1..=150).contains(&per_page) {
        return Err(ApiError::parameter_invalid(
            "per_page must be between 1 and 150",
        ));
    }
    if page < 1 {
        return Err(ApiError::parameter_invalid("page must be greater than 0"));
    }
    let (per_page, page) = (per_page as usize, page as usize);
    if (page - 1) * per_page >= LIST_CAP {
        return Err(ApiError::parameter_invalid(format!(
            "page-number lists return at most {LIST_CAP} companies; use the scroll API to iterate over more"
        )));
    }
    let total = ids.len();
    let total_pages = total.div_ceil(per_page);
    let data: Vec<Value> = ids
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .filter_map(|id| st.company(id))
        .map(|c| st.render_company(c))
        .collect();
    let next = if page < total_pages {
        json!({"page": page + 1, "per_page": per_page})
    } else {
        Value::Null
    };
    Ok(Resp::ok(json!({
        "type": "list", "data": data,
        "pages": {"type": "pages", "next": next, "page": page, "per_page": per_page, "total_pages": total_pages},
        "total_count": total
    })))
}

/// `GET /companies?company_id=|name=|tag_id=|segment_id=`; no filter lists all.
fn retrieve(st: &mut State, cx: &Ctx) -> HResult {
    if let Some(cid) = cx.q("company_id") {
        let c = st
            .company_by_company_id(cid)
            .ok_or_else(ApiError::company_not_found)?;
        return paged(st, cx, vec![c.id().to_string()]);
    }
    if let Some(name) = cx.q("name") {
        let ids: Vec<String> = st
            .live_companies()
            .filter(|c| c.name().eq_ignore_ascii_case(name))
            .map(|c| c.id().to_string())
            .collect();
        if ids.is_empty() {
            return Err(ApiError::company_not_found());
        }
        return paged(st, cx, ids);
    }
    let ids: Vec<String> = if let Some(tag) = cx.q("tag_id") {
        st.live_companies()
            .filter(|c| c.tag_ids.iter().any(|t| t == tag))
            .map(|c| c.id().to_string())
            .collect()
    } else if cx.q("segment_id").is_some() {
        vec![] // the fake has no segments
    } else {
        st.live_companies().map(|c| c.id().to_string()).collect()
    };
    paged(st, cx, ids)
}

/// `POST /companies/list`: sorted by `last_request_at` (desc by default), companies without
/// users excluded, as the spec describes.
fn list(st: &mut State, cx: &Ctx) -> HResult {
    let asc = match cx.q("order") {
        None | Some("desc") => false,
        Some("asc") => true,
        Some(o) => {
            return Err(ApiError::parameter_invalid(format!(
                "order must be asc or desc, got '{o}'"
            )))
        }
    };
    let mut cs: Vec<(i64, i64, String)> = st
        .live_companies()
        .filter(|c| st.company_user_count(c.id()) > 0)
        .map(|c| {
            let lr = c
                .fields
                .get("last_request_at")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            let ca = c
                .fields
                .get("created_at")
                .and_then(Value::as_i64)
                .unwrap_or(0);
            (lr, ca, c.id().to_string())
        })
        .collect();
    cs.sort();
    if !asc {
        cs.reverse();
    }
    let ids = cs.into_iter().map(|(_, _, id)| id).collect();
    paged(st, cx, ids)
}

/// `GET /companies/scroll`: first call opens a scroll over a snapshot of all companies (oldest
/// first); each call with `scroll_param` returns the next page; the end is an empty `data`.
/// OpenAPI 2.16: "Each app can only have 1 scroll open at a time" and "If the scroll isn't used
/// for 1 minute, it expires". Opening a second one answers 400 "scroll already exists for this
/// app" (observed in public client code: intercom-ruby issue #292, whose error had an empty type).
fn scroll(st: &mut State, cx: &Ctx) -> HResult {
    let size = st.scroll_page_size.max(1);
    let param = cx.q("scroll_param").filter(|p| !p.is_empty());
    let now = st.now;
    if st
        .scroll
        .as_ref()
        .is_some_and(|s| now - s.used_at > SCROLL_IDLE_SECS)
    {
        st.scroll = None;
    }
    let (ids, param) = match param {
        None => {
            if st.scroll.is_some() {
                return Err(ApiError::bad_request("scroll already exists for this app"));
            }
            let ids: Vec<String> = st.live_companies().map(|c| c.id().to_string()).collect();
            let p = uuid_like();
            st.scroll = Some(super::state::Scroll {
                param: p.clone(),
                ids,
                pos: 0,
                used_at: now,
            });
            let s = st.scroll.as_mut().expect("set");
            let chunk: Vec<String> = s.ids.iter().take(size).cloned().collect();
            s.pos = chunk.len();
            (chunk, p)
        }
        Some(p) => {
            let s = st.scroll.as_mut().filter(|s| s.param == p).ok_or_else(|| {
                ApiError::parameter_invalid("scroll_param is invalid or has expired")
            })?;
            let chunk: Vec<String> = s.ids.iter().skip(s.pos).take(size).cloned().collect();
            s.pos += chunk.len();
            s.used_at = now;
            if chunk.is_empty() {
                st.scroll = None; // reached the end: the scroll expires
            }
            (chunk, p.to_string())
        }
    };
    let data: Vec<Value> = ids
        .iter()
        .filter_map(|id| st.company(id))
        .map(|c| st.render_company(c))
        .collect();
    Ok(Resp::ok(
        json!({"type": "list", "data": data, "pages": null, "total_count": null, "scroll_param": param}),
    ))
}

fn contacts_of(st: &mut State, id: &str) -> HResult {
    if st.company(id).is_none() {
        return Err(ApiError::company_not_found());
    }
    let data: Vec<Value> = st
        .contacts
        .iter()
        .filter(|c| c.is_live() && c.company_ids.iter().any(|x| x == id))
        .map(|c| st.render_contact(c))
        .collect();
    let n = data.len();
    Ok(Resp::ok(json!({
        "type": "list", "data": data, "total_count": n,
        "pages": {"type": "pages", "next": null, "page": 1, "per_page": 50, "total_pages": 1}
    })))
}

// --- /contacts/{id}/companies -------------------------------------------------------------------

pub(crate) fn list_for_contact(st: &mut State, contact_id: &str) -> HResult {
    let i = st.live_contact(contact_id)?;
    let data: Vec<Value> = st.contacts[i]
        .company_ids
        .iter()
        .filter_map(|id| st.company(id))
        .map(|c| st.render_company(c))
        .collect();
    let n = data.len();
    Ok(Resp::ok(json!({
        "type": "list", "data": data,
        "pages": {"type": "pages", "next": null, "page": 1, "per_page": 50, "total_pages": 1},
        "total_count": n
    })))
}

pub(crate) fn attach(st: &mut State, cx: &Ctx, contact_id: &str) -> HResult {
    let i = st.live_contact(contact_id)?;
    let b = cx.object()?;
    let company_id = id_str(b.get("id"))
        .ok_or_else(|| ApiError::parameter_not_found("company not specified"))?;
    if st.company(&company_id).is_none() {
        return Err(ApiError::company_not_found());
    }
    let c = &st.contacts[i];
    if c.company_ids.len() >= CONTACT_COMPANY_LIMIT && !c.company_ids.contains(&company_id) {
        return Err(ApiError::new(
            400,
            "contact_company_limit_exceeded",
            "Contact has reached the maximum of 1000 company associations",
        ));
    }
    st.attach_company(contact_id, &company_id);
    Ok(Resp::ok(
        st.render_company(st.company(&company_id).expect("exists")),
    ))
}

pub(crate) fn detach(st: &mut State, contact_id: &str, company_id: &str) -> HResult {
    st.live_contact(contact_id)?;
    if st.company(company_id).is_none() {
        return Err(ApiError::company_not_found());
    }
    st.detach_company(contact_id, company_id);
    Ok(Resp::ok(
        st.render_company(st.company(company_id).expect("exists")),
    ))
}
