//! A keep-alive HTTP/1.1 connection pool for the connector's outgoing requests. The stock WASI
//! HTTP sender opens a new TCP (and TLS) connection per request; this one keeps a few idle
//! connections per origin, so repeated calls reuse them, and sets `TCP_NODELAY` so a request
//! written in several pieces (headers, then a chunked body) is not held back by Nagle's algorithm.
//! It runs after the egress policy has allowed the request.
//!
//! A connection is driven by a task on the runtime of the thread that opened it (see
//! `runtime.rs`), which runs only while that thread is in a call: so idle connections are kept
//! per thread and origin, and a thread only ever reuses its own.

use http::uri::Scheme;
use http_body_util::BodyExt;
use hyper::client::conn::http1::{self, SendRequest};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::thread::ThreadId;
use std::time::Duration;
use tokio::net::TcpStream;
use wasmtime_wasi_http::io::TokioIo;
use wasmtime_wasi_http::{Error, WasiBody};

/// Idle connections kept per origin.
const MAX_IDLE_PER_ORIGIN: usize = 8;

/// Timeouts for one request.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub connect: Duration,
    pub first_byte: Duration,
    pub between_bytes: Duration,
}

/// Idle connections are kept per calling thread and origin (`https://host:port`).
type Key = (ThreadId, String);

pub struct Pool {
    idle: Mutex<HashMap<Key, Vec<SendRequest<WasiBody>>>>,
    tls: tokio_rustls::TlsConnector,
}

impl Default for Pool {
    fn default() -> Self {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.into(),
        };
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("ring supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
        Pool {
            idle: Mutex::new(HashMap::new()),
            tls: tokio_rustls::TlsConnector::from(Arc::new(config)),
        }
    }
}

impl Pool {
    /// Sends `request` on an idle connection to its origin, or a new one.
    pub async fn send(
        self: Arc<Self>,
        mut request: http::Request<WasiBody>,
        timeouts: Timeouts,
    ) -> Result<http::Response<WasiBody>, Error> {
        let uri = request.uri().clone();
        let https = uri.scheme() == Some(&Scheme::HTTPS);
        let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?.to_string();
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let origin = (
            std::thread::current().id(),
            format!("{}://{host}:{port}", if https { "https" } else { "http" }),
        );
        // On the wire the request line carries only the path (origin form).
        let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
        *request.uri_mut() = http::Uri::try_from(path).map_err(|_| Error::HttpRequestUriInvalid)?;

        let first_byte = timeouts.first_byte;
        let (sender, response) = match self.take(&origin) {
            Some(mut sender) => match within(first_byte, sender.try_send_request(request)).await? {
                Ok(response) => (sender, response),
                // The idle connection was closed by the server before our request went out:
                // nothing was sent, so sending it on a fresh connection is safe.
                Err(mut e) => match e.take_message() {
                    Some(request) => {
                        let mut sender = self.connect(https, &host, port, timeouts.connect).await?;
                        let response = within(first_byte, sender.send_request(request)).await??;
                        (sender, response)
                    }
                    None => return Err(e.into_error().into()),
                },
            },
            None => {
                let mut sender = self.connect(https, &host, port, timeouts.connect).await?;
                let response = within(first_byte, sender.send_request(request)).await??;
                (sender, response)
            }
        };
        // The connection becomes ready for the next request once this body has been read.
        if !sender.is_closed() {
            self.put(origin, sender);
        }
        Ok(response.map(|body| BetweenBytes::new(body, timeouts.between_bytes).boxed_unsync()))
    }

    fn take(&self, origin: &Key) -> Option<SendRequest<WasiBody>> {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        let list = idle.get_mut(origin)?;
        list.retain(|s| !s.is_closed());
        let ready = list.iter().position(|s| s.is_ready())?;
        Some(list.swap_remove(ready))
    }

    fn put(&self, origin: Key, sender: SendRequest<WasiBody>) {
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if !idle.contains_key(&origin) {
            // A thread that has ended took its runtime with it, and its connections closed:
            // forget them whenever a new thread or origin joins.
            idle.retain(|_, list| {
                list.retain(|s| !s.is_closed());
                !list.is_empty()
            });
        }
        let list = idle.entry(origin).or_default();
        if list.len() < MAX_IDLE_PER_ORIGIN {
            list.push(sender);
        }
    }

    async fn connect(
        &self,
        https: bool,
        host: &str,
        port: u16,
        timeout: Duration,
    ) -> Result<SendRequest<WasiBody>, Error> {
        let tcp = tokio::time::timeout(timeout, TcpStream::connect((host, port)))
            .await
            .map_err(|_| Error::ConnectionTimeout)?
            .map_err(Error::Connect)?;
        let _ = tcp.set_nodelay(true);
        let handshake = async {
            if https {
                let name = rustls::pki_types::ServerName::try_from(host.to_string())
                    .map_err(Error::InvalidDnsNameError)?;
                let tls = self.tls.connect(name, tcp).await.map_err(Error::Tls)?;
                spawn_connection(http1::handshake(TokioIo::new(tls)).await?)
            } else {
                spawn_connection(http1::handshake(TokioIo::new(tcp)).await?)
            }
        };
        tokio::time::timeout(timeout, handshake)
            .await
            .map_err(|_| Error::ConnectionTimeout)?
    }
}

/// `fut`, or `ConnectionReadTimeout` when the response does not start within `limit`.
async fn within<T>(limit: Duration, fut: impl Future<Output = T>) -> Result<T, Error> {
    tokio::time::timeout(limit, fut)
        .await
        .map_err(|_| Error::ConnectionReadTimeout)
}

/// Drives a connection's I/O on the runtime until the sender is dropped or the peer closes.
fn spawn_connection<IO>(
    (sender, connection): (SendRequest<WasiBody>, http1::Connection<IO, WasiBody>),
) -> Result<SendRequest<WasiBody>, Error>
where
    IO: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(sender)
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
