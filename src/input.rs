//! Operation inputs: typed structs that are both the JSON Schema `describe()` publishes (via
//! `schemars`) and the parser that checks input before anything is sent (via `serde`, with
//! [`tracked`] naming the offending field).

mod tracked;

use crate::error::{Error, Result};
use schemars::{generate::SchemaSettings, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

/// The longest text field we accept; Intercom's own limits are lower for most fields.
pub const MAX_TEXT: usize = 65_536;

/// Parses operation input (JSON text) into `T`. Blank input means `{}`.
pub fn parse<T: DeserializeOwned>(input: &str) -> Result<T> {
    deserialize(object(input)?)
}

/// Checks an already-parsed JSON value against `T`.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T> {
    deserialize(checked_object(value)?)
}

/// The input text as a JSON object.
fn object(input: &str) -> Result<Value> {
    if input.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let value = serde_json::from_slice(input.as_bytes())
        .map_err(|e| Error::invalid("", format!("input is not valid JSON: {e}")))?;
    checked_object(value)
}

fn checked_object(value: Value) -> Result<Value> {
    if value.is_object() {
        Ok(value)
    } else {
        Err(Error::invalid("", "input must be a JSON object"))
    }
}

/// Compiled once per input type, so it holds nothing but the deserializer call; inlined into
/// `parse` and `from_value`, so the two do not each add a copy per input type.
#[inline(always)]
fn deserialize<T: DeserializeOwned>(value: Value) -> Result<T> {
    let mut path = Vec::new();
    T::deserialize(tracked::Tracked {
        value,
        path: &mut path,
    })
    .map_err(|e| invalid_field(path, e))
}

/// `invalid-input` naming the offending field (the keys in `path` joined with `.`); one shared
/// copy, not one per input type.
#[inline(never)]
fn invalid_field(mut path: Vec<String>, e: serde_json::Error) -> Error {
    let message = e.to_string();
    // serde reports a missing or unknown field at its parent; name the field itself.
    let named = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))
        .and_then(|rest| rest.split('`').next());
    if let Some(name) = named {
        if path.last().map(String::as_str) != Some(name) {
            path.push(name.to_string());
        }
    }
    Error::invalid(path.join("."), message)
}

/// The JSON Schema (draft 2020-12) of `T`, with `$schema` set.
pub fn schema_of<T: JsonSchema>() -> Value {
    let generator = SchemaGenerator::new(SchemaSettings::draft2020_12());
    generator.into_root_schema_for::<T>().to_value()
}

/// Non-empty, trimmed text of bounded length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text(pub String);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        check_text(s).map(Text).map_err(de::Error::custom)
    }
}

fn check_text(s: String) -> std::result::Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("must not be empty".into());
    }
    if t.len() > MAX_TEXT {
        return Err(format!(
            "is {} bytes long; the limit is {MAX_TEXT}",
            t.len()
        ));
    }
    Ok(if t.len() == s.len() { s } else { t.to_string() })
}

impl JsonSchema for Text {
    fn schema_name() -> Cow<'static, str> {
        "Text".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::try_from(
            json!({ "type": "string", "minLength": 1, "maxLength": MAX_TEXT, "pattern": "\\S" }),
        )
        .expect("object schema")
    }
}

/// An identifier that workflow tools may send as a string or a number (`42` or `"42"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Id(pub String);

impl Id {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            S(String),
            I(i64),
            U(u64),
        }
        let s = match Raw::deserialize(d).map_err(|e: D::Error| {
            // Keep serde's "missing field `x`" so the error names the field.
            if e.to_string().starts_with("missing field") {
                e
            } else {
                de::Error::custom("expected a string or an integer identifier")
            }
        })? {
            Raw::S(s) => s,
            Raw::I(i) => i.to_string(),
            Raw::U(u) => u.to_string(),
        };
        let s = check_text(s).map_err(de::Error::custom)?;
        if s.len() > 255 {
            return Err(de::Error::custom("is longer than 255 characters"));
        }
        Ok(Id(s))
    }
}

impl JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        Schema::try_from(json!({
            "anyOf": [
                { "type": "string", "minLength": 1, "maxLength": 255, "pattern": "\\S" },
                { "type": "integer" }
            ]
        }))
        .expect("object schema")
    }
}

/// Schema side of [`require_one_of`]: at least one of `fields` present and not null (null
/// means "not given", as workflow tools send it for unmapped fields).
pub fn schema_require_any(schema: &mut Schema, fields: &[&str]) {
    let alternatives: Vec<Value> = fields
        .iter()
        .map(|f| json!({ "required": [f], "properties": { *f: { "not": { "type": "null" } } } }))
        .collect();
    schema.insert("anyOf".into(), Value::Array(alternatives));
}

/// Fails with `invalid-input` unless at least one of `fields` is set.
pub fn require_one_of(present: &[(&str, bool)]) -> Result<()> {
    if present.iter().any(|(_, set)| *set) {
        return Ok(());
    }
    let names: Vec<&str> = present.iter().map(|(n, _)| *n).collect();
    Err(Error::invalid(
        names[0],
        format!("give at least one of: {}", names.join(", ")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, JsonSchema, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // fields exist to be parsed, not read
    struct Probe {
        email: Option<Text>,
        id: Option<Id>,
        nested: Option<Nested>,
    }

    #[derive(Deserialize, JsonSchema, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        name: Text,
    }

    fn field_of(input: &str) -> String {
        match parse::<Probe>(input) {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(field_of(r#"{"email": 5}"#), "email");
        assert_eq!(field_of(r#"{"email": "  "}"#), "email");
        assert_eq!(field_of(r#"{"bogus": 1}"#), "bogus");
        assert_eq!(field_of(r#"{"nested": {}}"#), "nested.name");
        assert_eq!(
            field_of(r#"{"nested": {"name": "x", "zz": 1}}"#),
            "nested.zz"
        );
        assert_eq!(field_of(r#"{"id": true}"#), "id");
        assert_eq!(field_of("[1]"), "");
        assert_eq!(field_of("{"), "");
    }

    #[test]
    fn ids_accept_numbers_and_text_is_trimmed() {
        let p: Probe = parse(r#"{"id": 42, "email": " a@b.c "}"#).unwrap();
        assert_eq!(p.id.unwrap().0, "42");
        assert_eq!(p.email.unwrap().0, "a@b.c");
        assert!(parse::<Probe>("").is_ok());
    }

    #[test]
    fn schema_is_draft_2020_12_and_closed() {
        let s = schema_of::<Probe>();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert_eq!(s["additionalProperties"], false);
    }
}
