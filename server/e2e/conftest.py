"""What the end-to-end suites share: free loopback ports, the database backends the test command
provides, one way to start orgkit-server on a fresh database, a real SMTP server (aiosmtpd),
the `server` fixture (the binary on each backend, its mail going to that SMTP server) and
`call`, a JSON request."""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from aiosmtpd.controller import Controller

# PostgreSQL too when the test command started a cluster (and psql can create a database in it).
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("ORGKIT_TEST_POSTGRES_URL") and shutil.which("psql") else [])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(backend, tmp):
    if backend == "sqlite":
        return f"sqlite://{tmp}/orgkit.db"
    base = os.environ["ORGKIT_TEST_POSTGRES_URL"]
    name = "orgkit_e2e_" + os.urandom(6).hex()
    subprocess.run(["psql", base, "-qAtc", f"CREATE DATABASE {name}"], check=True)
    return base.rsplit("/", 1)[0] + "/" + name


@contextlib.contextmanager
def running_server(backend, extra_env=None):
    """orgkit-server on a free port and a fresh database; yields (base URL, management key, tmp dir)
    once /healthz answers, and checks the graceful shutdown on SIGTERM afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update({
            "ORGKIT_DATABASE_URL": database_url(backend, tmp),
            "ORGKIT_BIND": f"127.0.0.1:{port}",
            "ORGKIT_OUTBOX_DIR": f"{tmp}/outbox",
        })
        env.update(extra_env or {})
        proc = subprocess.Popen([os.environ["ORGKIT_SERVER_BIN"]], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            first = json.loads(proc.stdout.readline())
            assert first["tenant"] == "default"
            for _ in range(200):
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError):
                    time.sleep(0.05)
            yield base, first["management_key"], tmp
        finally:
            proc.terminate()
            assert proc.wait(timeout=15) == 0, "graceful shutdown on SIGTERM"


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture()
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.fixture(params=BACKENDS)
def server(request, smtp):
    controller, _ = smtp
    smtp_env = {"ORGKIT_SMTP_URL": f"smtp://127.0.0.1:{controller.port}", "ORGKIT_EMAIL_FROM": "orgkit <no-reply@orgkit.test>"}
    with running_server(request.param, smtp_env) as (base, key, _):
        yield base, key


def call(base, method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
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
