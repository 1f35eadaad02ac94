"""What the end-to-end suites share: free loopback ports, the database backends the test command
provides, one way to start orgkit-server on a fresh database, a real SMTP server (aiosmtpd),
a real DNS server (dnslib, UDP and TCP) serving the TXT records a test sets, the `server`
fixture (the binary on each backend, its mail going to that SMTP server) and `call`, a JSON
request."""

import contextlib
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest
from aiosmtpd.controller import Controller
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

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


class Server:
    """orgkit-server as a process the test drives: started, SIGKILLed and started again on the
    same database, or a second instance beside another one (same database, same public URL, so
    each accepts the other's tokens). The management key is printed on a database's first start
    only: a second instance or a restart has none of its own (`key` is the first one's)."""

    def __init__(self, backend, tmp, shared_database=None, public_url=None, key=None):
        self.port, self.tmp, self.key, self.proc = free_port(), tmp, key, None
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = shared_database or database_url(backend, tmp)
        self.env = dict(os.environ, ORGKIT_DATABASE_URL=self.database_url, ORGKIT_BIND=f"127.0.0.1:{self.port}",
                        ORGKIT_OUTBOX_DIR=f"{tmp}/outbox", ORGKIT_PUBLIC_URL=public_url or self.base)
        self.fresh = shared_database is None

    def start(self):
        self.proc = subprocess.Popen([os.environ["ORGKIT_SERVER_BIN"]], env=self.env, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        if self.fresh and self.key is None:
            first = json.loads(self.proc.stdout.readline())
            assert first["tenant"] == "default"
            self.key = first["management_key"]
        for _ in range(400):
            assert self.proc.poll() is None, "the server exited on start"
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except (OSError, ValueError):
                time.sleep(0.05)
        else:
            pytest.fail("no /healthz answer")
        # The line is printed before listening: on a restart there is none (no second default tenant key).
        assert not select.select([self.proc.stdout], [], [], 0)[0] or not self.proc.stdout.readline(), \
            "a start on an existing database printed a new management key"

    def kill(self):
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            assert self.proc.wait(timeout=15) == 0, "graceful shutdown on SIGTERM"

    def sql(self, query):
        """Rows of a read-only query, every value as text."""
        url = self.database_url
        if url.startswith("sqlite://"):
            with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite://"))) as db:
                return [tuple(str(v) for v in row) for row in db.execute(query)]
        out = subprocess.run(["psql", url, "-qAt", "-F", "\t", "-c", query], check=True, capture_output=True, text=True)
        return [tuple(line.split("\t")) for line in out.stdout.splitlines()]


class TxtRecords(BaseResolver):
    """The zone a test controls: TXT records by name. A name in `tcp_only` answers over UDP with
    the truncation bit and no records, so a resolver must retry over TCP to see them."""

    def __init__(self):
        self.txt, self.tcp_only, self.queries = {}, set(), []

    def set(self, name, *values, tcp_only=False):
        self.txt[name.lower()] = list(values)
        (self.tcp_only.add if tcp_only else self.tcp_only.discard)(name.lower())

    def remove(self, name):
        self.txt.pop(name.lower(), None)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append((handler.protocol, name))
        if name not in self.txt:
            reply.header.rcode = RCODE.NXDOMAIN
        elif handler.protocol == "udp" and name in self.tcp_only:
            reply.header.tc = 1
        elif request.q.qtype == QTYPE.TXT:
            for value in self.txt[name]:
                reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(value), ttl=0))
        return reply


@contextlib.contextmanager
def dns_server():
    """A DNS server on a free loopback port, UDP and TCP; yields ("127.0.0.1:PORT", records)."""
    records, port = TxtRecords(), free_port()
    servers = [DNSServer(records, address="127.0.0.1", port=port, tcp=tcp) for tcp in (False, True)]
    for s in servers:
        s.start_thread()
    try:
        yield f"127.0.0.1:{port}", records
    finally:
        for s in servers:
            s.stop()


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
