//! Thousands of generated inputs (operation inputs, cursors, webhook deliveries, half of them
//! validly signed) through the real component: no trap, always a value or a typed
//! error, and input rejected as invalid writes nothing to Intercom (a read, such as fetching the
//! workspace's custom attributes to check a value against, may come first). The hand-written corpus in
//! `corpus/inputs.txt` runs first against every operation; then `FUZZ_CASES` (default 2000)
//! generated inputs from `FUZZ_SEED` (default fixed, so a failure replays exactly):
//! `FUZZ_CASES=20000 FUZZ_SEED=7 cargo nextest run -p host-tests --test fuzz_component`.

mod common;

use common::Harness;
use intercom_fake::sign_webhook;
use intercom_host::{ConnectorError, OperationKind};
use serde_json::{Map, Value};

/// xorshift64*: tiny, deterministic, good enough to pick shapes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const FIELDS: &[&str] = &[
    "id",
    "email",
    "external_id",
    "user_id",
    "phone",
    "name",
    "tag",
    "tag_id",
    "company_id",
    "company",
    "custom_attributes",
    "body",
    "admin_id",
    "event_name",
    "created_at",
    "metadata",
    "conversation_id",
    "message_type",
    "snoozed_until",
    "assignee_id",
    "plan",
    "size",
    "website",
    "monthly_spend",
    "role",
    "include_company_attributes",
    "x",
];
const STRINGS: &[&str] = &[
    "",
    " ",
    "a@b.c",
    "ada@example.com",
    "42",
    "6b07258b1bb69f9f00000001",
    "VIP",
    "../x",
    "a/b",
    "☃",
    "\u{0}",
    "null",
    "true",
    "2026-01-01T00:00:00Z",
    "user",
    "lead",
    "close",
    "admin",
];

fn value(rng: &mut Rng, depth: usize) -> Value {
    match rng.below(if depth > 3 { 6 } else { 9 }) {
        0 => Value::Null,
        1 => Value::Bool(rng.below(2) == 0),
        2 => Value::from(rng.next() as i64 >> rng.below(64)),
        3 => Value::from((rng.next() % 10_000) as f64 / 7.0),
        4 | 5 => Value::from(rng.pick(STRINGS)),
        6 => Value::from("x".repeat(rng.below(3) * 40_000)),
        7 => Value::Array((0..rng.below(4)).map(|_| value(rng, depth + 1)).collect()),
        _ => object(rng, depth + 1),
    }
}

fn object(rng: &mut Rng, depth: usize) -> Value {
    let mut map = Map::new();
    for _ in 0..rng.below(6) {
        map.insert(rng.pick(FIELDS).to_string(), value(rng, depth));
    }
    Value::Object(map)
}

fn input(rng: &mut Rng) -> String {
    match rng.below(10) {
        0 => value(rng, 0).to_string(),
        1 => {
            let mut s = object(rng, 0).to_string();
            let mut cut = rng.below(s.len() + 1);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s.truncate(cut);
            s
        }
        _ => object(rng, 0).to_string(),
    }
}

/// Whether a request changes data (searches are POSTs that only read).
fn is_write(method: &str, path: &str) -> bool {
    method != "GET" && !path.ends_with("/search")
}

/// Runs one call; panics on a trap, and on an invalid-input error that still wrote something.
fn check(h: &Harness, kind: OperationKind, key: &str, input: &str, cursor: Option<&str>) {
    let before = h.fake.requests().len();
    let outcome: anyhow::Result<Result<(), ConnectorError>> = match kind {
        OperationKind::Search => h.host.run_search(&h.conn, key, input).map(|r| r.map(drop)),
        OperationKind::Action => h.host.run_action(&h.conn, key, input).map(|r| r.map(drop)),
        OperationKind::Trigger => h
            .host
            .poll_trigger(&h.conn, key, input, cursor)
            .map(|r| r.map(drop)),
    };
    let result = outcome.unwrap_or_else(|e| panic!("trap on {key} with {input:.200}: {e:#}"));
    if let Err(ConnectorError::InvalidInput(f)) = &result {
        let writes: Vec<String> = h.fake.requests()[before..]
            .iter()
            .filter(|r| is_write(&r.method, &r.path))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            writes.is_empty(),
            "{key} rejected {input:.200} ({}: {}) after writing {writes:?}",
            f.field,
            f.message
        );
    }
}

#[test]
fn corpus_and_generated_inputs_never_trap_and_invalid_input_writes_nothing() {
    let h = Harness::new();
    h.fake.insert_contact(
        serde_json::json!({"role": "user", "email": "ada@example.com", "external_id": "42"}),
    );
    let ops: Vec<(OperationKind, String)> = h
        .host
        .describe()
        .unwrap()
        .operations
        .into_iter()
        .map(|o| (o.kind, o.key))
        .collect();

    let corpus = include_str!("corpus/inputs.txt");
    for line in corpus.lines() {
        for (kind, key) in &ops {
            check(&h, *kind, key, line, None);
        }
    }

    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED);
    let mut rng = Rng(seed | 1);
    let mut signed_parsed = 0;
    let cursors = [
        "",
        "garbage",
        "eyJ2IjoxfQ==",
        "e30",
        "eyJ2Ijo5OSwidCI6Im5ldy11c2VyIn0=",
    ];
    for _ in 0..cases {
        let (kind, key) = &ops[rng.below(ops.len())];
        let text = input(&mut rng);
        let cursor = (rng.below(4) == 0).then(|| cursors[rng.below(cursors.len())]);
        check(&h, *kind, key, &text, cursor);
    }
    // Generated webhooks: half carry a valid signature over an envelope around a generated item,
    // so envelope parsing, shaping and time normalisation are fuzzed too, not only the check.
    let topics = [
        "contact.user.created",
        "contact.lead.created",
        "contact.user.tag.created",
        "conversation.user.created",
        "conversation.admin.closed",
        "conversation_part.tag.created",
        "company.created",
        "contact.unsubscribed",
        "ping",
        "x.y",
    ];
    for _ in 0..cases / 4 {
        let secret = rng.pick(STRINGS);
        let signed = rng.below(2) == 0;
        let body = if signed {
            serde_json::json!({
                "type": "notification_event", "id": "notif_1",
                "topic": topics[rng.below(topics.len())],
                "created_at": value(&mut rng, 2),
                "data": {"type": "notification_event_data", "item": value(&mut rng, 0)},
            })
            .to_string()
        } else {
            input(&mut rng)
        };
        let signature = if signed {
            sign_webhook(secret, body.as_bytes())
        } else {
            format!("sha1={}", "0f".repeat(rng.below(30)))
        };
        let headers = vec![
            ("X-Hub-Signature".to_string(), signature),
            (rng.pick(FIELDS).to_string(), rng.pick(STRINGS).to_string()),
        ];
        let outcome = h
            .host
            .parse_webhook(secret, &headers, body.as_bytes())
            .expect("no trap on a webhook");
        if signed {
            signed_parsed += usize::from(outcome.is_ok());
        }
    }
    if cases >= 200 {
        assert!(
            signed_parsed > 0,
            "some signed envelopes get past the check to the parser"
        );
    }
}
