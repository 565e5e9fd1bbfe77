//! The call's wall-clock budget, in one place. Epoch interruption stops running wasm, not a host
//! call that blocks: an HTTP request waiting on a stalled server, a body that trickles, a guest
//! sleep between retries. So every HTTP timeout (connect, first byte, between bytes) is capped at
//! what remains of the budget, a response body ends when the budget does, and a guest sleep never
//! outlasts it. A call then returns within its budget plus one epoch tick, whatever the server
//! does.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::time::Instant;
use wasmtime::component::{Linker, Resource};
use wasmtime_wasi::p2::{subscribe, DynPollable, Pollable};

/// When the current call must be over.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    deadline: Instant,
}

impl Budget {
    /// A budget of `limit` from now.
    pub fn starting_now(limit: Duration) -> Self {
        Budget {
            deadline: Instant::now() + limit,
        }
    }

    /// What is left of the budget (zero once spent).
    pub fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// `timeout` capped at what remains of the budget.
    pub fn cap(&self, timeout: Duration) -> Duration {
        timeout.min(self.remaining())
    }

    /// A response body that fails with `ConnectionReadTimeout` when the budget runs out, however
    /// steadily its bytes trickle (the between-bytes timeout alone never fires then).
    pub fn body<B>(&self, inner: B) -> UntilDeadline<B> {
        UntilDeadline {
            inner,
            timer: Box::pin(tokio::time::sleep_until(self.deadline)),
        }
    }
}

/// See [`Budget::body`].
pub struct UntilDeadline<B> {
    inner: B,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl<B> http_body::Body for UntilDeadline<B>
where
    B: http_body::Body<Error = wasmtime_wasi_http::Error> + Unpin,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if self.timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(wasmtime_wasi_http::Error::ConnectionReadTimeout)));
        }
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The `wasi:clocks/monotonic-clock` the linker provides (wasmtime-wasi's WIT version).
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// Replaces the guest's `subscribe-duration` / `subscribe-instant` with ones that wake no later
/// than the budget's end (a backoff or rate-limit wait inside the component must not outlast
/// the call). `subscribe-instant` reads the guest's instant on [`GuestClock`].
pub fn cap_guest_sleeps<T: 'static>(
    linker: &mut Linker<T>,
    budget: fn(&mut T) -> (Budget, &mut wasmtime::component::ResourceTable),
) -> anyhow::Result<()> {
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    clock.func_wrap(
        "subscribe-duration",
        move |mut store, (nanos,): (u64,)| -> wasmtime::Result<(Resource<DynPollable>,)> {
            let (budget, table) = budget(store.data_mut());
            let wake = budget.cap(Duration::from_nanos(nanos));
            Ok((sleep_pollable(table, wake)?,))
        },
    )?;
    clock.func_wrap(
        "subscribe-instant",
        move |mut store, (when,): (u64,)| -> wasmtime::Result<(Resource<DynPollable>,)> {
            let now = guest_now();
            let (budget, table) = budget(store.data_mut());
            let wake = budget.cap(Duration::from_nanos(when.saturating_sub(now)));
            Ok((sleep_pollable(table, wake)?,))
        },
    )?;
    linker.allow_shadowing(false);
    Ok(())
}

/// The guest's monotonic clock: nanoseconds since one process-wide origin, so the host can turn
/// a guest instant into a wait (install it with `WasiCtxBuilder::monotonic_clock`).
pub struct GuestClock;

fn origin() -> std::time::Instant {
    static ORIGIN: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    *ORIGIN.get_or_init(std::time::Instant::now)
}

impl wasmtime_wasi::HostMonotonicClock for GuestClock {
    fn resolution(&self) -> u64 {
        1
    }

    fn now(&self) -> u64 {
        guest_now()
    }
}

fn guest_now() -> u64 {
    u64::try_from(origin().elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// A pollable that is ready after `wait`.
struct Sleep(Instant);

#[wasmtime_wasi::async_trait]
impl Pollable for Sleep {
    async fn ready(&mut self) {
        tokio::time::sleep_until(self.0).await;
    }
}

fn sleep_pollable(
    table: &mut wasmtime::component::ResourceTable,
    wait: Duration,
) -> wasmtime::Result<Resource<DynPollable>> {
    let sleep = table.push(Sleep(Instant::now() + wait))?;
    subscribe(table, sleep)
}
