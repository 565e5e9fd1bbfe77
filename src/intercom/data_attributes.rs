//! The workspace's custom attributes (`GET /data_attributes?model=contact|company`): typed input
//! schemas for hosts, and checking values against their types and options before any write.

use super::Client;
use crate::error::{Error, Result};
use crate::time::parse_iso8601;
use serde_json::{json, Map, Value};

/// Which object a custom attribute belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    Contact,
    Company,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Contact => "contact",
            Model::Company => "company",
        }
    }
}

/// One custom data attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub label: String,
    pub description: String,
    /// `string`, `integer`, `float`, `boolean` or `date`.
    pub data_type: String,
    /// Predefined options of a list attribute (empty otherwise).
    pub options: Vec<String>,
    pub api_writable: bool,
    pub archived: bool,
}

impl Attribute {
    fn from_json(v: &Value) -> Option<Attribute> {
        if v.get("custom") != Some(&json!(true)) {
            return None;
        }
        let s = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let options = v
            .get("options")
            .and_then(Value::as_array)
            .map(|opts| {
                opts.iter()
                    .filter_map(|o| match o {
                        Value::String(s) => Some(s.clone()),
                        Value::Object(m) => {
                            m.get("value").and_then(Value::as_str).map(str::to_string)
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Attribute {
            name: s("name"),
            label: s("label"),
            description: s("description"),
            data_type: s("data_type"),
            options,
            api_writable: v
                .get("api_writable")
                .and_then(Value::as_bool)
                .unwrap_or(true),
            archived: v.get("archived").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    fn writable(&self) -> bool {
        self.api_writable && !self.archived
    }

    /// JSON Schema of one value.
    fn schema(&self) -> Value {
        let mut s = match self.data_type.as_str() {
            _ if !self.options.is_empty() => json!({ "enum": self.options }),
            "integer" => json!({ "type": "integer" }),
            "float" => json!({ "type": "number" }),
            "boolean" => json!({ "type": "boolean" }),
            "date" => json!({ "anyOf": [
                { "type": "integer", "description": "Unix seconds" },
                { "type": "string", "format": "date-time" },
                { "type": "string", "format": "date" }
            ]}),
            _ => json!({ "type": "string", "maxLength": 255 }),
        };
        if !self.label.is_empty() {
            s["title"] = json!(self.label);
        }
        if !self.description.is_empty() {
            s["description"] = json!(self.description);
        }
        s
    }
}

/// The custom attributes of `model` (archived ones included, so they can be named in errors).
pub fn list(client: &Client, model: Model) -> Result<Vec<Attribute>> {
    let answer = client.get(&format!(
        "/data_attributes?model={}&include_archived=true",
        model.as_str()
    ))?;
    let data = answer
        .get("data")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    Ok(data.iter().filter_map(Attribute::from_json).collect())
}

/// `schema` with `properties.custom_attributes` replaced by the workspace's writable attributes
/// as typed properties.
pub fn extend_schema(mut schema: Value, attrs: &[Attribute]) -> Value {
    // Inserted one by one: collecting into a map compiles in a sort of its own (~4 KB of wasm).
    let mut props = Map::new();
    for a in attrs.iter().filter(|a| a.writable()) {
        props.insert(a.name.clone(), a.schema());
    }
    if let Some(p) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        p.insert(
            "custom_attributes".into(),
            json!({
                "type": "object",
                "description": "Custom attributes of this workspace; a null value clears one.",
                "properties": props,
                "additionalProperties": false
            }),
        );
    }
    schema
}

/// Checks `values` against `attrs` and returns them normalised (numbers from text, dates as Unix
/// seconds). Errors name `custom_attributes.<name>`.
pub fn check(
    attrs: &[Attribute],
    model: Model,
    values: &Map<String, Value>,
) -> Result<Map<String, Value>> {
    let mut out = Map::new();
    for (name, value) in values {
        let field = format!("custom_attributes.{name}");
        let attr = attrs.iter().find(|a| &a.name == name).ok_or_else(|| {
            let known: Vec<&str> = attrs
                .iter()
                .filter(|a| a.writable())
                .map(|a| a.name.as_str())
                .collect();
            Error::invalid(
                &field,
                format!(
                    "this workspace has no {} custom attribute `{name}`; writable ones: {}",
                    model.as_str(),
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            )
        })?;
        if attr.archived {
            return Err(Error::invalid(
                &field,
                format!("the custom attribute `{name}` is archived"),
            ));
        }
        if !attr.api_writable {
            return Err(Error::invalid(
                &field,
                format!("the custom attribute `{name}` is read-only through the API"),
            ));
        }
        let v = coerce(attr, value).map_err(|m| Error::invalid(&field, m))?;
        out.insert(name.clone(), v);
    }
    Ok(out)
}

fn coerce(attr: &Attribute, v: &Value) -> std::result::Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let kind = match attr.data_type.as_str() {
        "integer" => Kind::Integer,
        "float" => Kind::Number,
        "boolean" => Kind::Boolean,
        "date" => Kind::Date,
        _ => match v {
            Value::String(s) if s.chars().count() > 255 => {
                return Err("is longer than 255 characters".into())
            }
            _ => Kind::Text,
        },
    };
    let out = coerce_as(kind, v)?;
    if !attr.options.is_empty() {
        let as_text = match &out {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if !attr.options.contains(&as_text) {
            return Err(format!(
                "`{as_text}` is not one of the options: {}",
                attr.options.join(", ")
            ));
        }
    }
    Ok(out)
}

/// The type a custom or ticket attribute takes (Intercom names them differently per object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Number,
    Boolean,
    Date,
    Text,
}

/// A non-null value as an attribute of `kind` takes it: numbers and booleans may come as text
/// (as form fields send them), dates as Unix seconds or ISO 8601, text from any scalar. The
/// error says what was expected.
pub fn coerce_as(kind: Kind, v: &Value) -> std::result::Result<Value, String> {
    let text = v.as_str().map(str::trim);
    Ok(match kind {
        Kind::Integer => match (v.as_i64(), text.and_then(|t| t.parse::<i64>().ok())) {
            (Some(n), _) | (None, Some(n)) => json!(n),
            _ => return Err(format!("expected an integer, got {v}")),
        },
        // serde_json's number grammar, not `str::parse`: it rejects `inf`/`NaN`, and core's
        // float parser (with its 10 KB table) would be in the component for this line alone.
        Kind::Number => match (
            v.as_f64(),
            text.and_then(|t| serde_json::from_slice::<f64>(t.as_bytes()).ok()),
        ) {
            (Some(f), _) | (None, Some(f)) => json!(f),
            _ => return Err(format!("expected a number, got {v}")),
        },
        Kind::Boolean => match (v, text.map(str::to_ascii_lowercase).as_deref()) {
            (Value::Bool(b), _) => json!(b),
            (_, Some("true")) => json!(true),
            (_, Some("false")) => json!(false),
            _ => return Err(format!("expected true or false, got {v}")),
        },
        Kind::Date => json!(timestamp(v).ok_or_else(|| format!(
            "expected a date (Unix seconds or ISO 8601 such as 2025-01-31T12:00:00Z), got {v}"
        ))?),
        Kind::Text => match v {
            Value::String(s) => json!(s),
            Value::Number(n) => json!(n.to_string()),
            Value::Bool(b) => json!(b.to_string()),
            _ => return Err(format!("expected text, got {v}")),
        },
    })
}

/// The latest Unix-seconds value we accept (year 9999).
const MAX_SECONDS: i64 = 253_402_300_799;

/// A point in time as Unix seconds: an integer (seconds; milliseconds are recognised by size), a
/// string of digits, or ISO 8601 (`2025-01-31`, `2025-01-31T12:00:00Z`, `…+02:00`, fractions).
pub fn timestamp(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))?,
        Value::String(s) => {
            let s = s.trim();
            match s.parse::<i64>() {
                Ok(n) => n,
                Err(_) => return parse_iso8601(s),
            }
        }
        _ => return None,
    };
    let n = if n > MAX_SECONDS { n / 1000 } else { n };
    (0..=MAX_SECONDS).contains(&n).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, t: &str, options: &[&str]) -> Attribute {
        Attribute {
            name: name.into(),
            label: name.into(),
            description: String::new(),
            data_type: t.into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            api_writable: true,
            archived: false,
        }
    }

    #[test]
    fn timestamps_accept_seconds_milliseconds_and_iso_text() {
        assert_eq!(
            timestamp(&json!("2025-01-31T12:00:00Z")),
            Some(1_738_324_800)
        );
        assert_eq!(
            timestamp(&json!(1_738_324_800_000i64)),
            Some(1_738_324_800),
            "milliseconds"
        );
        assert_eq!(timestamp(&json!("1738324800")), Some(1_738_324_800));
        assert_eq!(timestamp(&json!(-5)), None);
        assert_eq!(timestamp(&json!(true)), None);
    }

    #[test]
    fn values_are_checked_and_normalised() {
        let attrs = vec![
            attr("seats", "integer", &[]),
            attr("score", "float", &[]),
            attr("vip", "boolean", &[]),
            attr("renews", "date", &[]),
            attr("tier", "string", &["gold", "silver"]),
            attr("note", "string", &[]),
            Attribute {
                api_writable: false,
                ..attr("locked", "string", &[])
            },
            Attribute {
                archived: true,
                ..attr("old", "string", &[])
            },
        ];
        let input = json!({"seats": "12", "score": 4.5, "vip": "TRUE", "renews": "2025-01-31", "tier": "gold", "note": 7, "seats2": null});
        let mut m = input.as_object().unwrap().clone();
        m.remove("seats2");
        let out = check(&attrs, Model::Contact, &m).unwrap();
        assert_eq!(
            Value::Object(out),
            json!({"seats": 12, "score": 4.5, "vip": true, "renews": 1_738_281_600, "tier": "gold", "note": "7"})
        );
        let field = |v: Value| match check(&attrs, Model::Contact, v.as_object().unwrap()) {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(json!({"seats": 1.5})), "custom_attributes.seats");
        assert_eq!(field(json!({"tier": "bronze"})), "custom_attributes.tier");
        assert_eq!(field(json!({"nope": 1})), "custom_attributes.nope");
        assert_eq!(field(json!({"locked": "x"})), "custom_attributes.locked");
        assert_eq!(field(json!({"old": "x"})), "custom_attributes.old");
        assert_eq!(field(json!({"vip": "maybe"})), "custom_attributes.vip");
        assert_eq!(field(json!({"renews": "soon"})), "custom_attributes.renews");
        assert_eq!(field(json!({"note": {"a": 1}})), "custom_attributes.note");
        // A float given as text: JSON's number grammar, finite only.
        let score = |t: &str| {
            check(
                &attrs,
                Model::Contact,
                json!({ "score": t }).as_object().unwrap(),
            )
        };
        assert_eq!(
            Value::Object(score(" 2.5e1 ").unwrap()),
            json!({"score": 25.0})
        );
        for bad in ["NaN", "inf", "1e999", "4,5", ""] {
            assert!(score(bad).is_err(), "{bad:?} is not a float");
        }
    }

    #[test]
    fn schema_lists_writable_attributes_typed() {
        let attrs = vec![
            attr("seats", "integer", &[]),
            attr("tier", "string", &["gold", "silver"]),
            Attribute {
                api_writable: false,
                ..attr("locked", "string", &[])
            },
        ];
        let s = extend_schema(
            json!({"properties": {"custom_attributes": {"type": "object"}}}),
            &attrs,
        );
        let ca = &s["properties"]["custom_attributes"];
        assert_eq!(ca["properties"]["seats"]["type"], "integer");
        assert_eq!(ca["properties"]["tier"]["enum"], json!(["gold", "silver"]));
        assert!(ca["properties"].get("locked").is_none());
        assert_eq!(ca["additionalProperties"], false);
    }
}
