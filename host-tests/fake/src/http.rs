//! The fake's HTTP/1.1 server, on hyper: keep-alive, `Content-Length` and chunked request
//! bodies and `Expect: 100-continue` are hyper's. Every fault the connector's transport must
//! survive is expressed through hyper too, so there is no raw-socket path to keep:
//! - a stall mid-body and a trickle are response bodies whose frames come late (the length is
//!   announced up front, as the old raw server did);
//! - a dropped connection is the service failing, on which hyper closes the connection without
//!   writing a response;
//! - a silent server is the handler sleeping before it answers.
//!
//! The handler is synchronous (it may sleep to inject a fault), so it runs on tokio's blocking
//! pool. Drop stops the accept loop and every connection.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

pub struct HttpRequest {
    pub method: String,
    /// Raw request target (path + query).
    pub target: String,
    /// Header names lower-cased, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

pub enum Reply {
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Send headers and `body[..split]`, pause, then the rest.
    Stall {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        split: usize,
        pause: Duration,
    },
    /// Send headers, then the body one byte every `every` (steady enough that no between-bytes
    /// timeout fires).
    Trickle {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        every: Duration,
    },
    /// Close the connection without writing anything.
    Close,
}

pub type Handler = Arc<dyn Fn(HttpRequest) -> Reply + Send + Sync>;

#[derive(Default)]
struct Counters {
    accepted: AtomicU64,
    /// Requests being handled now, and the most ever handled at once.
    in_flight: AtomicU64,
    peak_in_flight: AtomicU64,
}

pub struct HttpServer {
    addr: SocketAddr,
    counters: Arc<Counters>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl HttpServer {
    /// Serves `handler` on `127.0.0.1:port` (`0`: an ephemeral port).
    pub fn start(port: u16, handler: Handler) -> io::Result<HttpServer> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fake-intercom")
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))?;
        let addr = listener.local_addr()?;
        let counters = Arc::new(Counters::default());
        let c = counters.clone();
        runtime.spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                c.accepted.fetch_add(1, Ordering::SeqCst);
                let (c, handler) = (c.clone(), handler.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req| serve(req, c.clone(), handler.clone()));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(HttpServer {
            addr,
            counters,
            runtime: Some(runtime),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The most requests that were being handled at the same time.
    pub fn peak_concurrent_requests(&self) -> u64 {
        self.counters.peak_in_flight.load(Ordering::SeqCst)
    }

    /// Connections accepted so far.
    pub fn connections_accepted(&self) -> u64 {
        self.counters.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        // Drops the listener and every connection task; a handler still sleeping on the
        // blocking pool finishes on its own and its answer goes nowhere.
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_millis(200));
        }
    }
}

/// The service failing (`Err`) makes hyper close the connection without a response.
#[derive(Debug)]
struct CloseConnection;

impl std::fmt::Display for CloseConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the fake closes the connection (injected fault)")
    }
}

impl std::error::Error for CloseConnection {}

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

async fn serve(
    req: hyper::Request<Incoming>,
    counters: Arc<Counters>,
    handler: Handler,
) -> Result<hyper::Response<Body>, CloseConnection> {
    let (parts, body) = req.into_parts();
    let body = http_body_util::Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|_| CloseConnection)?
        .to_bytes()
        .to_vec();
    let request = HttpRequest {
        method: parts.method.as_str().to_string(),
        target: parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into()),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                let v = String::from_utf8_lossy(v.as_bytes()).trim().to_string();
                (k.as_str().to_string(), v)
            })
            .collect(),
        body,
    };
    let now = counters.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counters.peak_in_flight.fetch_max(now, Ordering::SeqCst);
    let reply = tokio::task::spawn_blocking(move || handler(request)).await;
    counters.in_flight.fetch_sub(1, Ordering::SeqCst);
    let (status, headers, body) = match reply.map_err(|_| CloseConnection)? {
        Reply::Close => return Err(CloseConnection),
        Reply::Full {
            status,
            headers,
            body,
        } => (status, headers, Full::new(Bytes::from(body)).boxed()),
        Reply::Stall {
            status,
            headers,
            body,
            split,
            pause,
        } => {
            let split = split.min(body.len());
            let body = Bytes::from(body);
            let parts = vec![
                (Duration::ZERO, body.slice(..split)),
                (pause, body.slice(split..)),
            ];
            (status, headers, Timed::new(parts, body.len()).boxed())
        }
        Reply::Trickle {
            status,
            headers,
            body,
            every,
        } => {
            let body = Bytes::from(body);
            let parts = (0..body.len())
                .map(|i| (every, body.slice(i..i + 1)))
                .collect();
            (status, headers, Timed::new(parts, body.len()).boxed())
        }
    };
    let mut response = hyper::Response::builder().status(status);
    for (k, v) in &headers {
        // hyper writes the length (and the connection header) itself.
        if !k.eq_ignore_ascii_case("content-length") && !k.eq_ignore_ascii_case("connection") {
            response = response.header(k.as_str(), v.as_str());
        }
    }
    response.body(body).map_err(|_| CloseConnection)
}

/// A body of known length whose parts each come after their delay.
struct Timed {
    parts: std::collections::VecDeque<(Duration, Bytes)>,
    len: u64,
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Timed {
    fn new(parts: Vec<(Duration, Bytes)>, len: usize) -> Self {
        Timed {
            parts: parts.into(),
            len: len as u64,
            sleep: None,
        }
    }
}

impl hyper::body::Body for Timed {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        loop {
            let Some((delay, _)) = self.parts.front() else {
                return Poll::Ready(None);
            };
            let delay = *delay;
            if !delay.is_zero() {
                let sleep = self
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(delay)));
                if sleep.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.sleep = None;
            }
            let (_, data) = self.parts.pop_front().expect("a part is there");
            if !data.is_empty() {
                return Poll::Ready(Some(Ok(Frame::data(data))));
            }
        }
    }

    fn size_hint(&self) -> hyper::body::SizeHint {
        hyper::body::SizeHint::with_exact(self.len)
    }
}
