//! The opaque poll cursor: base64url (no padding) of a small JSON document.
//!
//! It holds the high-water mark (`hwm`, Unix seconds of the newest event emitted), the keys of
//! the events emitted at exactly that second (so items sharing a second are neither lost nor
//! repeated), and, while a burst is being read across several polls, the search position to
//! resume from. It names its trigger, so a cursor handed to another trigger is rejected.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Bumped when the layout changes; older cursors are then rejected with a clear message.
const VERSION: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "v")]
    pub version: u32,
    /// The trigger key this cursor belongs to.
    #[serde(rename = "t")]
    pub trigger: String,
    /// Unix seconds of the newest event emitted so far (0: nothing seen yet).
    #[serde(rename = "h")]
    pub hwm: i64,
    /// Keys of the events already emitted at second `hwm`.
    #[serde(rename = "s", default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<String>,
    /// A search read that stopped at the page bound and resumes at the next poll.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<Scan>,
}

/// A search in progress: the same query (same lower bound) continues after `after`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scan {
    /// The window's lower bound the query was built with.
    #[serde(rename = "l")]
    pub lower: i64,
    /// Intercom's `pages.next.starting_after`.
    #[serde(rename = "a")]
    pub after: String,
    /// Newest event second emitted during this read, and the keys emitted at it.
    #[serde(rename = "m")]
    pub max: i64,
    #[serde(rename = "k", default, skip_serializing_if = "Vec::is_empty")]
    pub max_keys: Vec<String>,
    /// Keys emitted during this read, for sources whose items can move in the sort order while
    /// being read (e.g. sorted by `updated_at`); empty otherwise.
    #[serde(rename = "e", default, skip_serializing_if = "Vec::is_empty")]
    pub emitted: Vec<String>,
}

impl Cursor {
    pub fn new(trigger: &str, hwm: i64, seen: Vec<String>) -> Self {
        Cursor {
            version: VERSION,
            trigger: trigger.to_string(),
            hwm,
            seen,
            scan: None,
        }
    }

    /// The cursor as opaque text.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).expect("cursor serializes");
        base64url_encode(&json)
    }

    /// Parses a cursor this trigger produced; anything else is `invalid-input` on `cursor`.
    pub fn decode(text: &str, trigger: &str) -> Result<Self> {
        let bad = |why: &str| {
            Error::invalid(
                "cursor",
                format!("not a cursor of the `{trigger}` trigger ({why}); poll without a cursor to start over"),
            )
        };
        let bytes = base64url_decode(text.trim()).ok_or_else(|| bad("not base64url"))?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad("not a cursor"))?;
        if cursor.version != VERSION {
            return Err(bad("unsupported cursor version"));
        }
        if cursor.trigger != trigger {
            return Err(bad(&format!("it belongs to `{}`", cursor.trigger)));
        }
        if cursor.hwm < 0 {
            return Err(bad("negative time"));
        }
        Ok(cursor)
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = ALPHABET.iter().position(|a| a == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 251) as u8).collect();
            let text = base64url_encode(&bytes);
            assert!(!text.contains(['+', '/', '=']));
            assert_eq!(base64url_decode(&text).unwrap(), bytes, "len {len}");
        }
        assert_eq!(base64url_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64url_encode(b"fo"), "Zm8");
        assert_eq!(base64url_decode("Zm8=").unwrap(), b"fo");
        assert!(base64url_decode("Z").is_none());
        assert!(base64url_decode("Zm9*").is_none());
    }

    #[test]
    fn cursor_round_trips_with_scan_state() {
        let mut c = Cursor::new("new-user", 1_700_000_000, vec!["a".into(), "b".into()]);
        c.scan = Some(Scan {
            lower: 1_699_913_600,
            after: "WzE3MDAsImFiYyJd".into(),
            max: 1_700_000_005,
            max_keys: vec!["z".into()],
            emitted: vec![],
        });
        let text = c.encode();
        assert_eq!(Cursor::decode(&text, "new-user").unwrap(), c);
    }

    fn field(r: Result<Cursor>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn bad_cursors_are_invalid_input_on_cursor() {
        let other = Cursor::new("new-lead", 5, vec![]).encode();
        assert_eq!(field(Cursor::decode(&other, "new-user")), "cursor");
        assert_eq!(field(Cursor::decode("%%%", "new-user")), "cursor");
        assert_eq!(field(Cursor::decode("", "new-user")), "cursor");
        assert_eq!(
            field(Cursor::decode(&base64url_encode(b"[1,2]"), "new-user")),
            "cursor"
        );
        let mut future = Cursor::new("new-user", 5, vec![]);
        future.version = 99;
        assert_eq!(
            field(Cursor::decode(&future.encode(), "new-user")),
            "cursor"
        );
    }
}
