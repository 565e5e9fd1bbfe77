//! Tickets (API 2.16): `GET /ticket_types[/{id}]`, `GET /ticket_states`, `POST /tickets`,
//! `GET|PUT /tickets/{id}`, `POST /tickets/{id}/reply`, `POST /tickets/{id}/tags`,
//! `DELETE /tickets/{id}/tags/{tag_id}` and `POST /tickets/search`.
//!
//! Sources: the OpenAPI 2.16 description (request and response schemas, the error examples
//! `ticket_not_found`, `tag_not_found`, `assignee_not_found`, `ticket_state_id_invalid`,
//! `parameter_mismatch` "User replies are not allowed on Backoffice tickets", and its search
//! table: Unix-timestamp dates where `>`/`<` are "greater (or equal)" / "lower (or equal)",
//! `state` and `category` fields). Where the spec is silent the choice is marked "guess".

use super::contacts::search_error;
use super::search::{self, DateMode, Dialect, FieldKind, Sort};
use super::state::State;
use super::util::id_str;
use super::{ApiError, Ctx, HResult, Resp};
use serde_json::{json, Map, Value};

/// A stored ticket: the fields the API shows (type and state by id), its parts, its tags.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub fields: Map<String, Value>,
    pub parts: Vec<Value>,
    /// Tag ids (the 2.16 ticket object carries no tags; the fake keeps them for tests).
    pub tag_ids: Vec<String>,
}

impl Ticket {
    pub fn id(&self) -> &str {
        self.fields.get("id").and_then(Value::as_str).unwrap_or("")
    }
}

/// Workspace ticket states (ids as in the spec's examples' style).
pub fn seed_states() -> Vec<Value> {
    [
        ("8321", "submitted", "Submitted", "Submitted"),
        ("8322", "in_progress", "In progress", "In progress"),
        (
            "8323",
            "waiting_on_customer",
            "Waiting on customer",
            "Waiting on you",
        ),
        ("8324", "resolved", "Resolved", "Resolved"),
        ("8325", "in_progress", "With engineering", "In progress"),
    ]
    .iter()
    .map(|(id, cat, internal, external)| {
        json!({"type": "ticket_state", "id": id, "category": cat, "internal_label": internal,
               "external_label": external, "archived": false})
    })
    .collect()
}

fn attr(
    type_id: u64,
    id: u64,
    name: &str,
    data_type: &str,
    required: bool,
    options: Value,
) -> Value {
    json!({
        "type": "ticket_type_attribute", "id": id.to_string(), "workspace_id": super::state::APP_ID_CODE,
        "name": name, "description": "", "data_type": data_type, "input_options": options,
        "order": id % 10, "required_to_create": required, "required_to_create_for_contacts": false,
        "visible_on_create": true, "visible_to_contacts": true,
        "default": name.starts_with("_default_"), "ticket_type_id": type_id, "archived": false,
        "created_at": 1_734_537_866, "updated_at": 1_734_537_866
    })
}

/// Two ticket types: a customer "Bug report" with its own attributes of each kind (string,
/// integer, list, boolean; the list's `input_options.list_options` shape is a guess: the spec's
/// examples hold no list attribute), using every state but "With engineering", and a
/// back-office "Internal task" with all states.
pub fn seed_types() -> Vec<Value> {
    let bug = vec![
        attr(
            67,
            165,
            "_default_title_",
            "string",
            true,
            json!({"multiline": false}),
        ),
        attr(
            67,
            166,
            "_default_description_",
            "string",
            false,
            json!({"multiline": true}),
        ),
        attr(67, 167, "Browser", "string", false, Value::Null),
        attr(67, 168, "Affected users", "integer", false, Value::Null),
        attr(
            67,
            169,
            "Severity",
            "list",
            true,
            json!({"list_options": [
                {"id": "3f0b7a52-0001-4c1e-9d1f-5a1e2b3c4d01", "label": "Low", "archived": false},
                {"id": "3f0b7a52-0002-4c1e-9d1f-5a1e2b3c4d02", "label": "High", "archived": false},
                {"id": "3f0b7a52-0003-4c1e-9d1f-5a1e2b3c4d03", "label": "Critical", "archived": false}
            ]}),
        ),
        attr(67, 170, "Reproducible", "boolean", false, Value::Null),
    ];
    let task = vec![
        attr(
            68,
            175,
            "_default_title_",
            "string",
            false,
            json!({"multiline": false}),
        ),
        attr(
            68,
            176,
            "_default_description_",
            "string",
            false,
            json!({"multiline": true}),
        ),
    ];
    vec![
        ticket_type(
            "67",
            "Bug report",
            "Customer",
            bug,
            &["8321", "8322", "8323", "8324"],
        ),
        ticket_type(
            "68",
            "Internal task",
            "Back-office",
            task,
            &["8321", "8322", "8323", "8324", "8325"],
        ),
    ]
}

fn ticket_type(id: &str, name: &str, category: &str, attrs: Vec<Value>, states: &[&str]) -> Value {
    json!({
        "type": "ticket_type", "id": id, "name": name, "description": format!("{name} template"),
        "icon": "🎟️", "workspace_id": super::state::APP_ID_CODE, "archived": false,
        "created_at": 1_734_537_866, "updated_at": 1_734_537_866, "is_internal": false,
        "ticket_type_attributes": {"type": "list", "data": attrs}, "category": category,
        "_state_ids": states
    })
}

/// A type as the API shows it (with its states as `ticket_state` objects).
fn render_type(st: &State, t: &Value) -> Value {
    let mut t = t.clone();
    let ids: Vec<String> = t["_state_ids"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    t.as_object_mut().unwrap().remove("_state_ids");
    let states: Vec<Value> = ids
        .iter()
        .filter_map(|id| st.ticket_state(id))
        .map(short_state)
        .collect();
    t["ticket_states"] = json!({"type": "list", "data": states});
    t
}

/// `ticket_state` as a ticket carries it (no `archived`, no `ticket_types`).
fn short_state(s: &Value) -> Value {
    json!({"type": "ticket_state", "id": s["id"], "category": s["category"],
           "internal_label": s["internal_label"], "external_label": s["external_label"]})
}

impl State {
    pub fn ticket_state(&self, id: &str) -> Option<&Value> {
        self.ticket_states
            .iter()
            .find(|s| s["id"].as_str() == Some(id))
    }

    pub fn ticket_type(&self, id: &str) -> Option<&Value> {
        self.ticket_types
            .iter()
            .find(|t| t["id"].as_str() == Some(id))
    }

    pub fn ticket(&self, id: &str) -> Option<&Ticket> {
        self.tickets.iter().find(|t| t.id() == id)
    }

    fn ticket_mut(&mut self, id: &str) -> Result<&mut Ticket, ApiError> {
        self.tickets
            .iter_mut()
            .find(|t| t.id() == id)
            .ok_or_else(ticket_not_found)
    }

    /// A ticket as `GET /tickets/{id}` answers it.
    pub fn render_ticket(&self, t: &Ticket) -> Value {
        let mut out = t.fields.clone();
        let type_id = out.remove("ticket_type_id").unwrap_or(Value::Null);
        let state_id = out.remove("ticket_state_id").unwrap_or(Value::Null);
        let ty = type_id.as_str().and_then(|id| self.ticket_type(id));
        out.insert(
            "ticket_type".into(),
            ty.map(|t| render_type(self, t)).unwrap_or(Value::Null),
        );
        if let Some(ty) = ty {
            out.insert("category".into(), ty["category"].clone());
        }
        let state = state_id
            .as_str()
            .and_then(|id| self.ticket_state(id))
            .map(short_state);
        out.insert("ticket_state".into(), state.unwrap_or(Value::Null));
        out.insert(
            "ticket_parts".into(),
            json!({"type": "ticket_part.list", "ticket_parts": t.parts, "total_count": t.parts.len()}),
        );
        Value::Object(out)
    }

    /// The search document: the spec's ticket search fields.
    fn ticket_search_doc(&self, t: &Ticket) -> Value {
        let f = &t.fields;
        let ty = f["ticket_type_id"]
            .as_str()
            .and_then(|id| self.ticket_type(id));
        // Spec: "For Customer category tickets, use the term `request`", Back-office `task`,
        // Tracker `tracker`.
        let category = match ty.and_then(|t| t["category"].as_str()) {
            Some("Customer") => "request",
            Some("Back-office") => "task",
            _ => "tracker",
        };
        let state = f["ticket_state_id"]
            .as_str()
            .and_then(|id| self.ticket_state(id))
            .map(|s| s["category"].clone())
            .unwrap_or(Value::Null);
        let contact_ids: Vec<Value> = f["contacts"]["contacts"]
            .as_array()
            .map(|a| a.iter().map(|c| c["id"].clone()).collect())
            .unwrap_or_default();
        let mut doc = json!({
            "id": f["id"], "created_at": f["created_at"], "updated_at": f["updated_at"],
            "title": f["ticket_attributes"]["_default_title_"],
            "description": f["ticket_attributes"]["_default_description_"],
            "category": category, "ticket_type_id": f["ticket_type_id"], "contact_ids": contact_ids,
            "admin_assignee_id": f["admin_assignee_id"].to_string(),
            "team_assignee_id": f["team_assignee_id"].to_string(),
            "open": f["open"], "state": state, "snoozed_until": f["snoozed_until"],
        });
        if let Some(attrs) = f["ticket_attributes"].as_object() {
            for (name, v) in attrs {
                doc[format!("ticket_attribute.{name}")] = v.clone();
            }
        }
        doc
    }

    /// Seeds a ticket (tests): `ticket_type_id` (default the first type), `contact_id`,
    /// `created_at`, `ticket_attributes`; it starts in the type's first `submitted` state.
    pub fn seed_ticket(&mut self, fields: &Value) -> Value {
        let type_id = fields["ticket_type_id"]
            .as_str()
            .unwrap_or("67")
            .to_string();
        let contact = fields["contact_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let created_at = fields["created_at"].as_i64().unwrap_or(self.now);
        let attrs = fields["ticket_attributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let id = self.new_ticket(&type_id, &contact, attrs, None, created_at);
        self.render_ticket(self.ticket(&id).expect("just created"))
    }

    fn new_ticket(
        &mut self,
        type_id: &str,
        contact_id: &str,
        attrs: Map<String, Value>,
        company_id: Option<String>,
        created_at: i64,
    ) -> String {
        let id = self.new_numeric_id(600);
        let ticket_id = (self.tickets.len() + 1).to_string();
        let submitted = self.type_states(type_id).into_iter().find(|s| {
            self.ticket_state(s)
                .is_some_and(|st| st["category"] == "submitted")
        });
        let ext = self
            .find_contact(contact_id)
            .and_then(|c| c.external_id().map(str::to_string));
        let mut attributes = Map::new();
        attributes.insert("_default_title_".into(), Value::Null);
        attributes.insert("_default_description_".into(), Value::Null);
        attributes.extend(attrs);
        let mut fields = json!({
            "type": "ticket", "id": id, "ticket_id": ticket_id, "ticket_attributes": attributes,
            "ticket_type_id": type_id, "ticket_state_id": submitted,
            "contacts": {"type": "contact.list", "contacts": [{"type": "contact", "id": contact_id, "external_id": ext}]},
            "admin_assignee_id": 0, "team_assignee_id": 0, "created_at": created_at, "updated_at": created_at,
            "open": true, "snoozed_until": null, "is_shared": true, "previous_ticket_state_id": null,
            "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": false}
        });
        if let Some(c) = company_id {
            fields["company_id"] = json!(c);
        }
        let Value::Object(fields) = fields else {
            unreachable!()
        };
        // The spec's ticket examples all hold a `ticket_state_updated_by_admin` part from
        // `submitted` to `submitted` made at creation: the fake adds one too.
        let author = self.admin_author(super::state::ADMIN_ID);
        let mut part = self.ticket_part("ticket_state_updated_by_admin", None, author, created_at);
        part["ticket_state"] = json!("submitted");
        part["previous_ticket_state"] = json!("submitted");
        self.tickets.push(Ticket {
            fields,
            parts: vec![part],
            tag_ids: Vec::new(),
        });
        id
    }

    fn type_states(&self, type_id: &str) -> Vec<String> {
        self.ticket_type(type_id)
            .and_then(|t| t["_state_ids"].as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn ticket_part(
        &mut self,
        part_type: &str,
        body: Option<&str>,
        author: Value,
        at: i64,
    ) -> Value {
        let id = self.new_numeric_id(170);
        json!({"type": "ticket_part", "id": id, "part_type": part_type, "body": body,
               "created_at": at, "updated_at": at, "author": author, "attachments": [], "redacted": false})
    }

    /// Moves a ticket to `state_id` as `admin_id` (also what `PUT` does), recording the part.
    pub fn set_ticket_state(
        &mut self,
        id: &str,
        state_id: &str,
        admin_id: &str,
    ) -> Result<(), ApiError> {
        let now = self.now;
        let t = self.ticket(id).ok_or_else(ticket_not_found)?;
        let type_id = t.fields["ticket_type_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let old = t.fields["ticket_state_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !self.type_states(&type_id).iter().any(|s| s == state_id) {
            return Err(ApiError::new(
                400,
                "ticket_state_id_invalid",
                "Ticket state id is not valid or is not associated with the ticket type",
            ));
        }
        if old == state_id {
            return Ok(());
        }
        let cat = |s: &str| {
            self.ticket_state(s)
                .map(|s| s["category"].clone())
                .unwrap_or(Value::Null)
        };
        let (from, to) = (cat(&old), cat(state_id));
        let author = self.admin_author(admin_id);
        let mut part = self.ticket_part("ticket_state_updated_by_admin", None, author, now);
        part["previous_ticket_state"] = from;
        part["ticket_state"] = to;
        let t = self.ticket_mut(id)?;
        t.fields.insert("ticket_state_id".into(), json!(state_id));
        t.fields
            .insert("previous_ticket_state_id".into(), json!(old));
        t.fields.insert("updated_at".into(), json!(now));
        t.parts.push(part);
        Ok(())
    }
}

fn ticket_not_found() -> ApiError {
    ApiError::new(404, "ticket_not_found", "Ticket not found")
}

pub(crate) fn route(st: &mut State, cx: &Ctx) -> Option<HResult> {
    let s: Vec<&str> = cx.segs.iter().map(String::as_str).collect();
    Some(match (cx.method, s.as_slice()) {
        ("GET", ["ticket_types"]) => {
            let data: Vec<Value> = st.ticket_types.iter().map(|t| render_type(st, t)).collect();
            Ok(Resp::ok(json!({"type": "list", "data": data})))
        }
        ("GET", ["ticket_types", id]) => st
            .ticket_type(id)
            .map(|t| Resp::ok(render_type(st, t)))
            .ok_or_else(ApiError::resource_not_found),
        ("GET", ["ticket_states"]) => {
            Ok(Resp::ok(json!({"type": "list", "data": st.ticket_states})))
        }
        ("POST", ["tickets"]) => create(st, cx),
        ("POST", ["tickets", "search"]) => search(st, cx),
        ("GET", ["tickets", id]) => st
            .ticket(id)
            .map(|t| Resp::ok(st.render_ticket(t)))
            .ok_or_else(ticket_not_found),
        ("PUT", ["tickets", id]) => update(st, cx, id),
        ("POST", ["tickets", id, "reply"]) => reply(st, cx, id),
        ("POST", ["tickets", id, "tags"]) => tag(st, cx, id),
        ("DELETE", ["tickets", id, "tags", tag_id]) => untag(st, cx, id, tag_id),
        _ => return None,
    })
}

/// Checks `ticket_attributes` against the type: known names, values of the attribute's type,
/// list values as option ids (spec `ticket_request_custom_attributes`); what Intercom answers
/// for a wrong one is not documented: a 400 `parameter_invalid` is a guess.
fn check_attributes(
    ty: &Value,
    attrs: &Map<String, Value>,
    creating: bool,
) -> Result<(), ApiError> {
    let defs: Vec<&Value> = ty["ticket_type_attributes"]["data"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    for (name, v) in attrs {
        let def = defs
            .iter()
            .find(|d| d["name"].as_str() == Some(name.as_str()))
            .ok_or_else(|| {
                ApiError::parameter_invalid(format!("Ticket attribute {name} does not exist"))
            })?;
        let ok = v.is_null()
            || match def["data_type"].as_str().unwrap_or("string") {
                "integer" => v.is_i64(),
                "decimal" => v.is_number(),
                "boolean" => v.is_boolean(),
                "datetime" => v.is_i64(),
                "list" => def["input_options"]["list_options"]
                    .as_array()
                    .is_some_and(|o| o.iter().any(|o| o["id"] == *v)),
                _ => v.is_string(),
            };
        if !ok {
            return Err(ApiError::parameter_invalid(format!(
                "Ticket attribute {name} has an invalid value"
            )));
        }
    }
    if creating {
        for d in &defs {
            let name = d["name"].as_str().unwrap_or_default();
            if d["required_to_create"] == json!(true) && attrs.get(name).is_none_or(Value::is_null)
            {
                return Err(ApiError::parameter_invalid(format!(
                    "Ticket attribute {name} is required"
                )));
            }
        }
    }
    Ok(())
}

fn create(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    let type_id = id_str(b.get("ticket_type_id"))
        .ok_or_else(|| ApiError::parameter_not_found("ticket_type_id is required"))?;
    let ty = st
        .ticket_type(&type_id)
        .cloned()
        .ok_or_else(|| ApiError::parameter_invalid("Ticket type not found"))?;
    let contacts = b
        .get("contacts")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::parameter_not_found("contacts is required"))?;
    // Spec: "Currently only one is allowed".
    let [c] = contacts.as_slice() else {
        return Err(ApiError::parameter_invalid("Only one contact is allowed"));
    };
    let named = st.contact_named(id_str(c.get("id")), id_str(c.get("external_id")));
    let contact_id = if let Some(found) = named {
        found?
    } else if let Some(email) = c.get("email").and_then(Value::as_str) {
        // Spec: "If a contact with this email does not exist, one will be created."
        match st.contact_by_email(email).map(|k| k.id().to_string()) {
            Some(id) => id,
            None => {
                let idx = st.seed_contact(&json!({"role": "user", "email": email}));
                st.contacts[idx].id().to_string()
            }
        }
    } else {
        return Err(ApiError::parameter_invalid(
            "contacts must give id, external_id or email",
        ));
    };
    let attrs = b
        .get("ticket_attributes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    check_attributes(&ty, &attrs, true)?;
    let company = id_str(b.get("company_id"));
    if let Some(c) = &company {
        if st.company(c).is_none() {
            return Err(ApiError::company_not_found());
        }
    }
    let now = st.now;
    let id = st.new_ticket(&type_id, &contact_id, attrs, company, now);
    Ok(Resp::ok(st.render_ticket(st.ticket(&id).expect("created"))))
}

fn update(st: &mut State, cx: &Ctx, id: &str) -> HResult {
    let b = cx.object()?;
    let now = st.now;
    let ticket = st.ticket(id).ok_or_else(ticket_not_found)?;
    let type_id = ticket.fields["ticket_type_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    // Spec example "Admin not found" answers 404 `assignee_not_found` too.
    let admin_id = match b.get("admin_id") {
        None | Some(Value::Null) => super::state::ADMIN_ID.to_string(),
        v => {
            let id = id_str(v).unwrap_or_default();
            if st.admin(&id).is_none() {
                return Err(ApiError::new(
                    404,
                    "assignee_not_found",
                    "Assignee not found",
                ));
            }
            id
        }
    };
    if let Some(attrs) = b.get("ticket_attributes").and_then(Value::as_object) {
        let ty = st.ticket_type(&type_id).cloned().unwrap_or(Value::Null);
        check_attributes(&ty, attrs, false)?;
    }
    let assignee = match id_str(b.get("assignee_id")) {
        None => None,
        Some(a) if a == "0" => Some((0, 0)),
        Some(a) => {
            let n: i64 = a.parse().unwrap_or(-1);
            if st.admin(&a).is_some() {
                Some((n, -1))
            } else if st
                .teams
                .iter()
                .any(|t| t["id"].as_str() == Some(a.as_str()))
            {
                Some((-1, n))
            } else {
                return Err(ApiError::new(
                    404,
                    "assignee_not_found",
                    "Assignee not found",
                ));
            }
        }
    };
    if let Some(state) = id_str(b.get("ticket_state_id")) {
        st.set_ticket_state(id, &state, &admin_id)?;
    }
    let t = st.ticket_mut(id)?;
    if let Some(attrs) = b.get("ticket_attributes").and_then(Value::as_object) {
        let stored = t
            .fields
            .get_mut("ticket_attributes")
            .and_then(Value::as_object_mut)
            .expect("attributes");
        for (k, v) in attrs {
            stored.insert(k.clone(), v.clone());
        }
    }
    if let Some((admin, team)) = assignee {
        if admin >= 0 {
            t.fields.insert("admin_assignee_id".into(), json!(admin));
        }
        if team >= 0 {
            t.fields.insert("team_assignee_id".into(), json!(team));
        }
    }
    if let Some(open) = b.get("open").and_then(Value::as_bool) {
        t.fields.insert("open".into(), json!(open));
    }
    t.fields.insert("updated_at".into(), json!(now));
    Ok(Resp::ok(st.render_ticket(st.ticket(id).expect("exists"))))
}

fn reply(st: &mut State, cx: &Ctx, id: &str) -> HResult {
    let b = cx.object()?;
    let now = st.now;
    let ticket = st.ticket(id).ok_or_else(ApiError::resource_not_found)?;
    let back_office = ticket.fields["ticket_type_id"]
        .as_str()
        .and_then(|t| st.ticket_type(t))
        .is_some_and(|t| t["category"] == "Back-office");
    let body = b
        .get("body")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string);
    let message_type = b.get("message_type").and_then(Value::as_str).unwrap_or("");
    let (part_type, author) = match b.get("type").and_then(Value::as_str) {
        Some("admin") => {
            let admin = id_str(b.get("admin_id"))
                .filter(|a| st.admin(a).is_some())
                .ok_or_else(ApiError::admin_not_found)?;
            if !matches!(message_type, "comment" | "note" | "quick_reply") {
                return Err(ApiError::parameter_invalid(
                    "message_type must be one of comment, note, quick_reply",
                ));
            }
            (message_type.to_string(), st.admin_author(&admin))
        }
        Some("user") => {
            if back_office {
                return Err(ApiError::new(
                    400,
                    "parameter_mismatch",
                    "User replies are not allowed on Backoffice tickets",
                ));
            }
            let contact = if let Some(cid) = id_str(b.get("intercom_user_id")) {
                st.live_contact(&cid)?;
                cid
            } else if let Some(ext) = id_str(b.get("user_id")) {
                st.searchable_contacts()
                    .find(|c| c.external_id() == Some(ext.as_str()))
                    .map(|c| c.id().to_string())
                    .ok_or_else(ApiError::user_not_found)?
            } else if let Some(email) = b.get("email").and_then(Value::as_str) {
                st.contact_by_email(email)
                    .map(|c| c.id().to_string())
                    .ok_or_else(ApiError::user_not_found)?
            } else {
                return Err(ApiError::parameter_invalid(
                    "intercom_user_id, user_id or email is required",
                ));
            };
            let c = st.find_contact(&contact).expect("live");
            ("comment".to_string(), st.contact_author(c))
        }
        _ => return Err(ApiError::parameter_invalid("type must be admin or user")),
    };
    if body.is_none() && part_type != "quick_reply" {
        return Err(ApiError::parameter_invalid("Body is required"));
    }
    let part = st.ticket_part(&part_type, body.as_deref(), author, now);
    let t = st.ticket_mut(id)?;
    t.parts.push(part.clone());
    t.fields.insert("updated_at".into(), json!(now));
    Ok(Resp::ok(part))
}

fn tag(st: &mut State, cx: &Ctx, id: &str) -> HResult {
    let b = cx.object()?;
    st.ticket(id).ok_or_else(ticket_not_found)?;
    let admin = id_str(b.get("admin_id"))
        .ok_or_else(|| ApiError::parameter_not_found("admin_id not specified"))?;
    if st.admin(&admin).is_none() {
        return Err(ApiError::admin_not_found());
    }
    let tag_id =
        id_str(b.get("id")).ok_or_else(|| ApiError::parameter_not_found("id not specified"))?;
    let tag = st.tag(&tag_id).ok_or_else(ApiError::tag_not_found)?.json();
    let t = st.ticket_mut(id)?;
    if !t.tag_ids.contains(&tag_id) {
        t.tag_ids.push(tag_id);
    }
    Ok(Resp::ok(tag))
}

fn untag(st: &mut State, cx: &Ctx, id: &str, tag_id: &str) -> HResult {
    let b = cx.object()?;
    st.ticket(id).ok_or_else(ticket_not_found)?;
    let admin = id_str(b.get("admin_id"))
        .ok_or_else(|| ApiError::parameter_not_found("admin_id not specified"))?;
    if st.admin(&admin).is_none() {
        return Err(ApiError::admin_not_found());
    }
    let tag = st.tag(tag_id).ok_or_else(ApiError::tag_not_found)?.json();
    let t = st.ticket_mut(id)?;
    // Guess: removing a tag the ticket does not have is a 404 `tag_not_found`, as for
    // conversations.
    let before = t.tag_ids.len();
    t.tag_ids.retain(|t| t != tag_id);
    if t.tag_ids.len() == before {
        return Err(ApiError::tag_not_found());
    }
    Ok(Resp::ok(tag))
}

/// Searchable ticket fields (the spec's table for `POST /tickets/search`).
fn field_kind(field: &str) -> Option<FieldKind> {
    use FieldKind::*;
    if field.starts_with("ticket_attribute.") {
        return Some(String);
    }
    Some(match field {
        "created_at" | "updated_at" | "snoozed_until" => Date,
        "open" => Boolean,
        "id" | "title" | "description" | "category" | "ticket_type_id" | "contact_ids"
        | "teammate_ids" | "admin_assignee_id" | "team_assignee_id" | "state" => String,
        _ => return None,
    })
}

/// `POST /tickets/search`: the conversation search engine on exact-second dates (the spec's
/// ticket table, see the module comment), with the search lag every Intercom search has
/// (applied as for conversations: `state::DEFAULT_SEARCH_LAG_SECS`).
fn search(st: &mut State, cx: &Ctx) -> HResult {
    let body = cx.json()?;
    let d = Dialect {
        kind_of: &field_kind,
        dates: DateMode::Exact,
    };
    let req = search::parse_request(&body, &d, 20).map_err(search_error)?;
    let docs = st
        .tickets
        .iter()
        .filter(|t| {
            let changed = t.fields["updated_at"].as_i64().unwrap_or(0);
            st.indexed_at(t.id(), changed)
        })
        .map(|t| (st.ticket_search_doc(t), st.render_ticket(t)))
        .collect();
    let default_sort = Sort {
        field: "created_at".into(),
        descending: true,
    };
    let page =
        search::run(docs, &req, &d, &default_sort, st.search_clock()).map_err(search_error)?;
    Ok(Resp::ok(
        json!({"type": "ticket.list", "pages": page.pages_json(), "total_count": page.total_count, "tickets": page.items}),
    ))
}
