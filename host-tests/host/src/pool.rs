//! The connector's keep-alive connections: hyper-util's pooled client over rustls (HTTP/1.1, and
//! HTTP/2 where the server offers it by ALPN), with idle expiry and `TCP_NODELAY`. The stock WASI
//! HTTP sender opens a new TCP (and TLS) connection per request; this one reuses them. It runs
//! after the egress policy has allowed the request.
//!
//! A connection is driven by a task on the runtime of the thread that opened it (see
//! `runtime.rs`), which runs only while that thread is in a call. So each calling thread has a
//! client of its own (kept in a thread-local, dropped with the thread or the pool), and a thread
//! only ever reuses its own connections.

use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use std::cell::RefCell;
use std::error::Error as StdError;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::task::{Context, Poll};
use std::time::Duration;
use wasmtime_wasi_http::{Error, WasiBody};

/// Idle connections kept per origin and thread.
const MAX_IDLE_PER_ORIGIN: usize = 8;

/// An idle connection is closed after this long: Intercom's load balancers close idle
/// connections on their side too (a guess at their timeout; shorter is only a reconnect).
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Timeouts for one request (the TCP connect is bounded by the pool's own timeout, and by the
/// first-byte deadline, which runs from the request's start).
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub first_byte: Duration,
    pub between_bytes: Duration,
}

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
type PooledClient = Client<Connector, WasiBody>;

thread_local! {
    /// This thread's client of each live pool (by [`Pool::id`]).
    static CLIENTS: RefCell<Vec<(u64, Weak<Pool>, PooledClient)>> = const { RefCell::new(Vec::new()) };
}

pub struct Pool {
    id: u64,
    tls: rustls::ClientConfig,
    /// The host's connect timeout, for every thread's connector. A call's remaining budget is
    /// enforced by the first-byte deadline around each request, not here, so a thread's first
    /// request late in a call cannot shorten its later connects.
    connect_timeout: Duration,
}

impl Pool {
    /// A pool whose TCP connects give up after `connect_timeout`.
    pub fn new(connect_timeout: Duration) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.into(),
        };
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        Pool {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            tls,
            connect_timeout,
        }
    }

    /// Sends `request` on an idle connection to its origin, or a new one.
    pub async fn send(
        self: Arc<Self>,
        request: http::Request<WasiBody>,
        timeouts: Timeouts,
    ) -> Result<http::Response<WasiBody>, Error> {
        let client = self.client();
        // The connect timeout bounds the TCP connect inside the client; the first-byte timeout
        // runs from the request's start, so it also bounds a TLS handshake that stalls. Both are
        // within the call's budget already.
        let response = tokio::time::timeout(timeouts.first_byte, client.request(request))
            .await
            .map_err(|_| Error::ConnectionReadTimeout)?
            .map_err(from_client_error)?;
        Ok(response.map(|body| BetweenBytes::new(body, timeouts.between_bytes).boxed_unsync()))
    }

    /// This thread's client for this pool, built on first use.
    fn client(self: &Arc<Self>) -> PooledClient {
        CLIENTS.with(|clients| {
            let mut clients = clients.borrow_mut();
            // Forget the clients of pools (hosts) that are gone.
            clients.retain(|(_, pool, _)| pool.strong_count() > 0);
            if let Some((_, _, client)) = clients.iter().find(|(id, _, _)| *id == self.id) {
                return client.clone();
            }
            let client = self.build();
            clients.push((self.id, Arc::downgrade(self), client.clone()));
            client
        })
    }

    fn build(&self) -> PooledClient {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        tcp.set_connect_timeout(Some(self.connect_timeout));
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(self.tls.clone())
            .https_or_http()
            .enable_http1()
            .enable_http2()
            .wrap_connector(tcp);
        Client::builder(TokioExecutor::new())
            .pool_idle_timeout(IDLE_TIMEOUT)
            .pool_max_idle_per_host(MAX_IDLE_PER_ORIGIN)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector)
    }
}

/// The WASI HTTP error for a failed request: connect and TLS failures as such (their I/O error
/// kept, so a DNS failure still reads as one), an error the guest's own body stream raised as
/// that error, anything else as a protocol error.
fn from_client_error(e: hyper_util::client::legacy::Error) -> Error {
    let mut source: Option<&(dyn StdError + 'static)> = e.source();
    while let Some(s) = source {
        if let Some(code) =
            s.downcast_ref::<wasmtime_wasi_http::p2::bindings::http::types::ErrorCode>()
        {
            return Error::from(code.clone());
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return Error::ConnectionTimeout;
            }
            let copy = std::io::Error::new(io.kind(), io.to_string());
            let tls = io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>());
            return if tls {
                Error::Tls(copy)
            } else {
                Error::Connect(copy)
            };
        }
        source = s.source();
    }
    if e.is_connect() {
        return Error::Connect(std::io::Error::other(e.to_string()));
    }
    Error::HttpProtocolError
}

/// A response body that fails with `ConnectionReadTimeout` when no data arrives for `limit`.
struct BetweenBytes {
    inner: hyper::body::Incoming,
    limit: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl BetweenBytes {
    fn new(inner: hyper::body::Incoming, limit: Duration) -> Self {
        BetweenBytes {
            inner,
            limit,
            timer: Box::pin(tokio::time::sleep(limit)),
        }
    }
}

impl http_body::Body for BetweenBytes {
    type Data = bytes_of::Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let deadline = tokio::time::Instant::now() + self.limit;
                self.timer.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The bytes type hyper's bodies carry.
mod bytes_of {
    pub type Bytes = <hyper::body::Incoming as http_body::Body>::Data;
}
