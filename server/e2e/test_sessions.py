"""Issue 15, the self-service org owner or a stranger as the attacker (attacks 2, 3 and 5), over
real sockets on SQLite and PostgreSQL; SAML responses are signed at test time by pysaml2 (the IdP
of test_saml.py). Each attack is refused with a coded answer and changes nothing.

- 2: a session acts in an org only while it meets that org's policy, on every request: a
  password-only session cannot manage an org that requires MFA (not even to turn it off), and an
  SSO session of one org's IdP cannot manage another org.
- 3: one lockout counter per account: orgs an attacker creates with generous limits buy no extra
  guesses, and naming an org the victim is not in answers alike for a right and a wrong password.
- 5: after SSO the browser goes only to an allowed target: never to the server's own SAML start
  of another connection (the attacker's IdP), nor its login page, whatever the RelayState says.

Each org proves its SSO domain through a real DNS server on loopback (dnslib), as an owner
would: an org's own IdP creates and joins accounts only for its verified domains. The abuse
limits are off here (this module sends many logins from one address; test_abuse.py tests the
limits). pysaml2 signs three responses per backend (about 1.5 s each)."""

import json
import urllib.parse

import pytest

from conftest import BACKENDS, IDP_ENTITY, IDP_SSO, NO_RATE_LIMIT, Idp, b64, dns_server, http, key_and_certificate, running_server

PASSWORD = "correct horse battery"
M = "/manage/v1/default"


def ok(resp, status):
    got, _, body = resp
    assert got == status, body
    return body


def refused(resp, status, code):
    got, headers, body = resp
    assert (got, body["error"]["code"]) == (status, code), body
    assert "access_token" not in (headers.get("location") or "") and "accessToken" not in json.dumps(body)
    return body


def signup(base, email):
    return ok(http(base, "POST", "/api/v1/auth/signup", {"email": email, "password": PASSWORD}), 201)["data"]["accessToken"]


def user_id(base, token):
    return ok(http(base, "GET", "/api/v1/me", token=token), 200)["data"]["id"]


def sso_org(env, slug, domain, name):
    """An org created by a user, with SAML SSO to an IdP of that user's (a pysaml2 IdP signing
    with its own key) for `domain`, which the owner proves by publishing the claim's TXT record:
    (org id, connection id, the IdP, the SP's (entity id, ACS URL))."""
    base = env["base"]
    owner = signup(base, f"owner@{domain}")
    org = ok(http(base, "POST", "/api/v1/organizations", {"name": slug.title(), "slug": slug}, owner), 201)["data"]["id"]
    keys = key_and_certificate(name)
    config = {"entityId": IDP_ENTITY, "ssoUrl": IDP_SSO, "certificate": keys[1].decode(), "emailDomain": domain}
    sso = ok(http(base, "POST", f"/api/v1/organizations/{org}/sso", config, owner), 201)["data"]
    # The configuration's emailDomain is a pending claim of the org until DNS proves it.
    claim, = ok(http(base, "GET", f"/api/v1/organizations/{org}/domains", token=owner), 200)["data"]
    env["zone"].set(claim["verification"]["name"], claim["verification"]["value"])
    verified = ok(http(base, "POST", f"/api/v1/organizations/{org}/domains/{claim['id']}/verify", token=owner), 200)["data"]
    assert (verified["domain"], verified["status"]) == (domain, "verified"), verified
    metadata = ok(http(base, "GET", f"/api/v1/organizations/{org}/sso/metadata", token=owner, accept_json=False), 200)
    return org, sso["id"], Idp(env["tmp"], name, metadata, keys=keys), (sso["spEntityId"], sso["acsUrl"])


def acs(base, cid, xml, relay_state=None, accept_json=True):
    form = {"SAMLResponse": b64(xml)}
    if relay_state is not None:
        form["RelayState"] = relay_state
    return http(base, "POST", f"/saml/{cid}/acs", form=form, accept_json=accept_json)


@pytest.fixture(scope="module", params=BACKENDS)
def env(request):
    with dns_server() as (resolver, zone), running_server(request.param, {"ORGKIT_DNS_RESOLVER": resolver, **NO_RATE_LIMIT}) as (base, key, tmp):
        env = {"base": base, "key": key, "tmp": tmp, "zone": zone}
        env["acme"], env["acme_cid"], env["acme_idp"], env["acme_sp"] = sso_org(env, "acme", "acme.test", "acme-idp")
        yield env


def org_state(env, org_id):
    return ok(http(env["base"], "GET", f"{M}/organizations/{org_id}", token=env["key"]), 200)


# ------------------------------------------------------------------ attack 2
def test_a_password_session_cannot_manage_an_org_that_requires_mfa(env):
    base = env["base"]
    owner = signup(base, "ann@secure.test")
    org = ok(http(base, "POST", f"{M}/organizations", {"name": "Secure", "slug": "secure", "require_mfa": True}, env["key"]), 201)
    ok(http(base, "POST", f"{M}/organizations/{org['id']}/members", {"user_id": user_id(base, owner), "role": "owner"}, env["key"]), 201)
    stranger = signup(base, "eve@evil.test")
    path = f"/api/v1/organizations/{org['id']}"
    before = org_state(env, org["id"])
    for method, route, body in [("PUT", path, {"requireMfa": False}), ("GET", f"{path}/members", None),
                                ("POST", f"{path}/invitations", {"email": "bob@secure.test", "role": "admin"}), ("DELETE", path, None)]:
        refused(http(base, method, route, body, owner), 401, "mfa_required")
        # A stranger learns nothing of the org, its policy included.
        refused(http(base, method, route, body, stranger), 404, "not_found")
    # The login token of the org itself is no way around it: a password login into it is
    # refused (no factor yet), so the only session is the password-only one.
    refused(http(base, "POST", "/api/v1/auth/login", {"email": "ann@secure.test", "password": PASSWORD, "organization": "secure"}),
            401, "mfa_enrollment_required")
    after = org_state(env, org["id"])
    assert after == before and after["require_mfa"] is True
    assert ok(http(base, "GET", f"{M}/organizations/{org['id']}/invitations", token=env["key"]), 200)["data"] == []


def test_an_sso_session_of_one_org_cannot_manage_another(env):
    base = env["base"]
    xml = env["acme_idp"].response("carol@acme.test", env["acme_sp"])
    session = ok(acs(base, env["acme_cid"], xml), 200)["data"]["accessToken"]
    carol = user_id(base, session)
    # Carol owns another org whose policy does not allow Acme's IdP.
    beta = ok(http(base, "POST", f"{M}/organizations", {"name": "Beta", "slug": "beta"}, env["key"]), 201)
    ok(http(base, "POST", f"{M}/organizations/{beta['id']}/members", {"user_id": carol, "role": "owner"}, env["key"]), 201)
    path = f"/api/v1/organizations/{beta['id']}"
    before = org_state(env, beta["id"])
    for method, route, body in [("GET", path, None), ("PUT", path, {"requireMfa": True, "name": "Taken"}),
                                ("GET", f"{path}/members", None), ("DELETE", path, None)]:
        refused(http(base, method, route, body, session), 403, "connection_not_allowed")
    refused(http(base, "POST", "/api/v1/auth/token", {"organization": beta["id"]}, session), 403, "connection_not_allowed")
    assert org_state(env, beta["id"]) == before
    # In Acme, whose IdP it is, the same session acts.
    assert ok(http(base, "GET", f"/api/v1/organizations/{env['acme']}", token=session), 200)["data"]["role"] == "member"


# ------------------------------------------------------------------ attack 3
def login(base, email, password, org=None):
    body = {"email": email, "password": password}
    if org:
        body["organization"] = org
    return http(base, "POST", "/api/v1/auth/login", body)


def test_orgs_with_generous_limits_buy_no_extra_guesses(env):
    base = env["base"]
    signup(base, "victim@target.test")
    attacker = signup(base, "mallory@evil.test")
    for slug in ["lax-1", "lax-2", "lax-3"]:
        ok(http(base, "POST", "/api/v1/organizations", {"name": slug, "slug": slug, "maxLoginAttempts": 100}, attacker), 201)
    # Five guesses spread over the attacker's orgs and no org: the tenant's five, one counter.
    for i, org in enumerate(["lax-1", "lax-2", None, "lax-3", "lax-1"]):
        refused(login(base, "victim@target.test", f"guess number {i}", org), 401, "invalid_credentials")
    locked = refused(login(base, "victim@target.test", PASSWORD, "lax-2"), 423, "account_locked")
    assert locked["error"]["lockedUntil"]
    refused(login(base, "victim@target.test", PASSWORD), 423, "account_locked")


def test_naming_an_org_the_victim_is_not_in_tells_nothing(env):
    base = env["base"]
    signup(base, "quiet@target.test")
    attacker = signup(base, "oscar@evil.test")
    ok(http(base, "POST", "/api/v1/organizations", {"name": "Probe", "slug": "probe"}, attacker), 201)
    for org in ["probe", "no-such-org"]:
        right = login(base, "quiet@target.test", PASSWORD, org)
        wrong = login(base, "quiet@target.test", "not the password", org)
        refused(right, 401, "invalid_credentials")
        assert (right[0], right[2]) == (wrong[0], wrong[2]), "the answer does not depend on the password"
    # Those attempts counted: four of the tenant's five.
    refused(login(base, "quiet@target.test", "still not it"), 401, "invalid_credentials")
    refused(login(base, "quiet@target.test", PASSWORD), 423, "account_locked")


# ------------------------------------------------------------------ attack 5
def test_relay_state_never_leads_to_another_idp(env):
    base, cid = env["base"], env["acme_cid"]
    _, evil_cid, _, _ = sso_org(env, "evil", "evil.test", "evil-idp")
    ok(http(base, "PATCH", f"{M}/settings", {"allowed_redirect_urls": ["https://app.acme.test/callback", f"{base}/saml/{evil_cid}/login"]},
            env["key"]), 200)
    traps = [f"/saml/{evil_cid}/login", f"{base}/saml/{evil_cid}/login", f"/%73aml/{evil_cid}/login",
             f"/app/../saml/{evil_cid}/login", "/login?organization=evil", "https://evil.test/steal"]
    # Refused at the SP-initiated start: no request is issued toward Acme's IdP with it.
    for trap in traps:
        refused(http(base, "GET", f"/saml/{cid}/login?RelayState={urllib.parse.quote(trap, safe='')}"), 400, "redirect_not_allowed")
    # Refused at the ACS, before the assertion is consumed: no token, no redirect.
    xml = env["acme_idp"].response("dave@acme.test", env["acme_sp"], sign_response=False, sign_assertion=True)
    for trap in traps:
        refused(acs(base, cid, xml, relay_state=trap, accept_json=False), 400, "redirect_not_allowed")
    # An org owner cannot add a redirect URL: only the operator's tenant settings hold them.
    owner = signup(base, "owner2@acme.test")
    mine = ok(http(base, "POST", "/api/v1/organizations", {"name": "Mine", "slug": "mine"}, owner), 201)["data"]["id"]
    refused(http(base, "PUT", f"/api/v1/organizations/{mine}", {"allowedRedirectUrls": ["https://evil.test/"]}, owner), 400, "unknown_field")
    # The same assertion, untouched by the refusals, goes to the operator's allowed URL.
    status, headers, _ = acs(base, cid, xml, relay_state="https://app.acme.test/callback", accept_json=False)
    assert status == 303
    target, fragment = headers["location"].split("#", 1)
    assert target == "https://app.acme.test/callback"
    assert urllib.parse.parse_qs(fragment)["access_token"]
    ok(http(base, "PATCH", f"{M}/settings", {"allowed_redirect_urls": None}, env["key"]), 200)

