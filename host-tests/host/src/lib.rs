//! An embeddable host for the Intercom connector component (`workflow:connector` world): one
//! wasmtime `Engine` with the pooling allocator, a `Linker` with WASI (no preopened dirs, no env,
//! no sockets) and WASI HTTP whose outgoing requests pass the [`EgressPolicy`], and an
//! `InstancePre` reused for every call. Each call gets a fresh store (isolated state, its own
//! memory and time [`Limits`]), unless the platform opens a [`Session`] for a connection, whose
//! calls share one instance; the compiled component is cached ([`cache`]).
//!
//! A workflow platform depends on this crate by path (`intercom-host = { path =
//! "…/host-tests/host" }`), loads the `.wasm` once and calls it from any thread:
//!
//! ```
//! use intercom_host::{connection, ConnectorHost, EgressPolicy, Limits, Region};
//! # let fake = intercom_fake::FakeIntercom::start();
//! # fake.insert_contact(serde_json::json!({"role": "user", "email": "ada@example.com"}));
//! # let wasm = intercom_fake::artifact::component();
//! # let (token, base_url) = (intercom_fake::TOKEN, Some(fake.base_url()));
//!
//! // Intercom's three regional hosts over HTTPS, plus (here) the fake Intercom on loopback.
//! let mut policy = EgressPolicy::intercom();
//! # policy.allow(&fake.host());
//! let host = ConnectorHost::load(wasm, policy, Limits::default())?;
//!
//! // `base_url` is `None` for real Intercom: the region picks the host.
//! let conn = connection(token, Region::Us, base_url);
//! let found = host.run_search(&conn, "find-user", r#"{"email": "ada@example.com"}"#)?;
//! match found {
//!     Ok(users) => println!("{} user(s): {}", users.len(), users.join(", ")),
//!     Err(e) => eprintln!("{}", intercom_host::json::error(&e)),
//! }
//! # assert_eq!(fake.requests().len(), 1);
//! # Ok::<(), anyhow::Error>(())
//! ```
//!
//! (This example runs as a doctest against the fake Intercom: `cargo test --doc -p
//! intercom-host`.)
#![deny(missing_docs)] // a platform depends on this crate: every public item is documented

mod budget;
pub mod cache;
pub mod egress;
mod http;
pub mod json;
mod pool;
mod runtime;
pub mod session;

use anyhow::{Context, Result};
use std::path::Path;
use std::sync::{Arc, Weak};
use std::time::Duration;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{
    Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, ResourceLimiter, Store,
};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

pub use cache::Loaded;
pub use egress::EgressPolicy;
pub use session::Session;

/// Host bindings of the `workflow:connector` world, generated from `wit/` (whose `///` comments
/// document every item; the generated Rust carries none of its own).
#[allow(missing_docs)]
pub mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "workflow:connector/connector",
        // Calls run as futures on the calling thread's runtime (see `block_on`).
        exports: { default: async },
    });
}

pub use bindings::exports::workflow::connector::connect::{
    AuthorizeRequest, CodeExchange, OauthToken,
};
pub use bindings::exports::workflow::connector::options::{Choice, ChoicePage};
pub use bindings::exports::workflow::connector::triggers::{PollPage, WebhookResult};
pub use bindings::workflow::connector::auth::AuthInfo;
pub use bindings::workflow::connector::types::{
    Account, Connection, ConnectorInfo, Error as ConnectorError, Event, Operation, OperationKind,
    Region,
};

/// One webhook delivery as received: its headers and raw body.
pub type Delivery = (Vec<(String, String)>, Vec<u8>);

/// Limits applied to every call.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Linear memory an instance may grow to.
    pub max_memory_bytes: usize,
    /// Wall-clock budget of one call: epoch interruption stops the wasm, and every HTTP timeout
    /// and guest sleep is capped at what remains (see `budget.rs`).
    pub call_timeout: Duration,
    /// Time to wait for the first byte of a response, counted from the start of the request
    /// (a new connection's connect and TLS handshake included).
    pub first_byte_timeout: Duration,
    /// Longest silence between two body chunks.
    pub between_bytes_timeout: Duration,
    /// Time to open a connection.
    pub connect_timeout: Duration,
    /// Largest response body the connector may receive.
    pub max_response_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory_bytes: 64 << 20,
            call_timeout: Duration::from_secs(60),
            first_byte_timeout: Duration::from_secs(30),
            between_bytes_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            max_response_bytes: 16 << 20,
        }
    }
}

/// Epoch ticks per second: the granularity of `call_timeout`.
const TICKS_PER_SECOND: u64 = 100;

/// Per-call store state.
pub struct State {
    wasi: WasiCtx,
    http: WasiHttpCtx,
    table: ResourceTable,
    hooks: http::EgressHooks,
    limits: CallLimiter,
    budget: budget::Budget,
}

/// Caps an instance's linear memory and remembers the most it asked for (for benchmarks).
struct CallLimiter {
    max_memory: usize,
    peak_memory: usize,
}

impl ResourceLimiter for CallLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= self.max_memory;
        if allowed {
            self.peak_memory = self.peak_memory.max(desired);
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

/// What one call used.
#[derive(Debug, Clone, Copy, Default)]
pub struct CallStats {
    /// The largest linear memory the instance grew to, in bytes.
    pub peak_memory_bytes: usize,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl WasiHttpView for State {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView {
            ctx: &mut self.http,
            table: &mut self.table,
            hooks: &mut self.hooks,
        }
    }
}

/// A loaded connector, ready to serve calls from any thread.
pub struct ConnectorHost {
    engine: Engine,
    pre: bindings::ConnectorPre<State>,
    policy: Arc<EgressPolicy>,
    /// Keep-alive connections shared by every call of this host.
    pool: Arc<pool::Pool>,
    limits: Limits,
    /// How the component was obtained (compiled now or read from the cache).
    pub loaded: Loaded,
    /// Keeps the epoch ticker running while the host lives.
    _ticker: Arc<()>,
}

/// The engine configuration every host uses (also the key of the compiled-component cache).
pub fn engine() -> Result<Engine> {
    let mut pool = PoolingAllocationConfig::default();
    pool.total_component_instances(64)
        .total_core_instances(256)
        .total_memories(64)
        .total_tables(256)
        .total_stacks(64)
        .max_memory_size(256 << 20)
        // Keep reused slots' pages mapped and reset only the dirty ones (PAGEMAP_SCAN where the
        // kernel has it): a fresh instance then takes no page faults, which halved a webhook call.
        .linear_memory_keep_resident(8 << 20)
        .table_keep_resident(64 << 10)
        .pagemap_scan(wasmtime::Enabled::Auto);
    let mut config = Config::new();
    config
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool))
        .epoch_interruption(true)
        // A 4 GiB reservation with a 32 MiB guard lets Cranelift drop the bounds check on every
        // load and store of 32-bit memories (the slot's pages beyond `max_memory_size` stay
        // unmapped, so it is address space, not memory).
        .memory_reservation(4 << 30)
        .memory_guard_size(32 << 20);
    // `perf record` can name the component's functions when the engine writes a perf map.
    if std::env::var_os("CONNECTOR_PERFMAP").is_some() {
        config.profiler(wasmtime::ProfilingStrategy::PerfMap);
    }
    Ok(Engine::new(&config)?)
}

/// Advances the engine's epoch on a background thread for as long as the returned token lives.
fn start_epoch_ticker(engine: &Engine) -> Arc<()> {
    let token = Arc::new(());
    let alive: Weak<()> = Arc::downgrade(&token);
    let engine = engine.clone();
    std::thread::spawn(move || {
        while alive.strong_count() > 0 {
            std::thread::sleep(Duration::from_millis(1000 / TICKS_PER_SECOND));
            engine.increment_epoch();
        }
    });
    token
}

impl ConnectorHost {
    /// Loads the component at `wasm` (using the compiled cache in [`cache::default_dir`]) with
    /// the given egress policy.
    pub fn load(wasm: &Path, policy: EgressPolicy, limits: Limits) -> Result<Self> {
        Self::load_with_cache(wasm, cache::default_dir().as_deref(), policy, limits)
    }

    /// Like [`load`](Self::load), with the compiled cache in `cache_dir` (a private directory;
    /// `None`: always compile).
    pub fn load_with_cache(
        wasm: &Path,
        cache_dir: Option<&Path>,
        policy: EgressPolicy,
        limits: Limits,
    ) -> Result<Self> {
        let engine = engine()?;
        let (component, loaded) = cache::load_in(&engine, wasm, cache_dir)?;
        Self::from_component(engine, &component, policy, limits, loaded)
    }

    /// Builds a host from an already compiled component.
    pub fn from_component(
        engine: Engine,
        component: &Component,
        policy: EgressPolicy,
        limits: Limits,
        loaded: Loaded,
    ) -> Result<Self> {
        let mut linker = Linker::<State>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
        wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
        budget::cap_guest_sleeps(&mut linker, |s| (s.budget, &mut s.table))?;
        // `types` and `auth` hold only types, yet the component imports them as (empty) instances.
        linker.instance("workflow:connector/types@0.1.0")?;
        linker.instance("workflow:connector/auth@0.1.0")?;
        let pre = linker
            .instantiate_pre(component)
            .map_err(anyhow::Error::from)
            .context("linking the connector")?;
        let pre = bindings::ConnectorPre::new(pre)?;
        let _ticker = start_epoch_ticker(&engine);
        Ok(ConnectorHost {
            engine,
            pre,
            policy: Arc::new(policy),
            pool: Arc::new(pool::Pool::new(limits.connect_timeout)),
            limits,
            loaded,
            _ticker,
        })
    }

    /// The wasmtime engine the component was compiled with (to load other components on it).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    fn store(&self) -> Store<State> {
        let budget = budget::Budget::starting_now(self.limits.call_timeout);
        let state = State {
            // No args, env, preopened dirs or network: only the clocks and randomness std needs.
            wasi: WasiCtx::builder()
                .allow_tcp(false)
                .allow_udp(false)
                .allow_ip_name_lookup(false)
                .monotonic_clock(budget::GuestClock)
                .build(),
            http: WasiHttpCtx::new(),
            table: ResourceTable::new(),
            hooks: http::EgressHooks::new(
                self.policy.clone(),
                self.pool.clone(),
                &self.limits,
                budget,
            ),
            budget,
            limits: CallLimiter {
                max_memory: self.limits.max_memory_bytes,
                peak_memory: 0,
            },
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limits);
        store.set_epoch_deadline(self.epoch_ticks());
        store
    }

    /// `call_timeout` in epoch ticks.
    fn epoch_ticks(&self) -> u64 {
        (self.limits.call_timeout.as_millis() as u64 * TICKS_PER_SECOND / 1000).max(1)
    }

    /// Gives the next call on a kept store ([`Session`]) a full time budget of its own.
    fn restart_budget(&self, store: &mut Store<State>) {
        let budget = budget::Budget::starting_now(self.limits.call_timeout);
        let state = store.data_mut();
        state.budget = budget;
        state.hooks.set_budget(budget);
        store.set_epoch_deadline(self.epoch_ticks());
    }

    /// Instantiates a fresh instance and runs `f` on it, blocking this thread until it is done
    /// (call from a plain thread, e.g. `tokio::task::spawn_blocking`, not from async code).
    pub fn call<T>(
        &self,
        f: impl AsyncFnOnce(&bindings::Connector, &mut Store<State>) -> wasmtime::Result<T>,
    ) -> Result<T> {
        self.call_measured(f).map(|(value, _)| value)
    }

    /// Like [`call`](Self::call), also reporting what the call used.
    pub fn call_measured<T>(
        &self,
        f: impl AsyncFnOnce(&bindings::Connector, &mut Store<State>) -> wasmtime::Result<T>,
    ) -> Result<(T, CallStats)> {
        runtime::block_on(async {
            let mut store = self.store();
            let instance = self.pre.instantiate_async(&mut store).await?;
            let value = f(&instance, &mut store)
                .await
                .map_err(|e| explain_trap(e.into()))?;
            Ok((
                value,
                CallStats {
                    peak_memory_bytes: store.data().limits.peak_memory,
                },
            ))
        })?
    }

    /// The connector's operations, their schemas and samples (`metadata.describe`).
    pub fn describe(&self) -> Result<ConnectorInfo> {
        self.call(async |c, s| c.workflow_connector_metadata().call_describe(s).await)
    }

    /// Checks the connection's token and names the account it reaches.
    pub fn test_connection(&self, conn: &Connection) -> Result<Result<Account, ConnectorError>> {
        self.session(conn).test_connection()
    }

    /// The input schema of operation `key` for this connection's workspace (custom attributes,
    /// ticket type attributes and other per-workspace fields filled in).
    pub fn input_schema(
        &self,
        conn: &Connection,
        key: &str,
    ) -> Result<Result<String, ConnectorError>> {
        self.session(conn).input_schema(key)
    }

    /// The URL to send the user's browser to for authorizing the app.
    pub fn oauth_authorize_url(
        &self,
        request: &AuthorizeRequest,
    ) -> Result<Result<String, ConnectorError>> {
        self.call(async |c, s| {
            c.workflow_connector_connect()
                .call_oauth_authorize_url(s, request)
                .await
        })
    }

    /// Exchanges an authorization code for an access token.
    pub fn oauth_exchange_code(
        &self,
        request: &CodeExchange,
    ) -> Result<Result<OauthToken, ConnectorError>> {
        self.call(async |c, s| {
            c.workflow_connector_connect()
                .call_oauth_exchange_code(s, request)
                .await
        })
    }

    /// A page of choices for the dynamic field `field` of operation `key`.
    pub fn list_options(
        &self,
        conn: &Connection,
        key: &str,
        field: &str,
        query: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<Result<ChoicePage, ConnectorError>> {
        self.session(conn).list_options(key, field, query, cursor)
    }

    /// Runs action `key` with `input` (JSON text); the result is the output item as JSON text.
    pub fn run_action(
        &self,
        conn: &Connection,
        key: &str,
        input: &str,
    ) -> Result<Result<String, ConnectorError>> {
        self.session(conn).run_action(key, input)
    }

    /// Runs search `key` with `input` (JSON text); each item is JSON text.
    pub fn run_search(
        &self,
        conn: &Connection,
        key: &str,
        input: &str,
    ) -> Result<Result<Vec<String>, ConnectorError>> {
        self.session(conn).run_search(key, input)
    }

    /// Polls trigger `key` from `cursor` (none on the first poll): the new events and the cursor
    /// to store for the next poll.
    pub fn poll_trigger(
        &self,
        conn: &Connection,
        key: &str,
        input: &str,
        cursor: Option<&str>,
    ) -> Result<Result<PollPage, ConnectorError>> {
        self.session(conn).poll_trigger(key, input, cursor)
    }

    /// Verifies one Intercom webhook delivery (`X-Hub-Signature` with the app's client secret)
    /// and turns it into the events of the triggers that take its topic.
    pub fn parse_webhook(
        &self,
        secret: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<Result<WebhookResult, ConnectorError>> {
        self.call(async |c, s| {
            c.workflow_connector_triggers()
                .call_parse_webhook(s, secret, headers, body)
                .await
        })
    }

    /// Verifies and parses a burst of deliveries from one Intercom app on a single instance,
    /// answering each in order. Only deliveries signed with the same `secret` (one app, one
    /// tenant) share the instance, so nothing crosses tenants; the instantiation is paid once.
    pub fn parse_webhooks(
        &self,
        secret: &str,
        deliveries: &[Delivery],
    ) -> Result<Vec<Result<WebhookResult, ConnectorError>>> {
        self.call(async |c, s| {
            let mut answers = Vec::with_capacity(deliveries.len());
            for (headers, body) in deliveries {
                let answer = c
                    .workflow_connector_triggers()
                    .call_parse_webhook(&mut *s, secret, headers, body)
                    .await?;
                answers.push(answer);
            }
            Ok(answers)
        })
    }
}

/// Gives limit traps a message a person understands.
fn explain_trap(e: anyhow::Error) -> anyhow::Error {
    match e.downcast_ref::<wasmtime::Trap>() {
        Some(wasmtime::Trap::Interrupt) => {
            e.context("the call ran past its time limit and was stopped")
        }
        Some(wasmtime::Trap::UnreachableCodeReached) => {
            e.context("the connector aborted (out of memory or a bug)")
        }
        _ => e,
    }
}

/// A connection for `token` against `base_url` (tests and the runner).
pub fn connection(token: &str, region: Region, base_url: Option<String>) -> Connection {
    Connection {
        access_token: token.to_string(),
        region,
        base_url,
        api_version: None,
        max_rate_limit_wait_ms: None,
    }
}
