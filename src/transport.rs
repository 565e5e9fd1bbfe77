//! The one seam between the Intercom logic and the network. On wasm32 it is waki over
//! `wasi:http/outgoing-handler` (see `waki`); native unit tests plug in scripted transports.

/// HTTP methods the connector uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// An outgoing request, fully built (absolute URL, headers, body).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<Vec<u8>>,
}

/// A response read to the end.
#[derive(Debug, Clone, Default)]
pub struct HttpResponse {
    pub status: u16,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Why a request got no HTTP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportError {
    /// The host's egress policy refused the destination.
    Denied,
    /// Connect, first-byte or between-bytes timeout.
    Timeout,
    /// The response was larger than the host allows.
    TooLarge,
    /// Connection refused, reset, DNS or TLS failure.
    Connection(String),
}

pub trait Transport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Waits before a retry. A seam so native tests can record waits instead of sleeping.
    fn sleep(&self, duration: std::time::Duration) {
        std::thread::sleep(duration);
    }
}

#[cfg(target_arch = "wasm32")]
mod waki;
#[cfg(target_arch = "wasm32")]
pub use self::waki::{DeadlineTransport, WakiTransport};
