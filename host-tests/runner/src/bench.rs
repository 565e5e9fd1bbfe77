//! `connector bench`: figures, not assertions. Everything runs in one process against one fake
//! Intercom on loopback, so ratios compare like with like on a noisy shared machine.
//!
//! - operations: a search, an action and a poll of 150 contacts through the component (warm
//!   host) vs the very same HTTP requests replayed by a native keep-alive client (`ureq`), first
//!   against the fake Intercom (end to end), then against a canned upstream that replays the
//!   fake's answers from memory, so the component's and host's own cost shows (issue 17);
//! - cold start: compile, load of the precompiled artifact, instantiate, first call;
//! - webhook verify + normalise per event: component vs the same Rust code natively;
//! - the `.wasm` size and the peak linear memory of an instance;
//! - gateway: the webhook gateway under `wasmtime serve` vs a Node 20 peer (bench/gateway.rs).

use anyhow::{Context, Result};
use intercom_fake::artifact;
use intercom_fake::{canned, sign_webhook, FakeIntercom, RecordedRequest, TOKEN};
use intercom_host::{self as host, cache, Connection, ConnectorError, ConnectorHost, Limits};
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use wasmtime::component::Component;

/// Rounds per figure; `CONNECTOR_BENCH_ROUNDS` raises it (e.g. to give a profiler more samples).
fn rounds() -> usize {
    std::env::var("CONNECTOR_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(30)
}

const SECTIONS: [&str; 7] = [
    "operations",
    "profile",
    "cold",
    "webhook",
    "size",
    "gateway",
    "poll-scaling",
];

mod gateway;

/// Targets from the issue, printed next to the figures.
const TARGET_OPERATION_RATIO: f64 = 1.2;
const TARGET_COLD_VS_WARM: f64 = 2.0;
const TARGET_WEBHOOK_RATIO: f64 = 2.0;
const TARGET_WASM_BYTES: u64 = 600 * 1024;
const TARGET_MEMORY_BYTES: usize = 4 << 20;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(rounds: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..rounds)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// Medians of `a` and `b`, timed alternately (a, b, a, b, ...).
fn time_pair<A, B>(
    rounds: usize,
    mut a: impl FnMut() -> A,
    mut b: impl FnMut() -> B,
) -> (Duration, Duration) {
    let (mut ta, mut tb) = (Vec::with_capacity(rounds), Vec::with_capacity(rounds));
    for _ in 0..rounds {
        let start = Instant::now();
        std::hint::black_box(a());
        ta.push(start.elapsed());
        let start = Instant::now();
        std::hint::black_box(b());
        tb.push(start.elapsed());
    }
    (median(ta), median(tb))
}

fn us(d: Duration) -> String {
    format!("{:>9.1} µs", d.as_secs_f64() * 1e6)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "meets target"
    } else {
        "MISSES target"
    }
}

/// Replays recorded requests with a native keep-alive client, parsing each JSON answer like the
/// component does.
struct Native {
    agent: ureq::Agent,
    base: String,
}

impl Native {
    fn replay(&self, requests: &[RecordedRequest]) -> Result<usize> {
        Ok(self.exchange(requests)?.iter().map(|(_, b)| b.len()).sum())
    }

    /// The upstream's answers to `requests`, recorded for the canned upstream.
    fn answers(&self, requests: &[RecordedRequest]) -> Result<Vec<canned::Answer>> {
        let answers = self.exchange(requests)?;
        Ok(requests
            .iter()
            .zip(answers)
            .map(|(r, (status, body))| canned::Answer {
                method: r.method.clone(),
                path: r.path.clone(),
                query: r.query.clone(),
                request_body: r.body.clone(),
                status,
                body,
            })
            .collect())
    }

    /// Sends each request, parses each JSON answer (as the component does) and keeps it.
    fn exchange(&self, requests: &[RecordedRequest]) -> Result<Vec<(u16, Vec<u8>)>> {
        let mut out = Vec::with_capacity(requests.len());
        for r in requests {
            let mut url = format!("{}{}", self.base, r.path);
            if !r.query.is_empty() {
                let q: Vec<String> = r
                    .query
                    .iter()
                    .map(|(k, v)| format!("{k}={}", intercom_connector::intercom::encode(v)))
                    .collect();
                url = format!("{url}?{}", q.join("&"));
            }
            let auth = format!("Bearer {TOKEN}");
            let mut response = match r.method.as_str() {
                "GET" | "DELETE" => {
                    let req = if r.method == "GET" {
                        self.agent.get(&url)
                    } else {
                        self.agent.delete(&url)
                    };
                    req.header("Authorization", &auth)
                        .header("Accept", "application/json")
                        .header("Intercom-Version", "2.16")
                        .call()?
                }
                method => {
                    let req = if method == "PUT" {
                        self.agent.put(&url)
                    } else {
                        self.agent.post(&url)
                    };
                    req.header("Authorization", &auth)
                        .header("Accept", "application/json")
                        .header("Intercom-Version", "2.16")
                        .content_type("application/json")
                        .send(&r.body[..])?
                }
            };
            let status = response.status().as_u16();
            let body = response.body_mut().read_to_vec()?;
            if !body.is_empty() {
                let v: Value = serde_json::from_slice(&body)?;
                std::hint::black_box(v);
            }
            out.push((status, body));
        }
        Ok(out)
    }
}

/// Where a benchmarked call runs: a fresh instance per call (the host's own methods), or a
/// session's kept instance.
trait Calls {
    fn search(&mut self, input: &str) -> Result<Result<Vec<String>, ConnectorError>>;
    fn action(&mut self, input: &str) -> Result<Result<String, ConnectorError>>;
    fn poll(&mut self, cursor: &str) -> Result<Result<host::PollPage, ConnectorError>>;
}

impl Calls for (&ConnectorHost, &Connection) {
    fn search(&mut self, input: &str) -> Result<Result<Vec<String>, ConnectorError>> {
        self.0.run_search(self.1, "find-user", input)
    }
    fn action(&mut self, input: &str) -> Result<Result<String, ConnectorError>> {
        self.0.run_action(self.1, "add-tag-to-user", input)
    }
    fn poll(&mut self, cursor: &str) -> Result<Result<host::PollPage, ConnectorError>> {
        self.0.poll_trigger(self.1, "new-user", "{}", Some(cursor))
    }
}

impl Calls for host::Session<'_> {
    fn search(&mut self, input: &str) -> Result<Result<Vec<String>, ConnectorError>> {
        self.run_search("find-user", input)
    }
    fn action(&mut self, input: &str) -> Result<Result<String, ConnectorError>> {
        self.run_action("add-tag-to-user", input)
    }
    fn poll(&mut self, cursor: &str) -> Result<Result<host::PollPage, ConnectorError>> {
        self.poll_trigger("new-user", "{}", Some(cursor))
    }
}

/// One benchmarked operation through the component, on a fresh instance or a session's.
fn operation(calls: &mut impl Calls, name: &str, cursor: &str) -> Result<()> {
    let fail = |e: ConnectorError| anyhow::anyhow!("{name}: {e:?}");
    match name {
        SEARCH => {
            calls
                .search(r#"{"email":"ada@example.com"}"#)?
                .map_err(fail)?;
        }
        ACTION => {
            calls
                .action(r#"{"email":"ada@example.com","tag":"VIP"}"#)?
                .map_err(fail)?;
        }
        _ => {
            let page = calls.poll(cursor)?.map_err(fail)?;
            anyhow::ensure!(
                page.events.len() >= 150,
                "poll returned {} events",
                page.events.len()
            );
        }
    }
    Ok(())
}

/// A search on a fresh instance (what every call of the host is) against the same search on an
/// instance that has already served one: what instantiation adds.
fn fresh_vs_reused(host: &ConnectorHost, conn: &Connection, rounds: usize) -> Result<()> {
    let input = r#"{"email":"ada@example.com"}"#.to_string();
    let searches = |n: usize| {
        host.call(async |c, s| {
            for _ in 0..n {
                c.workflow_connector_searches()
                    .call_run_search(&mut *s, conn, "find-user", &input)
                    .await?
                    .map_err(|e| wasmtime::format_err!("{e:?}"))?;
            }
            Ok(())
        })
        .expect("searches run")
    };
    let (one, two) = time_pair(rounds, || searches(1), || searches(2));
    let reused = two.saturating_sub(one);
    let ratio = one.as_secs_f64() / reused.as_secs_f64().max(1e-9);
    println!(
        "search on a fresh instance     {} vs {} on a reused one: {ratio:.2}  (target ≤ {TARGET_COLD_VS_WARM}) {}",
        us(one),
        us(reused),
        verdict(ratio <= TARGET_COLD_VS_WARM)
    );
    Ok(())
}

/// Calls per second and p99 latency of a search with 1, 2, 8 and 64 calls in flight through one
/// host (one thread per call in flight), against the same requests sent natively from as many
/// threads; and the linear memory each in-flight instance holds.
fn concurrency(
    host: &ConnectorHost,
    conn: &Connection,
    native: &Native,
    requests: &[RecordedRequest],
    rounds: usize,
) -> Result<()> {
    let input = r#"{"email":"ada@example.com"}"#.to_string();
    let peak = std::sync::atomic::AtomicUsize::new(0);
    let component = || {
        let ((), stats) = host
            .call_measured(async |c, s| {
                c.workflow_connector_searches()
                    .call_run_search(s, conn, "find-user", &input)
                    .await?
                    .map_err(|e| wasmtime::format_err!("{e:?}"))?;
                Ok(())
            })
            .expect("search runs");
        peak.fetch_max(
            stats.peak_memory_bytes,
            std::sync::atomic::Ordering::Relaxed,
        );
    };
    let native = || {
        native.replay(requests).expect("replay runs");
    };
    println!(
        "
search with calls in flight (one host; threads; canned upstream)"
    );
    println!("in flight   component calls/s   p99          native calls/s   p99          ratio");
    let total = (rounds * 10).max(64);
    for in_flight in [1usize, 2, 8, 64] {
        let (c_rate, c_p99) = load(in_flight, total, &component);
        let (n_rate, n_p99) = load(in_flight, total, &native);
        println!(
            "{in_flight:>9}   {c_rate:>17.0} {}   {n_rate:>14.0} {}   {:>5.2}",
            us(c_p99),
            us(n_p99),
            n_rate / c_rate
        );
    }
    println!(
        "linear memory per in-flight instance (peak of a search): {} KiB",
        peak.load(std::sync::atomic::Ordering::Relaxed) / 1024
    );
    Ok(())
}

/// A canned upstream replaying `answers`, and a host and connection allowed to reach only it
/// (besides Intercom's hosts). The upstream stops when the first value is dropped.
fn canned_host(
    component: &Path,
    answers: Vec<canned::Answer>,
) -> Result<(canned::CannedUpstream, ConnectorHost, Connection)> {
    let canned = canned::CannedUpstream::start(answers)?;
    let mut policy = host::EgressPolicy::intercom();
    policy.allow(&canned.host());
    let host = ConnectorHost::load(component, policy, Limits::default())?;
    let conn = host::connection(TOKEN, host::Region::Us, Some(canned.base_url()));
    Ok((canned, host, conn))
}

/// `bench profile`: one operation (`CONNECTOR_BENCH_OP`: search, action or poll; default
/// search) against the canned upstream, `rounds` times and nothing else, so a profiler attached
/// to the process (`perf record`, with `CONNECTOR_PERFMAP=1` for the component's frames) samples
/// only that call path. `CONNECTOR_BENCH_SIDE` says whose: `fresh` (default; a fresh instance per
/// call), `session` (one kept instance) or `native` (the same requests through `ureq`), so the
/// component's profile can be set against the native one (`host-tests/runner/perf-breakdown.py`).
fn profile(
    component: &Path,
    host: &ConnectorHost,
    conn: &Connection,
    fake: &FakeIntercom,
    native: &Native,
    cursor: &str,
    rounds: usize,
) -> Result<()> {
    let op = std::env::var("CONNECTOR_BENCH_OP").unwrap_or_else(|_| "search".into());
    let name = match op.as_str() {
        "search" => SEARCH,
        "action" => ACTION,
        "poll" => POLL,
        other => anyhow::bail!("CONNECTOR_BENCH_OP={other}: use search, action or poll"),
    };
    // Whose calls are profiled, checked before any work so a typo fails at once.
    enum Side {
        Fresh,
        Session,
        Native,
    }
    let side_name = std::env::var("CONNECTOR_BENCH_SIDE").unwrap_or_else(|_| "fresh".into());
    let side = match side_name.as_str() {
        "fresh" => Side::Fresh,
        "session" => Side::Session,
        "native" => Side::Native,
        other => anyhow::bail!("CONNECTOR_BENCH_SIDE={other}: use fresh, session or native"),
    };
    operation(&mut (host, conn), name, cursor)?;
    fake.clear_requests();
    operation(&mut (host, conn), name, cursor)?;
    let requests = fake.requests();
    let (canned, canned_host, canned_conn) = canned_host(component, native.answers(&requests)?)?;
    let canned_native = Native {
        agent: ureq::Agent::new_with_defaults(),
        base: canned.base_url(),
    };
    let mut session = canned_host.session(&canned_conn);
    let mut once = || -> Result<()> {
        match side {
            Side::Fresh => operation(&mut (&canned_host, &canned_conn), name, cursor),
            Side::Session => operation(&mut session, name, cursor),
            Side::Native => canned_native.replay(&requests).map(drop),
        }
    };
    once()?;
    let started = Instant::now();
    for _ in 0..rounds {
        once()?;
    }
    let each = started.elapsed() / rounds.max(1) as u32;
    println!(
        "{name}: {rounds} rounds ({side_name}), {} each (canned upstream)",
        us(each)
    );
    Ok(())
}

/// Runs `total` calls of `f` spread over `threads` threads: calls per second and p99 latency.
fn load(threads: usize, total: usize, f: &(impl Fn() + Sync)) -> (f64, Duration) {
    let per_thread = total.div_ceil(threads);
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    (0..per_thread)
                        .map(|_| {
                            let t = Instant::now();
                            f();
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a bench thread"))
            .collect()
    });
    let wall = started.elapsed();
    latencies.sort();
    let p99 = latencies[(latencies.len() * 99 / 100).min(latencies.len() - 1)];
    (latencies.len() as f64 / wall.as_secs_f64(), p99)
}

const SEARCH: &str = "search find-user";
const ACTION: &str = "action add-tag-to-user";
const POLL: &str = "poll new-user (150 contacts)";

/// Runs every section, or only `only` (`operations`, `cold`, `webhook`, `size`) when given:
/// handy under a profiler.
pub fn run(component: &Path, only: Option<&str>) -> Result<()> {
    if let Some(s) = only.filter(|s| !SECTIONS.contains(s)) {
        anyhow::bail!(
            "no bench section `{s}`; the sections are {}",
            SECTIONS.join(", ")
        );
    }
    let wants = |section: &str| only.is_none_or(|s| s == section);
    let rounds = rounds();
    artifact::ensure_built(component)?;
    if only == Some("poll-scaling") {
        return poll_scaling(component);
    }
    if only == Some("gateway") {
        return gateway::run(component);
    }
    let fake = FakeIntercom::start();
    // These figures measure speed; the search index lag is proven in triggers_poll.
    fake.set_search_lag(0);
    let policy = fake.egress_policy();
    let conn = fake.connection();
    println!(
        "Intercom connector benchmark ({} rounds per figure, medians, loopback fake Intercom)\n",
        rounds
    );

    let host = ConnectorHost::load(component, policy.clone(), Limits::default())?;
    let bytes = std::fs::read(component)?;

    // --- operations: component vs native replay ------------------------------------------
    seed(&fake);
    let native = Native {
        agent: ureq::Agent::new_with_defaults(),
        base: fake.base_url(),
    };
    let first = host
        .poll_trigger(&conn, "new-user", "{}", None)?
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    fake.advance(1);
    for i in 0..150 {
        fake.insert_contact(json!({"role": "user", "email": format!("bench{i}@example.com")}));
    }
    fake.advance(1);
    let cursor = first.cursor;

    let mut warm_call = Duration::MAX;
    if only == Some("profile") {
        return profile(component, &host, &conn, &fake, &native, &cursor, rounds);
    }
    // After the profile's return: its setup must not grow with the rounds.
    let instantiate = time(rounds, || {
        host.call(async |_, _| Ok(())).expect("instantiates")
    });
    if wants("operations") {
        // The fake's answers, recorded per operation, for the canned upstream below.
        let mut recorded = Vec::new();
        println!(
            "against the fake Intercom (end to end; its checks and search dominate both sides)"
        );
        println!("operation                         component      native   ratio  (target ≤ {TARGET_OPERATION_RATIO})");
        for name in [SEARCH, ACTION, POLL] {
            let op = || operation(&mut (&host, &conn), name, &cursor);
            op().with_context(|| format!("warming up {name}"))?;
            fake.clear_requests();
            op()?;
            let requests = fake.requests();
            recorded.extend(native.answers(&requests)?);
            // Alternate the two sides round by round so both see the same machine load.
            let (component_time, native_time) = time_pair(
                rounds,
                || op().expect("operation runs"),
                || native.replay(&requests).expect("replay runs"),
            );
            let ratio = component_time.as_secs_f64() / native_time.as_secs_f64();
            warm_call = warm_call.min(component_time);
            println!(
                "{name:<30} {} {}  {ratio:>5.2}  {} ({} requests)",
                us(component_time),
                us(native_time),
                verdict(ratio <= TARGET_OPERATION_RATIO),
                requests.len()
            );
        }
        // The same requests answered from memory: what the component and host themselves cost.
        let (canned, canned_host, canned_conn) = canned_host(component, recorded)?;
        let canned_native = Native {
            agent: ureq::Agent::new_with_defaults(),
            base: canned.base_url(),
        };
        println!("\nagainst a canned upstream (the fake's answers replayed from memory)");
        println!("operation                         component      native   ratio  overhead  (target ≤ {TARGET_OPERATION_RATIO})");
        for name in [SEARCH, ACTION, POLL] {
            let op = || operation(&mut (&canned_host, &canned_conn), name, &cursor);
            op().with_context(|| format!("warming up {name} against the canned upstream"))?;
            fake.clear_requests();
            operation(&mut (&host, &conn), name, &cursor)?;
            let requests = fake.requests();
            let (component_time, native_time) = time_pair(
                rounds,
                || op().expect("operation runs"),
                || canned_native.replay(&requests).expect("replay runs"),
            );
            let ratio = component_time.as_secs_f64() / native_time.as_secs_f64();
            let overhead = component_time.saturating_sub(native_time);
            println!(
                "{name:<30} {} {}  {ratio:>5.2} {}  {}",
                us(component_time),
                us(native_time),
                us(overhead),
                verdict(ratio <= TARGET_OPERATION_RATIO),
            );
        }
        // The same, each call on one session's kept instance (a platform's worker per
        // connection): what a fresh instance per call costs, against the same native figure.
        println!("in a session (one instance kept for the connection's calls)");
        // The session holds one of the host's instance slots until it is dropped, after this loop.
        let mut session = canned_host.session(&canned_conn);
        for name in [SEARCH, ACTION, POLL] {
            operation(&mut session, name, &cursor)
                .with_context(|| format!("warming up {name} in a session"))?;
            fake.clear_requests();
            operation(&mut (&host, &conn), name, &cursor)?;
            let requests = fake.requests();
            let (component_time, native_time) = time_pair(
                rounds,
                || operation(&mut session, name, &cursor).expect("operation runs"),
                || canned_native.replay(&requests).expect("replay runs"),
            );
            let ratio = component_time.as_secs_f64() / native_time.as_secs_f64();
            let overhead = component_time.saturating_sub(native_time);
            println!(
                "{:<30} {} {}  {ratio:>5.2} {}  {}",
                format!("{name} (session)"),
                us(component_time),
                us(native_time),
                us(overhead),
                verdict(ratio <= TARGET_OPERATION_RATIO),
            );
        }
        drop(session);
        fresh_vs_reused(&canned_host, &canned_conn, rounds)?;
        fake.clear_requests();
        operation(&mut (&host, &conn), SEARCH, &cursor)?;
        concurrency(
            &canned_host,
            &canned_conn,
            &canned_native,
            &fake.requests(),
            rounds,
        )?;
    }

    if wants("cold") {
        // --- cold start ---------------------------------------------------------------------
        let engine = host::engine()?;
        let compile = time(3, || engine.precompile_component(&bytes).expect("compiles"));
        let compiled = engine
            .precompile_component(&bytes)
            .map_err(anyhow::Error::from)?;
        // SAFETY: produced by this engine just above.
        let load = time(rounds, || {
            unsafe { Component::deserialize(&engine, &compiled) }.expect("loads")
        });
        let first_call = time(10, || {
            // SAFETY: as above.
            let c = unsafe { Component::deserialize(&engine, &compiled) }.expect("loads");
            let h = ConnectorHost::from_component(
                engine.clone(),
                &c,
                policy.clone(),
                Limits::default(),
                cache::Loaded::FromCache,
            )
            .expect("links");
            h.test_connection(&conn)
                .expect("no trap")
                .expect("connects")
        });
        println!("\ncold start");
        println!("  compile (Cranelift)          {}", us(compile));
        println!("  load precompiled             {}", us(load));
        println!("  instantiate (InstancePre)    {}", us(instantiate));
        println!("  load + link + first call     {}", us(first_call));
        if warm_call < Duration::MAX {
            let cold_ratio = (load + first_call).as_secs_f64() / warm_call.as_secs_f64();
            println!(
            "  cold (precompiled) / warm call = {cold_ratio:.2}  (target ≤ {TARGET_COLD_VS_WARM}) {}",
            verdict(cold_ratio <= TARGET_COLD_VS_WARM)
        );
        }
    }

    if wants("webhook") {
        // --- webhooks ------------------------------------------------------------------------
        let secret = "bench-client-secret";
        let body = webhook_body();
        let headers = vec![("X-Hub-Signature".to_string(), sign_webhook(secret, &body))];
        let (component_hook, native_hook) = time_pair(
            rounds * 10,
            || {
                host.parse_webhook(secret, &headers, &body)
                    .expect("no trap")
                    .expect("verifies")
            },
            || native_webhook(secret, &headers, &body),
        );
        let hook_ratio = component_hook.as_secs_f64() / native_hook.as_secs_f64();
        println!("\nwebhook verify + normalise     {} {}  {hook_ratio:>5.2}  (target ≤ {TARGET_WEBHOOK_RATIO}) {}",
        us(component_hook), us(native_hook), verdict(hook_ratio <= TARGET_WEBHOOK_RATIO));
        println!(
            "  (component figure includes a fresh instance per call: {} of it)",
            us(instantiate)
        );
        // A burst from one app on one instance (ConnectorHost::parse_webhooks): the code's own
        // speed. Then a burst of `ping`s: what every delivery costs before its item (the call,
        // HMAC-SHA1, the envelope), which bounds how close the ratio can get.
        let ping = ping_body();
        let ping_headers = vec![("X-Hub-Signature".to_string(), sign_webhook(secret, &ping))];
        for (label, headers, body, judged) in [
            ("per delivery in a burst of 20", &headers, &body, true),
            ("  of which fixed (`ping`s)   ", &ping_headers, &ping, false),
        ] {
            const BURST: usize = 20;
            let burst: Vec<host::Delivery> = (0..BURST)
                .map(|_| (headers.clone(), body.clone()))
                .collect();
            let (component_burst, native_burst) = time_pair(
                rounds,
                || host.parse_webhooks(secret, &burst).expect("no trap"),
                || {
                    for (h, b) in &burst {
                        native_webhook(secret, h, b);
                    }
                },
            );
            let per = |d: Duration| d / BURST as u32;
            let ratio = component_burst.as_secs_f64() / native_burst.as_secs_f64();
            let target = if judged {
                format!(
                    "  (target ≤ {TARGET_WEBHOOK_RATIO}) {}",
                    verdict(ratio <= TARGET_WEBHOOK_RATIO)
                )
            } else {
                String::new()
            };
            println!(
                "  {label} {} {}  {ratio:>5.2}{target}",
                us(per(component_burst)),
                us(per(native_burst))
            );
        }
    }

    if wants("size") {
        // --- size and memory -----------------------------------------------------------------
        let size = bytes.len() as u64;
        let (_, stats) = host.call_measured(async |c, s| {
            c.workflow_connector_triggers()
                .call_poll_trigger(s, &conn, "new-user", &"{}".to_string(), Some(&cursor))
                .await
        })?;
        println!(
            "\n.wasm size                     {:>9} bytes  (target ≤ {TARGET_WASM_BYTES}) {}",
            size,
            verdict(size <= TARGET_WASM_BYTES)
        );
        println!(
            "peak linear memory (poll 150)  {:>9} bytes  (target ≤ {TARGET_MEMORY_BYTES}) {}",
            stats.peak_memory_bytes,
            verdict(stats.peak_memory_bytes <= TARGET_MEMORY_BYTES)
        );
    }
    if wants("gateway") {
        println!();
        gateway::run(component)?;
    }
    Ok(())
}

/// `connector bench poll-scaling`: one poll over workspaces of growing size. The component's
/// share of each poll (its wall time minus the fake's time answering) per item it read, and the
/// peak linear memory, should stay flat: bounded by the page, not the workspace.
fn poll_scaling(component: &Path) -> Result<()> {
    println!(
        "poll scaling: one poll from a cursor with every item new (lag off: this measures cost)\n"
    );
    println!(
        "  {:<34} {:>9} {:>7} {:>10} {:>12} {:>14}",
        "workspace", "requests", "items", "poll ms", "us/item", "peak memory"
    );
    let row = |label: &str,
               fake: &FakeIntercom,
               host: &ConnectorHost,
               key: &str,
               cursor: &str,
               items: usize|
     -> Result<()> {
        fake.clear_requests();
        let (busy0, t0) = (fake.busy(), Instant::now());
        let (page, stats) = host.call_measured(async |c, s| {
            c.workflow_connector_triggers()
                .call_poll_trigger(s, &fake.connection(), key, &"{}".to_string(), Some(cursor))
                .await
        })?;
        let wall = t0.elapsed();
        let own = wall.saturating_sub(fake.busy() - busy0);
        let page = page.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let items = if items == 0 { page.events.len() } else { items };
        println!(
            "  {label:<34} {:>9} {:>7} {:>10.1} {:>12.2} {:>14}",
            fake.requests().len(),
            items,
            wall.as_secs_f64() * 1e3,
            own.as_secs_f64() * 1e6 / items.max(1) as f64,
            stats.peak_memory_bytes
        );
        Ok(())
    };
    // The fake renders every contact for each search: at 100,000 a poll takes a minute.
    let limits = || Limits {
        call_timeout: Duration::from_secs(600),
        ..Limits::default()
    };
    for n in [1_000usize, 10_000, 100_000] {
        let fake = FakeIntercom::start();
        fake.set_search_lag(0);
        let host = ConnectorHost::load(component, fake.egress_policy(), limits())?;
        let first = host
            .poll_trigger(&fake.connection(), "new-user", "{}", None)?
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        fake.advance(1);
        for i in 0..n {
            if i % 100 == 0 {
                fake.advance(1);
            }
            fake.insert_contact(json!({"role": "user", "email": format!("u{i}@example.com")}));
        }
        // One poll reads its page bound (3 pages of 150) of the n new users.
        row(
            &format!("new-user, {n} new users"),
            &fake,
            &host,
            "new-user",
            &first.cursor,
            0,
        )?;
    }
    let fake = FakeIntercom::start();
    let host = ConnectorHost::load(component, fake.egress_policy(), limits())?;
    fake.insert_companies(50_000, |i| 1_750_000_000 + i as i64 / 10);
    let first = host
        .poll_trigger(&fake.connection(), "new-company", "{}", None)?
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    fake.insert_companies(450, |_| 1_750_010_000);
    // Every company is read (no company search): the cost per company read.
    row(
        "new-company, 50,000 (+450 new)",
        &fake,
        &host,
        "new-company",
        &first.cursor,
        50_450,
    )?;
    Ok(())
}

/// The native side of the webhook figure: the same verify + normalise code, ending like the
/// component's export does, with each event's data as JSON text (what leaves either side).
fn native_webhook(secret: &str, headers: &[(String, String)], body: &[u8]) -> Vec<String> {
    let result =
        intercom_connector::triggers::parse_webhook(secret, headers, body).expect("verifies");
    result
        .events
        .iter()
        .map(|e| serde_json::to_string(&e.data).expect("serialises"))
        .collect()
}

/// Intercom's `ping` notification: verified and parsed, but it carries no event.
fn ping_body() -> Vec<u8> {
    json!({
        "type": "notification_event", "app_id": "fk4ke1nt", "id": "notif_ping-0001",
        "topic": "ping", "created_at": 1_790_000_000,
        "data": {"type": "notification_event_data", "item": {"type": "ping", "message": "hi"}}
    })
    .to_string()
    .into_bytes()
}

fn seed(fake: &FakeIntercom) {
    fake.insert_contact(
        json!({"role": "user", "email": "ada@example.com", "external_id": "u-1", "name": "Ada"}),
    );
}

/// A `contact.user.created` delivery shaped like Intercom's (ISO timestamps in the item).
fn webhook_body() -> Vec<u8> {
    json!({
        "type": "notification_event",
        "app_id": "fk4ke1nt",
        "id": "notif_bench-0001",
        "topic": "contact.user.created",
        "created_at": 1_790_000_000,
        "delivery_attempts": 1,
        "first_sent_at": 1_790_000_001,
        "data": {"type": "notification_event_data", "item": {
            "type": "contact", "id": "6b0726fe1bb69f9f00000001", "role": "user",
            "email": "ada@example.com", "external_id": "u-1", "name": "Ada",
            "created_at": "2026-09-21T12:00:00.000+00:00", "updated_at": "2026-09-21T12:00:01.000+00:00",
            "custom_attributes": {}, "tags": {"type": "list", "data": []}
        }}
    })
    .to_string()
    .into_bytes()
}
