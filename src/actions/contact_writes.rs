//! Shared logic of the actions that create or update contacts: the request body, the create
//! with Intercom's 409 "already exists with id=…" answer, unarchive, update, company attach.

use super::fields::{put, Email, Timestamp};
use crate::error::{Error, Result};
use crate::input::{Id, Text};
use crate::intercom::contacts::Role;
use crate::intercom::lookup;
use crate::intercom::{encode, Client};
use crate::transport::Method;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Profile fields every contact write may set (references into an action's input).
#[derive(Default)]
pub struct Profile<'a> {
    pub email: Option<&'a Email>,
    pub external_id: Option<&'a Id>,
    pub name: Option<&'a Text>,
    pub phone: Option<&'a Text>,
    pub avatar: Option<&'a Text>,
    pub signed_up_at: Option<Timestamp>,
    pub last_seen_at: Option<Timestamp>,
    pub owner_id: Option<&'a Id>,
    pub unsubscribed_from_emails: Option<bool>,
}

/// The `create_contact_request` / `update_contact_request` body (without `role`).
pub fn body(p: &Profile, custom_attributes: Option<Map<String, Value>>) -> Value {
    let mut b = json!({});
    put(&mut b, "email", &p.email.map(Email::as_str));
    put(&mut b, "external_id", &p.external_id.map(Id::as_str));
    put(&mut b, "name", &p.name.map(Text::as_str));
    put(&mut b, "phone", &p.phone.map(Text::as_str));
    put(&mut b, "avatar", &p.avatar.map(Text::as_str));
    put(&mut b, "signed_up_at", &p.signed_up_at.map(|t| t.0));
    put(&mut b, "last_seen_at", &p.last_seen_at.map(|t| t.0));
    // 2.16: owner_id is a string.
    put(&mut b, "owner_id", &p.owner_id.map(Id::as_str));
    put(
        &mut b,
        "unsubscribed_from_emails",
        &p.unsubscribed_from_emails,
    );
    put(&mut b, "custom_attributes", &custom_attributes);
    b
}

/// What `POST /contacts` did.
pub enum Created {
    New(Value),
    /// 409: a contact with those details exists (`archived` when it is archived).
    Exists {
        id: String,
        archived: bool,
        message: String,
    },
}

/// `POST /contacts` with `role`; a 409 names the existing contact instead of failing.
pub fn create(client: &Client, role: Role, mut body: Value) -> Result<Created> {
    body["role"] = json!(role.as_str());
    match client.post("/contacts", &body) {
        Ok(c) => Ok(Created::New(c)),
        Err(Error::Conflict(message)) => match conflict_id(&message) {
            Some(id) => Ok(Created::Exists {
                id,
                archived: is_archived_conflict(&message),
                message,
            }),
            None => Err(Error::Conflict(message)),
        },
        Err(e) => Err(e),
    }
}

/// The id in "A contact matching those details already exists with id=<id>".
pub fn conflict_id(message: &str) -> Option<String> {
    let start = message.find("id=")? + 3;
    let id: String = message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    (!id.is_empty()).then_some(id)
}

fn is_archived_conflict(message: &str) -> bool {
    message.to_ascii_lowercase().contains("archived contact")
}

/// `POST /contacts/{id}/unarchive`.
pub fn unarchive(client: &Client, id: &str) -> Result<()> {
    client.call(
        Method::Post,
        &format!("/contacts/{}/unarchive", encode(id)),
        None,
    )?;
    Ok(())
}

/// `PUT /contacts/{id}`; an empty body is skipped (nothing to change) and the contact fetched.
pub fn update(client: &Client, id: &str, body: Value) -> Result<Value> {
    let result = if body.as_object().is_some_and(Map::is_empty) {
        client.get(&format!("/contacts/{}", encode(id)))
    } else {
        client.put(&format!("/contacts/{}", encode(id)), &body)
    };
    lookup::name_not_found(result, || format!("contact id={id}"))
}

/// Creates the contact, or on a 409 updates the contact Intercom names (unarchiving it first), so
/// a retried or raced create never makes a second record. Returns the contact and its outcome.
pub fn create_or_recover(
    client: &Client,
    role: Role,
    body: Value,
) -> Result<(Value, &'static str)> {
    match create(client, role, body.clone())? {
        Created::New(c) => Ok((c, "created")),
        Created::Exists { id, archived, .. } => {
            if archived {
                unarchive(client, &id)?;
            }
            Ok((update(client, &id, body)?, "updated"))
        }
    }
}

/// A company to create if needed and attach the contact to.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompanyRef {
    /// Your id for the company; the company is created when it does not exist.
    #[schemars(extend("x-dynamic-options" = "companies"))]
    pub company_id: Id,
    /// The company's name (set on create or update).
    pub name: Option<Text>,
}

/// Upserts the company (`POST /companies`) and attaches the contact (`POST
/// /contacts/{id}/companies`), which is also what makes a new company visible in Intercom's UI.
pub fn attach_company(client: &Client, contact_id: &str, company: &CompanyRef) -> Result<Value> {
    let mut body = json!({ "company_id": company.company_id.as_str() });
    put(&mut body, "name", &company.name.as_ref().map(Text::as_str));
    let c = client.post("/companies", &body)?;
    let company_id = lookup::id_of(&c)?;
    client.post(
        &format!("/contacts/{}/companies", encode(contact_id)),
        &json!({ "id": company_id }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflict_messages_name_the_existing_contact() {
        let m = "A contact matching those details already exists with id=6762f0d01bb69f9f2193bb7d (Intercom request id r-1)";
        assert_eq!(conflict_id(m).as_deref(), Some("6762f0d01bb69f9f2193bb7d"));
        assert!(!is_archived_conflict(m));
        let a = "An archived contact matching those details already exists with id=abc123";
        assert_eq!(conflict_id(a).as_deref(), Some("abc123"));
        assert!(is_archived_conflict(a));
        assert_eq!(
            conflict_id("Multiple existing users match this email address"),
            None
        );
    }
}
