//! Company lookups shared by searches and actions.

use super::{encode, Client};
use crate::error::{Error, Result};
use serde_json::Value;

/// `GET /companies/{id}` by Intercom id; `None` when absent.
pub fn get(client: &Client, id: &str) -> Result<Option<Value>> {
    not_found_is_none(client.get(&format!("/companies/{}", encode(id))))
}

/// `GET /companies?company_id=` (your id) or `?name=`. Intercom documents a `company_list` but
/// older answers were a bare company: accept both. Not found is an empty list.
pub fn find_by(client: &Client, param: &str, value: &str) -> Result<Vec<Value>> {
    let answer = not_found_is_none(client.get(&format!("/companies?{param}={}", encode(value))))?;
    Ok(match answer {
        None => Vec::new(),
        Some(Value::Object(obj)) if obj.get("type").and_then(Value::as_str) == Some("company") => {
            vec![Value::Object(obj)]
        }
        Some(Value::Object(mut obj)) => match obj.remove("data") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        Some(_) => Vec::new(),
    })
}

fn not_found_is_none(result: Result<Value>) -> Result<Option<Value>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
