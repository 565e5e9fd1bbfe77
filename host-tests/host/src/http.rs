//! The WASI HTTP hook: every outgoing request passes the egress policy, then goes out through the
//! host's keep-alive pool with the host's timeouts (connect: the pool's, from `Limits`;
//! first-byte and between-bytes: ours, capped by the call's budget; a guest may only shorten
//! them) and a bound on the response size.

use super::budget::Budget;
use super::egress::EgressPolicy;
use super::pool::{Pool, Timeouts};
use super::Limits;
use http_body_util::{BodyExt, Limited};
use std::future::Future;
use std::sync::Arc;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

type IoFuture = Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>;
type SendFuture = Box<
    dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), wasmtime_wasi_http::Error>>
        + Send,
>;

/// Used only if neither the host nor the guest set a timeout (the host always does).
const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    pool: Arc<Pool>,
    options: RequestOptions,
    max_response_bytes: usize,
    budget: Budget,
}

impl EgressHooks {
    pub fn new(
        policy: Arc<EgressPolicy>,
        pool: Arc<Pool>,
        limits: &Limits,
        budget: Budget,
    ) -> Self {
        let options = RequestOptions {
            connect_timeout: Some(limits.connect_timeout),
            first_byte_timeout: Some(limits.first_byte_timeout),
            between_bytes_timeout: Some(limits.between_bytes_timeout),
        };
        EgressHooks {
            policy,
            pool,
            options,
            max_response_bytes: limits.max_response_bytes,
            budget,
        }
    }
}

impl WasiHttpHooks for EgressHooks {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        _fut: IoFuture,
    ) -> SendFuture {
        let uri = request.uri();
        let decision = self.policy.check(
            uri.scheme_str().unwrap_or("https"),
            uri.host().unwrap_or_default(),
            uri.port_u16(),
        );
        // The guest may only shorten our timeouts, never lengthen them.
        let options = clamp(options, &self.options);
        let max = self.max_response_bytes;
        let pool = self.pool.clone();
        let budget = self.budget;
        let timeouts = Timeouts {
            first_byte: budget.cap(options.first_byte_timeout.unwrap_or(DEFAULT_TIMEOUT)),
            between_bytes: budget.cap(options.between_bytes_timeout.unwrap_or(DEFAULT_TIMEOUT)),
        };
        Box::new(async move {
            if decision.is_err() {
                // The guest writes the body after `handle()`: drain it first, or the guest sees a
                // closed stream instead of the denial.
                let _ = request.into_body().collect().await;
                return Err(wasmtime_wasi_http::Error::HttpRequestDenied);
            }
            let response = pool.send(request, timeouts).await?;
            if let Some(n) = content_length(&response).filter(|n| *n > max as u64) {
                return Err(wasmtime_wasi_http::Error::HttpResponseBodySize(Some(n)));
            }
            // Bodies without a (truthful) length are cut off at the same bound while streaming.
            let response = response.map(|body| {
                Limited::new(budget.body(body), max)
                    .map_err(move |_| {
                        wasmtime_wasi_http::Error::HttpResponseBodySize(Some(max as u64))
                    })
                    .boxed_unsync()
            });
            // The pool drives each connection on its own task, so there is no I/O future to hand back.
            Ok((response, Box::new(std::future::ready(Ok(()))) as IoFuture))
        })
    }
}

fn clamp(guest: Option<RequestOptions>, host: &RequestOptions) -> RequestOptions {
    let pick = |g: Option<std::time::Duration>, h: Option<std::time::Duration>| match (g, h) {
        (Some(g), Some(h)) => Some(g.min(h)),
        (g, h) => h.or(g),
    };
    let guest = guest.unwrap_or_default();
    RequestOptions {
        connect_timeout: pick(guest.connect_timeout, host.connect_timeout),
        first_byte_timeout: pick(guest.first_byte_timeout, host.first_byte_timeout),
        between_bytes_timeout: pick(guest.between_bytes_timeout, host.between_bytes_timeout),
    }
}

fn content_length<B>(response: &http::Response<B>) -> Option<u64> {
    response
        .headers()
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
