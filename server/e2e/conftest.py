"""What the end-to-end suites share: free loopback ports, the database backends the test command
provides, one way to start orgkit-server on a fresh database, a real SMTP server (aiosmtpd),
a real DNS server (dnslib, UDP and TCP) serving the TXT records a test sets, the `server`
fixture (the binary on each backend, its mail going to that SMTP server), `call`, a JSON
request, and for the SAML suites a pysaml2 IdP signing with its own key (`Idp`) and `http`, a
request that answers headers too and follows no redirect."""

import base64
import contextlib
import datetime
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
import urllib.parse
import urllib.request

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSServer
from saml2 import BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NAMEID_FORMAT_TRANSIENT, NameID
from saml2.server import Server as IdpServer
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256

# PostgreSQL too when the test command started a cluster (and psql can create a database in it).
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("ORGKIT_TEST_POSTGRES_URL") and shutil.which("psql") else [])

# For suites that send hundreds of signups and logins from one loopback address (races, crash
# load, the authorization matrix): the abuse limits would answer them 429. test_abuse.py tests
# the limits, which are on by default.
NO_RATE_LIMIT = {"ORGKIT_RATE_LIMIT": "off"}


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

    def __init__(self, backend, tmp, shared_database=None, public_url=None, key=None, extra_env=None):
        self.port, self.tmp, self.key, self.proc = free_port(), tmp, key, None
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = shared_database or database_url(backend, tmp)
        self.env = dict(os.environ, ORGKIT_DATABASE_URL=self.database_url, ORGKIT_BIND=f"127.0.0.1:{self.port}",
                        ORGKIT_OUTBOX_DIR=f"{tmp}/outbox", ORGKIT_PUBLIC_URL=public_url or self.base, **(extra_env or {}))
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


def exchange(base, method, path, body=None, token=None, headers=None):
    """One JSON request: (status, parsed body or None, response headers)."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers or {})
    if body is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            raw = resp.read()
            return resp.status, json.loads(raw) if raw else None, resp.headers
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null"), e.headers


def call(base, method, path, body=None, token=None):
    status, answer, _ = exchange(base, method, path, body, token)
    return status, answer


# ------------------------------------------------------------------ SAML: a pysaml2 IdP, requests to the SP
IDP_ENTITY = "https://idp.acme.test/saml"
IDP_SSO = "https://idp.acme.test/saml/sso"
OTHER_SP = "https://other-sp.example/saml"
AUTHN = {"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "authn_auth": IDP_ENTITY}


def key_and_certificate(cn):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def other_sp_metadata():
    return f"""<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{OTHER_SP}">
<md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
<md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://other-sp.example/acs" index="0"/>
</md:SPSSODescriptor></md:EntityDescriptor>"""


class Idp:
    """A pysaml2 IdP with its own key; `lifetime` sets the assertions' validity."""

    def __init__(self, tmp, name, sp_metadata, lifetime=None, keys=None):
        self.key_pem, self.cert_pem = keys or key_and_certificate(name)
        key_file, cert_file = os.path.join(tmp, f"{name}.key"), os.path.join(tmp, f"{name}.crt")
        with open(key_file, "wb") as f:
            f.write(self.key_pem)
        with open(cert_file, "wb") as f:
            f.write(self.cert_pem)
        config = IdPConfig()
        config.load({
            "entityid": IDP_ENTITY,
            "service": {"idp": {
                "endpoints": {"single_sign_on_service": [(IDP_SSO, BINDING_HTTP_REDIRECT)]},
                "policy": {"default": {"lifetime": lifetime or {"minutes": 5}, "attribute_restrictions": None, "name_form": NAME_FORMAT_URI}},
                "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
            }},
            "key_file": key_file,
            "cert_file": cert_file,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "metadata": {"inline": [sp_metadata, other_sp_metadata()]},
        })
        self.server = IdpServer(config=config)

    def response(self, email, sp, *, in_response_to=None, audience=None, recipient=None, sign_response=True,
                 sign_assertion=False, email_in_name_id=True, sign_alg=SIG_RSA_SHA256, digest_alg=DIGEST_SHA256, attributes=None):
        """A signed Response (XML text) for `sp` = (entity id, ACS URL), asserting `mail` and any
        other `attributes` ({name: [values]})."""
        entity_id, acs = sp
        if email_in_name_id:
            name_id = NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email)
        else:
            name_id = NameID(format=NAMEID_FORMAT_TRANSIENT, text="_" + os.urandom(8).hex())
        xml = self.server.create_authn_response(
            identity={"mail": [email], **(attributes or {})}, in_response_to=in_response_to, destination=recipient or acs,
            sp_entity_id=audience or entity_id, name_id=name_id, authn=AUTHN,
            sign_response=sign_response, sign_assertion=sign_assertion, sign_alg=sign_alg, digest_alg=digest_alg,
        )
        return xml.decode() if isinstance(xml, bytes) else str(xml)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def http(base, method, path, body=None, token=None, form=None, accept_json=True):
    """Answers (status, headers, parsed body or text)."""
    data, headers = None, {}
    if body is not None:
        data, headers["content-type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        data, headers["content-type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
    if accept_json:
        headers["accept"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        resp = OPENER.open(req, timeout=30)
        status, hdrs, raw = resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    text = raw.decode()
    try:
        return status, hdrs, json.loads(text) if text else None
    except json.JSONDecodeError:
        return status, hdrs, text


def b64(xml):
    return base64.b64encode(xml.encode()).decode()
