"""The authorization matrix: every endpoint of /openapi.json × every kind of caller answers exactly
the status and error code that core's permission matrix predicts.

The rows (endpoint, core permission, valid body, success status) live in authz_matrix.json; the
expectation of each role comes from `orgkit.role_permissions`, so a change to core's matrix
changes the expectation here without touching this file. Every case makes the real request and
compares status and `error.code`; foreign orgs and tenants answer 404 `not_found`. A route missing
from the JSON fails `test_every_openapi_route_has_a_row`."""

import base64
import datetime
import email
import hashlib
import hmac
import http.client
import itertools
import json
import os
import pathlib
import sqlite3
import struct
import subprocess
import tempfile
import re
import time
import urllib.parse

import jwt
import orgkit
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from conftest import BACKENDS, NO_RATE_LIMIT, database_url, dns_server, running_server

MATRIX = json.loads((pathlib.Path(__file__).parent / "authz_matrix.json").read_text())["endpoints"]
ROLES = ["owner", "admin", "member", "viewer"]
CALLERS = ["management_key", "other_tenant_key", *ROLES, "non_member", "other_tenant_user", "no_token", "expired_token"]
PASSWORD = "correct horse battery"
PERMISSIONS = {role: set(orgkit.role_permissions(role=role)["permissions"]) for role in ROLES}
# A row `covered_by` a suite that can build its request (the ACS needs a response signed by the
# configured IdP: test_saml.py) is listed for the route census but not called here.
CALLED = [e for e in MATRIX if not e.get("covered_by")]
CASES = [(e, c) for e in CALLED if not e.get("public") for c in CALLERS] + [(e, "no_token") for e in CALLED if e.get("public")]
_unique = itertools.count()


def expected(entry, caller):
    """(status, error code or None for success), from the row and core's matrix."""
    success = (entry["status"], None)
    if entry.get("public"):
        return success
    if caller == "no_token":
        return 401, "unauthenticated"
    if entry["api"] == "manage":
        if caller == "management_key":
            return success  # the tenant itself: core's Actor::Tenant carries every permission
        if caller == "other_tenant_key":
            return 404, "not_found"  # this tenant does not exist for another tenant's key
        return 401, "unauthenticated"  # a user's token, live or expired, is no management key
    if caller in ("management_key", "other_tenant_key"):
        return 401, "invalid_token"  # a management key is not a JWT
    if caller == "expired_token":
        return 401, "token_expired"
    permission = entry["permission"]
    if permission is None:
        return success
    if caller in ("non_member", "other_tenant_user"):
        return 404, "not_found"  # another org's or tenant's data answers 404, never 403
    return success if permission in PERMISSIONS[caller] else (403, "insufficient_role")


def request(base, method, path, body=None, token=None):
    """One request without following redirects: (status, JSON body or None)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    headers = {"authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        is_json = "json" in (resp.getheader("content-type") or "")
        return resp.status, json.loads(raw) if raw and is_json else None
    finally:
        conn.close()


def ok(status, body, want):
    assert status == want, (status, body)
    return body


def unique(prefix):
    return f"{prefix}{next(_unique)}{os.urandom(3).hex()}"


def certificate():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def totp(secret, at=None):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((at or time.time()) // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def fill(template, values):
    """`template` (a path or a JSON body) with its `{placeholders}` replaced."""
    if isinstance(template, str):
        return template.format(**values)
    if isinstance(template, list):
        return [fill(v, values) for v in template]
    if isinstance(template, dict):
        return {k: fill(v, values) for k, v in template.items()}
    return template


class World:
    """One server with tenant `default` (org A: owner, admin, member, viewer), a non-member who
    owns org B, and tenant `other` with its own management key."""

    def __init__(self, base, key, db_url, outbox):
        self.base, self.key, self.db_url, self.outbox = base, key, db_url, outbox
        self.cert = certificate()
        out = subprocess.run([os.environ["ORGKIT_SERVER_BIN"], "tenant", "create", "other"], check=True, capture_output=True, text=True,
                             env={**os.environ, "ORGKIT_DATABASE_URL": db_url})
        self.other_key = json.loads(out.stdout)["management_key"]
        self.users, self.tokens = {}, {}
        for name in [*ROLES, "non_member"]:
            self.users[name], self.tokens[name] = self.signup(f"{name.replace('_', '-')}@a.test")
        self.org = self.org_with_roles()
        org_b = ok(*self.call("POST", "/api/v1/organizations", {"name": "Org B", "slug": "org-b"}, self.tokens["non_member"]), 201)["data"]
        # Org access tokens: each role's token names org A; the non-member's names org B.
        for name in ROLES:
            self.tokens[name] = self.switch(self.tokens[name], self.org)
        self.tokens["non_member"] = self.switch(self.tokens["non_member"], org_b["id"])
        # A user of tenant `other`, in an org of their own there.
        _, token = self.signup("owner@a.test", tenant="other")
        org_c = ok(*self.call("POST", "/api/v1/organizations", {"name": "Org C", "slug": "org-c"}, token), 201)["data"]
        self.tokens["other_tenant_user"] = self.switch(token, org_c["id"])
        self.connection = self.new_connection()
        self.signing_key = self.current_key()  # no rotation happens during the suite

    def call(self, method, path, body=None, token=None):
        return request(self.base, method, path, body, token)

    def signup(self, email, tenant="default"):
        body = {"tenant": tenant, "email": email, "password": PASSWORD}
        data = ok(*self.call("POST", "/api/v1/auth/signup", body), 201)["data"]
        token = data["accessToken"]
        return ok(*self.call("GET", "/api/v1/me", token=token), 200)["data"]["id"], token

    def switch(self, token, org_id):
        return ok(*self.call("POST", "/api/v1/auth/token", {"organization": org_id}, token), 200)["data"]["accessToken"]

    def add_member(self, org_id, user_id, role):
        ok(*self.call("POST", f"/manage/v1/default/organizations/{org_id}/members", {"user_id": user_id, "role": role}, self.key), 201)

    def org_with_roles(self):
        """A fresh org in which each role user holds that role (the owner created it)."""
        slug = unique("org-")
        org_id = ok(*self.call("POST", "/api/v1/organizations", {"name": slug, "slug": slug}, self.tokens["owner"]), 201)["data"]["id"]
        for role in ("admin", "member", "viewer"):
            self.add_member(org_id, self.users[role], role)
        return org_id

    def new_user(self):
        return ok(*self.call("POST", "/manage/v1/default/users", {"email": unique("u") + "@a.test"}, self.key), 201)["id"]

    def new_connection(self):
        body = {"name": "IdP", "entity_id": unique("https://idp.test/"), "sso_url": "https://idp.example.test/sso",
                "certificate": self.cert, "email_domains": [unique("d") + ".test"]}
        return ok(*self.call("POST", "/manage/v1/default/connections", body, self.key), 201)["id"]

    def expired(self, token):
        """`token` re-signed by the server's own current key with its lifetime in the past."""
        claims = jwt.decode(token, options={"verify_signature": False})
        kid, pem = self.signing_key
        now = int(time.time())
        claims.update(iat=now - 7200, exp=now - 3600)
        claims.pop("nbf", None)
        return jwt.encode(claims, pem, algorithm="ES256", headers={"kid": kid, "typ": jwt.get_unverified_header(token).get("typ")})

    def current_key(self):
        query = "SELECT kid, private_pem FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1"
        if self.db_url.startswith("sqlite"):
            with sqlite3.connect(self.db_url.removeprefix("sqlite://")) as db:
                return db.execute(query).fetchone()
        out = subprocess.run(["psql", self.db_url, "-qAt", "-F", "\t", "-c", query], check=True, capture_output=True, text=True).stdout
        kid, pem = out.split("\t", 1)
        return kid, pem.rstrip("\n").replace("\\n", "\n")

    def verification_token(self, address):
        """The token of the verification email the outbox holds for `address` (no SMTP here)."""
        for path in pathlib.Path(self.outbox).glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes())
            if message["To"] == address:
                text = next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain")
                return re.search(r"/verify-email/([A-Za-z0-9_-]+)", text).group(1)
        raise AssertionError(f"no verification email for {address}")

    def prepare(self, entry, caller):
        """Path, body and token of one case; fresh targets for the rows that consume them."""
        setup = entry.get("setup", [])
        values = {"tenant": "default", "org_id": self.org, "id": self.org, "connection_id": self.connection, "certificate": self.cert,
                  "email": unique("x") + "@a.test", "slug": unique("s-"), "entity_id": unique("https://idp.test/"), "domain": unique("d") + ".test",
                  "totp": "000000"}
        if "org" in setup:
            values["org_id"] = values["id"] = self.org_with_roles()
        if "sso" in setup:
            sso = {"entityId": unique("https://idp.test/"), "ssoUrl": "https://idp.example.test/sso", "certificate": self.cert, "emailDomain": unique("d") + ".test"}
            values["connection_id"] = ok(*self.call("POST", f"/api/v1/organizations/{values['id']}/sso", sso, self.tokens["owner"]), 201)["data"]["id"]
        if "user" in setup:
            values["user_id"] = self.new_user()
        if "member" in setup:
            values["user_id"] = values["member_id"] = self.new_user()
            self.add_member(values["org_id"], values["user_id"], "member")
        if "invitation" in setup:
            inv = ok(*self.call("POST", f"/manage/v1/default/organizations/{values['org_id']}/invitations", {"email": values["email"], "role": "member"}, self.key), 201)
            values["invitation_id"] = values["invite_id"] = inv["id"]
            values["token"] = inv["invitation_url"].rsplit("/", 1)[1]
        if "domain" in setup:
            claim = {"domain": values["domain"], "verified": True}
            values["domain_id"] = ok(*self.call("POST", f"/manage/v1/default/organizations/{values['org_id']}/domains", claim, self.key), 201)["id"]
        if "scim_token" in setup:
            values["token_id"] = ok(*self.call("POST", f"/manage/v1/default/organizations/{values['org_id']}/scim/tokens", None, self.key), 201)["id"]
        if "webhook" in setup or "delivery" in setup:
            hook = {"url": "http://127.0.0.1:9/hook"}
            values["webhook_id"] = ok(*self.call("POST", "/manage/v1/default/webhooks", hook, self.key), 201)["id"]
        if "delivery" in setup:
            # Any change is an event the new endpoint gets a delivery of, in the change's transaction.
            ok(*self.call("PATCH", f"/manage/v1/default/organizations/{self.org}", {"welcome_text": unique("w")}, self.key), 200)
            deliveries = ok(*self.call("GET", f"/manage/v1/default/webhooks/{values['webhook_id']}/deliveries", None, self.key), 200)["data"]
            values["delivery_id"] = deliveries[0]["id"]
        if "email_verification" in setup:
            self.signup(values["email"])
            values["token"] = self.verification_token(values["email"])
        if "connection" in setup:
            values["connection_id"] = self.new_connection()
        if "org_connection" in setup:
            values["connection_id"] = self.new_connection()
            ok(*self.call("POST", f"/manage/v1/default/organizations/{values['org_id']}/connections", {"connection_id": values["connection_id"]}, self.key), 201)
        tokens = dict(self.tokens)
        if "caller" in setup and caller not in ("management_key", "other_tenant_key", "no_token"):
            # Rows acting on the caller's own account get a fresh caller holding the same standing.
            user, token = self.signup(unique("caller") + "@a.test", "other" if caller == "other_tenant_user" else "default")
            if caller in ROLES:
                self.add_member(self.org, user, caller)
                token = self.switch(token, self.org)
            tokens = {caller: token, "expired_token": token}
            if "totp" in setup:
                values["totp"] = totp(ok(*self.call("POST", "/api/v1/auth/mfa/totp", None, token), 201)["data"]["secret"])
        if caller == "expired_token":
            token = self.expired(tokens.get("expired_token", self.tokens["owner"]))
        else:
            token = {"management_key": self.key, "other_tenant_key": self.other_key, "no_token": None}.get(caller) or tokens.get(caller)
        return fill(entry["path"], values), fill(entry["body"], values), token


@pytest.fixture(scope="module", params=BACKENDS)
def world(request):
    # Domain verification asks a DNS server on loopback, never the machine's resolvers.
    with tempfile.TemporaryDirectory() as db_tmp, dns_server() as (resolver, _):
        db_url = database_url(request.param, db_tmp)
        with running_server(request.param, {"ORGKIT_DATABASE_URL": db_url, "ORGKIT_DNS_RESOLVER": resolver, **NO_RATE_LIMIT}) as (base, key, tmp):
            yield World(base, key, db_url, f"{tmp}/outbox")


def test_every_openapi_route_has_a_row(world):
    spec = request(world.base, "GET", "/openapi.json")[1]
    routes = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops}
    rows = [(e["method"], e["path"]) for e in MATRIX]
    assert len(rows) == len(set(rows)), "one row per endpoint"
    assert routes == set(rows), {"without a row": routes - set(rows), "not served": set(rows) - routes}
    known = PERMISSIONS["owner"]
    assert {e["permission"] for e in MATRIX if e.get("permission")} <= known, "permission names are core's"
    public = sum(1 for e in CALLED if e.get("public"))
    assert len(CASES) == (len(CALLED) - public) * len(CALLERS) + public
    for entry in MATRIX:
        if entry.get("covered_by"):
            suite = (pathlib.Path(__file__).parent / entry["covered_by"]).read_text()
            literal = [part for part in re.split(r"\{[^}]+\}", entry["path"]) if part.strip("/")]
            assert all(part in suite for part in literal), f"{entry['covered_by']} calls {entry['path']}"
    print(f"\nauthz matrix: {len(CALLED) - public} endpoints × {len(CALLERS)} callers + {public} public endpoints "
          f"without a token = {len(CASES)} cases; {len(MATRIX) - len(CALLED)} covered by another suite")


@pytest.mark.parametrize("entry,caller", CASES, ids=[f"{e['method']} {e['path']} as {c}" for e, c in CASES])
def test_authorization(world, entry, caller):
    path, body, token = world.prepare(entry, caller)
    want_status, want_code = expected(entry, caller)
    status, answer = world.call(entry["method"], path, body, token)
    code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
    assert (status, code) == (want_status, want_code), answer
