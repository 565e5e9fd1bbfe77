//! The one seam between the Intercom logic and the network. On wasm32 it is waki over
//! `wasi:http/outgoing-handler`; native unit tests plug in scripted transports.

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
pub use waki_transport::WakiTransport;

#[cfg(target_arch = "wasm32")]
mod waki_transport {
    use super::*;
    use std::time::Duration;
    use waki::ErrorCode;

    /// waki over `wasi:http`. waki sets only the connect timeout; the host bounds the rest.
    pub struct WakiTransport;

    const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

    impl Transport for WakiTransport {
        fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
            let client = waki::Client::new();
            let builder = match request.method {
                Method::Get => client.get(&request.url),
                Method::Post => client.post(&request.url),
                Method::Put => client.put(&request.url),
                Method::Delete => client.delete(&request.url),
            };
            let mut builder = builder
                .connect_timeout(CONNECT_TIMEOUT)
                .headers(request.headers.iter().map(|(k, v)| (*k, v.as_str())));
            if let Some(body) = &request.body {
                builder = builder.body(body.clone());
            }
            let response = builder.send().map_err(classify)?;
            let status = response.status_code();
            let headers = response
                .headers()
                .iter()
                .map(|(k, v)| {
                    (
                        k.as_str().to_ascii_lowercase(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect();
            let body = response.body().map_err(classify)?;
            Ok(HttpResponse {
                status,
                headers,
                body,
            })
        }
    }

    fn classify(err: anyhow::Error) -> TransportError {
        match err.downcast_ref::<ErrorCode>() {
            Some(ErrorCode::HttpRequestDenied) => TransportError::Denied,
            Some(ErrorCode::HttpResponseBodySize(_)) => TransportError::TooLarge,
            Some(
                ErrorCode::ConnectionTimeout
                | ErrorCode::ConnectionReadTimeout
                | ErrorCode::ConnectionWriteTimeout
                | ErrorCode::HttpResponseTimeout,
            ) => TransportError::Timeout,
            Some(code) => TransportError::Connection(format!("{code:?}")),
            None => TransportError::Connection(err.to_string()),
        }
    }
}
