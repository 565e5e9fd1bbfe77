//! `GET /me`, `GET /admins[/{id}]`, `GET /teams`, `GET|POST /data_attributes`.

use super::{ApiError, Ctx, HResult, Resp, State};
use serde_json::{json, Value};

pub(crate) fn route(st: &mut State, cx: &Ctx) -> Option<HResult> {
    let s: Vec<&str> = cx.segs.iter().map(String::as_str).collect();
    Some(match (cx.method, s.as_slice()) {
        ("GET", ["me"]) => Ok(Resp::ok(st.me())),
        ("GET", ["admins"]) => {
            let admins: Vec<Value> = st.admins.iter().map(admin_json).collect();
            Ok(Resp::ok(json!({"type": "admin.list", "admins": admins})))
        }
        ("GET", ["admins", id]) => match st.admin(id) {
            Some(a) => Ok(Resp::ok(admin_json(a))),
            None => Err(ApiError::admin_not_found()),
        },
        ("GET", ["teams"]) => Ok(Resp::ok(json!({"type": "team.list", "teams": st.teams}))),
        ("GET", ["data_attributes"]) => list_data_attributes(st, cx),
        ("POST", ["data_attributes"]) => create_data_attribute(st, cx),
        _ => return None,
    })
}

fn admin_json(a: &Value) -> Value {
    let mut a = a.clone();
    if let Some(m) = a.as_object_mut() {
        m.remove("email_verified");
        m.remove("app");
    }
    a
}

fn list_data_attributes(st: &State, cx: &Ctx) -> HResult {
    let model = cx.q("model");
    match model {
        None | Some("contact") | Some("company") => {}
        Some("conversation") => return Err(ApiError::new(
            422,
            "parameter_invalid",
            "model=conversation is no longer supported. Use GET /conversations/attributes instead",
        )),
        Some(other) => {
            return Err(ApiError::parameter_invalid(format!(
                "{other} is not a valid model"
            )))
        }
    }
    let include_archived = cx.q("include_archived") == Some("true");
    let data: Vec<Value> = st
        .data_attributes
        .iter()
        .filter(|a| model.is_none_or(|m| a["model"].as_str() == Some(m)))
        .filter(|a| include_archived || a["archived"] != json!(true))
        .cloned()
        .collect();
    Ok(Resp::ok(json!({"type": "list", "data": data})))
}

fn create_data_attribute(st: &mut State, cx: &Ctx) -> HResult {
    let b = cx.object()?;
    let name = b
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let model = b.get("model").and_then(Value::as_str).unwrap_or("");
    let data_type = b.get("data_type").and_then(Value::as_str).unwrap_or("");
    if model != "contact" && model != "company" {
        return Err(ApiError::parameter_invalid(
            "The Data Attribute model field must be either contact or company",
        ));
    }
    if name.is_empty() || name.contains('.') || name.contains('$') {
        return Err(ApiError::parameter_invalid(
            "Your name for this attribute must only contain alphanumeric characters, currency symbols, and hyphens",
        ));
    }
    let stored_type = match data_type {
        "string" | "integer" | "float" | "boolean" | "date" => data_type,
        "datetime" => "date",
        "options" => "string",
        _ => return Err(ApiError::parameter_invalid("Data Type isn't an option")),
    };
    let options: Vec<Value> = if data_type == "options" {
        let opts = b
            .get("options")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::parameter_invalid("Options isn't an array"))?;
        if opts.len() < 2 {
            return Err(ApiError::parameter_invalid(
                "The Data Attribute needs at least two options",
            ));
        }
        opts.iter()
            .filter_map(|o| o.get("value").cloned())
            .collect()
    } else {
        vec![]
    };
    if st.custom_attribute(model, &name).is_some() {
        return Err(ApiError::parameter_invalid(format!(
            "You already have '{name}' in your {model} data."
        )));
    }
    let mut attr = st.add_data_attribute(model, &name, stored_type);
    attr["options"] = json!(options);
    if let Some(d) = b.get("description").and_then(Value::as_str) {
        attr["description"] = json!(d);
    }
    if let Some(mw) = b.get("messenger_writable").and_then(Value::as_bool) {
        attr["messenger_writable"] = json!(mw);
    }
    if let Some(stored) = st.data_attributes.iter_mut().find(|a| {
        a["custom"] == json!(true) && a["model"] == json!(model) && a["name"] == json!(name)
    }) {
        *stored = attr.clone();
    }
    Ok(Resp::ok(attr))
}
