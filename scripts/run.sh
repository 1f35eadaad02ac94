#!/usr/bin/env bash
# Runs orgkit-server on a fresh machine: installs the Debian packages the build needs
# (scripts/debs.sh: clang, libclang-dev, libxmlsec1-dev, libxml2-dev, pkg-config; skipped when
# present), then builds and starts the release server with embedded SQLite (./orgkit.db). The
# first build compiles every dependency (several minutes on two cores); later starts take seconds.
# Arguments and ORGKIT_* variables pass through: `bash scripts/run.sh serve --help` lists them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/debs.sh
source "$root/scripts/debs.sh"
install_debs "${SERVER_DEBS[@]}"
if ! command -v cargo >/dev/null 2>&1; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "run: cargo is not installed; see https://rustup.rs" >&2
  exit 1
fi
cd "$root"
exec cargo run --release --locked -p orgkit-server -- "$@"
