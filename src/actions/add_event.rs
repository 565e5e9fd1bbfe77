//! add-event: record that a contact did something (`POST /events`, 202 with an empty body).

use super::fields::{Email, Timestamp};
use crate::error::{Error, Result};
use crate::input::{parse, require_one_of, Id, Text};
use crate::intercom::data_attributes::timestamp;
use crate::intercom::lookup::{self, ContactKey};
use crate::intercom::Client;
use crate::operation::{input_schema, ActionOp, Meta};
use crate::schemas::{ADD_EVENT_SAMPLE, ADD_EVENT_SCHEMA};
use crate::time::now_unix;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Intercom keeps at most this many metadata keys per event.
pub const MAX_METADATA_KEYS: usize = 10;

/// Record an event for a contact. Name the contact by Intercom id (needed for leads; an email is
/// resolved to it), external_id (user_id) or email.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(extend("anyOf" = [{"required": ["id"]}, {"required": ["external_id"]}, {"required": ["email"]}]))]
pub struct Input {
    /// The event's name, ideally a past-tense verb-noun such as `updated-plan`.
    pub event_name: Text,
    /// When it happened; defaults to now.
    pub created_at: Option<Timestamp>,
    /// Intercom's contact id (a user or a lead).
    pub id: Option<Id>,
    /// Your id for the user (`user_id`).
    #[serde(alias = "user_id")]
    pub external_id: Option<Id>,
    /// The contact's email address.
    pub email: Option<Email>,
    /// Up to 10 flat keys. Values: text, numbers, dates (keys ending in `_date`: Unix seconds or
    /// ISO 8601), links (URL text), rich links `{url, value}`, money `{amount (cents), currency}`.
    #[schemars(extend("maxProperties" = 10))]
    pub metadata: Option<Map<String, Value>>,
}

pub const ACTION: ActionOp = ActionOp {
    meta: Meta {
        key: "add-event",
        label: "Add Event",
        description:
            "Records an event (with optional metadata) on a user or lead. Intercom accepts it \
                      asynchronously; a repeat of the same event at the same time is stored once.",
        input_schema: input_schema!("add-event", Input),
        output_schema: ADD_EVENT_SCHEMA,
        output_sample: ADD_EVENT_SAMPLE,
    },
    run,
};

/// Checks metadata values against the types Intercom accepts and turns `*_date` values into
/// Unix seconds.
pub fn check_metadata(m: &Map<String, Value>) -> Result<Map<String, Value>> {
    if m.len() > MAX_METADATA_KEYS {
        return Err(Error::invalid(
            "metadata",
            format!(
                "has {} keys; Intercom keeps at most {MAX_METADATA_KEYS}",
                m.len()
            ),
        ));
    }
    let mut out = Map::new();
    for (k, v) in m {
        let field = format!("metadata.{k}");
        let bad = |what: &str| Error::invalid(&field, what.to_string());
        if k.trim().is_empty() {
            return Err(Error::invalid("metadata", "keys must not be empty"));
        }
        let v = match v {
            _ if k.ends_with("_date") => json!(timestamp(v).ok_or_else(|| bad("keys ending in _date take a date: Unix seconds or ISO 8601"))?),
            Value::String(s) if s.chars().count() > 255 => return Err(bad("is longer than 255 characters")),
            Value::String(_) | Value::Number(_) => v.clone(),
            Value::Object(o) if o.contains_key("url") => {
                if o.keys().any(|x| x != "url" && x != "value") || !o.values().all(Value::is_string) {
                    return Err(bad("a rich link is {\"url\": text, \"value\": text}"));
                }
                v.clone()
            }
            Value::Object(o) if o.contains_key("amount") => {
                let amount_ok = o.get("amount").is_some_and(|a| a.is_i64() || a.is_u64());
                let currency_ok = o
                    .get("currency")
                    .and_then(Value::as_str)
                    .is_some_and(|c| c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()));
                if o.len() != 2 || !amount_ok || !currency_ok {
                    return Err(bad("money is {\"amount\": integer cents, \"currency\": ISO code such as \"usd\"}"));
                }
                v.clone()
            }
            _ => return Err(bad("must be text, a number, a date, a rich link {url, value} or money {amount, currency}; no nesting, lists, booleans or null")),
        };
        out.insert(k.clone(), v);
    }
    Ok(out)
}

fn run(client: &Client, input: &str) -> Result<Value> {
    let input: Input = parse(input)?;
    require_one_of(&[
        ("id", input.id.is_some()),
        ("external_id", input.external_id.is_some()),
        ("email", input.email.is_some()),
    ])?;
    let metadata = input.metadata.as_ref().map(check_metadata).transpose()?;
    let created_at = input.created_at.map(|t| t.0).unwrap_or_else(now_unix);
    let mut body = json!({ "event_name": input.event_name.as_str(), "created_at": created_at });
    let (id, user_id) = match (&input.id, &input.external_id, &input.email) {
        (Some(id), _, _) => (Some(id.as_str().to_string()), None),
        (None, Some(ext), _) => (None, Some(ext.as_str().to_string())),
        // Intercom finds only users by email; resolve to the id so leads work too.
        (None, None, Some(email)) => {
            let key = ContactKey {
                email: Some(email.as_str()),
                ..ContactKey::default()
            };
            (
                Some(lookup::id_of(&lookup::contact(client, None, key)?)?),
                None,
            )
        }
        (None, None, None) => unreachable!("checked above"),
    };
    if let Some(id) = &id {
        body["id"] = json!(id);
    }
    if let Some(ext) = &user_id {
        body["user_id"] = json!(ext);
    }
    if let Some(m) = &metadata {
        body["metadata"] = json!(m);
    }
    let who = || match (&id, &user_id) {
        (Some(id), _) => format!("contact id={id}"),
        (_, Some(ext)) => format!("user external_id={ext}"),
        _ => "contact".into(),
    };
    lookup::name_not_found(client.post("/events", &body), who)?;
    Ok(json!({
        "type": "event", "event_name": input.event_name.as_str(), "created_at": created_at,
        "id": id, "user_id": user_id, "metadata": metadata.unwrap_or_default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(v: Value) -> String {
        match check_metadata(v.as_object().unwrap()) {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn metadata_values_are_checked() {
        let ok = json!({"plan": "pro", "seats": 3, "renew_date": "2025-01-31", "site": {"url": "https://x.io", "value": "x"},
                        "price": {"amount": 3499, "currency": "usd"}});
        let out = check_metadata(ok.as_object().unwrap()).unwrap();
        assert_eq!(out["renew_date"], json!(1_738_281_600));
        assert_eq!(field(json!({"flag": true})), "metadata.flag");
        assert_eq!(field(json!({"nested": {"a": 1}})), "metadata.nested");
        assert_eq!(field(json!({"list": [1]})), "metadata.list");
        assert_eq!(
            field(json!({"price": {"amount": 1.5, "currency": "usd"}})),
            "metadata.price"
        );
        assert_eq!(field(json!({"when_date": "soon"})), "metadata.when_date");
        let many: Map<String, Value> = (0..11).map(|i| (format!("k{i}"), json!(i))).collect();
        assert_eq!(field(Value::Object(many)), "metadata");
    }
}
