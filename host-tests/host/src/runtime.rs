//! Where a call's futures run: a current-thread tokio runtime per calling thread. The wasm, its
//! host calls and the HTTP connections it uses are all polled on the thread that made the call,
//! so a request and its answer need no hand-off between threads (wasmtime-wasi's synchronous
//! bindings `block_on` every host call on a shared multi-threaded runtime whose workers drive
//! the sockets: two or more cross-thread wake-ups per request). Calls from different threads
//! run side by side, each on its own runtime.

use anyhow::{bail, Context, Result};
use std::cell::OnceCell;
use std::future::Future;

thread_local! {
    static RUNTIME: OnceCell<tokio::runtime::Runtime> = const { OnceCell::new() };
}

/// Runs `fut` to completion on this thread's runtime (made on the thread's first call).
pub fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        bail!(
            "a ConnectorHost call blocks its thread: make it from a plain thread (for example \
             inside tokio::task::spawn_blocking), not from async code"
        );
    }
    RUNTIME.with(|cell| {
        let runtime = match cell.get() {
            Some(runtime) => runtime,
            None => {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_io()
                    .enable_time()
                    .build()
                    .context("starting this thread's I/O runtime")?;
                cell.get_or_init(|| runtime)
            }
        };
        Ok(runtime.block_on(fut))
    })
}
