#!/usr/bin/env bash
# Fuzzes orgkit with cargo-fuzz (libFuzzer), on demand (not part of the test command):
#   fuzz/run.sh                 every target, 10 million executions each (the recorded long run)
#   FUZZ_RUNS=100000 fuzz/run.sh token_verify settings_patch
# Installs cargo-fuzz when missing, seeds fuzz/corpus from tests/vectors (and pysaml2-signed
# SAML responses, with the test venv of scripts/test.sh), builds without a sanitizer (stable
# Rust: RUSTC_BOOTSTRAP for libFuzzer's flags; the code under test has no unsafe), and prints
# each target's executions. A crash leaves its input in fuzz/artifacts/<target>/ and fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$here"
runs=${FUZZ_RUNS:-10000000}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(token_verify invitation_verify settings_patch saml_response)
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
python=${PYTHON:-$root/.venv/bin/python}
"$python" seed.py corpus 2>/dev/null
export RUSTC_BOOTSTRAP=1
cargo fuzz build --sanitizer none
for target in "${targets[@]}"; do
  mkdir -p "artifacts/$target"
  log=$(mktemp)
  start=$(date +%s)
  cargo fuzz run --sanitizer none "$target" "corpus/$target" -- \
    -runs="$runs" -max_len=16384 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || { tail -40 "$log"; exit 1; }
  execs=$(grep -m1 '^stat::number_of_executed_units' "$log" | awk '{print $2}')
  cov=$(grep -E '^#[0-9]+.*DONE' "$log" | grep -o 'cov: [0-9]*' | tail -1)
  echo "fuzz $target: $execs executions in $(( $(date +%s) - start )) s, $cov, corpus $(ls "corpus/$target" | wc -l), 0 crashes"
  rm -f "$log"
done
