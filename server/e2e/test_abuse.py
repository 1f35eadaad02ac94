"""Issue 15, attack 7 (abuse), over real sockets on SQLite and PostgreSQL:

- inviting an address again sends it no second email (a real SMTP server counts them): 409
  `invitation_pending`; resending is explicit and limited;
- the abuse limits, on by default, answer 429 `rate_limited` with `Retry-After`: failed logins
  per client address and per account, signups per address, discovery per email, invitation
  accepts per invitation, invitations sent and domain verifications (DNS lookups) per user;
  behind a trusted proxy the client is the right-most untrusted `X-Forwarded-For` hop (a
  client's own left-hand entries buy it nothing), and without one the socket peer, whatever the
  headers say;
- a slug shaped like a UUID is `invalid_slug` (it could stand for another org's id).

Each quota is core's (`orgkit.rate_limits()`); a count is checked between the burst and what the
quota replenished while the test ran, so a slow machine does not make it fail."""

import email
import time

import orgkit
import pytest

from conftest import BACKENDS, call, dns_server, exchange, running_server

PASSWORD = "correct horse battery"
QUOTAS = {q["action"]: q for q in orgkit.rate_limits()["limits"]}


def headers_call(base, method, path, body=None, token=None, forwarded_for=None):
    """A request from `forwarded_for` (as a proxy would name it in X-Forwarded-For); answers
    (status, body, Retry-After or None)."""
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    status, answer, response_headers = exchange(base, method, path, body, token, headers)
    retry = response_headers.get("retry-after")
    return status, answer, int(retry) if retry else None


def owner_of_new_org(base, email, slug, client):
    """Signs up `email` from `client` and creates an org it owns: (token, org id)."""
    status, signup, _ = headers_call(base, "POST", "/api/v1/auth/signup", {"email": email, "password": PASSWORD}, forwarded_for=client)
    assert status == 201, signup
    token = signup["data"]["accessToken"]
    status, org, _ = headers_call(base, "POST", "/api/v1/organizations", {"name": slug.title(), "slug": slug}, token, client)
    assert status == 201, org
    return token, org["data"]["id"]


def until_limited(send, limit=200):
    """Calls `send(i)` until it answers 429; answers (attempts that passed, Retry-After, seconds
    taken). Every refusal before must be a coded 4xx of the operation itself, never 429."""
    started = time.monotonic()
    for i in range(limit):
        status, body, retry = send(i)
        if status == 429:
            assert body["error"]["code"] == "rate_limited", body
            assert retry is not None and retry >= 1, "Retry-After"
            return i, retry, time.monotonic() - started
        assert 200 <= status < 500, body
    pytest.fail(f"no 429 after {limit} attempts")


def assert_quota(passed, quota, seconds):
    most = quota["burst"] + int(seconds // quota["replenish_seconds"]) + 1
    assert quota["burst"] <= passed <= most, (passed, quota, seconds)


@pytest.fixture(scope="module", params=BACKENDS)
def proxied(request):
    """A server behind a trusted reverse proxy (the loopback address plays it); domain
    verification asks a DNS server on loopback."""
    with dns_server() as (resolver, _), \
            running_server(request.param, {"ORGKIT_TRUSTED_PROXIES": "127.0.0.1/32, ::1", "ORGKIT_DNS_RESOLVER": resolver}) as (base, key, _):
        yield base, key


@pytest.fixture(scope="module", params=BACKENDS)
def direct(request):
    """A server that trusts no proxy: every client is its socket peer."""
    with running_server(request.param) as (base, key, _):
        yield base, key


def test_failed_logins_are_limited_per_client_address_and_per_account(proxied):
    base, _ = proxied
    login = lambda email, client: headers_call(base, "POST", "/api/v1/auth/login", {"email": email, "password": "wrong password!"},
                                               forwarded_for=client)
    # One client, each attempt another account: the address's quota (20 a minute).
    passed, retry, seconds = until_limited(lambda i: login(f"user{i}@victims.test", f"6.6.6.{i % 250}, 203.0.113.7"))
    assert_quota(passed, QUOTAS["login"]["per_address"], seconds)
    assert retry <= QUOTAS["login"]["per_address"]["replenish_seconds"]
    # What the client writes to the left of the proxy's entry buys it no fresh address...
    assert login("fresh@victims.test", "198.51.100.99, 203.0.113.7")[0] == 429
    # ...while another client behind the proxy is counted apart.
    assert login("fresh@victims.test", "203.0.113.8")[0] == 401
    # One account from ever new addresses: the account's quota (10 a minute).
    passed, _, seconds = until_limited(lambda i: login("target@victims.test", f"198.51.100.{i + 1}"))
    assert_quota(passed, QUOTAS["login"]["per_account"], seconds)


def test_a_client_that_is_no_proxy_cannot_pick_its_address(direct):
    base, _ = direct
    signup = lambda i: headers_call(base, "POST", "/api/v1/auth/signup", {"email": f"bot{i}@spam.test", "password": PASSWORD},
                                    forwarded_for=f"203.0.113.{i + 1}")
    passed, _, seconds = until_limited(signup)
    assert_quota(passed, QUOTAS["signup"]["per_address"], seconds)


def test_discovery_accepts_and_invitations_are_limited(proxied):
    base, _ = proxied
    # Discovery of one email, from ever new addresses: the account's quota.
    discover = lambda i: headers_call(base, "POST", "/api/v1/auth/discover", {"email": "someone@probe.test"}, forwarded_for=f"192.0.2.{i + 1}")
    passed, _, seconds = until_limited(discover)
    assert_quota(passed, QUOTAS["discover"]["per_account"], seconds)
    # Accepting one invitation link over and over (here a forged one: 401 each time, until 429).
    accept = lambda i: headers_call(base, "POST", "/api/v1/organizations/invitations/forged.token.value/accept", {"password": PASSWORD},
                                    forwarded_for=f"192.0.2.{i + 100}")
    passed, _, seconds = until_limited(accept)
    assert_quota(passed, QUOTAS["accept_invitation"]["per_account"], seconds)
    # Invitations sent by one user, each to a new address: the user's quota.
    token, org_id = owner_of_new_org(base, "inviter@corp.test", "corp", "203.0.113.50")
    path = f"/api/v1/organizations/{org_id}/invitations"
    invite = lambda i: headers_call(base, "POST", path, {"email": f"new{i}@corp.test", "role": "member"}, token, f"203.0.113.{51 + i % 100}")
    passed, _, seconds = until_limited(invite)
    assert_quota(passed, QUOTAS["send_invitation"]["per_account"], seconds)
    status, pending, _ = headers_call(base, "GET", f"{path}?limit=200", token=token, forwarded_for="203.0.113.50")
    assert len(pending["data"]) == passed, "a refused invitation is not created"


def test_domain_verifications_are_limited_per_user(proxied):
    base, _ = proxied
    token, org_id = owner_of_new_org(base, "dns@probe.test", "probe", "203.0.113.60")
    status, claim, _ = headers_call(base, "POST", f"/api/v1/organizations/{org_id}/domains", {"domain": "probe.test"}, token, "203.0.113.60")
    assert status == 201, claim
    # Each verification asks DNS (nothing is published: 422 domain_not_verified), from ever new
    # addresses: the user's quota.
    verify = f"/api/v1/organizations/{org_id}/domains/{claim['data']['id']}/verify"
    passed, _, seconds = until_limited(lambda i: headers_call(base, "POST", verify, token=token, forwarded_for=f"203.0.113.{61 + i}"))
    assert_quota(passed, QUOTAS["verify_domain"]["per_account"], seconds)


def test_inviting_again_never_mails_again(server, smtp):
    base, _ = server
    _, inbox = smtp
    status, signup = call(base, "POST", "/api/v1/auth/signup", {"email": "owner@mail.test", "password": PASSWORD})
    token = signup["data"]["accessToken"]
    status, org = call(base, "POST", "/api/v1/organizations", {"name": "Mail", "slug": "mail"}, token)
    path = f"/api/v1/organizations/{org['data']['id']}/invitations"
    status, first = call(base, "POST", path, {"email": "bob@mail.test", "role": "member"}, token)
    assert status == 201, first
    for role in ["member", "admin", "viewer", "member", "member", "admin", "member", "member", "member"]:
        status, again = call(base, "POST", path, {"email": "BOB@mail.test", "role": role}, token)
        assert (status, again["error"]["code"]) == (409, "invitation_pending"), again
    # The signup mailed its owner a verification link; Bob's mail is counted.
    to_bob = lambda: [m for m in inbox.messages if email.message_from_bytes(m)["To"] == "bob@mail.test"]
    assert len(to_bob()) == 1, "ten invitations to one address, one email"
    resend = f"{path}/{first['data']['id']}/resend"
    for _ in range(5):
        assert call(base, "POST", resend, None, token)[0] == 200
    status, limit = call(base, "POST", resend, None, token)
    assert (status, limit["error"]["code"]) == (409, "invitation_resend_limit"), limit
    assert len(to_bob()) == 6
    status, pending = call(base, "GET", path, None, token)
    assert len(pending["data"]) == 1


def test_a_slug_shaped_like_a_uuid_is_refused(server):
    base, key = server
    status, victim = call(base, "POST", "/manage/v1/default/organizations", {"name": "Victim", "slug": "victim"}, key)
    assert status == 201, victim
    status, signup = call(base, "POST", "/api/v1/auth/signup", {"email": "squatter@evil.test", "password": PASSWORD})
    token = signup["data"]["accessToken"]
    status, body = call(base, "POST", "/api/v1/organizations", {"name": "Shadow", "slug": victim["id"]}, token)
    assert (status, body["error"]["code"]) == (422, "invalid_slug"), body
    status, own = call(base, "POST", "/api/v1/organizations", {"name": "Own", "slug": "own"}, token)
    status, body = call(base, "PUT", f"/api/v1/organizations/{own['data']['id']}", {"slug": victim["id"]}, token)
    assert (status, body["error"]["code"]) == (422, "invalid_slug"), body
    status, body = call(base, "POST", "/manage/v1/default/organizations", {"name": "Shadow", "slug": victim["id"].upper()}, key)
    assert (status, body["error"]["code"]) == (422, "invalid_slug"), body
    # Nothing was created or renamed; the id still names the victim's org.
    status, orgs = call(base, "GET", "/manage/v1/default/organizations", None, key)
    assert sorted(o["slug"] for o in orgs["data"]) == ["own", "victim"]
    status, body = call(base, "POST", "/api/v1/auth/discover", {"email": "x@evil.test", "organization": victim["id"]})
    assert status == 200
