"""Shared fixtures: keys generated at test time, JWKS documents, a PyJWT token factory."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

REPO = Path(__file__).resolve().parents[2]
# package-test.sh runs copies of these tests outside the tree and names the vectors' directory.
VECTORS = Path(os.environ.get("ORGKIT_VECTORS_DIR") or REPO / "tests" / "vectors")
ISSUER = "https://auth.example.test"
AUDIENCE = "orgkit"


@dataclass
class VectorTally:
    """Counts the shared vectors run in this session (printed in the terminal summary)."""

    run: int = 0
    passed: int = 0
    failed: list[str] = field(default_factory=list)


TALLY = VectorTally()


@dataclass
class ScenarioTally:
    """Counts the verifier scenarios (tests/vectors/verifier.json) run in this session."""

    run: int = 0
    steps: int = 0
    failed: int = 0


SCENARIOS = ScenarioTally()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TALLY.run:
        terminalreporter.write_line(f"python vectors: {TALLY.run} run, {TALLY.passed} passed")
    if SCENARIOS.run:
        terminalreporter.write_line(
            f"python verifier scenarios: {SCENARIOS.run} run ({SCENARIOS.steps} steps), {SCENARIOS.failed} failed"
        )


def contains(expected: Any, actual: Any) -> bool:
    """tests/vectors/README.md's rule. Objects: every expected key present and matching,
    recursively. Anything else: exact, with JSON's types (1 is not 1.0 nor true)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and contains(v, actual[k]) for k, v in expected.items())
    return json.dumps(expected, sort_keys=True) == json.dumps(actual, sort_keys=True)


@dataclass
class KeyPair:
    """A private key with its kid, alg, PKCS#8 PEM and public JWK."""

    kid: str
    alg: str
    private: Any

    @property
    def pem(self) -> str:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    @property
    def public_pem(self) -> str:
        return self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()

    @property
    def jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        jwk: dict[str, Any] = algorithm.to_jwk(self.private.public_key(), as_dict=True)
        jwk.update(kid=self.kid, alg=self.alg, use="sig")
        return jwk

    @property
    def spec(self) -> dict[str, str]:
        """The key as core's SigningKeySpec."""
        return {"kid": self.kid, "alg": self.alg, "pem": self.pem}


def make_key(alg: str, kid: Optional[str] = None) -> KeyPair:
    if alg == "RS256":
        private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    elif alg == "EdDSA":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError(alg)
    return KeyPair(kid or f"k-{alg.lower()}", alg, private)


@pytest.fixture(scope="session")
def keys() -> dict[str, KeyPair]:
    return {alg: make_key(alg) for alg in ("RS256", "ES256", "EdDSA")}


@pytest.fixture(scope="session")
def jwks(keys: dict[str, KeyPair]) -> dict[str, Any]:
    return {"keys": [k.jwk for k in keys.values()]}


def claims(**overrides: Any) -> dict[str, Any]:
    """Access-token claims as the orgkit server issues them, valid for an hour from now."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user-1",
        "iat": now,
        "exp": now + 3600,
        "org_id": "org-1",
        "org_slug": "acme",
        "org_role": "admin",
        "amr": ["pwd"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def pyjwt_token(key: KeyPair, payload: dict[str, Any], **headers: Any) -> str:
    """A token signed by PyJWT (an implementation independent of orgkit)."""
    header = {"kid": key.kid, "typ": "at+jwt", **headers}
    return jwt.encode(payload, key.private, algorithm=key.alg, headers=header)


TokenFactory = Callable[..., str]


@pytest.fixture()
def token(keys: dict[str, KeyPair]) -> TokenFactory:
    def make(alg: str = "ES256", **overrides: Any) -> str:
        return pyjwt_token(keys[alg], claims(**overrides))

    return make
