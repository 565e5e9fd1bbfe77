//! Compiled-component cache: `Engine::precompile_component` output stored next to the `.wasm`,
//! keyed by the engine's compatibility hash and the file's hash, so a new process loads in
//! milliseconds instead of compiling with Cranelift again.

use anyhow::{Context, Result};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::component::Component;
use wasmtime::Engine;

/// How a component was obtained, for benchmarks and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loaded {
    Compiled,
    FromCache,
}

/// Where the precompiled artifact for `wasm` (with these bytes) lives.
pub fn cache_path(engine: &Engine, wasm: &Path, bytes: &[u8]) -> PathBuf {
    let mut h = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut h);
    bytes.hash(&mut h);
    let name = wasm
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    wasm.with_file_name(format!("{name}.{:016x}.cwasm", h.finish()))
}

/// Loads `wasm`, from the cache when present, else compiling it and filling the cache.
pub fn load(engine: &Engine, wasm: &Path) -> Result<(Component, Loaded)> {
    let bytes =
        std::fs::read(wasm).with_context(|| format!("reading component {}", wasm.display()))?;
    let cached = cache_path(engine, wasm, &bytes);
    if cached.exists() {
        // SAFETY: the file was written by `precompile_component` of an engine with the same
        // compatibility hash (it is in the name) from these exact bytes; only we write it.
        if let Ok(component) = unsafe { Component::deserialize_file(engine, &cached) } {
            return Ok((component, Loaded::FromCache));
        }
    }
    let compiled = engine
        .precompile_component(&bytes)
        .map_err(anyhow::Error::from)
        .context("compiling the component")?;
    // Write then rename, so concurrent test processes never read a half-written file.
    let tmp = cached.with_extension(format!("tmp{}", std::process::id()));
    if std::fs::write(&tmp, &compiled).is_ok() {
        let _ = std::fs::rename(&tmp, &cached);
    }
    // SAFETY: `compiled` was just produced by this engine.
    let component = unsafe { Component::deserialize(engine, &compiled) }?;
    Ok((component, Loaded::Compiled))
}
