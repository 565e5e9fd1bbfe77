//! Lookups actions share: a contact by Intercom id, external_id or email (with a role), a tag by
//! name or id, a company by Intercom id or your company_id, and the token's admin. Each "not
//! found" names what was looked for, so a person can fix the step's input.

use super::contacts::{self, str_field, Role};
use super::{companies, encode, Client};
use crate::error::{Error, Result};
use serde_json::{json, Value};

/// How an action's input identifies a contact (the first one set wins: id, external_id, email).
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactKey<'a> {
    pub id: Option<&'a str>,
    pub external_id: Option<&'a str>,
    pub email: Option<&'a str>,
}

impl ContactKey<'_> {
    pub fn is_empty(&self) -> bool {
        self.id.is_none() && self.external_id.is_none() && self.email.is_none()
    }

    /// `id=…`, `external_id=…` or `email=…`, for messages.
    pub fn describe(&self) -> String {
        match (self.id, self.external_id, self.email) {
            (Some(id), _, _) => format!("id={id}"),
            (_, Some(ext), _) => format!("external_id={ext}"),
            (_, _, Some(email)) => format!("email={email}"),
            _ => "no identifier".into(),
        }
    }
}

fn who(role: Option<Role>) -> &'static str {
    match role {
        Some(Role::User) => "user",
        Some(Role::Lead) => "lead",
        None => "contact",
    }
}

/// The contact `key` names, of `role` when given (a user key never finds a lead and back).
/// Several matches by email: the most recently updated. Not found: `NotFound` naming the key.
pub fn contact(client: &Client, role: Option<Role>, key: ContactKey) -> Result<Value> {
    let not_found = || {
        Error::NotFound(format!(
            "no {} with {} in Intercom",
            who(role),
            key.describe()
        ))
    };
    let found = if let Some(id) = key.id {
        let c = contacts::get(client, id)?.ok_or_else(not_found)?;
        if let Some(r) = role.filter(|r| !r.matches(&c)) {
            let actual = str_field(&c, "role").unwrap_or("another kind of contact");
            return Err(Error::NotFound(format!(
                "no {} with id={id} in Intercom: that contact is a {actual}",
                r.as_str()
            )));
        }
        Some(c)
    } else if let Some(ext) = key.external_id {
        match role {
            Some(Role::User) | None => match contacts::find_user_by_external_id(client, ext)? {
                Some(c) => Some(c),
                None if role.is_none() => first(client, Role::Lead, "external_id", ext)?,
                None => None,
            },
            Some(Role::Lead) => first(client, Role::Lead, "external_id", ext)?,
        }
    } else if let Some(email) = key.email {
        match role {
            Some(r) => first(client, r, "email", email)?,
            None => match first(client, Role::User, "email", email)? {
                Some(c) => Some(c),
                None => first(client, Role::Lead, "email", email)?,
            },
        }
    } else {
        return Err(Error::invalid(
            "id",
            "give the contact's id, external_id or email",
        ));
    };
    found.ok_or_else(not_found)
}

fn first(client: &Client, role: Role, field: &str, value: &str) -> Result<Option<Value>> {
    Ok(contacts::search_exact(client, role, &[(field, value)], 5)?
        .into_iter()
        .next())
}

/// The `id` of an Intercom object as a string (numbers accepted).
pub fn id_of(obj: &Value) -> Result<String> {
    match obj.get("id") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        _ => Err(Error::Upstream {
            status: 200,
            code: None,
            message: "Intercom answered without an `id`".into(),
            request_id: None,
        }),
    }
}

/// How an action's input names a tag.
#[derive(Debug, Clone, Copy)]
pub enum TagKey<'a> {
    Name(&'a str),
    Id(&'a str),
}

/// The tag `key` names. By name with `create_missing` (adding a tag), `POST /tags {name}` gets
/// or creates it (Intercom matches names case-insensitively); otherwise it must exist (removing a
/// tag never creates it): by name from `GET /tags`, by id `GET /tags/{id}`. A missing tag is a
/// `NotFound` naming it.
pub fn tag(client: &Client, key: TagKey, create_missing: bool) -> Result<Value> {
    let found = match key {
        TagKey::Name(name) if create_missing => {
            Some(client.post("/tags", &json!({ "name": name }))?)
        }
        TagKey::Name(name) => client
            .get("/tags")?
            .get("data")
            .and_then(Value::as_array)
            .and_then(|tags| {
                tags.iter()
                    .find(|t| str_field(t, "name").is_some_and(|n| n.eq_ignore_ascii_case(name)))
                    .cloned()
            }),
        TagKey::Id(id) => match client.get(&format!("/tags/{}", encode(id))) {
            Err(Error::NotFound(_)) => None,
            other => Some(other?),
        },
    };
    found.ok_or_else(|| {
        Error::NotFound(match key {
            TagKey::Id(id) => format!("no tag with id={id} in Intercom"),
            TagKey::Name(name) => format!("no tag named '{name}' in Intercom"),
        })
    })
}

/// How an action's input names a company.
#[derive(Debug, Clone, Copy)]
pub enum CompanyKey<'a> {
    /// Intercom's id.
    Id(&'a str),
    /// Your `company_id`.
    CompanyId(&'a str),
}

/// An existing company, or `NotFound` naming it.
pub fn company(client: &Client, key: CompanyKey) -> Result<Value> {
    let found = match key {
        CompanyKey::Id(id) => companies::get(client, id)?,
        CompanyKey::CompanyId(cid) => companies::find_by(client, "company_id", cid)?
            .into_iter()
            .find(|c| str_field(c, "company_id") == Some(cid)),
    };
    found.ok_or_else(|| {
        Error::NotFound(match key {
            CompanyKey::Id(id) => format!("no company with id={id} in Intercom"),
            CompanyKey::CompanyId(cid) => format!("no company with company_id={cid} in Intercom"),
        })
    })
}

/// `admin_id` when given, else the admin who owns the token (`GET /me`).
pub fn admin_id(client: &Client, given: Option<&str>) -> Result<String> {
    match given {
        Some(id) => Ok(id.to_string()),
        None => id_of(&client.get("/me")?),
    }
}

/// Rewrites a `NotFound` from a write into one naming `what` (Intercom only says "User Not Found").
pub fn name_not_found<T>(result: Result<T>, what: impl FnOnce() -> String) -> Result<T> {
    result.map_err(|e| match e {
        Error::NotFound(m) => Error::NotFound(format!("{}: Intercom says {m}", what())),
        e => e,
    })
}
