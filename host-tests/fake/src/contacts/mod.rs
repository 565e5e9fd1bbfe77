//! `/contacts` endpoints: CRUD, archive, find by external id, merge, search, list, notes.
//! Tag and company sub-resources live in `tags/` and `companies/`; the contact record and its
//! rules in `state.rs` beside this file.

pub(crate) mod state;

use super::search::{self, DateMode, Dialect, SearchError, Sort};
use super::state::{ContactStatus, State, CONTACT_WRITABLE};
use super::util::{html_body, id_str};
use super::{companies, tags, ApiError, Ctx, HResult, Resp};
use serde_json::{json, Map, Value};

pub(crate) fn route(st: &mut State, cx: &Ctx) -> Option<HResult> {
    let s: Vec<&str> = cx.segs.iter().map(String::as_str).collect();
    Some(match (cx.method, s.as_slice()) {
        ("GET", ["contacts"]) => list(st, cx),
        ("POST", ["contacts"]) => create(st, cx),
        ("POST", ["contacts", "search"]) => search(st, cx),
        ("POST", ["contacts", "merge"]) => merge(st, cx),
        ("GET", ["contacts", "find_by_external_id", ext]) => find_by_external_id(st, ext),
        ("GET", ["contacts", id]) => st
            .readable_contact(id)
            .map(|i| Resp::ok(st.render_contact(&st.contacts[i]))),
        ("PUT", ["contacts", id]) => update(st, cx, id),
        ("DELETE", ["contacts", id]) => delete(st, id),
        ("POST", ["contacts", id, "archive"]) => archive(st, id, true),
        ("POST", ["contacts", id, "unarchive"]) => archive(st, id, false),
        ("GET", ["contacts", id, "tags"]) => tags::list_contact_tags(st, id),
        ("POST", ["contacts", id, "tags"]) => tags::tag_contact(st, cx, id),
        ("DELETE", ["contacts", id, "tags", tag]) => tags::untag_contact(st, id, tag),
        ("GET", ["contacts", id, "companies"]) => companies::list_for_contact(st, id),
        ("POST", ["contacts", id, "companies"]) => companies::attach(st, cx, id),
        ("DELETE", ["contacts", id, "companies", cid]) => companies::detach(st, id, cid),
        ("GET", ["contacts", id, "notes"]) => list_notes(st, id),
        ("POST", ["contacts", id, "notes"]) => create_note(st, cx, id),
        _ => return None,
    })
}

pub(crate) fn search_error(e: SearchError) -> ApiError {
    ApiError::new(400, e.code, e.message)
}

/// Default order for contact search and list: newest first (the API documents no default).
fn default_sort() -> Sort {
    Sort {
        field: "created_at".into(),
        descending: true,
    }
}

fn contact_list(data: Vec<Value>, page: &search::Page<Value>) -> Value {
    json!({"type": "list", "data": data, "total_count": page.total_count, "pages": page.pages_json()})
}

fn search(st: &mut State, cx: &Ctx) -> HResult {
    let body = cx.json()?;
    let kind = |f: &str| st.contact_search_kind(f);
    let d = Dialect {
        kind_of: &kind,
        dates: DateMode::DayTruncated {
            utc_offset: st.utc_offset_secs,
        },
    };
    // The cursor is read from the body only: `?starting_after=` is ignored like the real API.
    let req = search::parse_request(&body, &d, 50).map_err(search_error)?;
    let docs = st
        .searchable_contacts()
        .filter(|c| st.indexed(c))
        .map(|c| (st.contact_search_doc(c), st.render_contact(c)))
        .collect();
    let page =
        search::run(docs, &req, &d, &default_sort(), st.search_clock()).map_err(search_error)?;
    Ok(Resp::ok(contact_list(page.items.clone(), &page)))
}

fn list(st: &mut State, cx: &Ctx) -> HResult {
    let per_page = cx.q_int("per_page")?.unwrap_or(50);
    if !(1..=search::MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::parameter_invalid(
            "per_page must be between 1 and 150",
        ));
    }
    let docs = st
        .searchable_contacts()
        .map(|c| (st.contact_search_doc(c), st.render_contact(c)))
        .collect();
    let page = search::paginate(
        docs,
        &default_sort(),
        per_page as usize,
        cx.q("starting_after").filter(|s| !s.is_empty()),
        st.search_clock(),
    )
    .map_err(|_| ApiError::invalid_starting_after())?;
    Ok(Resp::ok(contact_list(page.items.clone(), &page)))
}

fn find_by_external_id(st: &mut State, ext: &str) -> HResult {
    if let Some(c) = st
        .searchable_contacts()
        .find(|c| c.role() == "user" && c.external_id() == Some(ext))
    {
        return Ok(Resp::ok(st.render_contact(c)));
    }
    if let Some(c) = st
        .contacts
        .iter()
        .find(|c| matches!(c.status, ContactStatus::Merged { .. }) && c.external_id() == Some(ext))
    {
        let id = c.id().to_string();
        st.readable_contact(&id)?;
    }
    Err(ApiError::user_not_found())
}

/// Type-checks the writable contact fields of a create/update body and normalises them
/// (numbers accepted for string ids, 2.16 `owner_id` as a string).
fn validate_fields(st: &State, b: &Map<String, Value>) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::new();
    for (k, v) in b {
        if !CONTACT_WRITABLE.contains(&k.as_str()) {
            continue; // unknown keys are ignored (the spec checker reports them)
        }
        let v = match (k.as_str(), v) {
            (_, Value::Null) if k != "role" => Value::Null,
            ("role", Value::String(r)) if r == "user" || r == "lead" => v.clone(),
            ("role", _) => {
                return Err(ApiError::parameter_invalid(
                    "role must be one of 'user' or 'lead'",
                ))
            }
            ("external_id" | "owner_id", Value::String(_)) => v.clone(),
            ("external_id" | "owner_id", Value::Number(n)) => json!(n.to_string()),
            ("email", Value::String(e)) => json!(e.trim()),
            ("phone" | "name" | "avatar" | "language_override", Value::String(_)) => v.clone(),
            ("signed_up_at" | "last_seen_at", Value::Number(n)) if n.as_i64().is_some() => {
                v.clone()
            }
            ("unsubscribed_from_emails" | "email_verified", Value::Bool(_)) => v.clone(),
            ("custom_attributes", Value::Object(_)) => v.clone(),
            _ => {
                return Err(ApiError::parameter_invalid(format!(
                    "{k} has an invalid value: {v}"
                )))
            }
        };
        out.insert(k.clone(), v);
    }
    st.check_custom_attributes("contact", out.get("custom_attributes"))?;
    if out.get("email_verified").is_some_and(|v| !v.is_null())
        && out.get("email").is_none_or(Value::is_null)
    {
        return Err(ApiError::parameter_invalid(
            "email_verified must be supplied together with email",
        ));
    }
    Ok(out)
}

/// An existing user the new/updated details collide with (archived ones included: they answer
/// "An archived contact matching those details already exists with id=…"):
/// * the same `external_id`: Intercom identifies users by Intercom id, then user_id, then email
///   (help center "What is user_id", articles/268; 409 on `POST /contacts` documented in
///   intercom/Intercom-OpenAPI#543, live and archived examples; observed in rudderlabs
///   rudder-transformer#5090: a create with an existing external_id answers 409);
/// * the same email when one side has no `external_id`: email is then the identity (help center
///   articles/268 and 5053685: users with one email and different user_ids are distinct users).
///   Guess, not documented: a create with an external_id also meets a user that has the email and
///   none (Intercom's CSV import creates a duplicate there, the API is not described).
fn find_conflict<'a>(
    st: &'a State,
    email: Option<&str>,
    ext: Option<&str>,
    exclude: Option<&str>,
) -> Option<&'a super::state::Contact> {
    st.contacts.iter().find(|c| {
        if !c.is_live() || c.role() != "user" || Some(c.id()) == exclude {
            return false;
        }
        if ext.is_some() && c.external_id() == ext {
            return true;
        }
        match email {
            Some(e) => {
                c.email().is_some_and(|ce| ce.eq_ignore_ascii_case(e))
                    && (ext.is_none() || c.external_id().is_none())
            }
            None => false,
        }
    })
}

fn non_empty<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn create(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    let mut fields = validate_fields(st, &b)?;
    if non_empty(&fields, "email").is_none()
        && non_empty(&fields, "external_id").is_none()
        && !fields.contains_key("role")
    {
        return Err(ApiError::parameter_invalid(
            "You need to provide either email, external_id or role",
        ));
    }
    let role = fields
        .get("role")
        .and_then(Value::as_str)
        .unwrap_or("user")
        .to_string();
    if role == "user" {
        if let Some(c) = find_conflict(
            st,
            non_empty(&fields, "email"),
            non_empty(&fields, "external_id"),
            None,
        ) {
            return Err(ApiError::conflict(
                c.id(),
                c.status == ContactStatus::Archived,
            ));
        }
    }
    fields.insert("role".into(), json!(role));
    fields.remove("email_verified");
    let i = st.create_contact(&fields);
    Ok(Resp::ok(st.render_contact(&st.contacts[i])))
}

fn update(st: &mut State, cx: &Ctx, id: &str) -> HResult {
    let i = st.live_contact(id)?;
    let b = cx.object()?;
    let fields = validate_fields(st, &b)?;
    let c = &st.contacts[i];
    let new_role = fields
        .get("role")
        .and_then(Value::as_str)
        .unwrap_or(c.role())
        .to_string();
    let new_ext = match fields.get("external_id") {
        Some(v) => v.as_str().filter(|s| !s.is_empty()).map(str::to_string),
        None => c.external_id().map(str::to_string),
    };
    if new_role == "user" && new_ext.is_some() {
        // Only an external_id collision conflicts on update: emails aren't unique in Intercom.
        if let Some(other) = find_conflict(st, None, new_ext.as_deref(), Some(id)) {
            return Err(ApiError::conflict(
                other.id(),
                other.status == ContactStatus::Archived,
            ));
        }
    }
    let now = st.now;
    let c = &mut st.contacts[i];
    for (k, v) in fields {
        match k.as_str() {
            "email_verified" => {}
            "custom_attributes" => {
                let ca = c.fields.entry("custom_attributes").or_insert(json!({}));
                if !ca.is_object() {
                    *ca = json!({});
                }
                if let (Some(dst), Value::Object(src)) = (ca.as_object_mut(), v) {
                    dst.extend(src);
                }
            }
            _ => {
                c.fields.insert(k, v);
            }
        }
    }
    super::state::refresh_contact_derived(&mut c.fields);
    c.fields.insert("updated_at".into(), json!(now));
    Ok(Resp::ok(st.render_contact(&st.contacts[i])))
}

fn delete(st: &mut State, id: &str) -> HResult {
    let i = st.live_contact(id)?;
    let c = &mut st.contacts[i];
    c.status = ContactStatus::Deleted;
    c.company_ids.clear();
    Ok(Resp::ok(
        json!({"type": "contact", "id": c.id(), "external_id": c.fields.get("external_id").cloned().unwrap_or(Value::Null), "deleted": true}),
    ))
}

fn archive(st: &mut State, id: &str, archived: bool) -> HResult {
    let i = st.live_contact(id)?;
    let c = &mut st.contacts[i];
    c.status = if archived {
        ContactStatus::Archived
    } else {
        ContactStatus::Active
    };
    let out = json!({"type": "contact", "id": c.id(), "external_id": c.fields.get("external_id").cloned().unwrap_or(Value::Null), "archived": archived});
    st.touch_contact(id);
    Ok(Resp::ok(out))
}

/// 2.16 merge: `from` must be a lead, `into` a user, and they must be duplicates (same email or
/// phone) unless `skip_duplicate_validation`. The lead then answers 410 and vanishes from search;
/// the user inherits its tags, companies, conversations, notes, events and missing attributes.
fn merge(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    let from =
        id_str(b.get("from")).ok_or_else(|| ApiError::parameter_not_found("from is required"))?;
    let into =
        id_str(b.get("into")).ok_or_else(|| ApiError::parameter_not_found("into is required"))?;
    let fi = st.live_contact(&from)?;
    let ii = st.live_contact(&into)?;
    if fi == ii {
        return Err(ApiError::parameter_invalid(
            "Cannot merge a contact into itself",
        ));
    }
    if st.contacts[fi].role() != "lead" {
        return Err(ApiError::parameter_invalid(
            "The contact to merge from must be a lead",
        ));
    }
    if st.contacts[ii].role() != "user" {
        return Err(ApiError::parameter_invalid(
            "The contact to merge into must be a user",
        ));
    }
    let skip = b.get("skip_duplicate_validation") == Some(&json!(true));
    let (f, t) = (&st.contacts[fi], &st.contacts[ii]);
    let same_email =
        matches!((f.email(), t.email()), (Some(a), Some(b)) if a.eq_ignore_ascii_case(b));
    let same_phone = matches!((f.phone(), t.phone()), (Some(a), Some(b)) if a == b);
    if !skip && !same_email && !same_phone {
        return Err(ApiError::new(
            400,
            "invalid_merge",
            "Contacts can only be merged when they are duplicates (matching email or phone). Pass skip_duplicate_validation=true to override this check.",
        ));
    }
    let now = st.now;
    let lead = st.contacts[fi].clone();
    st.contacts[fi].status = ContactStatus::Merged { into: into.clone() };
    for t in &lead.tags {
        st.apply_tag_to_contact(&into, &t.tag_id, now, t.applied_by.as_deref());
    }
    for co in &lead.company_ids {
        st.attach_company(&into, co);
    }
    let user = &mut st.contacts[ii];
    for k in ["email", "phone", "name", "avatar"] {
        if user.fields.get(k).is_none_or(Value::is_null) {
            if let Some(v) = lead.fields.get(k).filter(|v| !v.is_null()) {
                user.fields.insert(k.into(), v.clone());
            }
        }
    }
    if let (Some(Value::Object(src)), Some(Value::Object(dst))) = (
        lead.fields.get("custom_attributes"),
        user.fields.get_mut("custom_attributes"),
    ) {
        for (k, v) in src {
            dst.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    super::state::refresh_contact_derived(&mut user.fields);
    user.fields.insert("updated_at".into(), json!(now));
    let user_ref = json!({"type": "contact", "id": into, "external_id": user.fields.get("external_id").cloned().unwrap_or(Value::Null)});
    for conv in st.conversations.iter_mut() {
        if let Some(list) = conv.fields["contacts"]["contacts"].as_array_mut() {
            if list.iter().any(|c| c["id"] == json!(from)) {
                list.retain(|c| c["id"] != json!(from) && c["id"] != json!(into));
                list.push(user_ref.clone());
            }
        }
    }
    for n in st.notes.iter_mut() {
        if n["contact"]["id"] == json!(from) {
            n["contact"]["id"] = json!(into);
        }
    }
    for e in st.events.iter_mut() {
        if e["intercom_user_id"] == json!(from) {
            e["intercom_user_id"] = json!(into);
        }
    }
    Ok(Resp::ok(st.render_contact(&st.contacts[ii])))
}

// --- notes -------------------------------------------------------------------------------------

fn note_author(st: &State, admin_id: &str) -> Value {
    let a = st.admin(admin_id).cloned().unwrap_or(Value::Null);
    json!({
        "type": "admin", "id": admin_id, "name": a["name"], "email": a["email"],
        "away_mode_enabled": a.get("away_mode_enabled").cloned().unwrap_or(json!(false)),
        "away_mode_reassign": a.get("away_mode_reassign").cloned().unwrap_or(json!(false))
    })
}

fn create_note(st: &mut State, cx: &Ctx, id: &str) -> HResult {
    st.live_contact(id)?;
    let b = cx.object()?;
    let body = match b.get("body") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        _ => return Err(ApiError::parameter_not_found("Body is required")),
    };
    // Unknown admin: the spec's "Admin not found" example is `not_found` / "Resource Not Found".
    let admin_id = st.resolve_admin(b.get("admin_id"), ApiError::resource_not_found())?;
    let note_id = st.new_numeric_id(0);
    let note = json!({
        "type": "note", "id": note_id, "created_at": st.now,
        "contact": {"type": "contact", "id": id},
        "author": note_author(st, &admin_id),
        "body": html_body(&body)
    });
    st.notes.push(note.clone());
    Ok(Resp::ok(note))
}

fn list_notes(st: &mut State, id: &str) -> HResult {
    st.live_contact(id)?;
    let notes: Vec<Value> = st
        .notes
        .iter()
        .rev()
        .filter(|n| n["contact"]["id"] == json!(id))
        .cloned()
        .collect();
    let n = notes.len();
    Ok(Resp::ok(json!({
        "type": "list", "data": notes, "total_count": n,
        "pages": {"type": "pages", "next": null, "page": 1, "per_page": 50, "total_pages": 1}
    })))
}
