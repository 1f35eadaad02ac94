"""SAML SSO end to end: pysaml2 plays the IdP and signs responses at test time (RSA-SHA256,
exclusive C14N, Debian xmlsec1) with keys and certificates generated here; the server checks
them with samael/xmlsec. Tokens are verified with PyJWT against /.well-known/jwks.json.

pysaml2 takes over a second per signed response, so one server and one org serve the module
and each case signs at most one response.
"""

import json
import os
import re
import urllib.parse

import jwt
import pytest
from saml2 import BINDING_HTTP_REDIRECT
from saml2.xmldsig import DIGEST_SHA1, SIG_RSA_SHA1

from conftest import BACKENDS, IDP_ENTITY, IDP_SSO, OTHER_SP, Idp, b64, http, key_and_certificate, running_server


@pytest.fixture(scope="module", params=BACKENDS)
def env(request: pytest.FixtureRequest):
    with running_server(request.param) as (base, management_key, tmp):
        yield setup(base, management_key, tmp)


def setup(base, management_key, tmp):
    status, _, signup = http(base, "POST", "/api/v1/auth/signup", {"email": "owner@acme.test", "password": "correct horse battery"})
    assert status == 201, signup
    owner = signup["data"]["accessToken"]
    status, _, org = http(base, "POST", "/api/v1/organizations", {"name": "Acme", "slug": "acme"}, owner)
    assert status == 201, org
    org_id = org["data"]["id"]
    keys = key_and_certificate("idp")
    config = {"entityId": IDP_ENTITY, "ssoUrl": IDP_SSO, "certificate": keys[1].decode(), "emailDomain": "acme.test"}
    status, _, sso = http(base, "POST", f"/api/v1/organizations/{org_id}/sso", config, owner)
    assert status == 201, sso
    cid = sso["data"]["id"]
    # The configuration's emailDomain is a pending claim; the operator vouches for it here (the
    # DNS proof is test_hostile_owner.py's), so the connection may create and join its users.
    status, _, domains = http(base, "GET", f"/api/v1/organizations/{org_id}/domains", token=owner)
    assert status == 200 and [(d["domain"], d["status"]) for d in domains["data"]] == [("acme.test", "pending")], domains
    status, _, claim = http(base, "POST", f"/manage/v1/default/organizations/{org_id}/domains", {"domain": "acme.test", "verified": True},
                            token=management_key)
    assert status == 200 and claim["id"] == domains["data"][0]["id"], claim
    assert (claim["status"], claim["verified_by"]) == ("verified", "operator") and "verification" not in claim, claim
    status, _, metadata = http(base, "GET", f"/api/v1/organizations/{org_id}/sso/metadata", token=owner, accept_json=False)
    assert status == 200, metadata
    idp = Idp(tmp, "idp", metadata, keys=keys)
    return {
        "base": base, "mgmt": management_key, "tmp": tmp, "owner": owner, "org": org_id, "cid": cid, "config": config,
        "metadata": metadata, "idp": idp, "sp": (sso["data"]["spEntityId"], sso["data"]["acsUrl"]),
    }


def acs(env, xml, relay_state=None, accept_json=True):
    form = {"SAMLResponse": b64(xml)}
    if relay_state is not None:
        form["RelayState"] = relay_state
    return http(env["base"], "POST", f"/saml/{env['cid']}/acs", form=form, accept_json=accept_json)


def assert_refused(resp, status, code):
    got, _, body = resp
    assert got == status, body
    assert body["success"] is False and body["error"]["code"] == code, body
    assert "accessToken" not in json.dumps(body)


def verify(env, token):
    key = jwt.PyJWKClient(env["base"] + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["ES256", "RS256", "EdDSA"], audience="orgkit", issuer=env["base"])


def test_sp_metadata_names_entity_id_and_acs(env):
    entity_id, acs_url = env["sp"]
    assert f'entityID="{entity_id}"' in env["metadata"]
    assert f'Location="{acs_url}"' in env["metadata"]
    assert acs_url == f"{env['base']}/saml/{env['cid']}/acs"


def test_only_the_owner_configures_sso(env):
    status, _, user = http(env["base"], "POST", "/api/v1/auth/signup", {"email": "admin@acme.test", "password": "correct horse battery"})
    assert status == 201
    status, _, me = http(env["base"], "GET", "/api/v1/me", token=user["data"]["accessToken"])
    status, _, added = http(env["base"], "POST", f"/manage/v1/default/organizations/{env['org']}/members",
                               {"user_id": me["data"]["id"], "role": "admin"}, env["mgmt"])
    assert status == 201, added
    admin = user["data"]["accessToken"]
    assert_refused(http(env["base"], "POST", f"/api/v1/organizations/{env['org']}/sso", env["config"], admin), 403, "insufficient_role")
    assert_refused(http(env["base"], "DELETE", f"/api/v1/organizations/{env['org']}/sso", token=admin), 403, "insufficient_role")


def test_sp_initiated_login_answers_a_saml_token_and_adds_the_member(env):
    status, headers, _ = http(env["base"], "GET", f"/saml/{env['cid']}/login?RelayState=%2Fapp")
    assert status == 302
    location = urllib.parse.urlparse(headers["location"])
    query = dict(urllib.parse.parse_qsl(location.query))
    assert f"{location.scheme}://{location.netloc}{location.path}" == IDP_SSO and query["RelayState"] == "/app"
    authn = env["idp"].server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT).message
    assert authn.assertion_consumer_service_url == env["sp"][1]

    xml = env["idp"].response("jit@acme.test", env["sp"], in_response_to=authn.id)
    status, _, body = acs(env, xml)
    assert status == 200, body
    assert body["success"] is True
    claims = verify(env, body["data"]["accessToken"])
    assert claims["amr"] == ["saml"] and claims["cid"] == env["cid"]
    assert (claims["org_id"], claims["org_role"], claims["email"]) == (env["org"], "member", "jit@acme.test")
    status, _, members = http(env["base"], "GET", f"/manage/v1/default/organizations/{env['org']}/members", token=env["mgmt"])
    roles = {m["user_id"]: m["role"] for m in members["data"]}
    assert roles[claims["sub"]] == "member"

    # The same response again: a replay, even though everything else still checks out.
    assert_refused(acs(env, xml), 409, "saml_replay")
    # A new assertion answering the same, already used, request.
    again = env["idp"].response("jit@acme.test", env["sp"], in_response_to=authn.id)
    assert_refused(acs(env, again), 401, "saml_unknown_request")


def test_in_response_to_must_name_an_open_request_and_jit_needs_the_domain(env):
    # A request id this server never issued.
    xml = env["idp"].response("jit@acme.test", env["sp"], in_response_to="_never-issued")
    assert_refused(acs(env, xml), 401, "saml_unknown_request")
    # A user outside the org's verified domains gets no account and no org token.
    xml = env["idp"].response("someone@elsewhere.test", env["sp"])
    assert_refused(acs(env, xml), 403, "email_domain_not_verified")


def test_concurrent_posts_of_one_response_give_one_token(env):
    import concurrent.futures
    xml = env["idp"].response("race@acme.test", env["sp"])
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: acs(env, xml), range(4)))
    assert sorted(status for status, _, _ in answers) == [200, 409, 409, 409], answers
    for status, _, body in answers:
        if status == 409:
            assert body["error"]["code"] == "saml_replay" and "accessToken" not in json.dumps(body)


def test_browser_gets_a_303_to_its_own_origin_with_the_token_in_the_fragment(env):
    # Only the assertion signed, email as an attribute (transient NameID), IdP-initiated.
    xml = env["idp"].response("browser@acme.test", env["sp"], sign_response=False, sign_assertion=True, email_in_name_id=False)
    for evil in ["https://evil.example/steal", "//evil.example/", "javascript:alert(1)"]:
        assert_refused(acs(env, xml, relay_state=evil, accept_json=False), 400, "redirect_not_allowed")
    status, headers, _ = acs(env, xml, relay_state="/app/home?tab=1", accept_json=False)
    assert status == 303
    target, fragment = headers["location"].split("#", 1)
    assert target == env["base"] + "/app/home?tab=1"
    token = dict(urllib.parse.parse_qsl(fragment))["access_token"]
    assert verify(env, token)["email"] == "browser@acme.test"


def test_tampered_and_wrapped_responses_are_refused(env):
    xml = env["idp"].response("victim@acme.test", env["sp"], sign_response=False, sign_assertion=True)
    assert_refused(acs(env, xml.replace("victim@acme.test", "attacker@acme.test")), 401, "saml_invalid_signature")

    # Signature wrapping: an unsigned evil assertion beside the signed original.
    signed = re.search(r"<(\w+:)?Assertion\b.*?</(\w+:)?Assertion>", xml, re.S).group(0)
    evil = re.sub(r"<(\w+:)?Signature\b.*?</(\w+:)?Signature>", "", signed, flags=re.S)
    evil = re.sub(r'\bID="[^"]+"', 'ID="_evil"', evil, count=1).replace("victim@acme.test", "attacker@acme.test")
    assert_refused(acs(env, xml.replace(signed, evil + signed)), 401, "saml_invalid_signature")
    assert_refused(acs(env, xml.replace(signed, signed + evil)), 401, "saml_invalid_signature")

    # Refusals consume nothing: the untouched response still logs the victim in.
    status, _, body = acs(env, xml)
    assert status == 200, body
    assert verify(env, body["data"]["accessToken"])["email"] == "victim@acme.test"


def test_another_key_is_refused(env):
    other = Idp(env["tmp"], "other", env["metadata"])
    assert_refused(acs(env, other.response("a@acme.test", env["sp"])), 401, "saml_invalid_signature")


def test_sha1_signatures_are_refused(env):
    xml = env["idp"].response("a@acme.test", env["sp"], sign_alg=SIG_RSA_SHA1, digest_alg=DIGEST_SHA1)
    assert_refused(acs(env, xml), 401, "saml_invalid_signature")


def test_expired_assertion_is_refused(env):
    expired = Idp(env["tmp"], "expired", env["metadata"], lifetime={"minutes": -10}, keys=(env["idp"].key_pem, env["idp"].cert_pem))
    assert_refused(acs(env, expired.response("a@acme.test", env["sp"])), 401, "saml_expired")


def test_wrong_audience_is_refused(env):
    assert_refused(acs(env, env["idp"].response("a@acme.test", env["sp"], audience=OTHER_SP)), 401, "saml_audience_mismatch")


def test_wrong_recipient_is_refused(env):
    # The signed assertion names another ACS; the unsigned response wrapper is made to look right.
    xml = env["idp"].response("a@acme.test", env["sp"], recipient="https://other-sp.example/acs", sign_response=False, sign_assertion=True)
    xml = xml.replace('Destination="https://other-sp.example/acs"', f'Destination="{env["sp"][1]}"', 1)
    assert_refused(acs(env, xml), 401, "saml_audience_mismatch")


def test_an_sso_session_switches_only_into_orgs_that_allow_its_connection(env):
    xml = env["idp"].response("switcher@acme.test", env["sp"])
    status, _, body = acs(env, xml)
    assert status == 200, body
    session = body["data"]["accessToken"]
    user_id = verify(env, session)["sub"]
    # Another org of the tenant, with the SSO user as a member, that does not allow Acme's IdP.
    m = "/manage/v1/default/organizations"
    status, _, other = http(env["base"], "POST", m, {"name": "Beta", "slug": "beta-" + os.urandom(3).hex()}, env["mgmt"])
    assert status == 201, other
    status, _, added = http(env["base"], "POST", f"{m}/{other['id']}/members", {"user_id": user_id, "role": "member"}, env["mgmt"])
    assert status == 201, added
    assert_refused(http(env["base"], "POST", "/api/v1/auth/token", {"organization": other["id"]}, session), 403, "connection_not_allowed")
    # Back into Acme, whose connection it is: allowed, and the session keeps its connection.
    status, _, back = http(env["base"], "POST", "/api/v1/auth/token", {"organization": env["org"]}, session)
    assert status == 200, back
    assert verify(env, back["data"]["accessToken"])["cid"] == env["cid"]


def test_roles_follow_the_idp_groups_the_assertion_lists(env):
    """With a groups attribute on the connection and the org's group_role_mappings, each login
    gives the member the highest mapped role of the groups the signed assertion lists (member
    when none is mapped), audited; without mappings, or without the attribute, roles stay."""
    base, org, owner = env["base"], env["org"], env["owner"]

    def login(email, groups):
        xml = env["idp"].response(email, env["sp"], attributes={"groups": groups})
        status, _, body = acs(env, xml)
        assert status == 200, body
        return verify(env, body["data"]["accessToken"])

    def put_org(body):
        status, _, answer = http(base, "PUT", f"/api/v1/organizations/{org}", body, owner)
        assert status == 200, answer
        return answer

    # No groups attribute yet: a listed group changes nothing.
    put_org({"groupRoleMappings": {"Acme Admins": "admin", "Acme Readers": "viewer"}})
    assert login("grouped@acme.test", ["Acme Admins"])["org_role"] == "member"

    status, _, sso = http(base, "POST", f"/api/v1/organizations/{org}/sso", dict(env["config"], groupsAttribute="groups"), owner)
    assert status in (200, 201) and sso["data"]["groupsAttribute"] == "groups", sso
    try:
        assert login("grouped@acme.test", ["acme admins", "Staff"])["org_role"] == "admin"
        assert login("grouped@acme.test", ["Acme Readers"])["org_role"] == "viewer"
        assert login("grouped@acme.test", ["Staff"])["org_role"] == "member"
        assert login("grouped@acme.test", ["Acme Readers", "Acme Admins"])["org_role"] == "admin"
        # A new user joins just in time with the mapped role.
        fresh = login("fresh-grouped@acme.test", ["Acme Readers"])
        assert fresh["org_role"] == "viewer"
        status, _, members = http(base, "GET", f"/manage/v1/default/organizations/{org}/members", token=env["mgmt"])
        roles = {m["email"]: m["role"] for m in members["data"]}
        assert (roles["grouped@acme.test"], roles["fresh-grouped@acme.test"]) == ("admin", "viewer"), roles
        entries, cursor = [], None
        while True:
            after = f"&cursor={cursor}" if cursor else ""
            status, _, page = http(base, "GET", f"/manage/v1/default/organizations/{org}/audit-log?limit=100{after}", token=env["mgmt"])
            assert status == 200, page
            entries += page["data"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        changes = [e for e in entries if e["action"] == "member.role_changed" and e["actor"] == f"connection:{env['cid']}"]
        assert len(changes) == 5, changes
        # Without mappings the IdP's groups leave roles alone.
        put_org({"groupRoleMappings": None})
        assert login("grouped@acme.test", ["Acme Readers"])["org_role"] == "admin"
    finally:
        put_org({"groupRoleMappings": None})
        status, _, sso = http(base, "POST", f"/api/v1/organizations/{org}/sso", env["config"], owner)
        assert status in (200, 201) and sso["data"]["groupsAttribute"] is None, sso


def test_disabled_sso_refuses_logins(env):
    status, _, body = http(env["base"], "DELETE", f"/api/v1/organizations/{env['org']}/sso", token=env["owner"])
    assert (status, body) == (200, {"success": True, "data": None})
    assert_refused(acs(env, env["idp"].response("jit@acme.test", env["sp"])), 403, "connection_not_allowed")
