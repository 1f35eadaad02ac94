"""Schema fuzzing: schemathesis generates requests from /openapi.json (boundary values and random
bodies, parameters and headers) against a running server with a seeded tenant, org and user, with
the management key and with a user's org token. Every answer must be documented by the schema and
none may be a 5xx. Bounded here (ORGKIT_SCHEMATHESIS_EXAMPLES per operation and phase, default
10, fixed seed); raise it for a long run on demand."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

from conftest import call

EXAMPLES = os.environ.get("ORGKIT_SCHEMATHESIS_EXAMPLES", "10")
SEED = os.environ.get("ORGKIT_SCHEMATHESIS_SEED", "20261123")


def schemathesis():
    found = shutil.which("schemathesis") or str(pathlib.Path(os.sys.executable).with_name("schemathesis"))
    if not pathlib.Path(found).exists():
        pytest.fail("schemathesis is not installed (scripts/requirements-test.txt)")
    return found


def run(base, token):
    cmd = [schemathesis(), "run", f"{base}/openapi.json", "-H", f"Authorization: Bearer {token}",
           "--checks", "not_a_server_error,response_schema_conformance",
           "--phases", "coverage,fuzzing", "--max-examples", EXAMPLES, "--seed", SEED, "--workers", "1"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert generated and generated.group(1) == generated.group(2), done.stdout[-3000:]
    print(f"schemathesis: {generated.group(1)} requests, all passed")
    return int(generated.group(1))


def test_no_generated_request_gets_a_5xx_or_an_undocumented_answer(server):
    base, key = server
    status, org = call(base, "POST", "/manage/v1/default/organizations", {"name": "Fuzz Org", "slug": "fuzz-org"}, key)
    assert status == 201, org
    status, signup = call(base, "POST", "/api/v1/auth/signup", {"email": "fuzz@example.com", "password": "correct horse battery"})
    assert status == 201, signup
    status, own = call(base, "POST", "/api/v1/organizations", {"name": "Fuzz Own", "slug": "fuzz-own"}, signup["data"]["accessToken"])
    assert status == 201, own
    status, login = call(base, "POST", "/api/v1/auth/login",
                         {"email": "fuzz@example.com", "password": "correct horse battery", "organization": "fuzz-own"})
    assert status == 200, login
    assert run(base, key) > 0
    assert run(base, login["data"]["accessToken"]) > 0
