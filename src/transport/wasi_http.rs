//! Requests over `wasi:http/outgoing-handler`, through the `wasi` crate's bindings directly.
//! A general client (waki, with the `http` crate's header maps and URI parser) cost about 50 KB
//! of the component for what is one request shape: an absolute URL we built, a few headers, a
//! body held in memory, and a response read to the end.

use super::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use std::time::Duration;
use wasi::http::outgoing_handler;
use wasi::http::types::{
    self as http, ErrorCode, Fields, IncomingBody, OutgoingBody, OutgoingRequest, RequestOptions,
    Scheme,
};
use wasi::io::streams::{InputStream, StreamError};

/// The only timeout set here; the host bounds first byte, between bytes and the whole call.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Most bytes `output-stream.blocking-write-and-flush` takes in one call.
const WRITE_CHUNK: usize = 4096;

/// Bytes asked for per body read; the host returns what it has.
const READ_CHUNK: u64 = 1 << 20;

pub struct WasiHttpTransport;

impl Transport for WasiHttpTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let (scheme, authority, path) = split_url(&request.url).ok_or_else(|| {
            TransportError::Connection(format!("not an http(s) URL: {}", request.url))
        })?;
        let fields: Vec<(String, Vec<u8>)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        let headers = Fields::from_list(&fields)
            .map_err(|e| TransportError::Connection(format!("bad request header: {e:?}")))?;
        let outgoing = OutgoingRequest::new(headers);
        let method = match request.method {
            Method::Get => http::Method::Get,
            Method::Post => http::Method::Post,
            Method::Put => http::Method::Put,
            Method::Delete => http::Method::Delete,
        };
        let refused = |what: &str| TransportError::Connection(format!("the host refused {what}"));
        outgoing
            .set_method(&method)
            .map_err(|()| refused("the method"))?;
        outgoing
            .set_scheme(Some(&scheme))
            .map_err(|()| refused("the scheme"))?;
        outgoing
            .set_authority(Some(authority))
            .map_err(|()| refused("the authority"))?;
        outgoing
            .set_path_with_query(Some(path))
            .map_err(|()| refused("the path"))?;
        let body = outgoing.body().map_err(|()| refused("the body"))?;
        let options = RequestOptions::new();
        options
            .set_connect_timeout(Some(CONNECT_TIMEOUT.as_nanos() as u64))
            .map_err(|()| refused("the connect timeout"))?;

        // Handle first, then write: the host starts sending while the body streams in.
        let future = outgoing_handler::handle(outgoing, Some(options)).map_err(classify)?;
        write_body(body, request.body.as_deref().unwrap_or_default())?;
        future.subscribe().block();
        let response = match future.get() {
            Some(Ok(result)) => result.map_err(classify)?,
            _ => return Err(refused("to hand over the response")),
        };
        drop(future);

        let status = response.status();
        let headers = {
            let fields = response.headers();
            let entries = fields.entries();
            entries
                .into_iter()
                .map(|(k, v)| {
                    (
                        k.to_ascii_lowercase(),
                        String::from_utf8_lossy(&v).into_owned(),
                    )
                })
                .collect()
        };
        let incoming = response
            .consume()
            .map_err(|()| refused("the response body"))?;
        let body = read_body(incoming)?;
        Ok(HttpResponse {
            status,
            headers,
            body,
        })
    }
}

/// Splits `scheme://authority/path?query` (URLs the connector built from its base URL).
fn split_url(url: &str) -> Option<(Scheme, &str, &str)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = match scheme {
        "https" => Scheme::Https,
        "http" => Scheme::Http,
        _ => return None,
    };
    let at = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(at);
    if authority.is_empty() {
        return None;
    }
    Some((scheme, authority, if path.is_empty() { "/" } else { path }))
}

fn write_body(body: OutgoingBody, bytes: &[u8]) -> Result<(), TransportError> {
    {
        // The stream is a child of the body: it goes before `finish`.
        let stream = body.write().map_err(|()| {
            TransportError::Connection("the host refused the request body stream".into())
        })?;
        for chunk in bytes.chunks(WRITE_CHUNK) {
            stream
                .blocking_write_and_flush(chunk)
                .map_err(stream_error)?;
        }
    }
    OutgoingBody::finish(body, None).map_err(classify)
}

fn read_body(incoming: IncomingBody) -> Result<Vec<u8>, TransportError> {
    let stream: InputStream = incoming.stream().map_err(|()| {
        TransportError::Connection("the host refused the response body stream".into())
    })?;
    let mut body = Vec::new();
    loop {
        match stream.blocking_read(READ_CHUNK) {
            Ok(chunk) if body.is_empty() => body = chunk,
            Ok(chunk) => body.extend_from_slice(&chunk),
            Err(StreamError::Closed) => break,
            Err(e) => return Err(stream_error(e)),
        }
    }
    // The stream is a child of the body: drop it first.
    drop(stream);
    drop(incoming);
    Ok(body)
}

/// A failed stream carries the HTTP error that broke it (timeout, size limit, reset).
fn stream_error(e: StreamError) -> TransportError {
    match e {
        StreamError::LastOperationFailed(err) => match http::http_error_code(&err) {
            Some(code) => classify(code),
            None => TransportError::Connection(err.to_debug_string()),
        },
        StreamError::Closed => TransportError::Connection("the connection closed early".into()),
    }
}

fn classify(code: ErrorCode) -> TransportError {
    match code {
        ErrorCode::HttpRequestDenied => TransportError::Denied,
        ErrorCode::HttpResponseBodySize(_) => TransportError::TooLarge,
        ErrorCode::ConnectionTimeout
        | ErrorCode::ConnectionReadTimeout
        | ErrorCode::ConnectionWriteTimeout
        | ErrorCode::HttpResponseTimeout => TransportError::Timeout,
        code => TransportError::Connection(format!("{code:?}")),
    }
}
