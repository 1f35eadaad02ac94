#!/usr/bin/env bash
# The one command that runs every test of orgkit. Installs what it needs (scripts/setup.sh),
# starts what it needs on free loopback ports and stops it afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export CARGO_TERM_COLOR=never CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}

step() { printf '\n=== %s\n' "$*"; }

step "setup"
bash scripts/setup.sh
export PATH="$root/.venv/bin:$PATH"

step "throwaway PostgreSQL"
source scripts/postgres.sh
pg_start
trap pg_stop EXIT

step "lints (clippy, workspace)"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test (workspace: core vectors and properties, server on SQLite and PostgreSQL)"
cargo test --workspace --quiet

step "shared vectors in Rust (the count WASM and Python must match)"
cargo test -p orgkit-core --test vectors --quiet -- --show-output | grep -E "^core vectors:"

step "core compiles for wasm32-unknown-unknown (the npm package below links it in release)"
# `check`, not `build`: a debug codegen of p384 and jsonwebtoken for wasm32 takes minutes and
# proves nothing bindings-wasm/build.sh does not prove again with the real release build.
cargo check -p orgkit-core --target wasm32-unknown-unknown --quiet

for suite in bindings-wasm/test.sh bindings-python/test.sh server/test.sh; do
  if [ -f "$suite" ]; then
    step "$suite"
    bash "$suite"
  fi
done

step "all suites passed"
