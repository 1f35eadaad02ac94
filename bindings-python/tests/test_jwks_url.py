"""OrgTokenVerifier.from_jwks_url against a local HTTP server: rotation, unknown kid, server down."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orgkit import OrgTokenVerifier, RequestError, TokenError
from conftest import AUDIENCE, ISSUER, KeyPair, claims, make_key, pyjwt_token


class JwksServer:
    """Serves `document` at /jwks.json on a free loopback port (or `port`) and counts the requests."""

    def __init__(self, port: int = 0, gate: threading.Event | None = None) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.requests = 0
        #: Set when a request arrives; with a `gate`, the answer waits until the gate opens.
        self.arrived = threading.Event()
        self.gate = gate
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests += 1
                server.arrived.set()
                if server.gate is not None:
                    server.gate.wait(timeout=10)  # bounded: a test that never opens it still ends
                body = json.dumps(server.document).encode()
                self.send_response(200 if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def publish(self, *keys: KeyPair) -> None:
        self.document = {"keys": [k.jwk for k in keys]}

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture()
def server() -> Iterator[JwksServer]:
    s = JwksServer()
    yield s
    s.stop()


def verifier(server: JwksServer, **kw: Any) -> OrgTokenVerifier:
    return OrgTokenVerifier.from_jwks_url(server.url, issuer=ISSUER, audience=AUDIENCE, **kw)


def test_fetched_on_first_need_and_cached(server: JwksServer, keys: dict[str, KeyPair]) -> None:
    server.publish(keys["ES256"])
    v = verifier(server)
    assert server.requests == 0 and v.key_count == 0  # nothing fetched at construction
    for i in range(3):
        assert v.verify(pyjwt_token(keys["ES256"], claims(sub=f"u{i}")))["sub"] == f"u{i}"
    assert server.requests == 1  # within cache_ttl: no refetch


def test_rotation_new_kid_triggers_one_refetch(server: JwksServer) -> None:
    old, new = make_key("ES256", kid="2026-01"), make_key("EdDSA", kid="2026-02")
    server.publish(old)
    v = verifier(server, refetch_interval=0)
    old_token = pyjwt_token(old, claims())
    assert v.verify(old_token)["sub"] == "user-1"
    server.publish(new)  # the issuer rotated: the old key is gone
    assert v.verify(pyjwt_token(new, claims(sub="after")))["sub"] == "after"
    assert server.requests == 2 and v.key_count == 1
    assert v.cache_len == 1  # the old key is gone, and the token it verified with it: only the new token
    with pytest.raises(TokenError) as e:
        v.verify(old_token)
    assert e.value.code == "unknown_key"
    assert server.requests == 3  # the unknown kid asked once more, and the answer is still no


def test_unknown_kid_refetch_is_rate_limited(server: JwksServer, keys: dict[str, KeyPair]) -> None:
    server.publish(keys["ES256"])
    v = verifier(server, cache_ttl=3600, refetch_interval=3600)
    for kid in ("nobody-1", "nobody-2", "nobody-3"):
        with pytest.raises(TokenError) as e:
            v.verify(pyjwt_token(make_key("ES256", kid=kid), claims()))
        assert e.value.code == "unknown_key"
    assert server.requests == 1  # the first need fetched; then the cooldown holds, kid or not


def test_cache_ttl_expiry_refetches(server: JwksServer, keys: dict[str, KeyPair]) -> None:
    server.publish(keys["RS256"])
    v = verifier(server, cache_ttl=0, refetch_interval=0)
    v.verify(pyjwt_token(keys["RS256"], claims(sub="a")))
    v.verify(pyjwt_token(keys["RS256"], claims(sub="b")))
    assert server.requests == 2  # every verification finds the keys too old
    v.refresh()
    assert server.requests == 3


def test_issuer_down_at_construction_then_up(keys: dict[str, KeyPair], caplog: pytest.LogCaptureFixture) -> None:
    down = JwksServer()
    port = down.httpd.server_address[1]
    down.stop()  # nothing listens on the URL now
    v = OrgTokenVerifier.from_jwks_url(down.url, issuer=ISSUER, audience=AUDIENCE, refetch_interval=0, timeout=2)
    assert v.key_count == 0 and v.issuer == ISSUER  # built without the network
    token = pyjwt_token(keys["ES256"], claims(sub="later"))
    with caplog.at_level(logging.WARNING, logger="orgkit"), pytest.raises(TokenError) as e:
        v.verify(token)
    assert e.value.code == "unknown_key" and e.value.status == 401
    assert any("fetching the JWKS failed" in r.getMessage() for r in caplog.records)

    up = JwksServer(port=port)  # the issuer comes up on the same URL
    try:
        up.publish(keys["ES256"])
        assert v.verify(token)["sub"] == "later"
        assert up.requests == 1 and v.key_count == 1
    finally:
        up.stop()


def test_policy_is_cores(server: JwksServer) -> None:
    with pytest.raises(RequestError) as e:
        verifier(server, cache_ttl=10, refetch_interval=60)  # a cooldown longer than the keys' age
    assert (e.value.code, e.value.field) == ("invalid_request", "refetch_interval")
    with pytest.raises(RequestError) as e:
        verifier(server, cache_ttl=2 * 86400)
    assert e.value.field == "cache_ttl"
    with pytest.raises(ValueError):
        verifier(server, cache_ttl=-1)
    assert server.requests == 0


def test_server_down_later_keeps_current_keys(
    server: JwksServer, keys: dict[str, KeyPair], caplog: pytest.LogCaptureFixture
) -> None:
    server.publish(keys["ES256"])
    v = verifier(server, cache_ttl=0, refetch_interval=0, timeout=2)
    v.refresh()
    server.stop()
    with caplog.at_level(logging.WARNING, logger="orgkit"):
        assert v.verify(pyjwt_token(keys["ES256"], claims(sub="still")))["sub"] == "still"
        with pytest.raises(TokenError) as e:
            v.verify(pyjwt_token(make_key("ES256", kid="new-kid"), claims()))
    assert e.value.code == "unknown_key"
    assert any("fetching the JWKS failed" in r.getMessage() for r in caplog.records)
    with pytest.raises(OSError):
        v.refresh()


def test_bad_document_from_the_server(server: JwksServer, keys: dict[str, KeyPair]) -> None:
    server.document = {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}
    v = verifier(server)
    with pytest.raises(TokenError) as e:
        v.verify(pyjwt_token(keys["ES256"], claims()))
    assert e.value.code == "unknown_key"  # the document was refused (logged): still no keys
    with pytest.raises(TokenError) as e:
        v.refresh()
    assert e.value.code == "invalid_key"


def test_only_http_urls() -> None:
    with pytest.raises(ValueError):
        OrgTokenVerifier.from_jwks_url("file:///etc/passwd", issuer=ISSUER, audience=AUDIENCE)


def test_fetcher_callable(keys: dict[str, KeyPair]) -> None:
    calls: list[int] = []

    def fetch() -> dict[str, Any]:
        calls.append(1)
        return {"keys": [keys["EdDSA"].jwk]}

    v = OrgTokenVerifier.from_jwks_fetcher(fetch, issuer=ISSUER, audience=AUDIENCE)
    assert v.verify(pyjwt_token(keys["EdDSA"], claims()))["sub"] == "user-1" and len(calls) == 1


def test_threads_racing_on_unknown_kids_fetch_once(server: JwksServer, keys: dict[str, KeyPair]) -> None:
    server.publish(keys["ES256"])
    v = verifier(server, cache_ttl=3600, refetch_interval=3600)
    tokens = [pyjwt_token(make_key("ES256", kid=f"stranger-{i}"), claims()) for i in range(7)]
    tokens.append(pyjwt_token(keys["ES256"], claims(sub="known")))
    subs: list[str] = []
    codes: list[str] = []

    def work(t: str) -> None:
        try:
            subs.append(v.verify(t)["sub"])
        except TokenError as e:
            codes.append(e.code)

    threads = [threading.Thread(target=work, args=(t,)) for t in tokens]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert codes == ["unknown_key"] * 7
    assert subs == ["known"]  # whichever thread came first, the known token waited for the keys
    assert server.requests == 1  # eight threads needing the first keys: one fetch
