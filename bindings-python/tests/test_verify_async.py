"""OrgTokenVerifier.verify_async: JWKS fetches off the event loop, one fetch for concurrent callers.

The issuer is a local HTTP server whose answers wait on a gate the test opens from the event
loop: if a fetch blocked the loop, the gate would only open after the server's own bound and
the order of events would show it. Nothing here asserts on durations.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from orgkit import OrgPermissionError, OrgTokenVerifier, TokenError
from conftest import AUDIENCE, ISSUER, KeyPair, claims, make_key, pyjwt_token
from test_jwks_url import JwksServer


async def until(event: threading.Event) -> None:
    """Yields to the loop until `event` is set (another task runs between checks)."""
    while not event.is_set():
        await asyncio.sleep(0.005)


def gated_issuer(*keys: KeyPair) -> tuple[JwksServer, threading.Event]:
    gate = threading.Event()
    server = JwksServer(gate=gate)
    server.publish(*keys)
    return server, gate


def test_loop_serves_other_tasks_while_the_first_fetch_is_slow(keys: dict[str, KeyPair]) -> None:
    server, gate = gated_issuer(keys["ES256"])
    v = OrgTokenVerifier.from_jwks_url(server.url, issuer=ISSUER, audience=AUDIENCE)
    events: list[str] = []

    async def request(sub: str) -> None:
        answer = await v.verify_async(pyjwt_token(keys["ES256"], claims(sub=sub)))
        events.append(f"verified {answer['sub']}")

    async def other_task() -> None:
        await asyncio.wait_for(until(server.arrived), 10)
        events.append("other task ran while the fetch waited")
        gate.set()

    async def main() -> None:
        await asyncio.gather(request("a"), request("b"), request("c"), other_task())

    try:
        asyncio.run(main())
    finally:
        gate.set()
        server.stop()
    assert events[0] == "other task ran while the fetch waited"
    assert sorted(events[1:]) == ["verified a", "verified b", "verified c"]
    assert server.requests == 1  # three callers needing the first keys shared one fetch


def test_rotation_unknown_kid_fetches_once_and_known_tokens_do_not_wait(keys: dict[str, KeyPair]) -> None:
    old, new = make_key("ES256", kid="2026-01"), make_key("EdDSA", kid="2026-02")
    server, gate = gated_issuer(old)
    gate.set()
    v = OrgTokenVerifier.from_jwks_url(server.url, issuer=ISSUER, audience=AUDIENCE, refetch_interval=0)
    old_token = pyjwt_token(old, claims(sub="old"))
    events: list[str] = []

    async def main() -> None:
        assert (await v.verify_async(old_token))["sub"] == "old"
        server.publish(old, new)  # the issuer adds a key; its answer waits on the gate
        server.arrived.clear()
        gate.clear()

        async def new_token(sub: str) -> None:
            answer = await v.verify_async(pyjwt_token(new, claims(sub=sub)))
            events.append(f"new {answer['sub']}")

        async def known_token() -> None:
            await asyncio.wait_for(until(server.arrived), 10)
            answer = await v.verify_async(old_token)  # fresh keys: does not join the fetch
            events.append(f"known {answer['sub']}")
            gate.set()

        await asyncio.gather(new_token("x"), new_token("y"), known_token())

    try:
        asyncio.run(main())
    finally:
        gate.set()
        server.stop()
    assert events[0] == "known old"
    assert sorted(events[1:]) == ["new x", "new y"]
    assert server.requests == 2 and v.key_count == 2


def test_issuer_down_then_up(keys: dict[str, KeyPair]) -> None:
    down = JwksServer()
    port = down.httpd.server_address[1]
    down.stop()
    v = OrgTokenVerifier.from_jwks_url(down.url, issuer=ISSUER, audience=AUDIENCE, refetch_interval=0, timeout=2)
    token = pyjwt_token(keys["EdDSA"], claims())

    with pytest.raises(TokenError) as e:
        asyncio.run(v.verify_async(token))
    assert e.value.code == "unknown_key"
    up = JwksServer(port=port)
    try:
        up.publish(keys["EdDSA"])
        assert asyncio.run(v.verify_async(token))["sub"] == "user-1"
    finally:
        up.stop()


def test_same_answers_as_verify(jwks: dict[str, Any], keys: dict[str, KeyPair]) -> None:
    v = OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)
    token = pyjwt_token(keys["ES256"], claims(org_role="member"))
    assert asyncio.run(v.verify_async(token, org="org-1")) == v.verify(token, org="org-1")
    with pytest.raises(OrgPermissionError) as e:
        asyncio.run(v.verify_async(token, role="owner"))
    assert e.value.code == "insufficient_role"
    with pytest.raises(TokenError) as e2:
        asyncio.run(v.verify_async(pyjwt_token(make_key("ES256", kid="stranger"), claims())))
    assert e2.value.code == "unknown_key"
