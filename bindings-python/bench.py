"""Benchmark (run on demand, not a test): OrgTokenVerifier.verify versus PyJWT's jwt.decode plus
the same checks written by hand, for RS256, ES256 and EdDSA, fresh and repeated tokens.

    bash bindings-python/bench.sh          # release build into .venv, then this script

"fresh": every token is seen once (a cache miss for orgkit: full verification + cache insert).
"repeated": one token verified again and again (orgkit answers from its verified-token cache,
still running the org/role/permission requirement on every call; PyJWT has no cache).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from typing import Any, Callable

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import orgkit

ISSUER = "https://auth.example.test"
AUDIENCE = "orgkit"
RANK = {"viewer": 0, "member": 1, "admin": 2, "owner": 3}
# The hand-written half of "PyJWT + checks": what a Python backend writes without orgkit.
MIN_ROLE = {"members:read": "viewer"}


def pyjwt_verify(token: str, keys: dict[str, Any], org: str, role: str, permission: str) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    key = keys.get(header.get("kid"))
    if key is None:
        raise ValueError("unknown kid")
    if header.get("typ") not in (None, "JWT", "at+jwt"):
        raise ValueError("wrong typ")
    claims: dict[str, Any] = jwt.decode(
        token, key.key, algorithms=[key.algorithm_name], audience=AUDIENCE, issuer=ISSUER,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    if "inv" in claims:
        raise ValueError("not an access token")
    if claims.get("org_id") is None:
        raise PermissionError("org_required")
    if org not in (claims["org_id"], claims.get("org_slug")):
        raise PermissionError("org_mismatch")
    have = RANK.get(claims.get("org_role", ""), -1)
    if have < RANK[role] or have < RANK[MIN_ROLE[permission]]:
        raise PermissionError("insufficient_role")
    return claims


def make_private(alg: str) -> Any:
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()


def per_op_us(fn: Callable[[str], Any], tokens: list[str]) -> float:
    start = time.perf_counter_ns()
    for t in tokens:
        fn(t)
    return (time.perf_counter_ns() - start) / len(tokens) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fresh", type=int, default=2000, help="distinct tokens per algorithm and round")
    parser.add_argument("--repeated", type=int, default=20000, help="verifications of one token per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    now = int(time.time())
    print(f"python {platform.python_version()} ({platform.python_implementation()}), PyJWT {jwt.__version__}, "
          f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"{'alg':6} {'case':9} {'orgkit µs':>10} {'PyJWT µs':>10} {'ratio':>7}")
    rows = []
    for alg in ("RS256", "ES256", "EdDSA"):
        private = make_private(alg)
        kid = f"bench-{alg.lower()}"
        jwk = jwt.get_algorithm_by_name(alg).to_jwk(private.public_key(), as_dict=True)
        jwk.update(kid=kid, alg=alg, use="sig")
        jwks = {"keys": [jwk]}
        pyjwt_keys = {kid: jwt.PyJWK(jwk)}

        def sign(i: int) -> str:
            payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": f"user-{i}", "iat": now, "exp": now + 3600,
                       "org_id": "org-1", "org_slug": "acme", "org_role": "admin", "amr": ["pwd"], "jti": f"j{i}"}
            return jwt.encode(payload, private, algorithm=alg, headers={"kid": kid, "typ": "at+jwt"})

        tokens = [sign(i) for i in range(args.fresh)]

        def ours(v: orgkit.OrgTokenVerifier) -> Callable[[str], Any]:
            return lambda t: v.verify(t, org="org-1", role="member", permission="members:read")

        theirs = lambda t: pyjwt_verify(t, pyjwt_keys, "org-1", "member", "members:read")  # noqa: E731
        assert ours(orgkit.OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE))(tokens[0]) == theirs(tokens[0])

        fresh_o, fresh_p, rep_o, rep_p = [], [], [], []
        for _ in range(args.rounds):
            fresh_o.append(per_op_us(ours(orgkit.OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)), tokens))
            fresh_p.append(per_op_us(theirs, tokens))
            warm = orgkit.OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
            ours(warm)(tokens[0])
            rep_o.append(per_op_us(ours(warm), [tokens[0]] * args.repeated))
            rep_p.append(per_op_us(theirs, [tokens[0]] * max(args.repeated // 10, 1)))
        for case, o, p in (("fresh", fresh_o, fresh_p), ("repeated", rep_o, rep_p)):
            om, pm = statistics.median(o), statistics.median(p)
            rows.append((alg, case, om, pm))
            print(f"{alg:6} {case:9} {om:10.2f} {pm:10.2f} {om / pm:7.3f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
