//! Contact lookups shared by searches, actions and triggers.

use super::query::{and, filter, Search};
use super::{encode, error_from_response, Client};
use crate::error::{Error, Result};
use crate::transport::Method;
use serde_json::value::RawValue;
use serde_json::Value;

/// `user` or `lead`, Intercom's contact roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Lead,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Lead => "lead",
        }
    }

    /// Whether `contact` has this role.
    pub fn matches(self, contact: &Value) -> bool {
        contact.get("role").and_then(Value::as_str) == Some(self.as_str())
    }
}

/// `GET /contacts/{id}`; `None` when it does not exist. A merged contact is followed (see
/// [`get_following_merge`]).
pub fn get(client: &Client, id: &str) -> Result<Option<Value>> {
    get_following_merge(client, &format!("/contacts/{}", encode(id)))
}

/// `GET /contacts/find_by_external_id/{external_id}` (users only); `None` when absent. A user
/// merged into another is followed to it, like [`get`].
pub fn find_user_by_external_id(client: &Client, external_id: &str) -> Result<Option<Value>> {
    get_following_merge(
        client,
        &format!("/contacts/find_by_external_id/{}", encode(external_id)),
    )
}

/// One contact lookup. A merged contact answers 410 with `Link: </contacts/ID>; rel="canonical"`
/// (2.16 spec, on `GET /contacts/{id}` and `find_by_external_id`): followed once to the contact
/// it was merged into, so an update never lands on a new duplicate instead.
fn get_following_merge(client: &Client, path: &str) -> Result<Option<Value>> {
    let response = client.send(Method::Get, path, None)?;
    match response.status {
        200..=299 => json_body(&response.body, response.status).map(Some),
        404 => Ok(None),
        410 => match canonical_id(response.header("link")) {
            Some(canonical) => {
                let target = format!("/contacts/{}", encode(&canonical));
                if target == path {
                    return Ok(None);
                }
                match client.get(&target) {
                    Ok(contact) => Ok(Some(contact)),
                    Err(Error::NotFound(_)) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            None => Ok(None),
        },
        _ => Err(error_from_response(&response, path)),
    }
}

/// Contacts of `role` matching every `(field, value)` exactly, most recently updated first
/// (first page only: up to `limit`, at most 150), each as the JSON text Intercom sent.
pub fn search_exact_texts(
    client: &Client,
    role: Role,
    fields: &[(&str, &str)],
    limit: u32,
) -> Result<Vec<Box<RawValue>>> {
    let query = exact_query(role, fields);
    Ok(exact_search(&query, limit).raw_page(client, None)?.data)
}

/// Like [`search_exact_texts`], each contact parsed (in one pass over the answer).
pub fn search_exact(
    client: &Client,
    role: Role,
    fields: &[(&str, &str)],
    limit: u32,
) -> Result<Vec<Value>> {
    let query = exact_query(role, fields);
    Ok(exact_search(&query, limit).page(client, None)?.data)
}

fn exact_query(role: Role, fields: &[(&str, &str)]) -> Value {
    let mut filters = vec![filter("role", "=", role.as_str())];
    filters.extend(fields.iter().map(|(f, v)| filter(f, "=", *v)));
    and(filters)
}

fn exact_search(query: &Value, limit: u32) -> Search<'_> {
    Search {
        path: "/contacts/search",
        query,
        sort: Some(("updated_at", "descending")),
        per_page: limit,
    }
}

/// The contact id from a `Link: </contacts/ID>; rel="canonical"` header.
fn canonical_id(link: Option<&str>) -> Option<String> {
    let link = link?;
    let start = link.find('<')? + 1;
    let end = start + link[start..].find('>')?;
    let target = &link[start..end];
    let id = target.rsplit('/').next()?;
    (!id.is_empty()).then(|| id.to_string())
}

fn json_body(body: &[u8], status: u16) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| Error::Upstream {
        status,
        code: None,
        message: format!("Intercom answered with a body that is not valid JSON ({e})"),
        request_id: None,
    })
}

/// The string field `key` of a JSON object, if present and non-empty.
pub fn str_field<'v>(obj: &'v Value, key: &str) -> Option<&'v str> {
    obj.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_link_is_parsed() {
        assert_eq!(
            canonical_id(Some("</contacts/abc123>; rel=\"canonical\"")).as_deref(),
            Some("abc123")
        );
        assert_eq!(canonical_id(Some("garbage")), None);
        assert_eq!(canonical_id(None), None);
    }
}
