//! The sandbox: what the component may import, where it may connect, and what a host sees when
//! the policy says no.

mod common;

use common::{kind, Harness};
use intercom_fake::artifact;
use intercom_fake::TOKEN;
use intercom_host::{self as host, ConnectorError, ConnectorHost, EgressPolicy, Limits, Region};
use std::collections::BTreeSet;

/// Every interface the component may import, by name; versions must stay in WASI 0.2.x (the
/// component model merges semver-compatible versions, so std's and waki's meet at the highest).
/// A new import fails this test on purpose: it is a new capability, needs a review, and the host
/// must link it.
const ALLOWED_IMPORTS: &[&str] = &[
    "workflow:connector/types",
    // Type-only, like `types`: the records `describe()` uses to declare how to connect.
    "workflow:connector/auth",
    "wasi:http/types",
    "wasi:http/outgoing-handler",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:random/insecure-seed",
    // What Rust std on wasm32-wasip2 pulls in: environment, exit and stdio (no files, no sockets).
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
];

fn component_imports() -> BTreeSet<String> {
    let bytes = std::fs::read(artifact::component()).unwrap();
    let mut imports = BTreeSet::new();
    let mut depth = 0usize;
    for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
        match payload.expect("valid component") {
            // Only the outer component's imports: nested modules/components are internal.
            wasmparser::Payload::ModuleSection { .. }
            | wasmparser::Payload::ComponentSection { .. } => depth += 1,
            wasmparser::Payload::End(_) => depth = depth.saturating_sub(1),
            wasmparser::Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    imports.insert(import.unwrap().name.0.to_string());
                }
            }
            _ => {}
        }
    }
    imports
}

#[test]
fn imports_are_a_subset_of_the_declared_wasi_list() {
    let imports = component_imports();
    assert!(
        imports
            .iter()
            .any(|i| i.starts_with("wasi:http/outgoing-handler@")),
        "{imports:?}"
    );
    for import in &imports {
        let (name, version) = import.split_once('@').expect("versioned import");
        assert!(
            ALLOWED_IMPORTS.contains(&name),
            "undeclared import {import}\nall imports: {imports:?}"
        );
        let expected = if name.starts_with("workflow:") {
            "0.1."
        } else {
            "0.2."
        };
        assert!(
            version.starts_with(expected),
            "{import} is outside {expected}x"
        );
    }
    for forbidden in ["wasi:sockets", "wasi:filesystem"] {
        assert!(
            !imports.iter().any(|i| i.starts_with(forbidden)),
            "no {forbidden}: {imports:?}"
        );
    }
}

#[test]
fn a_base_url_outside_the_allowlist_is_denied_and_nothing_is_sent() {
    let h = Harness::new();
    // A second fake, reachable on loopback but not on the allowlist.
    let other = intercom_fake::FakeIntercom::start();
    let conn = host::connection(TOKEN, Region::Us, Some(other.base_url()));
    let err = h.host.test_connection(&conn).unwrap().unwrap_err();
    match &err {
        ConnectorError::Transport(m) => assert!(m.contains("egress policy denied"), "{m}"),
        e => panic!("expected a transport error, got {e:?}"),
    }
    assert!(
        other.requests().is_empty(),
        "the denied host received nothing"
    );
    // The same host, once the embedder allows it, works.
    let mut policy = EgressPolicy::intercom();
    policy.allow(&other.host());
    let host = ConnectorHost::load(artifact::component(), policy, Limits::default()).unwrap();
    assert!(host.test_connection(&conn).unwrap().is_ok());
}

#[test]
fn plain_http_to_an_intercom_host_is_denied() {
    let h = Harness::new();
    let conn = host::connection(TOKEN, Region::Us, Some("http://api.intercom.io".into()));
    let err = h.host.test_connection(&conn).unwrap().unwrap_err();
    assert_eq!(kind(&err), "transport");
}

#[test]
fn a_deny_all_host_denies_even_intercom() {
    let host = ConnectorHost::load(
        artifact::component(),
        EgressPolicy::deny_all(),
        Limits::default(),
    )
    .unwrap();
    let conn = host::connection("t", Region::Eu, None);
    let err = host.test_connection(&conn).unwrap().unwrap_err();
    match err {
        ConnectorError::Transport(m) => assert!(m.contains("https://api.eu.intercom.io"), "{m}"),
        e => panic!("{e:?}"),
    }
}

#[test]
fn the_host_serves_many_calls_from_one_instance_pre() {
    let h = Harness::new();
    for _ in 0..20 {
        assert!(h.host.test_connection(&h.conn).unwrap().is_ok());
    }
    assert_eq!(h.fake.requests().len(), 20);
}

#[test]
fn a_redirect_to_another_host_is_not_followed() {
    let h = Harness::new();
    let elsewhere = intercom_fake::FakeIntercom::start();
    h.fake.inject(
        intercom_fake::Fault::Redirect(format!("{}/me", elsewhere.base_url())),
        1,
        None,
    );
    let err = h.host.test_connection(&h.conn).unwrap().unwrap_err();
    match err {
        ConnectorError::Upstream(u) => assert_eq!(u.status, 302),
        e => panic!("expected the redirect to surface as an upstream error, got {e:?}"),
    }
    assert!(
        elsewhere.requests().is_empty(),
        "the other host was never contacted"
    );
    assert_eq!(h.fake.requests().len(), 1);
}
