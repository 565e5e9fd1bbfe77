//! Wall-clock helpers. On wasm32-wasip2 `SystemTime` reads `wasi:clocks/wall-clock`.

use std::time::{SystemTime, UNIX_EPOCH};

pub const DAY: i64 = 86_400;

/// Now, in Unix seconds.
pub fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Midnight UTC of the day holding `ts`.
pub fn day_start(ts: i64) -> i64 {
    ts.div_euclid(DAY) * DAY
}
