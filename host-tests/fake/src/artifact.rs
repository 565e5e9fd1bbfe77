//! Finds or builds the connector component, the way waki's and wstd's test-programs do: one
//! nested `cargo build --target wasm32-wasip2` per process, shared by every test in it.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The workspace root (the component's package).
pub fn workspace_root() -> PathBuf {
    // This crate lives in host-tests/fake/ of the workspace.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("host-tests/fake lives in the workspace")
        .to_path_buf()
}

/// Where `build.sh` writes the release component.
pub fn dist_path() -> PathBuf {
    workspace_root().join("dist").join("intercom.wasm")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Fails with the fix when `component` has not been built.
pub fn ensure_built(component: &Path) -> Result<()> {
    if !component.exists() {
        bail!(
            "no component at {}: run ./build.sh first",
            component.display()
        );
    }
    Ok(())
}

/// Builds the release component (a no-op when it is up to date) and returns its path.
pub fn build_component() -> Result<PathBuf> {
    build(&[], target_dir())
}

/// Builds the webhook gateway (feature `gateway`) in its own target dir, so neither build
/// overwrites the other's `intercom_connector.wasm`.
pub fn build_gateway() -> Result<PathBuf> {
    build(&["--features", "gateway"], target_dir().join("gateway"))
}

fn build(features: &[&str], target_dir: PathBuf) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root())
        .args([
            "build",
            "--profile",
            "component",
            "--quiet",
            "-p",
            "intercom-connector",
            "--target",
            "wasm32-wasip2",
        ])
        .args(features)
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags meant for the outer (native) build must not leak into the wasm build.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .context("running cargo to build the component")?;
    if !status.success() {
        bail!("building the component failed ({status}); is the wasm32-wasip2 target installed? (rustup target add wasm32-wasip2)");
    }
    let path = target_dir
        .join("wasm32-wasip2")
        .join("component")
        .join("intercom_connector.wasm");
    if !path.exists() {
        bail!("the build did not produce {}", path.display());
    }
    Ok(path)
}

/// The component under test, built once per process. `CONNECTOR_WASM=<path>` tests that file
/// instead (e.g. `dist/intercom.wasm`, the optimised artifact `build.sh` ships).
pub fn component() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| given_or_built("CONNECTOR_WASM", build_component))
}

/// The webhook gateway under test, built once per process; `GATEWAY_WASM=<path>` tests that
/// file instead (e.g. `dist/intercom-webhooks.wasm`).
pub fn gateway() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| given_or_built("GATEWAY_WASM", build_gateway))
}

fn given_or_built(var: &str, build: fn() -> Result<PathBuf>) -> PathBuf {
    match std::env::var_os(var) {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(path.exists(), "{var}={} does not exist", path.display());
            path
        }
        None => build().expect("the component builds"),
    }
}
