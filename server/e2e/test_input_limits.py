"""Every input limit, at the limit and one past it, over a real socket: the value at the limit
is accepted, the value past it gets a 4xx with its code and changes nothing.

The limits are core's (`core/src/organization.rs`, `settings/fields.rs`, `slug.rs`, `email.rs`,
`login/password.rs`, `page.rs`, `connection.rs`, `token/pipeline.rs`) and the server's body
limit (`ORGKIT_MAX_BODY_BYTES`, 64 KiB); the table below names each one once.
"""

import http.client
import json
import urllib.parse

import pytest

from conftest import BACKENDS, call, running_server

MAX_BODY = 64 * 1024
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module", params=BACKENDS)
def env(request):
    with running_server(request.param) as (base, key, _):
        signup = call(base, "POST", "/api/v1/auth/signup", {"email": "owner@limits.test", "password": PASSWORD})
        assert signup[0] == 201, signup
        status, org = call(base, "POST", "/api/v1/organizations", {"name": "Limits", "slug": "limits"}, signup[1]["data"]["accessToken"])
        assert status == 201, org
        status, switched = call(base, "POST", "/api/v1/auth/token", {"organization": org["data"]["id"]}, signup[1]["data"]["accessToken"])
        assert status == 200, switched
        yield {"base": base, "key": key, "token": switched["data"]["accessToken"], "org": org["data"]["id"]}


def raw(base, method, path, body, headers):
    """A request with exactly these bytes and headers (for declared and chunked lengths)."""
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers, encode_chunked="Transfer-Encoding" in headers)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, json.loads(data) if data else None
    finally:
        conn.close()


def org_body(**fields):
    return {"name": "Org", "slug": "org-" + fields.pop("slug_suffix", "x"), **fields}


def nested(depth):
    value = "leaf"
    for _ in range(depth):
        value = {"k": value}
    return value


# (case, org fields at the limit, org fields one past it, expected status and code past it)
ORG_LIMITS = [
    ("name: 100 characters", {"name": "n" * 100}, {"name": "n" * 101}, 422, "invalid_organization"),
    ("slug: 63 characters", {"slug": "s" * 63}, {"slug": "s" * 64}, 422, "invalid_slug"),
    ("metadata: 25 keys", {"metadata": {f"k{i}": i for i in range(25)}}, {"metadata": {f"k{i}": i for i in range(26)}}, 400, "input_too_large"),
    ("metadata key: 64 bytes", {"metadata": {"k" * 64: 1}}, {"metadata": {"k" * 65: 1}}, 400, "input_too_large"),
    ("metadata string: 255 characters", {"metadata": {"k": "é" * 255}}, {"metadata": {"k": "é" * 256}}, 400, "input_too_large"),
    ("metadata depth: 3", {"metadata": nested(3)}, {"metadata": nested(4)}, 400, "input_too_large"),
    ("metadata size: 4096 bytes", {"metadata": {f"k{i}": "v" * 150 for i in range(24)}},
     {"metadata": {f"k{i}": "v" * 200 for i in range(24)}}, 400, "input_too_large"),
    ("welcome_text: 280 characters", {"welcome_text": "w" * 280}, {"welcome_text": "w" * 281}, 422, "invalid_setting"),
    ("logo_url: 2048 characters", {"logo_url": "https://cdn.example.com/" + "l" * (2048 - 24)},
     {"logo_url": "https://cdn.example.com/" + "l" * (2049 - 24)}, 422, "invalid_setting"),
]


@pytest.mark.parametrize("case,at_limit,past_limit,status,code", ORG_LIMITS, ids=[c[0] for c in ORG_LIMITS])
def test_organization_field_limits(env, case, at_limit, past_limit, status, code):
    base, key = env["base"], env["key"]
    suffix = str(abs(hash(case)) % 10**8)
    at = call(base, "POST", "/manage/v1/default/organizations", org_body(slug_suffix="a" + suffix, **at_limit), key)
    assert at[0] == 201, (case, at)
    past = call(base, "POST", "/manage/v1/default/organizations", org_body(slug_suffix="b" + suffix, **past_limit), key)
    assert (past[0], past[1]["error"]["code"]) == (status, code), (case, past)
    # The same past-limit value as a patch of the org created at the limit changes nothing.
    before = call(base, "GET", f"/manage/v1/default/organizations/{at[1]['id']}", None, key)
    patch = {k: v for k, v in past_limit.items() if k != "slug"} or {"slug": past_limit["slug"]}
    patched = call(base, "PATCH", f"/manage/v1/default/organizations/{at[1]['id']}", patch, key)
    assert (patched[0], patched[1]["error"]["code"]) == (status, code), (case, patched)
    assert call(base, "GET", f"/manage/v1/default/organizations/{at[1]['id']}", None, key) == before


def test_body_size_limit_declared_chunked_and_at_the_limit(env):
    base, key = env["base"], env["key"]
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    path = "/manage/v1/default/organizations"
    at_limit = json.dumps({"name": "Big body", "slug": "big-body"}).encode()
    at_limit += b" " * (MAX_BODY - len(at_limit))
    assert raw(base, "POST", path, at_limit, headers)[0] == 201
    over = at_limit + b" "
    status, body = raw(base, "POST", path, over, headers)
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    status, body = raw(base, "POST", path, iter([over[:1000], over[1000:]]), {**headers, "Transfer-Encoding": "chunked"})
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
    # A body that lies about its length is refused before it is read.
    status, body = raw(base, "POST", path, b"{}", {**headers, "content-length": str(10 * MAX_BODY)})
    assert (status, body["error"]["code"]) == (413, "payload_too_large")


def test_deeply_nested_json_is_a_coded_400(env):
    base, key = env["base"], env["key"]
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    body = b"[" * 20000 + b"]" * 20000
    status, answer = raw(base, "POST", "/manage/v1/default/organizations", body, headers)
    assert (status, answer["error"]["code"]) == (400, "invalid_request"), answer


@pytest.mark.parametrize("limit,status,code", [(200, 200, None), (201, 400, "input_too_large"), (0, 400, "invalid_request")])
def test_page_size_limit(env, limit, status, code):
    base, key = env["base"], env["key"]
    for path, token in [("/manage/v1/default/organizations", key), ("/api/v1/organizations", env["token"]),
                        (f"/api/v1/organizations/{env['org']}/members", env["token"])]:
        answer = call(base, "GET", f"{path}?limit={limit}", None, token)
        assert answer[0] == status, (path, answer)
        if code:
            assert answer[1]["error"]["code"] == code


def test_signup_email_and_password_limits(env):
    base = env["base"]
    # 254 characters in all, a 64-character local part, labels of at most 63.
    domain = "a" * 60 + "." + "b" * 60 + "." + "c" * 62 + ".test"
    longest = "e" * 64 + "@" + domain
    assert len(longest) == 254
    assert call(base, "POST", "/api/v1/auth/signup", {"email": longest, "password": PASSWORD})[0] == 201
    for email in ["e" * 65 + "@limits.test", "e" * 64 + "@" + "d" + domain, "e@" + "l" * 64 + ".test"]:
        status, body = call(base, "POST", "/api/v1/auth/signup", {"email": email, "password": PASSWORD})
        assert (status, body["error"]["code"]) == (422, "invalid_email"), email
    assert call(base, "POST", "/api/v1/auth/signup", {"email": "long-pw@limits.test", "password": (PASSWORD * 13)[:256]})[0] == 201
    status, body = call(base, "POST", "/api/v1/auth/signup", {"email": "longer-pw@limits.test", "password": (PASSWORD * 13)[:257]})
    assert (status, body["error"]["code"]) == (422, "weak_password")
    # Login with an over-long password is refused without hashing it, like a wrong one.
    status, body = call(base, "POST", "/api/v1/auth/login", {"email": "long-pw@limits.test", "password": PASSWORD * 2900})
    assert (status, body["error"]["code"]) == (401, "invalid_credentials"), body


def test_oversized_tokens_and_identifiers(env):
    base, key = env["base"], env["key"]
    status, body = call(base, "GET", "/api/v1/me", None, "e" * 9000)
    assert (status, body["error"]["code"]) == (401, "invalid_token")
    status, body = call(base, "GET", f"/manage/v1/default/organizations/{'x' * 4000}", None, key)
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = call(base, "POST", f"/api/v1/organizations/invitations/{'t' * 9000}/accept", {"password": PASSWORD})
    assert (status, body["error"]["code"]) == (401, "invalid_token"), body


def idp_certificate():
    """A self-signed certificate made now (the IdP's key is thrown away: only its shape counts here)."""
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "limits test IdP")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


CONNECTION_LIMITS = [
    ("email_domains: 50", {"email_domains": [f"d{i}.example.com" for i in range(50)]},
     {"email_domains": [f"d{i}.example.com" for i in range(51)]}, 400, "invalid_request"),
    ("name: 100 characters", {"name": "n" * 100}, {"name": "n" * 101}, 400, "invalid_request"),
    ("sso_url: 2048 characters", {"sso_url": "https://idp.example.com/" + "s" * (2048 - 24)},
     {"sso_url": "https://idp.example.com/" + "s" * (2049 - 24)}, 400, "invalid_request"),
    ("certificate: 16 KiB", {}, {"certificate": "x" * (16 * 1024 + 1)}, 400, "invalid_request"),
]


@pytest.mark.parametrize("case,at_limit,past_limit,status,code", CONNECTION_LIMITS, ids=[c[0] for c in CONNECTION_LIMITS])
def test_connection_limits(env, case, at_limit, past_limit, status, code):
    base, key = env["base"], env["key"]
    valid = {"name": "IdP", "entity_id": "https://idp.example.com", "sso_url": "https://idp.example.com/sso",
             "certificate": idp_certificate(), "email_domains": ["example.com"]}
    before = call(base, "GET", "/manage/v1/default/connections?limit=200", None, key)
    past = call(base, "POST", "/manage/v1/default/connections", {**valid, **past_limit}, key)
    assert (past[0], past[1]["error"]["code"]) == (status, code), (case, past)
    assert call(base, "GET", "/manage/v1/default/connections?limit=200", None, key) == before
    at = call(base, "POST", "/manage/v1/default/connections", {**valid, **at_limit}, key)
    assert at[0] == 201, (case, at)


def test_saml_response_over_the_body_limit(env):
    base = env["base"]
    form = b"SAMLResponse=" + b"A" * MAX_BODY
    status, body = raw(base, "POST", "/saml/conn_unknown/acs", form, {"content-type": "application/x-www-form-urlencoded"})
    assert (status, body["error"]["code"]) == (413, "payload_too_large")
