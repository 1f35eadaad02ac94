"""OrgTokenVerifier: claims out, requirements, time, the verified-token cache, errors."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest

from orgkit import OrgkitError, OrgPermissionError, OrgTokenVerifier, RequestError, TokenError
from conftest import AUDIENCE, ISSUER, KeyPair, TokenFactory, claims, make_key, pyjwt_token


@pytest.fixture()
def verifier(jwks: dict[str, Any]) -> OrgTokenVerifier:
    return OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
def test_verify_returns_claims_dict(verifier: OrgTokenVerifier, token: TokenFactory, alg: str) -> None:
    out = verifier.verify(token(alg), org="org-1", role="member", permission="members:read")
    assert out["sub"] == "user-1" and out["org_id"] == "org-1" and out["org_role"] == "admin"
    assert out["amr"] == ["pwd"] and out["aud"] == AUDIENCE and out["iss"] == ISSUER


def test_jwks_as_json_text_or_bytes(jwks: dict[str, Any], token: TokenFactory) -> None:
    for document in (json.dumps(jwks), json.dumps(jwks).encode()):
        assert OrgTokenVerifier(document, issuer=ISSUER, audience=AUDIENCE).verify(token())["sub"] == "user-1"


def test_requirements_raise_permission_errors(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    t = token(org_role="viewer")
    with pytest.raises(OrgPermissionError) as e:
        verifier.verify(t, role="admin")
    assert e.value.code == "insufficient_role" and e.value.status == 403
    with pytest.raises(OrgPermissionError) as e:
        verifier.verify(t, org="another-org")
    assert e.value.code == "org_mismatch"
    assert verifier.verify(t, org="acme")["org_slug"] == "acme"  # slug works as well as id
    with pytest.raises(OrgPermissionError) as e:
        verifier.verify(token(org_id=None, org_slug=None, org_role=None), role="viewer")
    assert e.value.code == "org_required"


def test_bad_requirement_names_are_request_errors(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    with pytest.raises(RequestError) as e:
        verifier.verify(token(), role="root")
    assert e.value.code == "invalid_role"
    with pytest.raises(RequestError) as e:
        verifier.verify(token(), permission="everything")
    assert e.value.code == "invalid_permission"


@pytest.mark.parametrize(
    "overrides,code",
    [
        ({"iss": "https://evil.example"}, "invalid_issuer"),
        ({"aud": "another-api"}, "invalid_audience"),
        ({"exp": 1000, "iat": 900}, "token_expired"),
        ({"iat": 4_000_000_000, "exp": 4_000_003_600}, "token_not_yet_valid"),
    ],
)
def test_claim_failures_are_token_errors(verifier: OrgTokenVerifier, token: TokenFactory, overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(TokenError) as e:
        verifier.verify(token(**overrides))
    assert e.value.code == code and e.value.status == 401
    assert isinstance(e.value, ValueError) and isinstance(e.value, OrgkitError)


def test_garbage_tokens(verifier: OrgTokenVerifier) -> None:
    for junk in ("", "a.b", "a.b.c", "x" * 100_000, "\u00e9.\u00e9.\u00e9"):
        with pytest.raises(TokenError) as e:
            verifier.verify(junk)
        assert e.value.code in {"invalid_token", "unknown_key", "algorithm_not_allowed", "wrong_token_type"}


def test_unknown_kid_and_foreign_key(verifier: OrgTokenVerifier) -> None:
    stranger = make_key("ES256", kid="k-es256")  # same kid, another key
    with pytest.raises(TokenError) as e:
        verifier.verify(pyjwt_token(stranger, claims()))
    assert e.value.code == "invalid_signature"
    with pytest.raises(TokenError) as e:
        verifier.verify(pyjwt_token(make_key("ES256", kid="nobody"), claims()))
    assert e.value.code == "unknown_key"


def test_now_is_a_parameter(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    t = token(iat=1_000_000, exp=1_003_600)
    assert verifier.verify(t, now=1_000_100)["exp"] == 1_003_600
    assert verifier.verify(t, now=1_000_100.9)["exp"] == 1_003_600
    with pytest.raises(TokenError) as e:
        verifier.verify(t)  # default: the real clock, long after exp
    assert e.value.code == "token_expired"
    with pytest.raises(ValueError):
        verifier.verify(t, now=float("nan"))


def test_leeway_is_core_checked(jwks: dict[str, Any], token: TokenFactory) -> None:
    t = token(iat=1_000_000, exp=1_003_600)
    lenient = OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, leeway=60)
    assert lenient.verify(t, now=1_003_650)["sub"] == "user-1"
    with pytest.raises(TokenError):
        lenient.verify(t, now=1_003_661)
    # Refused when the verifier is built (core's VerifierConfig), not on every verification.
    with pytest.raises(RequestError) as e:
        OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, leeway=10_000)
    assert e.value.code == "invalid_request" and e.value.field == "leeway"


def test_cache_never_outlives_exp(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    t = token(iat=1_000_000, exp=1_003_600)
    verifier.verify(t, now=1_000_000)
    assert verifier.cache_len == 1
    assert verifier.verify(t, now=1_003_600)["sub"] == "user-1"
    with pytest.raises(TokenError) as e:
        verifier.verify(t, now=1_003_601)
    assert e.value.code == "token_expired"


def test_cache_does_not_answer_before_the_verification_time(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    t = token(iat=1_000_000, exp=1_003_600)
    verifier.verify(t, now=1_000_500)
    with pytest.raises(TokenError) as e:
        verifier.verify(t, now=999_000)
    assert e.value.code == "token_not_yet_valid"


def test_requirements_run_on_cached_tokens(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    t = token(org_role="member")
    verifier.verify(t)
    assert verifier.cache_len == 1
    with pytest.raises(OrgPermissionError):
        verifier.verify(t, role="owner")
    with pytest.raises(OrgPermissionError):
        verifier.verify(t, permission="org:delete")
    assert verifier.verify(t, role="member")["org_role"] == "member"


def test_requirement_failure_on_first_sight_still_caches_the_valid_token(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    t = token(org_role="viewer")
    with pytest.raises(OrgPermissionError):
        verifier.verify(t, role="admin")
    assert verifier.cache_len == 1
    assert verifier.verify(t)["org_role"] == "viewer"


def test_cached_claims_cannot_be_altered_by_callers(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    t = token()
    first = verifier.verify(t)
    first["org_role"] = "owner"
    first["amr"].append("otp")
    second = verifier.verify(t)
    assert second["org_role"] == "admin" and second["amr"] == ["pwd"]


def test_cache_is_bounded(jwks: dict[str, Any], keys: dict[str, KeyPair]) -> None:
    small = OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, cache_size=4)
    for i in range(10):
        small.verify(pyjwt_token(keys["EdDSA"], claims(sub=f"user-{i}")))
        assert small.cache_len <= 4
    assert small.cache_len == 4
    off = OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, cache_size=0)
    off.verify(pyjwt_token(keys["EdDSA"], claims()))
    assert off.cache_len == 0
    with pytest.raises(RequestError) as e:
        OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, cache_size=100_001)
    assert e.value.code == "invalid_request" and e.value.field == "cache_size"


def test_invalid_tokens_are_not_cached(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    with pytest.raises(TokenError):
        verifier.verify(token(aud="elsewhere"))
    assert verifier.cache_len == 0


def test_key_rotation_forgets_tokens_of_removed_keys(jwks: dict[str, Any], keys: dict[str, KeyPair], token: TokenFactory) -> None:
    v = OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
    t = token("RS256")
    v.verify(t)
    v.set_jwks(jwks)  # the same keys: remembered
    assert v.cache_len == 1
    v.set_jwks({"keys": [keys["ES256"].jwk]})  # RS256 key removed
    assert v.cache_len == 0 and v.key_count == 1
    with pytest.raises(TokenError) as e:
        v.verify(t)
    assert e.value.code == "unknown_key"


def test_bad_jwks_is_invalid_key(jwks: dict[str, Any]) -> None:
    for bad in ({"keys": []}, {"nokeys": 1}, "not json", {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}):
        with pytest.raises(TokenError) as e:
            OrgTokenVerifier(bad, issuer=ISSUER, audience=AUDIENCE)
        assert e.value.code == "invalid_key"
    with pytest.raises(TypeError):
        OrgTokenVerifier({"keys": [object()]}, issuer=ISSUER, audience=AUDIENCE)


def test_threads_share_one_verifier(verifier: OrgTokenVerifier, keys: dict[str, KeyPair]) -> None:
    tokens = [pyjwt_token(keys["ES256"], claims(sub=f"user-{i}")) for i in range(40)]
    results: list[str] = []
    errors: list[BaseException] = []

    def work(chunk: list[str]) -> None:
        try:
            for t in chunk * 2:
                results.append(verifier.verify(t)["sub"])
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(tokens[i::4],)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors and sorted(set(results)) == sorted(f"user-{i}" for i in range(40)) and len(results) == 80


def test_repr_and_attributes(verifier: OrgTokenVerifier) -> None:
    assert verifier.issuer == ISSUER and verifier.audience == AUDIENCE and verifier.leeway == 0
    assert "OrgTokenVerifier" in repr(verifier) and verifier.key_count == 3


def test_default_now_is_the_clock(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    now = int(time.time())
    assert verifier.verify(token(iat=now - 10, exp=now + 60))["exp"] == now + 60
