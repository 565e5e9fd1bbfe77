//! A run of calls for one connection on one instance, for a platform that serves many calls of
//! the same account in a row (a worker per connection, a batch of polls).
//!
//! [`ConnectorHost`]'s own methods instantiate a fresh instance for every call: nothing survives
//! from one call to the next (those that take a connection are a one-call session each, so the
//! two paths share one definition of every call). That isolation costs an instantiation per call (about 45 µs in
//! `connector bench`, a third of a warm search's overhead). A [`Session`] keeps its instance
//! between calls instead, and is bound to one [`Connection`] (token, region, base URL), so what
//! stays in its memory (the previous answers, the token) is that connection's own, the trade-off
//! the platform takes when it opens one. Each call still gets its own time budget; the memory
//! limit holds for the instance. After a trap (the time limit, the memory limit, an abort) the
//! instance is dropped and the next call starts a fresh one, as it does once the instance has
//! grown past [`RECYCLE_MEMORY_BYTES`] or served [`MAX_CALLS`] calls.

use super::bindings::exports::workflow::connector::options::ChoicePage;
use super::bindings::exports::workflow::connector::triggers::PollPage;
use super::bindings::workflow::connector::types::{Account, Connection, Error as ConnectorError};
use super::{bindings, explain_trap, runtime, ConnectorHost, State};
use anyhow::Result;
use wasmtime::Store;

/// An instance that has grown past this much linear memory (a poll of a large page) is not
/// kept: the next call starts small again.
pub const RECYCLE_MEMORY_BYTES: usize = 16 << 20;

/// Calls one instance serves before it is replaced (bounds what can build up in it).
pub const MAX_CALLS: u32 = 1_000;

/// Calls for one connection, on one instance kept between them (see the module comment).
/// Open one with [`ConnectorHost::session`]; use it from one thread at a time.
pub struct Session<'h> {
    host: &'h ConnectorHost,
    conn: Connection,
    live: Option<Live>,
    instances: u32,
}

/// The kept instance and how many calls it served.
struct Live {
    store: Store<State>,
    connector: bindings::Connector,
    calls: u32,
}

impl ConnectorHost {
    /// A session for `conn`: its calls share one instance (see [`Session`]).
    pub fn session(&self, conn: &Connection) -> Session<'_> {
        Session {
            host: self,
            conn: conn.clone(),
            live: None,
            instances: 0,
        }
    }
}

impl Session<'_> {
    /// How many instances this session has started so far (1 while none trapped or was
    /// recycled).
    pub fn instances(&self) -> u32 {
        self.instances
    }

    /// Runs `f` on the kept instance (a fresh one if there is none), with a fresh time budget.
    fn call<T>(
        &mut self,
        f: impl AsyncFnOnce(&bindings::Connector, &mut Store<State>, &Connection) -> wasmtime::Result<T>,
    ) -> Result<T> {
        let Session {
            host,
            conn,
            live,
            instances,
        } = self;
        runtime::block_on(async {
            let mut kept = match live.take() {
                Some(mut kept) => {
                    // A fresh store starts with a full budget; a kept one gets a new one.
                    host.restart_budget(&mut kept.store);
                    kept
                }
                None => {
                    let mut store = host.store();
                    let connector = host.pre.instantiate_async(&mut store).await?;
                    *instances += 1;
                    Live {
                        store,
                        connector,
                        calls: 0,
                    }
                }
            };
            let answer = f(&kept.connector, &mut kept.store, conn).await;
            kept.calls += 1;
            // A trapped instance cannot be entered again; a large or old one is let go.
            if answer.is_ok()
                && kept.calls < MAX_CALLS
                && kept.store.data().limits.peak_memory <= RECYCLE_MEMORY_BYTES
            {
                *live = Some(kept);
            }
            answer.map_err(|e| explain_trap(e.into()))
        })?
    }

    /// Runs search `key` with `input` (as [`ConnectorHost::run_search`]).
    pub fn run_search(
        &mut self,
        key: &str,
        input: &str,
    ) -> Result<Result<Vec<String>, ConnectorError>> {
        let input = input.to_string();
        self.call(async |c, s, conn| {
            c.workflow_connector_searches()
                .call_run_search(s, conn, key, &input)
                .await
        })
    }

    /// Runs action `key` with `input` (as [`ConnectorHost::run_action`]).
    pub fn run_action(&mut self, key: &str, input: &str) -> Result<Result<String, ConnectorError>> {
        let input = input.to_string();
        self.call(async |c, s, conn| {
            c.workflow_connector_actions()
                .call_run_action(s, conn, key, &input)
                .await
        })
    }

    /// Polls trigger `key` from `cursor` (as [`ConnectorHost::poll_trigger`]).
    pub fn poll_trigger(
        &mut self,
        key: &str,
        input: &str,
        cursor: Option<&str>,
    ) -> Result<Result<PollPage, ConnectorError>> {
        let input = input.to_string();
        self.call(async |c, s, conn| {
            c.workflow_connector_triggers()
                .call_poll_trigger(s, conn, key, &input, cursor)
                .await
        })
    }

    /// A page of choices for a dynamic field (as [`ConnectorHost::list_options`]).
    pub fn list_options(
        &mut self,
        key: &str,
        field: &str,
        query: Option<&str>,
        cursor: Option<&str>,
    ) -> Result<Result<ChoicePage, ConnectorError>> {
        self.call(async |c, s, conn| {
            c.workflow_connector_options()
                .call_list_options(s, conn, key, field, query, cursor)
                .await
        })
    }

    /// The workspace's input schema of operation `key` (as [`ConnectorHost::input_schema`]).
    pub fn input_schema(&mut self, key: &str) -> Result<Result<String, ConnectorError>> {
        self.call(async |c, s, conn| {
            c.workflow_connector_metadata()
                .call_input_schema(s, conn, key)
                .await
        })
    }

    /// Checks the connection (as [`ConnectorHost::test_connection`]).
    pub fn test_connection(&mut self) -> Result<Result<Account, ConnectorError>> {
        self.call(async |c, s, conn| {
            c.workflow_connector_metadata()
                .call_test_connection(s, conn)
                .await
        })
    }
}
