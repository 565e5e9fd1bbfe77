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
use std::time::Duration;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

type IoFuture = Box<dyn Future<Output = Result<(), wasmtime_wasi_http::Error>> + Send>;
type SendFuture = Box<
    dyn Future<Output = Result<(http::Response<WasiBody>, IoFuture), wasmtime_wasi_http::Error>>
        + Send,
>;

pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    pool: Arc<Pool>,
    /// The host's first-byte and between-bytes timeouts (`Limits`).
    first_byte: Duration,
    between_bytes: Duration,
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
        EgressHooks {
            policy,
            pool,
            first_byte: limits.first_byte_timeout,
            between_bytes: limits.between_bytes_timeout,
            max_response_bytes: limits.max_response_bytes,
            budget,
        }
    }

    /// The budget of the store's next call ([`crate::Session`] keeps a store across calls).
    pub fn set_budget(&mut self, budget: Budget) {
        self.budget = budget;
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
        let max = self.max_response_bytes;
        let pool = self.pool.clone();
        let budget = self.budget;
        // The guest may only shorten our timeouts, never lengthen them; the call's budget caps both.
        let guest = options.unwrap_or_default();
        let shorter =
            |g: Option<Duration>, host: Duration| budget.cap(g.map_or(host, |g| g.min(host)));
        let timeouts = Timeouts {
            first_byte: shorter(guest.first_byte_timeout, self.first_byte),
            between_bytes: shorter(guest.between_bytes_timeout, self.between_bytes),
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

fn content_length<B>(response: &http::Response<B>) -> Option<u64> {
    response
        .headers()
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
