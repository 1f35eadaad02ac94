"""Interop with PyJWT (cryptography backend) both ways, with keys generated at test time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest

import orgkit
from orgkit import OrgTokenVerifier, TokenError
from conftest import AUDIENCE, ISSUER, KeyPair, claims, pyjwt_token

ALGS = ["RS256", "ES256", "EdDSA"]


@pytest.mark.parametrize("alg", ALGS)
def test_pyjwt_signs_orgkit_verifies(keys: dict[str, KeyPair], jwks: dict[str, Any], alg: str) -> None:
    payload = claims(org_role="owner", jti="t-1", tid="tenant-1", email="ann@example.com", amr=["pwd", "otp"])
    # PyJWT's default typ "JWT" is accepted as well as RFC 9068's "at+jwt".
    for typ in ("at+jwt", "JWT"):
        token = jwt.encode(payload, keys[alg].private, algorithm=alg, headers={"kid": keys[alg].kid, "typ": typ})
        out = OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE).verify(token, role="owner", permission="org:delete")
        assert out == payload


@pytest.mark.parametrize("alg", ALGS)
def test_orgkit_signs_pyjwt_verifies(keys: dict[str, KeyPair], alg: str) -> None:
    now = int(time.time())
    built = orgkit.build_org_claims(
        issuer=ISSUER,
        audience=AUDIENCE,
        user_id="user-9",
        email="bo@example.com",
        org={"id": "org-9", "slug": "bobs", "role": "member"},
        policy={"require_mfa": False, "session_ttl_hours": 8},
        authentication={"amr": ["pwd"]},
        now=now,
    )
    token = orgkit.sign_org_claims(key=keys[alg].spec, claims=built)["token"]
    # PyJWT with the key from orgkit's own public JWK, and with the PEM public key.
    jwk = orgkit.public_jwk(key=keys[alg].spec)
    assert jwk["kid"] == keys[alg].kid
    for public in (jwt.PyJWK(jwk).key, keys[alg].private.public_key()):
        decoded = jwt.decode(token, public, algorithms=[alg], audience=AUDIENCE, issuer=ISSUER)
        assert decoded["sub"] == "user-9" and decoded["org_role"] == "member" and decoded["exp"] - decoded["iat"] == 8 * 3600
    header = jwt.get_unverified_header(token)
    assert header["kid"] == keys[alg].kid and header["typ"] == "at+jwt" and header["alg"] == alg


def test_orgkit_jwks_verifies_orgkit_tokens_via_pyjwt_jwkset(keys: dict[str, KeyPair]) -> None:
    jwks = {"keys": [orgkit.public_jwk(key=k.spec) for k in keys.values()]}
    keyset = jwt.PyJWKSet.from_dict(jwks)
    payload = claims()
    for k in keys.values():
        token = orgkit.sign_org_claims(key=k.spec, claims=payload)["token"]
        decoded = jwt.decode(token, keyset[k.kid].key, algorithms=[k.alg], audience=AUDIENCE)
        assert decoded == payload
        assert OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE).verify(token) == payload


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_hmac_with_the_public_key_is_refused(keys: dict[str, KeyPair], jwks: dict[str, Any]) -> None:
    """The classic confusion attack: HS256 signed with the RSA public key as the secret."""
    key = keys["RS256"]
    header = b64(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims()).encode())
    signature = hmac.new(key.public_pem.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(TokenError) as e:
        OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE).verify(f"{header}.{body}.{b64(signature)}")
    assert e.value.code == "algorithm_not_allowed"


def test_alg_none_is_refused(keys: dict[str, KeyPair], jwks: dict[str, Any]) -> None:
    token = jwt.encode(claims(), None, algorithm="none", headers={"kid": keys["ES256"].kid})
    with pytest.raises(TokenError) as e:
        OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE).verify(token)
    assert e.value.code == "algorithm_not_allowed"


def test_tampered_pyjwt_token_is_refused(keys: dict[str, KeyPair], jwks: dict[str, Any]) -> None:
    token = pyjwt_token(keys["EdDSA"], claims(org_role="viewer"))
    header, _, signature = token.split(".")
    forged = f"{header}.{b64(json.dumps(claims(org_role='owner')).encode())}.{signature}"
    with pytest.raises(TokenError) as e:
        OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE).verify(forged)
    assert e.value.code == "invalid_signature"
