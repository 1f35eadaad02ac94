"""OpenID Connect SSO end to end against a real provider: oidc-provider-mock (authlib under
Flask) on loopback issues codes and RS256 ID tokens; orgkit discovers it, sends the browser there
with PKCE, `state` and `nonce`, exchanges the code with its client secret and has core verify the
ID token. Tokens are checked with PyJWT against orgkit's JWKS.

The test plays the browser: it follows orgkit's redirect to the provider's authorization
endpoint, "logs in" there by posting the subject (the provider's own form), and follows the
provider's redirect back to orgkit's callback. Attacks tamper with that round trip: another
nonce, a replayed state, a code issued to another client, a provider that answers with an ID
token for another client or with an ID token already expired, an unverified or foreign email. `ORGKIT_ALLOW_PRIVATE_IDP=1` lets orgkit fetch
a provider on localhost; a server without it refuses to."""

import base64
import contextlib
import datetime
import json
import tempfile
import threading
import urllib.parse

import jwt
import pytest
import werkzeug.serving
from oidc_provider_mock import app as provider_app
from oidc_provider_mock import run_server_in_thread

from conftest import BACKENDS, NO_RATE_LIMIT, Server, call, dns_server, http
from test_scim import M, company, me, ok, refused, roles, signup, unique

CLIENT_ID, CLIENT_SECRET = "orgkit-test-client", "test-client-secret"
OTHER_CLIENT = "another-client"


@pytest.fixture(scope="module", params=BACKENDS)
def env(request):
    """orgkit on each backend (private providers allowed, DNS from a loopback server), a provider
    whose ID tokens are good for an hour and one whose ID tokens are expired when issued."""
    with contextlib.ExitStack() as stack:
        resolver, zone = stack.enter_context(dns_server())
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        provider = stack.enter_context(run_server_in_thread(require_nonce=True))
        expired = stack.enter_context(expired_provider())
        foreign_audience = stack.enter_context(provider_for_another_client())
        server = Server(request.param, tmp, extra_env={"ORGKIT_DNS_RESOLVER": resolver, "ORGKIT_ALLOW_PRIVATE_IDP": "1", **NO_RATE_LIMIT})
        server.start()
        stack.callback(server.stop)
        yield {"base": server.base, "key": server.key, "zone": zone,
               "issuer": f"http://localhost:{provider.server_port}", "expired_issuer": f"http://localhost:{expired.server_port}",
               "foreign_audience_issuer": f"http://localhost:{foreign_audience.server_port}"}


@contextlib.contextmanager
def served(flask_app):
    """A provider app served on a loopback port (as run_server_in_thread does)."""
    server = werkzeug.serving.make_server("localhost", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.1,))
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def expired_provider():
    """The provider with ID tokens that expired five minutes before they were issued. Its token
    response's `expires_in` (of the access token, the same age) is made positive, as OAuth
    requires, so the exchange succeeds and the ID token itself is what orgkit must refuse."""
    flask_app = provider_app(require_nonce=True, access_token_max_age=datetime.timedelta(seconds=-300))

    @flask_app.after_request
    def positive_expires_in(response):
        if response.is_json and isinstance(response.get_json(), dict) and "expires_in" in response.get_json():
            response.set_data(json.dumps(dict(response.get_json(), expires_in=60)))
        return response

    return served(flask_app)


def provider_for_another_client():
    """A provider that answers orgkit's code exchange as if another client had made it: for a
    code issued to that client (the browser swapped `client_id`), it signs a genuine ID token
    whose audience is the other client — which orgkit must refuse."""
    flask_app = provider_app(require_nonce=True)
    inner = flask_app.wsgi_app

    def as_another_client(environ, start_response):
        if environ.get("PATH_INFO") == "/oauth2/token":
            environ["HTTP_AUTHORIZATION"] = "Basic " + base64.b64encode(f"{OTHER_CLIENT}:its-secret".encode()).decode()
        return inner(environ, start_response)

    flask_app.wsgi_app = as_another_client
    return served(flask_app)


def configure(env, org, issuer=None, **extra):
    body = {"issuer": issuer or env["issuer"], "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "emailDomain": org.domain, **extra}
    return call(env["base"], "POST", f"/api/v1/organizations/{org.id}/oidc", body, org.owner)


def provider_user(issuer, sub, **claims):
    """Sets the claims the provider asserts for `sub` (its own API)."""
    status, _, body = http(issuer, "PUT", f"/users/{urllib.parse.quote(sub)}", claims)
    assert status in (200, 204), body


def start(env, cid, relay_state=None):
    """orgkit's login start: the provider's authorization URL it redirects to."""
    query = f"?RelayState={urllib.parse.quote(relay_state)}" if relay_state else ""
    status, headers, body = http(env["base"], "GET", f"/oidc/{cid}/login{query}")
    assert status == 302, body
    return headers["location"]


def authorize(authorization_url, sub, **changes):
    """The provider's login form posted for `sub` (with `changes` to the request's parameters):
    the callback URL it sends the browser back to."""
    url = urllib.parse.urlsplit(authorization_url)
    params = dict(urllib.parse.parse_qsl(url.query), **changes)
    base = f"{url.scheme}://{url.netloc}"
    status, headers, body = http(base, "POST", f"{url.path}?{urllib.parse.urlencode(params)}", form={"sub": sub}, accept_json=False)
    assert status in (302, 303), body
    return headers["location"]


def finish(env, callback_url, accept_json=True):
    """The browser arriving at orgkit's callback: (status, headers, body)."""
    url = urllib.parse.urlsplit(callback_url)
    assert f"{url.scheme}://{url.netloc}" == env["base"], callback_url
    return http(env["base"], "GET", f"{url.path}?{url.query}", accept_json=accept_json)


def login(env, cid, sub, **changes):
    return finish(env, authorize(start(env, cid), sub, **changes))


def verify(env, token):
    key = jwt.PyJWKClient(env["base"] + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["ES256", "RS256", "EdDSA"], audience="orgkit", issuer=env["base"])


def assert_refused(answer, status, code):
    got, _, body = answer
    assert got == status and body["success"] is False and body["error"]["code"] == code, (got, body)
    assert "accessToken" not in str(body)


@pytest.fixture()
def org(env):
    """An org whose owner proved its domain and configured the provider; its connection id."""
    org = company(env, "oidc")
    data = ok(configure(env, org, groupsClaim="groups"), 201)["data"]
    assert (data["type"], data["issuer"], data["clientId"], data["emailDomain"], data["groupsClaim"]) == ("oidc", env["issuer"], CLIENT_ID, org.domain, "groups")
    assert data["redirectUri"] == f"{env['base']}/oidc/{data['id']}/callback" and "clientSecret" not in data, data
    return org, data["id"]


def test_login_joins_a_verified_domain_just_in_time_and_answers_an_org_token(env, org):
    org, cid = org
    sub = f"ann-{unique('s')}"
    email = f"{sub}@{org.domain}"
    provider_user(env["issuer"], sub, email=email, email_verified=True, name="Ann")

    authorization_url = start(env, cid, relay_state="/app")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorization_url).query))
    assert authorization_url.startswith(env["issuer"] + "/")
    assert (params["client_id"], params["response_type"], params["code_challenge_method"]) == (CLIENT_ID, "code", "S256"), params
    assert {"openid", "email", "profile"} <= set(params["scope"].split()) and params["state"] and params["nonce"], params
    assert params["redirect_uri"] == f"{env['base']}/oidc/{cid}/callback"

    status, _, body = finish(env, authorize(authorization_url, sub))
    assert status == 200, body
    claims = verify(env, body["data"]["accessToken"])
    assert (claims["org_id"], claims["org_role"], claims["email"], claims["amr"], claims["cid"]) == (org.id, "member", email, ["oidc"], cid)
    assert roles(env, org)[email] == "member"

    # A browser: a 303 to the login's RelayState, the token in the fragment.
    status, headers, _ = finish(env, authorize(start(env, cid, relay_state="/app"), sub), accept_json=False)
    location = urllib.parse.urlsplit(headers["location"])
    assert status == 303 and (location.path, location.netloc) == ("/app", urllib.parse.urlsplit(env["base"]).netloc), headers
    assert verify(env, dict(urllib.parse.parse_qsl(location.fragment))["access_token"])["sub"] == claims["sub"]


def test_a_state_is_used_once_and_only_on_its_connection(env, org):
    org, cid = org
    sub = unique("bo")
    provider_user(env["issuer"], sub, email=f"{sub}@{org.domain}", email_verified=True)
    callback = authorize(start(env, cid), sub)
    assert finish(env, callback)[0] == 200
    assert_refused(finish(env, callback), 400, "oidc_invalid_response")
    # A state orgkit never issued, and a callback without one.
    url = urllib.parse.urlsplit(callback)
    forged = dict(urllib.parse.parse_qsl(url.query), state="forged")
    assert_refused(http(env["base"], "GET", f"{url.path}?{urllib.parse.urlencode(forged)}"), 400, "oidc_invalid_response")
    assert_refused(http(env["base"], "GET", f"/oidc/{cid}/callback?code=x"), 400, "oidc_invalid_response")


def test_an_id_token_for_another_nonce_is_refused(env, org):
    """The browser (or an attacker injecting a code) swaps the nonce: the provider signs an ID
    token for that nonce, which is not the one orgkit's login sent."""
    org, cid = org
    sub = unique("cy")
    provider_user(env["issuer"], sub, email=f"{sub}@{org.domain}", email_verified=True)
    assert_refused(login(env, cid, sub, nonce="attacker-chosen-nonce"), 401, "invalid_nonce")
    assert f"{sub}@{org.domain}" not in roles(env, org)


def test_a_code_issued_to_another_client_is_refused(env, org):
    """A code (and its ID token) obtained for another client of the same provider does not sign
    in here: the exchange under orgkit's client fails and nothing is created."""
    org, cid = org
    sub = unique("dy")
    provider_user(env["issuer"], sub, email=f"{sub}@{org.domain}", email_verified=True)
    assert_refused(login(env, cid, sub, client_id=OTHER_CLIENT), 400, "oidc_invalid_response")
    assert f"{sub}@{org.domain}" not in roles(env, org)


def test_an_id_token_for_another_client_is_refused(env):
    """A genuine ID token of the provider, signed by its key, for another client (audience):
    orgkit's own audience check refuses it."""
    org = company(env, "aud")
    cid = ok(configure(env, org, issuer=env["foreign_audience_issuer"]), 201)["data"]["id"]
    sub = unique("au")
    provider_user(env["foreign_audience_issuer"], sub, email=f"{sub}@{org.domain}", email_verified=True)
    assert_refused(login(env, cid, sub, client_id=OTHER_CLIENT), 401, "invalid_audience")
    assert f"{sub}@{org.domain}" not in roles(env, org)


def test_an_expired_id_token_is_refused(env):
    org = company(env, "late")
    cid = ok(configure(env, org, issuer=env["expired_issuer"]), 201)["data"]["id"]
    sub = unique("ed")
    provider_user(env["expired_issuer"], sub, email=f"{sub}@{org.domain}", email_verified=True)
    assert_refused(login(env, cid, sub), 401, "token_expired")


def test_only_a_verified_email_of_a_verified_domain_signs_in(env, org):
    org, cid = org
    foreign = unique("fo")
    provider_user(env["issuer"], foreign, email=f"{foreign}@elsewhere.test", email_verified=True)
    assert_refused(login(env, cid, foreign), 403, "email_domain_not_verified")
    unverified = unique("un")
    provider_user(env["issuer"], unverified, email=f"{unverified}@{org.domain}", email_verified=False)
    assert_refused(login(env, cid, unverified), 403, "email_not_verified")
    members = roles(env, org)
    assert f"{foreign}@elsewhere.test" not in members and f"{unverified}@{org.domain}" not in members


def test_roles_follow_the_groups_claim(env, org):
    org, cid = org
    ok(call(env["base"], "PUT", f"/api/v1/organizations/{org.id}", {"groupRoleMappings": {"Engineering Leads": "admin"}}, org.owner), 200)
    sub = unique("gr")
    email = f"{sub}@{org.domain}"
    provider_user(env["issuer"], sub, email=email, email_verified=True, groups=["engineering leads", "All"])
    status, _, body = login(env, cid, sub)
    assert status == 200 and verify(env, body["data"]["accessToken"])["org_role"] == "admin", body
    provider_user(env["issuer"], sub, email=email, email_verified=True, groups=["All"])
    status, _, body = login(env, cid, sub)
    assert status == 200 and verify(env, body["data"]["accessToken"])["org_role"] == "member", body
    assert roles(env, org)[email] == "member"


def test_discovery_routes_the_domain_to_the_oidc_login(env, org):
    org, cid = org
    plan = ok(call(env["base"], "POST", "/api/v1/auth/discover", {"email": f"x@{org.domain}", "organization": org.id}), 200)["data"]
    assert (plan["method"], plan["connectionId"], plan["loginUrl"]) == ("sso", cid, f"/oidc/{cid}/login"), plan


def test_configuration_is_the_owners_and_the_secret_never_comes_back(env, org):
    org, cid = org
    data = ok(call(env["base"], "GET", f"/api/v1/organizations/{org.id}/oidc", token=org.owner), 200)["data"]
    assert data["id"] == cid and CLIENT_SECRET not in str(data)
    stranger = company(env, "stranger")
    for method, body in (("GET", None), ("POST", {"issuer": env["issuer"], "clientId": "x", "clientSecret": "y", "emailDomain": stranger.domain}), ("DELETE", None)):
        assert refused(call(env["base"], method, f"/api/v1/organizations/{org.id}/oidc", body, stranger.owner), 404)["code"] == "not_found"
    # An admin reads it (sso:read) but neither replaces nor disables it (sso:manage).
    admin = signup(env, f"admin-{unique('a')}@{org.domain}")
    ok(call(env["base"], "POST", f"{M}/organizations/{org.id}/members", {"user_id": me(env, admin)["id"], "role": "admin"}, env["key"]), 201)
    admin = ok(call(env["base"], "POST", "/api/v1/auth/token", {"organization": org.id}, admin), 200)["data"]["accessToken"]
    assert ok(call(env["base"], "GET", f"/api/v1/organizations/{org.id}/oidc", token=admin), 200)["data"]["id"] == cid
    body = {"issuer": env["issuer"], "clientId": "x", "clientSecret": "y", "emailDomain": org.domain}
    assert refused(call(env["base"], "POST", f"/api/v1/organizations/{org.id}/oidc", body, admin), 403)["code"] == "insufficient_role"
    assert refused(call(env["base"], "DELETE", f"/api/v1/organizations/{org.id}/oidc", token=admin), 403)["code"] == "insufficient_role"
    # An unreachable issuer is refused before anything is stored.
    assert refused(configure(env, stranger, issuer="http://localhost:9"), 400)["code"] == "oidc_invalid_response"
    assert call(env["base"], "GET", f"/api/v1/organizations/{stranger.id}/oidc", token=stranger.owner)[0] == 404
    # Disabled: logins through it stop.
    assert call(env["base"], "DELETE", f"/api/v1/organizations/{org.id}/oidc", token=org.owner) == (200, {"success": True, "data": None})
    status, _, body = http(env["base"], "GET", f"/oidc/{cid}/login")
    assert (status, body["error"]["code"]) == (403, "connection_not_allowed"), body


def test_without_allow_private_idp_loopback_and_http_providers_are_refused(env, tmp_path):
    """The default server fetches only public https providers: an owner cannot make it read
    its own network (SSRF)."""
    server = Server("sqlite", str(tmp_path), extra_env=NO_RATE_LIMIT)
    server.start()
    try:
        scoped = {"base": server.base, "key": server.key, "zone": env["zone"]}
        owner = signup(scoped, f"owner@{unique('ssrf')}.test")
        org = ok(call(server.base, "POST", "/api/v1/organizations", {"name": "Ssrf", "slug": unique("ssrf")}, owner), 201)["data"]["id"]
        for issuer in (env["issuer"], "https://127.0.0.1:1", "https://169.254.169.254", "https://[::1]:1", "https://localhost:1"):
            body = {"issuer": issuer, "clientId": "x", "clientSecret": "y", "emailDomain": "acme.test"}
            error = refused(call(server.base, "POST", f"/api/v1/organizations/{org}/oidc", body, owner), 400)
            assert error["code"] in ("invalid_request", "oidc_invalid_response"), (issuer, error)
    finally:
        server.stop()
