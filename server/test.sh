#!/usr/bin/env bash
# End-to-end checks of orgkit-server over a real socket: the binary on a free port with SQLite,
# invitation email received by a real SMTP server (aiosmtpd) and accepted through its link,
# SAML SSO with responses signed at test time by pysaml2 (test_saml.py), the self-service org
# owner's attacks refused (test_hostile_owner.py: domains proven through a dnslib DNS server on
# loopback, UDP and TCP; about 10 s per backend), server tokens verified
# by PyJWT against /.well-known/jwks.json, and the branded login page in headless Chromium
# (test_login_page.py; screenshot in target/test-artifacts/); then the installed Python package
# against the same binary (bindings-python/package-test.sh).
# Run by scripts/test.sh with .venv/bin on PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root"
cargo build -p orgkit-server --bin orgkit-server --quiet
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export ORGKIT_SERVER_BIN="$target_dir/debug/orgkit-server"
python -m pytest -q "$here/e2e"

# The Python package as a user installs it (wheel and sdist in a clean venv), with a FastAPI app
# under uvicorn verifying this server's tokens (ORGKIT_SERVER_BIN above): a debug wheel, a few
# minutes on 2 cores.
bash "$root/bindings-python/package-test.sh"
