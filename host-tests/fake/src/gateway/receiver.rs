//! The workflow platform's ingest endpoint: checks each forward's signature with the
//! `standardwebhooks` crate (the specification's reference library, not our code) and records
//! what it took. It can be told to answer an error status or to be slow.

use crate::http::{HttpRequest, HttpServer, Reply};
use anyhow::{Context, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the receiver answers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// Verifies, keeps the forward and answers 204.
    Take,
    /// Answers this status without keeping the forward.
    Status(u16),
    /// Keeps the forward but answers 204 only after this long.
    Slow(Duration),
}

/// One forward the receiver verified and kept.
#[derive(Debug, Clone)]
pub struct Forward {
    /// `webhook-id`.
    pub id: String,
    pub body: Value,
}

struct State {
    taken: Vec<Forward>,
    /// Forwards whose signature did not verify, with the library's reason.
    forged: Vec<String>,
    answer: Answer,
}

pub struct Receiver {
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    url: String,
    _server: HttpServer,
}

impl Receiver {
    /// Listens on a free loopback port; forwards must be signed with `key` (`whsec_...`).
    pub fn start(key: &str) -> Result<Receiver> {
        let webhook = standardwebhooks::Webhook::new(key).context("a whsec_ key")?;
        let state = Arc::new(Mutex::new(State {
            taken: vec![],
            forged: vec![],
            answer: Answer::Take,
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (state.clone(), stop.clone());
        let server = HttpServer::start(
            0,
            Arc::new(move |request| serve(&webhook, &s, &st, request)),
        )
        .context("binding the receiver")?;
        Ok(Receiver {
            url: format!("http://{}/ingest", server.addr()),
            state,
            stop,
            _server: server,
        })
    }

    /// The URL to give the gateway as `FORWARD_URL`.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn answer(&self, answer: Answer) {
        self.state.lock().unwrap().answer = answer;
    }

    /// Every forward taken, in arrival order.
    pub fn taken(&self) -> Vec<Forward> {
        self.state.lock().unwrap().taken.clone()
    }

    /// How many times each `webhook-id` was taken.
    pub fn counts(&self) -> HashMap<String, usize> {
        let mut counts = HashMap::new();
        for f in self.state.lock().unwrap().taken.iter() {
            *counts.entry(f.id.clone()).or_default() += 1;
        }
        counts
    }

    /// Forwards refused for their signature, with the reason.
    pub fn forged(&self) -> Vec<String> {
        self.state.lock().unwrap().forged.clone()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        // A slow answer in progress ends now, so the server's threads join at once.
        self.stop.store(true, Ordering::SeqCst);
    }
}

fn serve(
    webhook: &standardwebhooks::Webhook,
    state: &Mutex<State>,
    stop: &AtomicBool,
    request: HttpRequest,
) -> Reply {
    let mut headers = http::HeaderMap::new();
    for (k, v) in &request.headers {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(v),
        ) {
            headers.append(name, value);
        }
    }
    let answer = state.lock().unwrap().answer;
    let status = match (answer, webhook.verify(&request.body, &headers)) {
        (_, Err(e)) => {
            state.lock().unwrap().forged.push(e.to_string());
            401
        }
        (Answer::Status(status), Ok(())) => status,
        (Answer::Take | Answer::Slow(_), Ok(())) => {
            let id = headers
                .get("webhook-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
            state.lock().unwrap().taken.push(Forward { id, body });
            if let Answer::Slow(delay) = answer {
                let end = Instant::now() + delay;
                while Instant::now() < end && !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
            204
        }
    };
    Reply::Full {
        status,
        headers: vec![],
        body: vec![],
    }
}
