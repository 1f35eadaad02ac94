"""OrgTokenVerifier with claim profiles: other providers' tokens, role maps, bad configurations.

Tokens are signed here by PyJWT with the fixed test key of tests/vectors/keys, in the claim shape
each provider documents: the provider table of tests/vectors/profiles.json, which the Node suite
reads too (the sources are listed in core/src/token/profile.rs).
"""

from __future__ import annotations

import json
import time
from typing import Any, Optional

import jwt
import pytest

from orgkit import OrgPermissionError, OrgTokenVerifier, RequestError, TokenError, error_table
from conftest import VECTORS

KEYS = VECTORS / "keys"
JWKS = json.loads((KEYS / "test-jwks.json").read_text())
ES256_PEM = (KEYS / "test-es256.private.pem").read_text()
PROVIDERS: dict[str, Any] = json.loads((VECTORS / "profiles.json").read_text())["providers"]
ISSUER: str = PROVIDERS["issuer"]
AUDIENCE: str = PROVIDERS["audience"]
NOW = int(time.time())


def sign(claims: dict[str, Any], *, aud: Optional[str] = AUDIENCE) -> str:
    """A provider token: issuer, subject and an hour of validity, then the provider's claims (a
    claim set to None is left out)."""
    payload: dict[str, Any] = {"iss": ISSUER, "sub": "user_2abc", "iat": NOW - 10, "exp": NOW + 3600, "aud": aud}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, ES256_PEM, algorithm="ES256", headers={"kid": "test-es256", "typ": "JWT"})


def verifier(profile: Any = "orgkit", role_map: Optional[dict[str, str]] = None, audience: str = AUDIENCE) -> OrgTokenVerifier:
    return OrgTokenVerifier(JWKS, issuer=ISSUER, audience=audience, profile=profile, role_map=role_map)


def provider(name: str) -> dict[str, Any]:
    return next(c for c in PROVIDERS["cases"] if c["name"] == name)


@pytest.mark.parametrize("case", PROVIDERS["cases"], ids=[c["name"] for c in PROVIDERS["cases"]])
def test_each_profile_reads_its_providers_token(case: dict[str, Any]) -> None:
    audience = case.get("audience", AUDIENCE)
    v = verifier(case["profile"], audience=audience)
    token = sign(case["claims"], aud=audience)
    context = case["expect"]
    for _ in range(2):  # the second answer comes from the cache
        out = v.verify(token, org=context["org_id"])
        assert {k: out[k] for k in context} == context
        assert out["sub"] == "user_2abc"
        claims = case["claims"]
        assert out["claims"]["iss"] == ISSUER and all(out["claims"][k] == claims[k] for k in claims if claims[k] is not None)
        assert set(out) == {"sub", "org_id", "org_slug", "org_role", "permissions", "claims"}
    assert v.cache_len == 1
    with pytest.raises(OrgPermissionError) as e:
        v.verify(token, org=case["other_org"])
    assert e.value.code == "org_mismatch"


def test_clerk_tokens_without_aud_are_checked_against_azp() -> None:
    v = verifier("clerk-v1", audience="https://app.example.test")
    out = v.verify(sign({"azp": "https://app.example.test", "org_id": "org_2Z3", "org_role": "org:member"}, aud=None))
    assert out["org_role"] == "member"
    with pytest.raises(TokenError) as e:
        v.verify(sign({"azp": "https://evil.example", "org_id": "org_2Z3"}, aud=None))
    assert e.value.code == "invalid_audience"


def test_logto_organization_tokens() -> None:
    token = sign({"scope": "read:data members:add"}, aud="urn:logto:organization:org_abc")
    out = verifier("logto", audience="urn:logto:organization:org_abc").verify(token, org="org_abc", permission="members:add")
    assert out["org_id"] == "org_abc" and out["org_role"] is None and out["permissions"] == ["read:data", "members:add"]
    # Logto carries no role: a role requirement can never be met.
    with pytest.raises(OrgPermissionError) as e:
        verifier("logto", audience="urn:logto:organization:").verify(token, role="viewer")
    assert e.value.code == "insufficient_role"
    with pytest.raises(TokenError) as e:
        verifier("logto", audience="urn:logto:organization:org_xyz").verify(token)
    assert e.value.code == "invalid_audience"


def test_requirements_use_cores_codes() -> None:
    v = verifier("workos")
    token = sign({"org_id": "org_01HXYZ", "role": "member", "permissions": ["members:add"]})
    with pytest.raises(OrgPermissionError) as e:
        v.verify(token, role="admin")
    assert e.value.code == "insufficient_role" and e.value.status == 403
    with pytest.raises(OrgPermissionError) as e:
        v.verify(token, org="org_other")
    assert e.value.code == "org_mismatch"
    # A permission the provider lists by name is met, even above the mapped role.
    assert v.verify(token, permission="members:add")["org_role"] == "member"
    with pytest.raises(OrgPermissionError) as e:
        v.verify(token, permission="org:delete")
    assert e.value.code == "insufficient_role"
    assert v.cache_len == 1, "requirement failures leave the valid token cached"
    with pytest.raises(OrgPermissionError) as e:
        v.verify(sign({"role": "admin"}), role="viewer")
    assert e.value.code == "org_required"


def test_an_unmapped_role_is_invalid_org_claim() -> None:
    v = verifier("auth0")
    with pytest.raises(TokenError) as e:
        v.verify(sign({"org_id": "org_1", "https://orgkit.dev/roles": ["janitor"]}))
    assert e.value.code == "invalid_org_claim" and e.value.status == 401
    with pytest.raises(TokenError) as e:
        verifier("clerk-v1").verify(sign({"org_id": "org_2Z3", "org_role": "org:billing"}))
    assert e.value.code == "invalid_org_claim"
    assert v.cache_len == 0


def test_role_map_adds_and_overrides_roles() -> None:
    token = sign({"org_id": "org_1", "https://orgkit.dev/roles": ["Billing Owner"]})
    out = verifier("auth0", role_map={"Billing Owner": "owner"}).verify(token, role="owner")
    assert out["org_role"] == "owner"
    # Overriding a provider default: Clerk's org:admin read as a plain member.
    clerk = sign({"org_id": "org_2Z3", "org_role": "org:admin"})
    v = verifier("clerk-v1", role_map={"org:admin": "member"})
    assert v.verify(clerk)["org_role"] == "member"
    with pytest.raises(OrgPermissionError) as e:
        v.verify(clerk, role="admin")
    assert e.value.code == "insufficient_role"


def test_keycloak_answers_for_the_org_each_call_names() -> None:
    v = verifier("keycloak")
    token = sign({"organization": {"acme": {"id": "42f4"}, "globex": {"id": "77aa"}}})
    for _ in range(2):  # the second round is served from the cache
        acme = v.verify(token, org="acme")
        assert (acme["org_id"], acme["org_slug"]) == ("42f4", "acme")
        globex = v.verify(token, org="77aa")
        assert (globex["org_id"], globex["org_slug"]) == ("77aa", "globex")
        assert v.cache_len == 1
        with pytest.raises(OrgPermissionError) as e:
            v.verify(token)
        assert e.value.code == "org_required"
        with pytest.raises(OrgPermissionError) as e:
            v.verify(token, org="initech")
        assert e.value.code == "org_mismatch"
    with pytest.raises(OrgPermissionError) as e:
        v.verify(token, org="acme", role="viewer")  # Keycloak carries no role
    assert e.value.code == "insufficient_role"


def test_keycloak_role_from_a_custom_profile() -> None:
    """A Keycloak token with a role mapper, read through a custom profile instead."""
    v = verifier({"name": "custom", "org_id": "/org/id", "role": "/org/roles"}, role_map={"manager": "admin"})
    out = v.verify(sign({"org": {"id": "acme", "roles": ["manager", "member"]}}), org="acme", role="admin")
    assert out["org_role"] == "admin"


def test_orgkit_profile_keeps_the_claims_dict() -> None:
    claims = {"aud": AUDIENCE, "org_id": "org-1", "org_slug": "acme", "org_role": "admin", "amr": ["pwd"]}
    token = sign(claims)
    for v in (verifier(), verifier(None), verifier({"name": "orgkit"})):
        out = v.verify(token, org="acme", role="admin")
        assert out["org_role"] == "admin" and out["amr"] == ["pwd"] and out["iss"] == ISSUER
        assert "claims" not in out and "permissions" not in out
    # With a role map the orgkit profile reads through the mapping, in the profiled shape.
    mapped = verifier("orgkit", role_map={"billing": "member"}).verify(sign({**claims, "org_role": "billing"}))
    assert mapped["org_role"] == "member" and mapped["claims"]["org_role"] == "billing"


def test_cached_profiled_answers_cannot_be_altered_by_callers() -> None:
    v = verifier("stytch")
    token = sign(provider("stytch")["claims"])
    first = v.verify(token)
    first["org_role"] = "owner"
    first["permissions"].append("everything")
    first["claims"]["https://stytch.com/session"]["roles"].append("root")
    first["claims"]["https://stytch.com/organization"]["slug"] = "evil"
    second = v.verify(token)
    assert second["org_role"] == "admin" and second["permissions"] == []
    assert second["claims"]["https://stytch.com/session"]["roles"] == ["stytch_member", "stytch_admin"]
    assert second["claims"]["https://stytch.com/organization"]["slug"] == "acme"
    keycloak = verifier("keycloak")
    kc_token = sign({"organization": ["acme", "globex"]})
    keycloak.verify(kc_token, org="acme")["claims"]["organization"].append("initech")
    with pytest.raises(OrgPermissionError):
        keycloak.verify(kc_token, org="initech")


def test_profiles_keep_the_token_checks() -> None:
    v = verifier("workos")
    with pytest.raises(TokenError) as e:
        v.verify(sign({"org_id": "org_1", "role": "admin"}, aud="someone-else"))
    assert e.value.code == "invalid_audience"
    with pytest.raises(TokenError) as e:
        v.verify(sign({"org_id": "org_1", "exp": NOW - 100}))
    assert e.value.code == "token_expired"
    assert v.cache_len == 0


def test_the_cache_never_outlives_a_provider_tokens_exp() -> None:
    v = verifier("workos")
    token = sign({"org_id": "org_1", "role": "admin", "iat": 1_000_000, "exp": 1_003_600})
    assert v.verify(token, now=1_000_000)["org_id"] == "org_1"
    assert v.cache_len == 1
    with pytest.raises(TokenError) as e:
        v.verify(token, now=1_003_601)
    assert e.value.code == "token_expired"


@pytest.mark.parametrize(
    "profile,role_map,code,field",
    [
        ("okta", None, "invalid_request", "profile"),
        ({"name": "okta"}, None, "invalid_request", "profile"),
        ({"roles_claim": "x"}, None, "invalid_request", "profile"),
        ({"name": "auth0", "roles": "x"}, None, "unknown_field", "profile"),
        ({"name": "custom"}, None, "invalid_request", "profile"),
        ({"name": "custom", "org_id": "org/id"}, None, "invalid_request", "profile.org_id"),
        ({"name": "custom", "org_id": "/org/id", "role": "role"}, None, "invalid_request", "profile.role"),
        (42, None, "invalid_request", "profile"),
        ("auth0", {"admin": "root"}, "invalid_role", "role_map"),
        ("auth0", {"admin": 3}, "invalid_request", "role_map"),
        ("auth0", ["admin"], "invalid_request", "role_map"),
    ],
)
def test_bad_profile_configs_raise_coded_errors(profile: Any, role_map: Any, code: str, field: str) -> None:
    with pytest.raises(RequestError) as e:
        verifier(profile, role_map)
    assert e.value.code == code and e.value.field == field and e.value.status == error_table()[code][1]


def test_bad_profile_configs_raise_before_any_fetch() -> None:
    fetched: list[int] = []

    def fetch() -> dict[str, Any]:
        fetched.append(1)
        return JWKS

    with pytest.raises(RequestError) as e:
        OrgTokenVerifier.from_jwks_fetcher(fetch, issuer=ISSUER, audience=AUDIENCE, profile="okta")
    assert e.value.code == "invalid_request" and not fetched
    with pytest.raises(RequestError) as e:
        OrgTokenVerifier.from_jwks_url("https://127.0.0.1:9/jwks", issuer=ISSUER, audience=AUDIENCE, role_map={"a": "god"})
    assert e.value.code == "invalid_role"
    v = OrgTokenVerifier.from_jwks_fetcher(fetch, issuer=ISSUER, audience=AUDIENCE, profile="workos", role_map={"lead": "admin"})
    assert v.verify(sign({"org_id": "org_1", "role": "lead"}))["org_role"] == "admin"


def test_non_json_profiles_are_type_errors() -> None:
    with pytest.raises(TypeError):
        verifier(object())
    with pytest.raises(TypeError):
        verifier("auth0", {"admin": object()})
