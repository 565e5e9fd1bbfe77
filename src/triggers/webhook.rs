//! Webhook deliveries: `X-Hub-Signature` verification, the notification envelope, topic →
//! trigger mapping (2.x and 1.x topic names), and normalisation so a webhook event has the same
//! shape as the polled event of its trigger.

use super::{shapes, WebhookResult, ALL};
use crate::error::{Error, Result};
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha1::Sha1;

/// The signature header (matched case-insensitively).
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature";

/// Checks `X-Hub-Signature: sha1=<hex>`: HMAC-SHA1 of the raw body keyed with the app's client
/// secret, compared in constant time. Nothing else is looked at before this passes.
pub fn verify(secret: &str, headers: &[(String, String)], body: &[u8]) -> Result<()> {
    if secret.is_empty() {
        return Err(Error::invalid(
            "secret",
            "the app's client secret is empty: webhooks cannot be verified without it",
        ));
    }
    let field = format!("headers.{SIGNATURE_HEADER}");
    let value = headers
        .iter()
        .find(|(k, _)| k.trim().eq_ignore_ascii_case(SIGNATURE_HEADER))
        .map(|(_, v)| v.trim())
        .ok_or_else(|| {
            Error::Unauthorized(format!(
                "the delivery has no {SIGNATURE_HEADER} header, so it cannot be from Intercom"
            ))
        })?;
    let hex = value
        .strip_prefix("sha1=")
        .or_else(|| value.strip_prefix("SHA1="))
        .ok_or_else(|| Error::invalid(&field, "expected `sha1=` followed by 40 hex digits"))?;
    let signature = decode_hex(hex)
        .filter(|s| s.len() == 20)
        .ok_or_else(|| Error::invalid(&field, "expected `sha1=` followed by 40 hex digits"))?;
    let mut mac =
        Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC accepts any key length");
    mac.update(body);
    mac.verify_slice(&signature).map_err(|_| {
        Error::Unauthorized(format!(
            "the {SIGNATURE_HEADER} signature does not match the body: wrong client secret, or the body was changed"
        ))
    })
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Verifies and parses one delivery. The envelope is read as Intercom documents it: a `ping`
/// (sent when a webhook URL is saved) has `"id": null` and no event; every other topic carries
/// its notification id, returned as the delivery id.
pub fn parse(secret: &str, headers: &[(String, String)], body: &[u8]) -> Result<WebhookResult> {
    verify(secret, headers, body)?;
    let envelope: Value = serde_json::from_slice(body)
        .map_err(|e| Error::invalid("body", format!("not JSON: {e}")))?;
    let Value::Object(mut envelope) = envelope else {
        return Err(Error::invalid("body", "expected a notification object"));
    };
    let text = |k: &str| {
        envelope
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    if text("type").as_deref() != Some("notification_event") {
        return Err(Error::invalid(
            "body.type",
            "expected `notification_event`: one delivery holds one notification",
        ));
    }
    let topic = text("topic").ok_or_else(|| Error::invalid("body.topic", "missing"))?;
    let delivery_id = text("id");
    if topic == "ping" {
        return Ok(WebhookResult {
            topic,
            events: vec![],
            note: Some("`ping` is Intercom's connectivity check; it carries no event".into()),
            delivery_id,
        });
    }
    let delivery_id =
        Some(delivery_id.ok_or_else(|| Error::invalid("body.id", "missing notification id"))?);
    let sent_at = envelope.get("created_at").and_then(unix).unwrap_or(0);
    let users: Vec<_> = ALL
        .iter()
        .filter(|t| t.info.webhook_topics.contains(&topic.as_str()))
        .collect();
    if users.is_empty() {
        return Ok(WebhookResult {
            note: Some(format!(
                "no trigger uses the topic `{topic}`; nothing to do"
            )),
            topic,
            events: vec![],
            delivery_id,
        });
    }
    let mut item = envelope
        .get_mut("data")
        .and_then(|d| d.get_mut("item"))
        .filter(|i| i.is_object())
        .map(std::mem::take)
        .ok_or_else(|| Error::invalid("body.data.item", "missing the notification's item"))?;
    normalise_times(&mut item);
    let mut events = Vec::new();
    let last = users.len() - 1;
    for (i, t) in users.iter().enumerate() {
        // The last trigger takes the item itself; others (topics shared by triggers) copy it.
        let item = if i == last {
            std::mem::take(&mut item)
        } else {
            item.clone()
        };
        events.extend(
            shapes::from_webhook(t.shape, item, sent_at)
                .into_iter()
                .map(|f| f.into_event(t.meta.key)),
        );
    }
    let note = events
        .is_empty()
        .then(|| format!("the `{topic}` notification carried nothing a trigger emits"));
    Ok(WebhookResult {
        topic,
        events,
        note,
        delivery_id,
    })
}

/// Replaces ISO-8601 strings in `*_at` fields (anywhere in `v`) with Unix seconds, as the REST
/// API returns them: contacts inside webhooks carry `"2026-01-10T04:41:59.251+00:00"`.
pub fn normalise_times(v: &mut Value) {
    match v {
        Value::Object(map) => normalise_map(map),
        Value::Array(items) => items.iter_mut().for_each(normalise_times),
        _ => {}
    }
}

fn normalise_map(map: &mut Map<String, Value>) {
    for (k, v) in map.iter_mut() {
        if k.ends_with("_at") {
            if let Some(secs) = v.as_str().and_then(full_date_time) {
                *v = json!(secs);
                continue;
            }
        }
        normalise_times(v);
    }
}

fn unix(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_str().and_then(full_date_time))
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM|±HHMM]` → Unix seconds (no zone means UTC). Only
/// full date-times count: a bare date in a webhook's `*_at` field stays as Intercom sent it.
pub fn full_date_time(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let full = b.len() >= 19 && matches!(b[10], b'T' | b't' | b' ') && b[16] == b':';
    full.then(|| crate::time::parse_iso8601(s)).flatten()
}

/// The `X-Hub-Signature` value Intercom would send for `body`: `sha1=` and the hex HMAC-SHA1
/// keyed with `secret` (for this crate's tests; the RFC 2202 vector below pins it).
#[cfg(test)]
pub(crate) fn test_signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha1={hex}")
}

#[cfg(test)]
mod tests {
    use super::test_signature as sign;
    use super::*;

    fn h(name: &str, value: &str) -> Vec<(String, String)> {
        vec![
            ("content-type".into(), "application/json".into()),
            (name.into(), value.into()),
        ]
    }

    #[test]
    fn rfc2202_vector_and_header_case() {
        // RFC 2202 test case 2: key "Jefe", data "what do ya want for nothing?".
        let body = b"what do ya want for nothing?";
        let good = "sha1=effcdf6ae5eb2fa2d27416d5f184df9c259a7c79";
        assert_eq!(sign("Jefe", body), good);
        for name in ["X-Hub-Signature", "x-hub-signature", "X-HUB-SIGNATURE"] {
            assert_eq!(verify("Jefe", &h(name, good), body), Ok(()));
        }
        assert_eq!(
            verify(
                "Jefe",
                &h(
                    "x-hub-signature",
                    &good.to_uppercase().replace("SHA1=", "sha1=")
                ),
                body
            ),
            Ok(())
        );
    }

    #[test]
    fn bad_signatures_are_typed_errors() {
        let body = b"{}";
        let good = sign("s3cret", body);
        assert!(matches!(
            verify("other", &h("X-Hub-Signature", &good), body),
            Err(Error::Unauthorized(_))
        ));
        assert!(matches!(
            verify("s3cret", &h("X-Hub-Signature", &good), b"{ }"),
            Err(Error::Unauthorized(_))
        ));
        assert!(matches!(
            verify("s3cret", &h("X-Other", &good), body),
            Err(Error::Unauthorized(_))
        ));
        for bad in [
            "sha1=zz",
            "sha1=abc",
            "md5=00",
            &good[5..],
            "sha1=",
            &format!("{good}00"),
        ] {
            match verify("s3cret", &h("X-Hub-Signature", bad), body) {
                Err(Error::InvalidInput { field, .. }) => {
                    assert_eq!(field, "headers.X-Hub-Signature")
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        match verify("", &h("X-Hub-Signature", &good), body) {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "secret"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn iso8601_forms() {
        assert_eq!(full_date_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            full_date_time("2026-01-10T04:41:59.251+00:00"),
            Some(1_768_020_119)
        );
        assert_eq!(
            full_date_time("2026-01-10T05:41:59+01:00"),
            Some(1_768_020_119)
        );
        assert_eq!(
            full_date_time("2026-01-09T23:41:59-0500"),
            Some(1_768_020_119)
        );
        assert_eq!(full_date_time("2000-02-29T12:00:00"), Some(951_825_600));
        for bad in [
            "",
            "2026-01-10",
            "2026-13-10T00:00:00Z",
            "2026-01-10T00:00:00+1",
            "not a date at all!!",
            "2026-01-10T00:00:00.Z",
        ] {
            assert_eq!(full_date_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn times_are_normalised_deeply() {
        let mut v = json!({"created_at": "2026-01-10T04:41:59.251+00:00", "name": "2026-01-10T04:41:59Z",
            "contact": {"updated_at": "1970-01-01T00:01:00Z", "signed_up_at": 5, "last_seen_at": null}});
        normalise_times(&mut v);
        assert_eq!(
            v,
            json!({"created_at": 1_768_020_119, "name": "2026-01-10T04:41:59Z",
            "contact": {"updated_at": 60, "signed_up_at": 5, "last_seen_at": null}})
        );
    }
}
