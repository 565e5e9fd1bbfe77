//! `wasi:http/incoming-handler` through waki: what `wasmtime serve`, Spin and wasmCloud call,
//! one fresh instance per request (the gateway keeps no state between requests).

use super::{check_method, deliver, read_body, Config, Reply, FORWARD_BUDGET};
use crate::transport::DeadlineTransport;
use waki::{handler, ErrorCode, Method, Request, Response};

/// Bytes asked for per body read.
const READ_CHUNK: u64 = 64 << 10;

#[handler]
fn handle(request: Request) -> Result<Response, ErrorCode> {
    let method = method_name(&request.method());
    let reply = answer(&method, request);
    if reply.status >= 400 {
        // The reply never holds a secret or the forward URL, so the log line may quote it.
        eprintln!(
            "intercom-webhooks: {method} -> {} {}",
            reply.status, reply.body
        );
    }
    let mut response = Response::builder().status_code(reply.status);
    for (name, value) in reply.headers {
        response = response.header(name, value);
    }
    response.body(reply.body).build()
}

fn answer(method: &str, request: Request) -> Reply {
    if let Some(reply) = check_method(method) {
        return reply;
    }
    let config = match Config::from_env(|name| std::env::var(name).ok()) {
        Ok(config) => config,
        Err(why) => return Reply::misconfigured(&why),
    };
    let headers: Vec<(String, String)> = request
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
        .collect();
    let declared = request
        .header("content-length")
        .and_then(|v| v.to_str().ok()?.trim().parse().ok());
    let body = match read_body(declared, || request.chunk(READ_CHUNK).map_err(|_| ())) {
        Ok(body) => body,
        Err(reply) => return reply,
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    deliver(
        &config,
        &DeadlineTransport(FORWARD_BUDGET),
        &headers,
        &body,
        now,
    )
}

fn method_name(method: &Method) -> String {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Connect => "CONNECT",
        Method::Options => "OPTIONS",
        Method::Trace => "TRACE",
        Method::Patch => "PATCH",
        Method::Other(other) => other,
    }
    .to_string()
}
