//! The opaque poll cursor: base64url (no padding) of a small JSON document, at most
//! [`MAX_TEXT`] characters however bursty the workspace.
//!
//! It holds the mark (`h`: the newest window time a finished read scanned), a floor (`f`:
//! happenings before it are never emitted), what was already emitted inside the trailing lag
//! window (`s`, keys grouped by second) and which items were already expanded there (`x`, item
//! ids grouped by window second, for triggers whose expansion costs requests), and, while a
//! read spans several polls, the search position to resume from. It names its trigger, so a
//! cursor handed to another trigger is rejected.
//!
//! Past the size bound the oldest remembered second is forgotten and the floor raised past it:
//! nothing can then be emitted twice (what was forgotten can no longer be emitted at all); only
//! a happening that reaches search later than the shortened window allows is missed. Emitting an
//! action twice (a second welcome mail) cannot be undone by the host, a duplicate id is the only
//! thing it can dedupe, and the bound is reached only with more than a thousand happenings
//! inside one lag window, so the window shrinks, never the promise not to repeat.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Bumped when the layout changes; older cursors are then rejected with a clear message.
/// 2: the lag window (`f`, `s`, `x`) replaced the keys at the mark.
const VERSION: u32 = 2;

/// The longest cursor text: what a host can store beside each automation.
pub const MAX_TEXT: usize = 64 * 1024;

/// Keys (or item ids) grouped by their second: seconds ascending, each second's keys sorted
/// and unique (a burst puts hundreds of keys in one second: lookups are binary searches, a scan
/// made a poll of 150 new users quadratic). Written as a JSON object keyed by the second, as the
/// `BTreeMap` it replaces wrote it, so saved cursors read back; a sorted list, because the
/// B-tree's code was 12 KB of the component for a map of a few dozen seconds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BySecond(Vec<(i64, Vec<String>)>);

impl BySecond {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many seconds hold keys.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    fn position(&self, ts: i64) -> std::result::Result<usize, usize> {
        self.0.binary_search_by_key(&ts, |(second, _)| *second)
    }

    /// The keys remembered at second `ts`.
    pub fn get(&self, ts: i64) -> Option<&[String]> {
        let at = self.position(ts).ok()?;
        Some(&self.0[at].1)
    }

    fn contains(&self, ts: i64, key: &str) -> bool {
        self.get(ts)
            .is_some_and(|keys| keys.binary_search_by(|k| k.as_str().cmp(key)).is_ok())
    }

    fn insert(&mut self, ts: i64, key: String) {
        let at = self.position(ts).unwrap_or_else(|at| {
            self.0.insert(at, (ts, Vec::new()));
            at
        });
        let keys = &mut self.0[at].1;
        if let Err(at) = keys.binary_search(&key) {
            keys.insert(at, key);
        }
    }

    /// The oldest second that holds keys.
    pub fn oldest(&self) -> Option<i64> {
        self.0.first().map(|(second, _)| *second)
    }

    /// Drops every second before `start`.
    fn forget_before(&mut self, start: i64) {
        let before = self.0.partition_point(|(second, _)| *second < start);
        self.0.drain(..before);
    }

    /// Takes out the keys of second `ts`.
    fn remove(&mut self, ts: i64) -> Option<Vec<String>> {
        let at = self.position(ts).ok()?;
        Some(self.0.remove(at).1)
    }
}

impl Serialize for BySecond {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(second, keys)| (second, keys)))
    }
}

impl<'de> Deserialize<'de> for BySecond {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        struct Seconds;
        impl<'de> serde::de::Visitor<'de> for Seconds {
            type Value = BySecond;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("keys by second")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<BySecond, A::Error> {
                let mut seconds = Vec::new();
                while let Some(entry) = map.next_entry::<i64, Vec<String>>()? {
                    seconds.push(entry);
                }
                // Put in order what this code did not write (older cursors kept keys unsorted);
                // a second given twice keeps its last list, as the `BTreeMap` did.
                if !seconds.is_sorted_by(|a, b| a.0 < b.0) {
                    crate::sort::sort_by_key(&mut seconds, |(second, _)| *second);
                    seconds.reverse();
                    seconds.dedup_by_key(|(second, _)| *second);
                    seconds.reverse();
                }
                for (_, keys) in seconds.iter_mut().filter(|(_, keys)| !keys.is_sorted()) {
                    crate::sort::sort_by(keys, Ord::cmp);
                    keys.dedup();
                }
                Ok(BySecond(seconds))
            }
        }
        deserializer.deserialize_map(Seconds)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    #[serde(rename = "v")]
    pub version: u32,
    /// The trigger key this cursor belongs to.
    #[serde(rename = "t")]
    pub trigger: String,
    /// The newest window time (Unix seconds) a finished read scanned (0: nothing yet).
    #[serde(rename = "h")]
    pub mark: i64,
    /// Happenings before this second are never emitted: the first poll's start, or raised past
    /// what the size bound made the cursor forget.
    #[serde(rename = "f", default, skip_serializing_if = "is_zero")]
    pub floor: i64,
    /// Keys of the events emitted inside the lag window, by event second.
    #[serde(rename = "s", default, skip_serializing_if = "BySecond::is_empty")]
    pub emitted: BySecond,
    /// Ids of the items already expanded inside the lag window, by window second.
    #[serde(rename = "x", default, skip_serializing_if = "BySecond::is_empty")]
    pub expanded: BySecond,
    /// A search read that stopped at the page bound and resumes at the next poll.
    #[serde(rename = "r", default, skip_serializing_if = "Option::is_none")]
    pub scan: Option<Scan>,
    /// The trigger's `tag` input as given and the tag id it resolved to, so later polls skip
    /// the lookup (an idle poll stays one request).
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<(String, String)>,
}

fn is_zero(n: &i64) -> bool {
    *n == 0
}

/// A search in progress: the same query (same lower bound) continues after `after`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scan {
    /// The window's lower bound the query was built with.
    #[serde(rename = "l")]
    pub lower: i64,
    /// Events before this second are not emitted by this read.
    #[serde(rename = "w")]
    pub window_start: i64,
    /// Intercom's `pages.next.starting_after`.
    #[serde(rename = "a")]
    pub after: String,
    /// The newest window time scanned during this read.
    #[serde(rename = "m")]
    pub max: i64,
}

impl Cursor {
    pub fn new(trigger: &str, mark: i64) -> Self {
        Cursor {
            version: VERSION,
            trigger: trigger.to_string(),
            mark,
            ..Cursor::default()
        }
    }

    /// Whether `key` was emitted at second `ts`.
    pub fn was_emitted(&self, ts: i64, key: &str) -> bool {
        self.emitted.contains(ts, key)
    }

    /// Whether item `id` was expanded at window second `ts`.
    pub fn was_expanded(&self, ts: i64, id: &str) -> bool {
        self.expanded.contains(ts, id)
    }

    pub fn remember_emitted(&mut self, ts: i64, key: String) {
        self.emitted.insert(ts, key);
    }

    pub fn remember_expanded(&mut self, ts: i64, id: String) {
        self.expanded.insert(ts, id);
    }

    /// Forgets what lies before `start` (outside the lag window): nothing there is emitted again.
    pub fn forget_before(&mut self, start: i64) {
        self.emitted.forget_before(start);
        self.expanded.forget_before(start);
    }

    /// The cursor as opaque text, at most [`MAX_TEXT`] long: past it the oldest remembered
    /// seconds are forgotten and the floor raised past them (see the module comment).
    pub fn encode(&mut self) -> String {
        loop {
            let text = base64url_encode(&serde_json::to_vec(self).expect("cursor serializes"));
            if text.len() <= MAX_TEXT {
                return text;
            }
            // JSON bytes to shed (base64 is 4/3 of it), forgetting whole seconds oldest first.
            let mut excess = (text.len() - MAX_TEXT) * 3 / 4 + 1;
            while excess > 0 {
                let oldest = [self.emitted.oldest(), self.expanded.oldest()]
                    .into_iter()
                    .flatten()
                    .min();
                let Some(ts) = oldest else {
                    // Nothing left to forget: only a giant search position could be this long.
                    self.scan = None;
                    break;
                };
                for map in [&mut self.emitted, &mut self.expanded] {
                    if let Some(keys) = map.remove(ts) {
                        excess = excess
                            .saturating_sub(keys.iter().map(|k| k.len() + 3).sum::<usize>() + 16);
                    }
                }
                self.floor = self.floor.max(ts + 1);
            }
        }
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
        if cursor.mark < 0 || cursor.floor < 0 {
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
        let mut c = Cursor::new("new-user", 1_700_000_000);
        c.remember_emitted(1_700_000_000, "a".into());
        c.remember_emitted(1_699_999_990, "b".into());
        c.remember_expanded(1_699_999_990, "i".into());
        c.scan = Some(Scan {
            lower: 1_699_913_600,
            window_start: 1_699_999_100,
            after: "WzE3MDAsImFiYyJd".into(),
            max: 1_700_000_005,
        });
        let text = c.encode();
        let back = Cursor::decode(&text, "new-user").unwrap();
        assert_eq!(back, c);
        assert!(back.was_emitted(1_699_999_990, "b") && !back.was_emitted(1_700_000_000, "b"));
        assert!(back.was_expanded(1_699_999_990, "i"));
    }

    #[test]
    fn the_window_forgets_what_lies_before_it() {
        let mut c = Cursor::new("new-user", 100);
        c.remember_emitted(10, "old".into());
        c.remember_emitted(50, "kept".into());
        c.remember_expanded(49, "item".into());
        c.forget_before(50);
        assert!(!c.was_emitted(10, "old") && c.was_emitted(50, "kept"));
        assert!(c.expanded.is_empty());
    }

    #[test]
    fn a_burst_past_the_size_bound_forgets_the_oldest_seconds_and_raises_the_floor() {
        let mut c = Cursor::new("new-user", 1_700_000_000);
        // 5,000 contact-id keys over 50 seconds: far more than 64 KiB.
        for i in 0..5_000i64 {
            c.remember_emitted(1_700_000_000 - 49 + i / 100, format!("{:024x}", i));
        }
        let text = c.encode();
        assert!(text.len() <= MAX_TEXT, "{}", text.len());
        let back = Cursor::decode(&text, "new-user").unwrap();
        let oldest_kept = back.emitted.oldest().unwrap();
        assert_eq!(
            back.floor, oldest_kept,
            "floor just past the forgotten seconds"
        );
        assert!(back.floor > 1_700_000_000 - 49);
        // Kept seconds are whole: every key of the newest second is there.
        assert_eq!(back.emitted.get(1_700_000_000).unwrap().len(), 100);
        assert!(back.emitted.len() >= 10, "most of the window is kept");
    }

    #[test]
    fn cursors_written_with_unsorted_keys_are_put_in_order() {
        // Seconds out of order, a second given twice (the last list counts, as a map reads it)
        // and keys out of order with a repeat: what earlier versions could write.
        let json = br#"{"v":2,"t":"new-user","h":30,"s":{"30":["b","a","b"],"10":["z"],"20":["x"],"10":["y","w"]}}"#;
        let c = Cursor::decode(&base64url_encode(json), "new-user").unwrap();
        assert_eq!(c.emitted.oldest(), Some(10));
        assert_eq!(c.emitted.get(10).unwrap(), ["w", "y"]);
        assert_eq!(c.emitted.get(30).unwrap(), ["a", "b"]);
        assert!(c.was_emitted(20, "x") && c.was_emitted(30, "a") && !c.was_emitted(10, "z"));
        // Written back as an object keyed by the second, oldest first.
        let mut again = c.clone();
        let text = String::from_utf8(base64url_decode(&again.encode()).unwrap()).unwrap();
        assert!(
            text.contains(r#""s":{"10":["w","y"],"20":["x"],"30":["a","b"]}"#),
            "{text}"
        );
    }

    fn field(r: Result<Cursor>) -> String {
        match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("expected invalid-input, got {other:?}"),
        }
    }

    #[test]
    fn bad_cursors_are_invalid_input_on_cursor() {
        let other = Cursor::new("new-lead", 5).encode();
        assert_eq!(field(Cursor::decode(&other, "new-user")), "cursor");
        assert_eq!(field(Cursor::decode("%%%", "new-user")), "cursor");
        assert_eq!(field(Cursor::decode("", "new-user")), "cursor");
        assert_eq!(
            field(Cursor::decode(&base64url_encode(b"[1,2]"), "new-user")),
            "cursor"
        );
        let mut future = Cursor::new("new-user", 5);
        future.version = 99;
        assert_eq!(
            field(Cursor::decode(&future.encode(), "new-user")),
            "cursor"
        );
    }
}
