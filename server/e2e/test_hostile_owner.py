"""The self-service org owner as a threat actor (issue 15, attacks 1, 4 and 6, and the email
squatter), end to end: a stranger signs up, makes an org of their own and configures it; every
attack is refused with a coded answer and changes nothing. Domains are proven by a real DNS
server on loopback (dnslib, UDP and TCP) whose TXT records the tests set; SAML responses are
signed by pysaml2 (test_saml.Idp); emails arrive at a real SMTP server (aiosmtpd).

One server per backend serves the module; the cases build on one another in file order (the
legitimate org verifies its domain first, the attacks follow), signing five SAML responses.
"""

import contextlib
import email
import json
import re
import tempfile
import time
import urllib.parse
import urllib.request

import jwt
import pytest
from aiosmtpd.controller import Controller

from conftest import BACKENDS, IDP_ENTITY, IDP_SSO, Idp, Inbox, Server, b64, dns_server, free_port, http, key_and_certificate

PASSWORD = "correct horse battery"
PUBLIC_HOST = "auth.orgkit.test"


@pytest.fixture(scope="module", params=BACKENDS)
def world(request):
    """The server (public URL on PUBLIC_HOST, DNS and SMTP on loopback) with a legitimate org,
    Acme, whose owner holds acme.test, and an attacker with an org of their own, Evil."""
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    with contextlib.ExitStack() as stack:
        stack.callback(smtp.stop)
        resolver, zone = stack.enter_context(dns_server())
        tmp = stack.enter_context(tempfile.TemporaryDirectory())
        server = Server(request.param, tmp)
        server.env.update({
            "ORGKIT_PUBLIC_URL": f"http://{PUBLIC_HOST}:{server.port}",
            "ORGKIT_DNS_RESOLVER": resolver,
            "ORGKIT_SMTP_URL": f"smtp://127.0.0.1:{smtp.port}",
            "ORGKIT_EMAIL_FROM": "orgkit <no-reply@orgkit.test>",
        })
        server.start()
        stack.callback(server.stop)
        w = {"server": server, "base": server.base, "mgmt": server.key, "zone": zone, "inbox": inbox, "tmp": tmp,
             "issuer": server.env["ORGKIT_PUBLIC_URL"]}
        w["acme_owner"] = signup(w, "owner@acme.test")
        w["acme"] = create_org(w, w["acme_owner"], "Acme", "acme")
        w["attacker"] = signup(w, "mallory@evil.test")
        w["evil"] = create_org(w, w["attacker"], "Evil", "evil")
        yield w


def signup(w, address):
    status, _, body = http(w["base"], "POST", "/api/v1/auth/signup", {"email": address, "password": PASSWORD})
    assert status == 201, body
    return body["data"]["accessToken"]


def login(w, address, password=PASSWORD):
    return http(w["base"], "POST", "/api/v1/auth/login", {"email": address, "password": password})


def create_org(w, token, name, slug):
    status, _, body = http(w["base"], "POST", "/api/v1/organizations", {"name": name, "slug": slug}, token)
    assert status == 201, body
    return body["data"]["id"]


def me(w, token):
    status, _, body = http(w["base"], "GET", "/api/v1/me", token=token)
    assert status == 200, body
    return body["data"]


def refused(resp, status, code):
    got, _, body = resp
    assert got == status, body
    assert body["success"] is False and body["error"]["code"] == code, body
    assert "accessToken" not in json.dumps(body)
    return body["error"]


def configure_sso(w, token, org, domain, name):
    """The seed's SSO body with an IdP whose key the caller holds; answers (idp, connection id, sp)."""
    keys = key_and_certificate(name)
    config = {"entityId": IDP_ENTITY, "ssoUrl": IDP_SSO, "certificate": keys[1].decode(), "emailDomain": domain}
    status, _, sso = http(w["base"], "POST", f"/api/v1/organizations/{org}/sso", config, token)
    assert status in (200, 201), sso
    status, _, metadata = http(w["base"], "GET", f"/api/v1/organizations/{org}/sso/metadata", token=token, accept_json=False)
    assert status == 200, metadata
    return Idp(w["tmp"], name, metadata, keys=keys), sso["data"]["id"], (sso["data"]["spEntityId"], sso["data"]["acsUrl"])


def post_assertion(w, cid, xml):
    form = {"SAMLResponse": b64(xml)}
    return http(w["base"], "POST", f"/saml/{cid}/acs", form=form)


def domains(w, token, org):
    status, _, body = http(w["base"], "GET", f"/api/v1/organizations/{org}/domains", token=token)
    assert status == 200, body
    return {d["domain"]: d for d in body["data"]}


def count(w, query):
    return int(w["server"].sql(query)[0][0])


def discover(w, address):
    status, _, body = http(w["base"], "POST", "/api/v1/auth/discover", {"email": address})
    assert status == 200, body
    return body["data"]


def claims(w, token):
    key = jwt.PyJWKClient(w["base"] + "/.well-known/jwks.json").get_signing_key_from_jwt(token)
    return jwt.decode(token, key.key, algorithms=["ES256", "RS256", "EdDSA"], audience="orgkit", issuer=w["issuer"])


def test_an_owner_proves_a_domain_by_dns_over_udp_and_tcp(world):
    w = world
    org, owner = w["acme"], w["acme_owner"]
    # Not claimable: a public suffix, a free-mail provider.
    refused(http(w["base"], "POST", f"/api/v1/organizations/{org}/domains", {"domain": "co.uk"}, owner), 422, "domain_not_allowed")
    refused(http(w["base"], "POST", f"/api/v1/organizations/{org}/domains", {"domain": "gmail.com"}, owner), 422, "domain_not_allowed")
    status, _, created = http(w["base"], "POST", f"/api/v1/organizations/{org}/domains", {"domain": "Acme.Test"}, owner)
    assert status == 201, created
    claim = created["data"]
    assert set(claim) >= {"id", "domain", "status", "verification", "createdAt"} and claim["status"] == "pending"
    challenge = claim["verification"]
    assert (challenge["type"], challenge["name"]) == ("dns_txt", "_orgkit-challenge.acme.test")
    assert re.fullmatch(r"orgkit-domain-verification=[A-Za-z0-9_-]{40,}", challenge["value"]), challenge
    assert domains(w, owner, org)["acme.test"]["verification"] == challenge
    verify = f"/api/v1/organizations/{org}/domains/{claim['id']}/verify"

    # Nothing published: a coded refusal that says what was found, and the claim stays pending.
    error = refused(http(w["base"], "POST", verify, token=owner), 422, "domain_not_verified")
    assert "no TXT record" in error["message"], error
    w["zone"].set(challenge["name"], "v=spf1 -all")
    error = refused(http(w["base"], "POST", verify, token=owner), 422, "domain_not_verified")
    assert "v=spf1 -all" in error["message"], error

    # Published, but only over TCP (the UDP answer is truncated): the resolver retries over TCP.
    w["zone"].set(challenge["name"], "v=spf1 -all", challenge["value"], tcp_only=True)
    status, _, verified = http(w["base"], "POST", verify, token=owner)
    assert status == 200 and verified["data"]["status"] == "verified" and "verification" not in verified["data"], verified
    assert ("tcp", "_orgkit-challenge.acme.test") in w["zone"].queries and ("udp", "_orgkit-challenge.acme.test") in w["zone"].queries
    w["zone"].set(challenge["name"], challenge["value"])
    w["acme_claim"], w["acme_challenge"] = claim["id"], challenge
    w["acme_idp"], w["acme_cid"], w["acme_sp"] = configure_sso(w, owner, org, "acme.test", "acme-idp")


def test_jit_for_a_verified_domain_creates_links_and_joins(world):
    w = world
    status, _, body = post_assertion(w, w["acme_cid"], w["acme_idp"].response("jit@acme.test", w["acme_sp"]))
    assert status == 200, body
    c = claims(w, body["data"]["accessToken"])
    assert (c["org_id"], c["org_role"], c["amr"]) == (w["acme"], "member", ["saml"])
    assert count(w, f"SELECT COUNT(*) FROM sso_identities WHERE user_id = '{c['sub']}' AND connection_id = '{w['acme_cid']}'") == 1


def test_attack_1_a_self_service_idp_cannot_log_into_another_companys_account(world):
    w = world
    # The victim proves their email through the link the signup mailed.
    victim = signup(w, "ceo@victim.test")
    message = email.message_from_bytes(w["inbox"].messages[-1])
    assert message["To"] == "ceo@victim.test"
    body = next(p.get_payload(decode=True).decode() for p in message.walk() if p.get_content_type() == "text/plain")
    token = re.search(r"/verify-email/([A-Za-z0-9_-]+)", body).group(1)
    assert me(w, victim)["emailVerified"] is False
    status, _, verified = http(w["base"], "POST", "/api/v1/auth/verify-email", {"token": token})
    assert status == 200 and verified["data"] == {"email": "ceo@victim.test", "emailVerified": True}, verified
    refused(http(w["base"], "POST", "/api/v1/auth/verify-email", {"token": token}), 401, "invalid_token")
    assert me(w, victim)["emailVerified"] is True
    victim_id = me(w, victim)["id"]

    # The attacker configures their org's SSO with their own key for the victim's domain: 201,
    # and the domain is only a pending claim, which DNS does not prove.
    idp, cid, sp = configure_sso(w, w["attacker"], w["evil"], "victim.test", "evil-idp")
    claim = domains(w, w["attacker"], w["evil"])["victim.test"]
    assert claim["status"] == "pending"
    verify = f"/api/v1/organizations/{w['evil']}/domains/{claim['id']}/verify"
    refused(http(w["base"], "POST", verify, token=w["attacker"]), 422, "domain_not_verified")

    identities, users = count(w, "SELECT COUNT(*) FROM sso_identities"), count(w, "SELECT COUNT(*) FROM users")
    error = refused(post_assertion(w, cid, idp.response("ceo@victim.test", sp)), 403, "email_domain_not_verified")
    assert "victim.test" in error["message"]
    # Nor when the victim is a member of the attacker's org: membership is not a link.
    status, _, added = http(w["base"], "POST", f"/manage/v1/default/organizations/{w['evil']}/members",
                            {"user_id": victim_id, "role": "member"}, w["mgmt"])
    assert status == 201, added
    refused(post_assertion(w, cid, idp.response("ceo@victim.test", sp)), 403, "email_domain_not_verified")
    # Nothing changed: no link, no account, the victim's password and session still work.
    assert (count(w, "SELECT COUNT(*) FROM sso_identities"), count(w, "SELECT COUNT(*) FROM users")) == (identities, users)
    assert login(w, "ceo@victim.test")[0] == 200
    assert me(w, victim)["id"] == victim_id
    # An unknown address of the unverified domain gets no account either.
    refused(post_assertion(w, cid, idp.response("new@victim.test", sp)), 403, "email_domain_not_verified")
    assert count(w, "SELECT COUNT(*) FROM users WHERE email = 'new@victim.test'") == 0


def test_the_email_squatter_loses_everything_set_before_the_company_sso_links_the_account(world):
    w = world
    # A stranger signs up with an address of acme.test that is not theirs: never verified.
    squatter = signup(w, "cfo@acme.test")
    assert me(w, squatter)["emailVerified"] is False
    # An invitation the squatter sends themselves from their own org proves nothing: the inviter
    # gets the link in the API's answer.
    status, _, invited = http(w["base"], "POST", f"/api/v1/organizations/{w['evil']}/invitations",
                              {"email": "cfo@acme.test", "role": "member"}, w["attacker"])
    assert status == 201, invited
    link = invited["data"]["invitationUrl"]
    status, _, accepted = http(w["base"], "POST", f"/api/v1/organizations/invitations/{link.rsplit('/', 1)[1]}/accept", {}, squatter)
    assert status == 200, accepted
    assert me(w, squatter)["emailVerified"] is False
    # Revocation is by the second (`iat` < the link's time): let the signup's second pass.
    signed_up = claims(w, squatter)["iat"]
    while int(time.time()) <= signed_up:
        time.sleep(0.05)
    status, _, body = post_assertion(w, w["acme_cid"], w["acme_idp"].response("cfo@acme.test", w["acme_sp"]))
    assert status == 200, body
    c = claims(w, body["data"]["accessToken"])
    # The real owner's session works and the email is now proven; the squatter's session and
    # password stopped working.
    assert me(w, body["data"]["accessToken"])["emailVerified"] is True
    refused(http(w["base"], "GET", "/api/v1/me", token=squatter), 401, "token_revoked")
    refused(login(w, "cfo@acme.test"), 401, "invalid_credentials")
    assert count(w, f"SELECT COUNT(*) FROM sso_identities WHERE user_id = '{c['sub']}'") == 1


def test_attack_4_the_login_page_cannot_be_taken_over(world):
    w = world
    path = f"/api/v1/organizations/{w['evil']}"
    for host, code in [(PUBLIC_HOST, "domain_reserved"), ("orgkit.test", "domain_reserved"), ("login.acme.test", "domain_not_verified"),
                       ("login.victim.test", "domain_not_verified")]:
        refused(http(w["base"], "PUT", path, {"customDomain": host}, w["attacker"]), 422, code)
    status, _, org = http(w["base"], "GET", path, token=w["attacker"])
    assert status == 200 and org["data"]["settings"]["customDomain"] is None, org
    assert '"organization":null' in login_page(w, PUBLIC_HOST)

    # Acme's own custom domain under its verified domain serves Acme's page, while verified.
    status, _, put = http(w["base"], "PUT", f"/api/v1/organizations/{w['acme']}", {"customDomain": "login.acme.test"}, w["acme_owner"])
    assert status == 200, put
    assert '"organization":"acme"' in login_page(w, "login.acme.test")
    # The record goes: a re-check demotes the domain, and the custom domain stops serving.
    w["zone"].remove(w["acme_challenge"]["name"])
    verify = f"/api/v1/organizations/{w['acme']}/domains/{w['acme_claim']}/verify"
    refused(http(w["base"], "POST", verify, token=w["acme_owner"]), 422, "domain_not_verified")
    assert domains(w, w["acme_owner"], w["acme"])["acme.test"]["status"] == "pending"
    assert '"organization":null' in login_page(w, "login.acme.test")
    w["zone"].set(w["acme_challenge"]["name"], w["acme_challenge"]["value"])
    status, _, again = http(w["base"], "POST", verify, token=w["acme_owner"])
    assert status == 200 and again["data"]["status"] == "verified", again
    assert '"organization":"acme"' in login_page(w, "login.acme.test")


def login_page(w, host):
    """The login page as a browser asking for `host` gets it (the server listens on loopback)."""
    port = urllib.parse.urlsplit(w["base"]).port
    req = urllib.request.Request(w["base"] + "/login", headers={"Host": f"{host}:{port}"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 200
        return resp.read().decode()


def test_attack_6_discovery_routes_only_verified_domains_of_live_connections(world):
    w = world
    # The attacker's connection claims victim.test first; the claim's age buys nothing.
    assert discover(w, "someone@victim.test")["method"] == "password"
    # Nor can the attacker claim Acme's verified domain.
    refused(http(w["base"], "POST", f"/api/v1/organizations/{w['evil']}/domains", {"domain": "acme.test"}, w["attacker"]), 409, "domain_taken")
    assert (discover(w, "a@acme.test")["method"], discover(w, "a@acme.test")["connectionId"]) == ("sso", w["acme_cid"])

    # A disabled SSO stops routing at once, and starts again when configured again.
    assert http(w["base"], "DELETE", f"/api/v1/organizations/{w['acme']}/sso", token=w["acme_owner"])[0] == 200
    assert discover(w, "a@acme.test")["method"] == "password"
    configure_sso(w, w["acme_owner"], w["acme"], "acme.test", "acme-idp-2")
    assert discover(w, "a@acme.test")["connectionId"] == w["acme_cid"]

    # A deleted org stops routing at once: its connection goes with it.
    assert http(w["base"], "DELETE", f"/api/v1/organizations/{w['acme']}", token=w["acme_owner"])[0] == 200
    plan = discover(w, "a@acme.test")
    assert (plan["method"], plan["connectionId"], plan["loginUrl"]) == ("password", None, None)
    refused(http(w["base"], "GET", f"/saml/{w['acme_cid']}/login"), 404, "not_found")
    assert count(w, f"SELECT COUNT(*) FROM connections WHERE id = '{w['acme_cid']}'") == 0
