//! Shared logic of the actions that create or update contacts: the request body, the create
//! with Intercom's 409 "already exists with id=…" answer, unarchive, update, company attach.

use super::fields::{put, Email, Timestamp};
use crate::error::{Error, Result};
use crate::input::{Id, Text};
use crate::intercom::contacts::{self, str_field, Role};
use crate::intercom::lookup;
use crate::intercom::{encode, Client, WriteError};
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

/// `POST /contacts` with `role`, sent once; a 409 names the existing contact instead of failing.
/// When the answer is lost (the create may have happened), the contact is looked up again
/// before anything is decided (see [`after_lost_answer`]).
pub fn create(client: &Client, role: Role, mut body: Value) -> Result<Created> {
    body["role"] = json!(role.as_str());
    match client.post_once("/contacts", &body) {
        Ok(c) => Ok(Created::New(c)),
        Err(WriteError::MaybeApplied(lost)) => after_lost_answer(client, role, &body, lost),
        Err(WriteError::Failed(e)) => exists(e),
    }
}

/// A 409 naming the existing contact becomes [`Created::Exists`]; other errors stay errors.
fn exists(e: Error) -> Result<Created> {
    match e {
        Error::Conflict {
            existing_id: Some(id),
            message,
        } => Ok(Created::Exists {
            archived: message.to_ascii_lowercase().contains("archived contact"),
            id,
            message,
        }),
        e => Err(e),
    }
}

/// The create's answer was lost. A user is unique by external_id (or by email when one side has
/// none), so Intercom itself guards a second create: it is looked up by external_id, else sent
/// again, and a 409 naming a contact that holds exactly what this call sent is the contact this
/// call created. A lead has no unique key: it is looked for by email (search lags, so a lead
/// created a moment ago may not be found) and never sent again; not found, the `transport`
/// error says the lead may exist.
fn after_lost_answer(client: &Client, role: Role, body: &Value, lost: Error) -> Result<Created> {
    let sent = |c: &Value| role.matches(c) && holds(c, body);
    if role == Role::Lead {
        let email = str_field(body, "email");
        let found = match email {
            Some(email) => contacts::search_exact(client, Role::Lead, &[("email", email)], 5)?,
            None => Vec::new(),
        };
        return found
            .into_iter()
            .find(|c| sent(c))
            .map(Created::New)
            .ok_or(lost);
    }
    if let Some(ext) = str_field(body, "external_id") {
        if let Some(c) = contacts::find_user_by_external_id(client, ext)? {
            return Ok(if sent(&c) {
                Created::New(c)
            } else {
                exists_as(&c)?
            });
        }
    }
    match client.post_once("/contacts", body) {
        Ok(c) => Ok(Created::New(c)),
        Err(WriteError::MaybeApplied(_)) => Err(lost),
        Err(WriteError::Failed(e)) => match exists(e)? {
            Created::Exists {
                id,
                archived,
                message,
            } => match contacts::get(client, &id)? {
                Some(c) if !archived && sent(&c) => Ok(Created::New(c)),
                _ => Ok(Created::Exists {
                    id,
                    archived,
                    message,
                }),
            },
            new => Ok(new),
        },
    }
}

/// An existing contact as a 409 would have named it.
fn exists_as(c: &Value) -> Result<Created> {
    let id = lookup::id_of(c)?;
    Ok(Created::Exists {
        message: format!("A contact matching those details already exists with id={id}"),
        archived: false,
        id,
    })
}

/// Whether `contact` holds every field of `body` with the value sent (emails in any case).
fn holds(contact: &Value, body: &Value) -> bool {
    let Some(fields) = body.as_object() else {
        return false;
    };
    fields.iter().all(|(k, v)| match (k.as_str(), v) {
        ("custom_attributes", Value::Object(attrs)) => attrs
            .iter()
            .all(|(name, v)| contact["custom_attributes"].get(name) == Some(v)),
        ("email", Value::String(e)) => {
            str_field(contact, "email").is_some_and(|c| c.eq_ignore_ascii_case(e.trim()))
        }
        _ => contact.get(k) == Some(v),
    })
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

/// Updates `existing` with `body` only when it is the same person: the same external_id, or
/// none on either side. Another person's contact is a `conflict` naming both, and nothing is
/// written (a 409 on email alone must not hand us somebody else's identity).
pub fn update_same_person(client: &Client, existing: &Value, body: Value) -> Result<Value> {
    let id = lookup::id_of(existing)?;
    let theirs = str_field(existing, "external_id");
    if let (Some(ours), Some(theirs)) = (str_field(&body, "external_id"), theirs) {
        if ours != theirs {
            return Err(Error::conflict(
                format!(
                    "Intercom matched contact id={id}, which has external_id={theirs}; this call's \
                     contact has external_id={ours}, a different person. Nothing was written: give \
                     that contact's id, or an email no other contact uses."
                ),
                Some(id),
            ));
        }
    }
    update(client, &id, body)
}

/// Creates the contact, or on a 409 updates the contact Intercom names when it is the same
/// person (unarchiving it first), so a retried or raced create never makes a second record and
/// never overwrites another person. Returns the contact and its outcome.
pub fn create_or_recover(
    client: &Client,
    role: Role,
    body: Value,
) -> Result<(Value, &'static str)> {
    match create(client, role, body.clone())? {
        Created::New(c) => Ok((c, "created")),
        Created::Exists { id, archived, .. } => {
            let existing = contacts::get(client, &id)?.ok_or_else(|| {
                Error::NotFound(format!(
                    "Intercom named contact id={id} as existing, but it cannot be read"
                ))
            })?;
            let id = lookup::id_of(&existing)?;
            if archived {
                unarchive(client, &id)?;
            }
            Ok((update_same_person(client, &existing, body)?, "updated"))
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
    fn a_contact_holds_what_was_sent() {
        let sent = json!({"role": "user", "email": "Jo@X.io", "name": "Jo", "custom_attributes": {"plan": "pro"}});
        let stored = json!({"role": "user", "email": "jo@x.io", "name": "Jo", "phone": null,
                             "custom_attributes": {"plan": "pro", "seats": 3}});
        assert!(holds(&stored, &sent));
        let renamed = json!({"role": "user", "email": "jo@x.io", "name": "Joe", "custom_attributes": {"plan": "pro"}});
        assert!(!holds(&renamed, &sent));
    }
}
