#!/usr/bin/env bash
# The package as a user gets it: builds the wheel (`maturin build`) and the sdist, checks the
# sdist carries what a source build needs, installs the wheel into a clean venv (no source tree
# on its path), runs the vectors and verifier tests against the installed package, then a real
# FastAPI app under uvicorn verifying tokens issued by a running orgkit-server (ORGKIT_SERVER_BIN
# names the binary: server/test.sh builds it and runs this script last), and type-checks the typed
# usage file against the installed package (its py.typed, stubs and orgkit.types).
#
# Debug wheel on purpose, as in test.sh (the release build costs minutes more on 2 cores).
# Every wait in the uvicorn test is bounded. Run from anywhere: bash bindings-python/package-test.sh
set -euo pipefail
: "${ORGKIT_SERVER_BIN:?names an orgkit-server binary (cargo build -p orgkit-server; server/test.sh sets it)}"
started=$SECONDS
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
venv="$root/.venv"
export PATH="$venv/bin:$PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/orgkit-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
dist="$work/dist"

cd "$here"
maturin build --quiet --out "$dist" 2>&1 | grep -v '^$' || true
maturin sdist --out "$dist" >/dev/null
wheel=$(ls "$dist"/orgkit-*.whl)
sdist=$(ls "$dist"/orgkit-*.tar.gz)
echo "package-test: built $(basename "$wheel") and $(basename "$sdist")"

# The sdist builds on its own: the binding, the core it depends on, the Python sources and stubs.
contents=$(tar tzf "$sdist")
for needed in bindings-python/src/lib.rs core/src/lib.rs python/orgkit/__init__.py python/orgkit/_orgkit.pyi python/orgkit/types.py python/orgkit/py.typed pyproject.toml; do
  grep -q "/$needed\$" <<<"$contents" || { echo "package-test: the sdist lacks $needed" >&2; exit 1; }
done

python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel" \
  "pytest>=8" "PyJWT[crypto]>=2.10" "cryptography>=43" "httpx>=0.27" "fastapi>=0.100" "uvicorn>=0.30" "mypy>=1.10"

# Tests copied out of the tree, run from a directory holding no `orgkit` sources.
mkdir "$work/tests"
cp "$here"/tests/conftest.py "$here"/tests/test_vectors.py "$here"/tests/test_verifier_vectors.py \
   "$here"/tests/test_verifier.py "$here"/tests/test_interop.py "$here"/tests/test_jwks_url.py \
   "$here"/tests/test_verify_async.py "$here"/tests_installed/*.py "$work/tests/"
cd "$work"
ORGKIT_VECTORS_DIR="$root/tests/vectors" "$work/venv/bin/python" -m pytest -q -p no:cacheprovider "$work/tests"

# The types as a user's type checker sees them: right uses check, wrong uses are flagged.
cp "$here"/tests/types/usage.py "$work/usage.py"
MYPY_CACHE_DIR="$work/.mypy_cache" "$work/venv/bin/python" -m mypy --strict --warn-unused-ignores "$work/usage.py"
echo "package-test: passed in $((SECONDS - started)) s"
