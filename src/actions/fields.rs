//! Input field types and helpers the actions share.

use crate::error::{Error, Result};
use crate::input::{Id, Text};
use crate::intercom::data_attributes::{self, Model};
use crate::intercom::lookup::ContactKey;
use crate::intercom::Client;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// A point in time: Unix seconds, or ISO 8601 text (`2025-01-31`, `2025-01-31T12:00:00Z`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timestamp(pub i64);

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        data_attributes::timestamp(&v)
            .map(Timestamp)
            .ok_or_else(|| {
                de::Error::custom(format!(
                "expected a date: Unix seconds or ISO 8601 such as 2025-01-31T12:00:00Z, got {v}"
            ))
            })
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::try_from(json!({
            "anyOf": [
                { "type": "integer", "minimum": 0, "description": "Unix seconds" },
                { "type": "string", "format": "date-time" },
                { "type": "string", "format": "date" }
            ]
        }))
        .expect("object schema")
    }
}

/// An email address (trimmed; must look like `name@domain`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(pub String);

impl Email {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let Text(s) = Text::deserialize(d)?;
        match s.split_once('@') {
            Some((local, domain))
                if !local.is_empty() && !domain.is_empty() && !s.contains(char::is_whitespace) =>
            {
                Ok(Email(s))
            }
            _ => Err(de::Error::custom(format!("`{s}` is not an email address"))),
        }
    }
}

impl JsonSchema for Email {
    fn schema_name() -> Cow<'static, str> {
        "Email".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::try_from(
            json!({ "type": "string", "format": "email", "pattern": "^[^@\\s]+@[^@\\s]+$" }),
        )
        .expect("object schema")
    }
}

/// Custom attribute values as given (checked against the workspace at run time).
pub type CustomAttributes = Map<String, Value>;

/// Checks `values` against the workspace's custom attributes of `model`. Fetches the attribute
/// list only when there is something to check.
pub fn check_custom_attributes(
    client: &Client,
    model: Model,
    values: Option<&CustomAttributes>,
) -> Result<Option<Map<String, Value>>> {
    match values {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) => {
            let attrs = data_attributes::list(client, model)?;
            data_attributes::check(&attrs, model, v).map(Some)
        }
    }
}

/// A contact key from an input's `id` / `external_id` / `email`, one required.
pub fn contact_key<'a>(
    id: &'a Option<Id>,
    external_id: &'a Option<Id>,
    email: &'a Option<Email>,
) -> Result<ContactKey<'a>> {
    let key = ContactKey {
        id: id.as_ref().map(Id::as_str),
        external_id: external_id.as_ref().map(Id::as_str),
        email: email.as_ref().map(Email::as_str),
    };
    if key.is_empty() {
        return Err(Error::invalid(
            "id",
            "give one of: id, external_id (user_id), email",
        ));
    }
    Ok(key)
}

/// Inserts `value` under `key` when present.
pub fn put<T: serde::Serialize>(body: &mut Value, key: &str, value: &Option<T>) {
    if let Some(v) = value {
        body[key] = serde_json::to_value(v).expect("serializable");
    }
}

/// A contact or company with `outcome` (`created` / `updated`) added.
pub fn with_outcome(mut obj: Value, outcome: &str) -> Value {
    if let Some(m) = obj.as_object_mut() {
        m.insert("outcome".into(), json!(outcome));
    }
    obj
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::parse;

    #[derive(Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        at: Option<Timestamp>,
        email: Option<Email>,
    }

    #[test]
    fn timestamps_and_emails() {
        let p: Probe = parse(r#"{"at": "2025-01-31T12:00:00Z", "email": " a@b.co "}"#).unwrap();
        assert_eq!(p.at, Some(Timestamp(1_738_324_800)));
        assert_eq!(p.email.unwrap().0, "a@b.co");
        for bad in [
            r#"{"at": "tomorrow"}"#,
            r#"{"at": true}"#,
            r#"{"email": "nope"}"#,
            r#"{"email": "a b@c"}"#,
        ] {
            assert!(
                matches!(parse::<Probe>(bad), Err(Error::InvalidInput { .. })),
                "{bad}"
            );
        }
    }
}
