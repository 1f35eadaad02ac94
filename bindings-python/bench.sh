#!/usr/bin/env bash
# Builds the extension in release mode into the repo's .venv and runs the benchmark.
# Leaves the release build installed (bindings-python/test.sh puts a debug build back).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
export VIRTUAL_ENV="$root/.venv" PATH="$root/.venv/bin:$PATH"
cd "$here"
maturin develop --release --quiet --extras test
python bench.py "$@"
