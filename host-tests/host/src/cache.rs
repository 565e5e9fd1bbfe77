//! Compiled-component cache: `Engine::precompile_component` output, so a new process loads in
//! milliseconds instead of compiling with Cranelift again.
//!
//! Loading a cached artifact runs native code, so the cache is never trusted by location alone:
//! * it lives in a private directory (`$XDG_CACHE_HOME/intercom-connector`, else
//!   `~/.cache/intercom-connector`, or one the embedder passes) that is created 0700 and used
//!   only while it is owned by this user with no access for group or others;
//! * each artifact is named after the engine's compatibility hash and the SHA-256 of the `.wasm`,
//!   and stored beside the SHA-256 of its own bytes; the digest is checked before
//!   `deserialize`, and an artifact that does not match is rebuilt, not loaded.

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::Engine;

/// How a component was obtained, for benchmarks and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    /// Compiled now (no usable cache entry); the cache was filled if it could be.
    Compiled,
    /// Read from the cache after its digest checked out.
    FromCache,
}

/// The default cache directory: `$XDG_CACHE_HOME/intercom-connector`, else
/// `$HOME/.cache/intercom-connector`; `None` when neither variable is set.
pub fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("intercom-connector"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the artifact for these component bytes lives inside `dir`.
pub fn cache_path(engine: &Engine, dir: &Path, wasm_bytes: &[u8]) -> PathBuf {
    let mut h = Sha256::new();
    h.update(wasm_bytes);
    let mut engine_hash = std::collections::hash_map::DefaultHasher::new();
    std::hash::Hash::hash(&engine.precompile_compatibility_hash(), &mut engine_hash);
    let engine_hash = std::hash::Hasher::finish(&engine_hash);
    dir.join(format!("{}-{engine_hash:016x}.cwasm", hex(&h.finalize())))
}

fn digest_path(artifact: &Path) -> PathBuf {
    artifact.with_extension("cwasm.sha256")
}

/// Creates `dir` 0700 if missing and checks it is private to this user: owned by us, no access
/// for group or others. `false`: do not read or write the cache.
#[cfg(unix)]
fn private_dir(dir: &Path) -> bool {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    if !dir.exists() {
        let _ = std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir);
    }
    // symlink_metadata: a symlink planted in place of the directory is refused too.
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return false;
    };
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    meta.is_dir() && meta.uid() == me && meta.permissions().mode() & 0o077 == 0
}

#[cfg(not(unix))]
fn private_dir(dir: &Path) -> bool {
    std::fs::create_dir_all(dir).is_ok()
}

/// Loads `wasm` with the cache in [`default_dir`] (compiling when there is none).
pub fn load(engine: &Engine, wasm: &Path) -> Result<(Component, Loaded)> {
    load_in(engine, wasm, default_dir().as_deref())
}

/// Loads `wasm`, from the cache in `dir` when a checked artifact is there, else compiling it and
/// filling the cache. A directory that is not private to this user is neither read nor written.
pub fn load_in(engine: &Engine, wasm: &Path, dir: Option<&Path>) -> Result<(Component, Loaded)> {
    let bytes =
        std::fs::read(wasm).with_context(|| format!("reading component {}", wasm.display()))?;
    let dir = dir.filter(|d| private_dir(d));
    let cached = dir.map(|d| cache_path(engine, d, &bytes));
    if let Some(artifact) = cached.as_deref().and_then(read_checked) {
        // SAFETY: the artifact sits in a directory only this user can write, and its bytes are
        // the ones whose SHA-256 was stored beside it when this engine configuration (its
        // compatibility hash is in the name) precompiled these exact component bytes.
        if let Ok(component) = unsafe { Component::deserialize(engine, &artifact) } {
            return Ok((component, Loaded::FromCache));
        }
    }
    let compiled = engine
        .precompile_component(&bytes)
        .map_err(anyhow::Error::from)
        .context("compiling the component")?;
    if let Some(path) = &cached {
        store(path, &compiled);
    }
    // SAFETY: `compiled` was just produced by this engine.
    let component = unsafe { Component::deserialize(engine, &compiled) }?;
    Ok((component, Loaded::Compiled))
}

/// The artifact's bytes when they match the digest stored beside them.
fn read_checked(path: &Path) -> Option<Vec<u8>> {
    let artifact = std::fs::read(path).ok()?;
    let stored = std::fs::read_to_string(digest_path(path)).ok()?;
    (stored.trim() == hex(&Sha256::digest(&artifact))).then_some(artifact)
}

/// Writes the artifact and its digest, each to a temporary file renamed into place, so
/// concurrent processes never read half a file (a reader seeing a new artifact with the old
/// digest, or the reverse, rejects it and compiles).
fn store(path: &Path, compiled: &[u8]) {
    let write = |target: PathBuf, bytes: &[u8]| {
        let tmp = target.with_extension(format!("tmp{}", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() && std::fs::rename(&tmp, &target).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    };
    write(path.to_path_buf(), compiled);
    write(digest_path(path), hex(&Sha256::digest(compiled)).as_bytes());
}
