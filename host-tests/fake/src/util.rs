//! Small helpers shared by the fake: base64 (for opaque cursors), percent-decoding, id coercion,
//! random ids (request ids, scroll params) and HTML wrapping.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use percent_encoding::percent_decode_str;
use serde_json::Value;
use uuid::Uuid;

/// Standard base64 with padding: Intercom's search cursors look like `Wy0xLCI1ZjIy...` (base64 of
/// a JSON array), so the fake produces the same kind of string.
pub fn b64_encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Decodes standard or url-safe base64, padding optional. `None` on any invalid input.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    const LENIENT: GeneralPurposeConfig =
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD_ANY: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, LENIENT);
    const URL_SAFE_ANY: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, LENIENT);
    STANDARD_ANY
        .decode(s)
        .or_else(|_| URL_SAFE_ANY.decode(s))
        .ok()
}

/// Decodes `%XX` escapes (an invalid escape stays as written); `plus_as_space` for query strings
/// (form encoding).
pub fn percent_decode(s: &str, plus_as_space: bool) -> String {
    if plus_as_space && s.contains('+') {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    } else {
        percent_decode_str(s).decode_utf8_lossy().into_owned()
    }
}

/// Splits a request target into its path and decoded query pairs (form encoding).
pub fn split_target(target: &str) -> (String, Vec<(String, String)>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let pairs = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    (path.to_string(), pairs)
}

/// Intercom ids are strings, but the spec's own examples send them as numbers (`"id": 81`,
/// `"admin_id": 991267583`); the real API accepts both, so the fake does too.
pub fn id_str(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer given either as a JSON number or a numeric string.
pub fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// 64 random bits (from the OS's generator, through a v4 uuid).
pub fn random_u64() -> u64 {
    Uuid::new_v4().as_u64_pair().0
}

/// A random (v4) uuid string, used for `request_id` and `scroll_param`.
pub fn uuid_like() -> String {
    Uuid::new_v4().to_string()
}

/// Escapes text for inclusion in HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Intercom stores message/note bodies as HTML: plain text comes back wrapped in `<p>..</p>`,
/// bodies that already contain markup are kept.
pub fn html_body(s: &str) -> String {
    let t = s.trim();
    if t.starts_with('<') && t.ends_with('>') {
        t.to_string()
    } else {
        format!("<p>{}</p>", html_escape(t))
    }
}

/// Plain text of an HTML fragment (tags removed), used for word matching on `source.body`.
pub fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_roundtrip() {
        for s in ["", "a", "ab", "abc", "abcd", "[-1,\"5f22\"]"] {
            let enc = b64_encode(s.as_bytes());
            assert_eq!(b64_decode(&enc).unwrap(), s.as_bytes(), "{enc}");
        }
        assert_eq!(b64_encode(b"[-1,\"5f22"), "Wy0xLCI1ZjIy");
        assert!(b64_decode("not base64!").is_none());
    }

    #[test]
    fn query_decoding() {
        let (p, q) = split_target("/companies?name=Acme+Inc%2E&company_id=a%20b&flag");
        assert_eq!(p, "/companies");
        assert_eq!(
            q,
            vec![
                ("name".into(), "Acme Inc.".into()),
                ("company_id".into(), "a b".into()),
                ("flag".into(), "".into())
            ]
        );
        assert_eq!(percent_decode("100%", false), "100%");
    }

    #[test]
    fn uuid_shape() {
        let u = uuid_like();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4", "a v4 uuid: {u}");
        assert_ne!(u, uuid_like());
    }
}
