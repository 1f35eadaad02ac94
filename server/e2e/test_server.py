"""orgkit-server over a real socket: SMTP invitation flow and PyJWT verification."""

import email
import email.policy
import re
import time

import jwt

from conftest import call


def test_invitation_email_over_smtp_is_accepted_and_tokens_verify_with_pyjwt(server, smtp):
    base, key = server
    _, inbox = smtp
    status, org = call(base, "POST", "/manage/v1/default/organizations",
                       {"name": "Cardiology Department", "slug": "cardiology", "metadata": {"department_code": "CARD-01"}}, key)
    assert status == 201, org
    status, inv = call(base, "POST", f"/manage/v1/default/organizations/{org['id']}/invitations",
                       {"email": "bob@hospital.com", "role": "member"}, key)
    assert status == 201, inv
    for _ in range(100):
        if inbox.messages:
            break
        time.sleep(0.05)
    assert len(inbox.messages) == 1
    msg = email.message_from_bytes(inbox.messages[0], policy=email.policy.default)
    assert msg.is_multipart()
    assert "Cardiology Department" in msg["subject"]
    text = msg.get_body(preferencelist=("plain",)).get_content()
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert "Cardiology Department" in html
    link = re.search(r"(http://\S+/invitations/\S+)", text).group(1)
    assert link == inv["invitation_url"]
    token = link.rsplit("/", 1)[1]

    status, accepted = call(base, "POST", f"/api/v1/organizations/invitations/{token}/accept",
                            {"password": "correct horse battery", "name": "Bob"})
    assert status == 200, accepted
    access = accepted["data"]["accessToken"]

    jwks_client = jwt.PyJWKClient(base + "/.well-known/jwks.json")
    signing_key = jwks_client.get_signing_key_from_jwt(access)
    claims = jwt.decode(access, signing_key.key, algorithms=["ES256"], audience="orgkit", issuer=base)
    assert claims["org_id"] == org["id"]
    assert claims["org_slug"] == "cardiology"
    assert claims["org_role"] == "member"
    assert claims["email"] == "bob@hospital.com"
    assert claims["exp"] - claims["iat"] == 24 * 3600

    # Tampered tokens are refused by the server.
    status, body = call(base, "GET", "/api/v1/me", token=access[:-4] + "AAAA")
    assert status == 401 and body["error"]["code"] in ("invalid_signature", "invalid_token")
    status, me = call(base, "GET", "/api/v1/me", token=access)
    assert status == 200 and me["data"]["organization"]["slug"] == "cardiology"


def test_every_seed_endpoint_over_the_socket(server):
    """Each endpoint of seed 000 and seed 004 once, with the seeds' example bodies where they are real values."""
    base, key = server
    m = "/manage/v1/default"

    def ok(status, body, want):
        assert status == want, (status, body)
        return body

    # Seed 000.
    org = ok(*call(base, "POST", f"{m}/organizations",
                   {"name": "Cardiology Department", "slug": "cardiology", "metadata": {"department_code": "CARD-01"}}, key), 201)
    o = f"{m}/organizations/{org['id']}"
    ok(*call(base, "GET", f"{m}/organizations", token=key), 200)
    ok(*call(base, "GET", o, token=key), 200)
    branding = ok(*call(base, "PATCH", o, {"logo_url": "https://cdn.hospital.com/logo.png", "primary_color": "#0066cc",
                                           "welcome_text": "Cardiology Portal", "custom_domain": "auth.cardiology.hospital.com"}, key), 200)
    assert branding["effective"]["primary_color"] == {"value": "#0066cc", "source": "org"}
    settings = ok(*call(base, "PATCH", o, {"password_min_length": 12, "require_mfa": True, "session_ttl_hours": 8,
                                           "max_login_attempts": 3, "lockout_duration_minutes": 30}, key), 200)
    assert settings["effective"]["session_ttl_hours"]["value"] == 8
    status, body = call(base, "PATCH", o, {"default_connection_id": "saml-conn-uuid"}, key)
    assert (status, body["error"]["code"]) == (422, "invalid_setting")
    user = ok(*call(base, "POST", f"{m}/users", {"email": "alice@hospital.com", "name": "Alice"}, key), 201)
    ok(*call(base, "POST", f"{o}/members", {"user_id": user["id"], "role": "admin"}, key), 201)
    ok(*call(base, "GET", f"{o}/members", token=key), 200)
    ok(*call(base, "PATCH", f"{o}/members/{user['id']}", {"role": "member"}, key), 200)
    ok(*call(base, "DELETE", f"{o}/members/{user['id']}", token=key), 204)
    inv = ok(*call(base, "POST", f"{o}/invitations", {"email": "bob@hospital.com", "role": "member"}, key), 201)
    ok(*call(base, "GET", f"{o}/invitations", token=key), 200)
    ok(*call(base, "POST", f"{o}/invitations/{inv['id']}/resend", token=key), 200)
    ok(*call(base, "DELETE", f"{o}/invitations/{inv['id']}", token=key), 204)
    status, body = call(base, "POST", f"{o}/connections", {"connection_id": "saml-conn-uuid"}, key)
    assert (status, body["error"]["code"]) == (404, "not_found")
    ok(*call(base, "GET", f"{o}/connections", token=key), 200)
    ok(*call(base, "GET", f"{o}/audit-log", token=key), 200)
    ok(*call(base, "GET", f"{m}/settings", token=key), 200)

    # Seed 004.
    signup = ok(*call(base, "POST", "/api/v1/auth/signup", {"email": "owner@acme.com", "password": "correct horse battery"}), 201)
    t = signup["data"]["accessToken"]
    acme = ok(*call(base, "POST", "/api/v1/organizations", {"name": "Acme Corp", "slug": "acme-corp"}, t), 201)["data"]
    a = f"/api/v1/organizations/{acme['id']}"
    ok(*call(base, "GET", "/api/v1/organizations", token=t), 200)
    ok(*call(base, "GET", a, token=t), 200)
    ok(*call(base, "PUT", a, {"name": "Acme Corporation"}, t), 200)
    members = ok(*call(base, "GET", f"{a}/members", token=t), 200)["data"]
    mate = ok(*call(base, "POST", "/api/v1/auth/signup", {"email": "teammate@company.com", "password": "correct horse battery"}), 201)
    mt = mate["data"]["accessToken"]
    invite = ok(*call(base, "POST", f"{a}/invitations", {"email": "teammate@company.com", "role": "member"}, t), 201)["data"]
    ok(*call(base, "GET", f"{a}/invitations", token=t), 200)
    token = invite["invitationUrl"].rsplit("/", 1)[1]
    ok(*call(base, "POST", f"/api/v1/organizations/invitations/{token}/accept", {}, mt), 200)
    mate_id = ok(*call(base, "GET", "/api/v1/me", token=mt), 200)["data"]["id"]
    ok(*call(base, "PUT", f"{a}/members/{mate_id}", {"role": "admin"}, t), 200)
    ok(*call(base, "DELETE", f"{a}/members/{mate_id}", token=t), 200)
    other = ok(*call(base, "POST", f"{a}/invitations", {"email": "later@company.com", "role": "member"}, t), 201)["data"]
    ok(*call(base, "DELETE", f"{a}/invitations/{other['id']}", token=t), 200)
    # SSO before any configuration; the seed's placeholder certificate is refused with a code
    # (test_saml.py configures SSO with a real certificate and signed responses).
    for method, path, body, expected in [
            ("GET", f"{a}/sso/metadata", None, (404, "not_found")),
            ("POST", f"{a}/sso", {"entityId": "https://idp.example.com/saml", "ssoUrl": "https://idp.example.com/saml/sso",
                                  "certificate": "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----",
                                  "emailDomain": "company.com"}, (400, "invalid_request")),
            ("DELETE", f"{a}/sso", None, (404, "not_found"))]:
        status, err = call(base, method, path, body, t)
        assert (status, err["error"]["code"]) == expected
    login = ok(*call(base, "POST", "/api/v1/auth/login", {"email": "owner@acme.com", "password": "correct horse battery",
                                                          "organization": "acme-corp"}), 200)
    ok(*call(base, "POST", "/api/v1/auth/token", {"organization": acme["id"]}, login["data"]["accessToken"]), 200)
    ok(*call(base, "DELETE", a, token=t), 200)
    assert len(members) == 1
    ok(*call(base, "DELETE", o, token=key), 204)
