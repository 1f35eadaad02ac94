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

step "shared vectors and verifier scenarios in Rust (the counts WASM and Python must match)"
cargo test -p orgkit-core --test vectors --test verifier_vectors --quiet -- --show-output \
  | grep -E "^core (vectors|verifier scenarios):"

step "lints for wasm32 (the npm package's nodejs build: core + node:crypto signatures)"
# Lints the code only that build compiles (bindings-wasm/src/node_crypto.rs) and checks core for
# wasm32; a debug codegen would take minutes and prove nothing bindings-wasm/build.sh does not
# prove again with the real release builds of both modules.
cargo clippy -p orgkit-wasm --target wasm32-unknown-unknown --no-default-features --features node_crypto,ops --quiet -- -D warnings

for suite in bindings-wasm/test.sh bindings-python/test.sh server/test.sh; do
  if [ -f "$suite" ]; then
    step "$suite"
    bash "$suite"
  fi
done

step "all suites passed"
