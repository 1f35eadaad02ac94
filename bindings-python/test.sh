#!/usr/bin/env bash
# The Python suite of orgkit: builds the extension into the repo's .venv with maturin, installs
# the package's test extras, runs pytest. Called from the repo root by scripts/test.sh after
# scripts/setup.sh; works alone on a fresh machine too (it creates the venv if missing).
#
# Debug build on purpose: a release build of the crate graph costs minutes more on 2 cores,
# and the suite makes a few hundred verifications, fast enough unoptimised. The benchmark
# (bench.py) asks for a release build itself.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
venv="$root/.venv"

if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
export VIRTUAL_ENV="$venv"
export PATH="$venv/bin:$PATH"
if ! "$venv/bin/python" -c 'import maturin' 2>/dev/null && ! command -v maturin >/dev/null; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/scripts/requirements-test.txt"
fi

cd "$here"
# --extras installs the test and fastapi extras declared in pyproject.toml (already present
# after scripts/setup.sh, in which case pip only checks them).
PIP_QUIET=1 maturin develop --quiet --extras test,fastapi

# The generated types (types.py, the stub's `call` overloads, the facade signatures) match the
# npm package's declarations. scripts/test.sh runs bindings-wasm/test.sh first, which builds
# them; alone, this suite builds them once (bindings-wasm/build.sh) when they are missing.
if [ ! -f "$root/bindings-wasm/npm/node/orgkit.d.ts" ]; then
  bash "$root/bindings-wasm/build.sh"
fi
python gen_types.py --check

export MYPY_CACHE_DIR="${MYPY_CACHE_DIR:-$here/.mypy_cache}"
set +e
python -m pytest -q -p no:cacheprovider tests "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "bindings-python: pytest collected no tests" >&2
  exit 1
fi
exit "$status"
