#!/usr/bin/env bash
# Installs what the test suite needs, idempotently: Debian packages, the wasm32 target, and a
# Python venv in .venv with the packages of scripts/requirements-test.txt.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# shellcheck source=scripts/debs.sh
source "$root/scripts/debs.sh"
install_debs "${SERVER_DEBS[@]}" "${TEST_DEBS[@]}"

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

venv="$root/.venv"
req="$root/scripts/requirements-test.txt"
stamp="$venv/.requirements.sha"
want=$(sha256sum "$req" | cut -d' ' -f1)
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$req"
  echo "$want" > "$stamp"
fi
