#!/usr/bin/env bash
# Builds the three release artefacts of one version into dist/ (gitignored):
#   - the Python wheel (maturin build --release, abi3),
#   - the npm tarball (npm pack of bindings-wasm/npm after bindings-wasm/build.sh),
#   - the orgkit-server release binary,
# and a SHA256SUMS file. Refuses to build when the packages disagree on the version: the
# workspace Cargo.toml ([workspace.package] version, which the crates and the wheel take) and
# bindings-wasm/npm/package.json. Slow (three release builds); CI does not run it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target_dir=${CARGO_TARGET_DIR:-$root/target}
dist="$root/dist"
cd "$root"

cargo_version=$(awk '/^\[workspace.package\]/ { in_pkg = 1; next } /^\[/ { in_pkg = 0 } in_pkg && /^version *=/ { gsub(/version *= *|"/, ""); print; exit }' Cargo.toml)
npm_version=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' bindings-wasm/npm/package.json)
if ! grep -q '^dynamic = \["version"\]' bindings-python/pyproject.toml; then
  echo "package: bindings-python/pyproject.toml must take its version from Cargo (dynamic = [\"version\"])" >&2
  exit 1
fi
if [ -z "$cargo_version" ] || [ "$cargo_version" != "$npm_version" ]; then
  echo "package: versions disagree: Cargo.toml $cargo_version, bindings-wasm/npm/package.json $npm_version" >&2
  exit 1
fi
if ! grep -q "^## \[$cargo_version\]" CHANGELOG.md; then
  echo "package: CHANGELOG.md has no entry for $cargo_version" >&2
  exit 1
fi
echo "package: orgkit $cargo_version"

# shellcheck source=scripts/debs.sh
source "$root/scripts/debs.sh"
install_debs "${SERVER_DEBS[@]}"
# maturin from ORGKIT_VENV (default: the test venv, made by scripts/setup.sh when missing).
venv=${ORGKIT_VENV:-$root/.venv}
if [ ! -x "$venv/bin/maturin" ]; then bash scripts/setup.sh >/dev/null; fi
rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
rm -rf "$dist"
mkdir -p "$dist"

echo "package: wheel"
(cd bindings-python && "$venv/bin/maturin" build --release --quiet --out "$dist")

echo "package: npm tarball"
bash bindings-wasm/build.sh
(cd bindings-wasm/npm && npm pack --silent --pack-destination "$dist" >/dev/null)

echo "package: server binary"
cargo build --release --locked -p orgkit-server
cp "$target_dir/release/orgkit-server" "$dist/orgkit-server-$cargo_version-$(uname -m)-linux"

(cd "$dist" && sha256sum -- * > SHA256SUMS)
ls -l "$dist"
