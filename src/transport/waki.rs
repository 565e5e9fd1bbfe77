//! Requests over `wasi:http/outgoing-handler` through waki, the brief's HTTP library for WASI.

use super::{HttpRequest, HttpResponse, Method, Transport, TransportError};
use std::time::Duration;
use waki::bindings::wasi::http::outgoing_handler;
use waki::bindings::wasi::http::types::{
    self as http, Fields, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
};
use waki::ErrorCode;

/// The connector's only timeout; the host bounds first byte, between bytes and the whole call.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Bytes asked for per body read; the host returns what it has.
const READ_CHUNK: u64 = 1 << 20;

/// The connector's transport: `waki::Client`, with a connect timeout per request.
pub struct WakiTransport;

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
        read_response(builder.send().map_err(classify)?)
    }
}

/// A transport whose every request must be answered within `budget`: connect, first byte and
/// each gap between body bytes are bounded by it. waki 0.5 sets only the connect timeout, so the
/// request is handed to `wasi:http` through the bindings waki re-exports, and waki reads the
/// response. The gateway's forward needs this (a receiver slower than 3 s means 503).
pub struct DeadlineTransport(pub Duration);

impl Transport for DeadlineTransport {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportError> {
        let (scheme, authority, path) = split_url(&request.url).ok_or_else(|| {
            TransportError::Connection("the URL is not an absolute http(s) URL".into())
        })?;
        let fields: Vec<(String, Vec<u8>)> = request
            .headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        let headers = Fields::from_list(&fields)
            .map_err(|e| TransportError::Connection(format!("bad request header: {e:?}")))?;
        let outgoing = OutgoingRequest::new(headers);
        let refused = |what: &str| TransportError::Connection(format!("the host refused {what}"));
        let method = match request.method {
            Method::Get => http::Method::Get,
            Method::Post => http::Method::Post,
            Method::Put => http::Method::Put,
            Method::Delete => http::Method::Delete,
        };
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
        let nanos = Some(self.0.as_nanos() as u64);
        options
            .set_connect_timeout(nanos)
            .and_then(|()| options.set_first_byte_timeout(nanos))
            .and_then(|()| options.set_between_bytes_timeout(nanos))
            .map_err(|()| refused("the timeouts"))?;
        let future = outgoing_handler::handle(outgoing, Some(options)).map_err(classify_code)?;
        {
            // The stream is a child of the body: it goes before `finish`.
            let stream = body.write().map_err(|()| refused("the body stream"))?;
            for chunk in request.body.as_deref().unwrap_or_default().chunks(4096) {
                stream.blocking_write_and_flush(chunk).map_err(|_| {
                    TransportError::Connection("the connection closed while sending".into())
                })?;
            }
        }
        OutgoingBody::finish(body, None).map_err(classify_code)?;
        future.subscribe().block();
        let incoming = match future.get() {
            Some(Ok(result)) => result.map_err(classify_code)?,
            _ => return Err(refused("to hand over the response")),
        };
        drop(future);
        read_response(waki::Response::try_from(incoming).map_err(classify)?)
    }
}

/// Splits `scheme://authority/path?query`.
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

/// Status, headers (lower-cased by the `http` crate) and the body read to its end.
fn read_response(response: waki::Response) -> Result<HttpResponse, TransportError> {
    let status = response.status_code();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut body = Vec::new();
    loop {
        match response.chunk(READ_CHUNK) {
            Ok(Some(chunk)) if body.is_empty() => body = chunk,
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => break,
            // waki keeps only the text of a failed body read, not its wasi:http error code.
            Err(_) => {
                return Err(TransportError::Connection(
                    "the response body broke off (timeout, size limit or reset)".into(),
                ))
            }
        }
    }
    Ok(HttpResponse {
        status,
        headers,
        body,
    })
}

/// waki hands `wasi:http` error codes back inside `anyhow`; they decide the kind.
fn classify(err: anyhow::Error) -> TransportError {
    match err.downcast::<ErrorCode>() {
        Ok(code) => classify_code(code),
        Err(err) => TransportError::Connection(err.to_string()),
    }
}

fn classify_code(code: ErrorCode) -> TransportError {
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
