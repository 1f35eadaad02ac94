#!/usr/bin/env bash
# The WASM binding's test suite, run from the repo root by scripts/test.sh: builds the npm
# package (build.sh), type-checks a typed usage file with tsc, and runs the node test suites
# (shared vectors, API and hostile input, the guard, jose interop, the remote JWKS guard, the
# edge-worker example) and the packed tarball in real Node, Deno and workerd (tests/runtimes/).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
bash build.sh
echo "bindings-wasm: tsc --noEmit (typed usage)"
node_modules/.bin/tsc -p tests/types/tsconfig.json --noEmit
echo "bindings-wasm: node --test"
node --test --test-reporter=spec tests/ examples/edge-worker/
