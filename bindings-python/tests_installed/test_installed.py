"""Run by package-test.sh only: the installed wheel, and a FastAPI app under uvicorn verifying
tokens of a running orgkit-server (ORGKIT_SERVER_BIN). Every wait is bounded."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional

import pytest

import orgkit


def test_the_package_comes_from_the_installed_wheel() -> None:
    assert "site-packages" in Path(orgkit.__file__).parts
    assert (Path(orgkit.__file__).parent / "py.typed").exists()
    assert (Path(orgkit.__file__).parent / "_orgkit.pyi").exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def request(url: str, method: str = "GET", body: Any = None, token: Optional[str] = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if body is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def wait_until_up(url: str, proc: subprocess.Popen[Any]) -> None:
    for _ in range(300):  # at most ~15 s
        assert proc.poll() is None, f"{proc.args} exited with {proc.returncode}"
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # answering, if not with 200
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    raise AssertionError(f"{url} did not answer")


@contextmanager
def process(args: list[str], env: dict[str, str], up: str, **kw: Any) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(args, env=env, text=True, **kw)
    try:
        if kw.get("stdout") is None:
            wait_until_up(up, proc)
        yield proc
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_fastapi_under_uvicorn_verifies_the_servers_tokens() -> None:
    assert os.environ.get("ORGKIT_SERVER_BIN"), "package-test.sh names the server binary in ORGKIT_SERVER_BIN"
    server_port, app_port = free_port(), free_port()
    server = f"http://127.0.0.1:{server_port}"
    app = f"http://127.0.0.1:{app_port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, ORGKIT_DATABASE_URL=f"sqlite://{tmp}/orgkit.db", ORGKIT_BIND=f"127.0.0.1:{server_port}",
                   ORGKIT_OUTBOX_DIR=f"{tmp}/outbox", ORGKIT_RATE_LIMIT="off")
        with process([os.environ["ORGKIT_SERVER_BIN"]], env, server + "/healthz", stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as srv:
            assert srv.stdout is not None
            json.loads(srv.stdout.readline())  # the bootstrap line (management key), printed first
            wait_until_up(server + "/healthz", srv)
            app_env = dict(os.environ, ORGKIT_JWKS_URL=server + "/.well-known/jwks.json", ORGKIT_ISSUER=server)
            uvicorn = [sys.executable, "-m", "uvicorn", "fastapi_app:app", "--port", str(app_port), "--log-level", "warning",
                       "--app-dir", str(Path(__file__).parent)]
            with process(uvicorn, app_env, app + "/openapi.json"):
                status, schema = request(app + "/openapi.json")
                assert status == 200, schema
                # HTTPBearer: /docs shows the Authorize button, and every orgkit route requires it.
                assert schema["components"]["securitySchemes"]["orgkit"] == {
                    "type": "http", "scheme": "bearer", "description": schema["components"]["securitySchemes"]["orgkit"]["description"],
                }
                for path in ("/orgs/{org_id}/whoami", "/orgs/{org_id}/settings"):
                    assert schema["paths"][path]["get"]["security"] == [{"orgkit": []}], path
                # The typed result is FastAPI's response model: core's EffectiveSettings.
                settings_schema = schema["paths"]["/orgs/{org_id}/settings"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
                assert settings_schema == {"$ref": "#/components/schemas/EffectiveSettings"}
                assert "require_mfa" in schema["components"]["schemas"]["EffectiveSettings"]["required"]

                status, signup = request(server + "/api/v1/auth/signup", "POST", {"email": "owner@acme.test", "password": "correct horse battery"})
                assert status == 201, signup
                user_token = signup["data"]["accessToken"]
                status, org = request(server + "/api/v1/organizations", "POST", {"name": "Acme", "slug": "acme"}, user_token)
                assert status == 201, org
                org_id = org["data"]["id"]
                status, issued = request(server + "/api/v1/auth/token", "POST", {"organization": org_id}, user_token)
                assert status == 200, issued
                org_token = issued["data"]["accessToken"]

                status, body = request(f"{app}/orgs/{org_id}/whoami", token=org_token)
                assert status == 200 and body["org"] == org_id and body["role"] == "owner", body
                status, body = request(f"{app}/orgs/acme/whoami", token=org_token)  # the slug names the org too
                assert status == 200, body
                status, body = request(f"{app}/orgs/{org_id}/settings", token=org_token)
                assert status == 200, body
                assert body["require_mfa"] == {"value": True, "source": "tenant_floor"}
                assert body["session_ttl_hours"] == {"value": 8, "source": "org"}
                status, body = request(f"{app}/orgs/another/whoami", token=org_token)
                assert status == 403 and body["detail"]["code"] == "org_mismatch"
                status, body = request(f"{app}/orgs/{org_id}/whoami")
                assert status == 401 and body["detail"]["code"] == "unauthenticated"
                status, body = request(f"{app}/orgs/{org_id}/whoami", token=user_token)  # a token without an org
                assert status == 403 and body["detail"]["code"] in ("org_required", "org_mismatch"), body
                status, body = request(f"{app}/orgs/{org_id}/whoami", token=org_token[:-4] + "AAAA")
                assert status == 401 and body["detail"]["code"] in ("invalid_signature", "invalid_token")
