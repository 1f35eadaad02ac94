"""OrgTokenVerifier.from_jwks_url against a local HTTP server: rotation, unknown kid, server down."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from orgkit import OrgTokenVerifier, TokenError
from conftest import AUDIENCE, ISSUER, KeyPair, claims, make_key, pyjwt_token


class JwksServer:
    """Serves `document` at /jwks.json on a free loopback port and counts the requests."""

    def __init__(self) -> None:
        self.document: dict[str, Any] = {"keys": []}
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server.requests += 1
                body = json.dumps(server.document).encode()
                self.send_response(200 if self.path == "/jwks.json" else 404)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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


def test_fetched_at_construction_and_cached(server: JwksServer, keys: dict[str, KeyPair]) -> None:
    server.publish(keys["ES256"])
    v = verifier(server)
    assert server.requests == 1
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
    v = verifier(server, refetch_interval=3600)
    for kid in ("nobody-1", "nobody-2", "nobody-3"):
        with pytest.raises(TokenError) as e:
            v.verify(pyjwt_token(make_key("ES256", kid=kid), claims()))
        assert e.value.code == "unknown_key"
    assert server.requests == 2  # construction + one refetch, then the limit holds


def test_cache_ttl_expiry_refetches(server: JwksServer, keys: dict[str, KeyPair]) -> None:
    server.publish(keys["RS256"])
    v = verifier(server, cache_ttl=0, refetch_interval=0)
    v.verify(pyjwt_token(keys["RS256"], claims(sub="a")))
    v.verify(pyjwt_token(keys["RS256"], claims(sub="b")))
    assert server.requests == 3
    v.refresh()
    assert server.requests == 4


def test_server_down_at_construction_raises(server: JwksServer) -> None:
    url = server.url
    server.stop()
    with pytest.raises(OSError):
        OrgTokenVerifier.from_jwks_url(url, issuer=ISSUER, audience=AUDIENCE, timeout=2)


def test_server_down_later_keeps_current_keys(
    server: JwksServer, keys: dict[str, KeyPair], caplog: pytest.LogCaptureFixture
) -> None:
    server.publish(keys["ES256"])
    v = verifier(server, cache_ttl=0, refetch_interval=0, timeout=2)
    server.stop()
    with caplog.at_level(logging.WARNING, logger="orgkit"):
        assert v.verify(pyjwt_token(keys["ES256"], claims(sub="still")))["sub"] == "still"
        with pytest.raises(TokenError) as e:
            v.verify(pyjwt_token(make_key("ES256", kid="new-kid"), claims()))
    assert e.value.code == "unknown_key"
    assert any("fetching the JWKS failed" in r.getMessage() for r in caplog.records)
    with pytest.raises(OSError):
        v.refresh()


def test_bad_document_from_the_server(server: JwksServer) -> None:
    server.document = {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}
    with pytest.raises(TokenError) as e:
        verifier(server)
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
    v = verifier(server, refetch_interval=3600)
    tokens = [pyjwt_token(make_key("ES256", kid=f"stranger-{i}"), claims()) for i in range(8)]
    codes: list[str] = []

    def work(t: str) -> None:
        try:
            v.verify(t)
        except TokenError as e:
            codes.append(e.code)

    threads = [threading.Thread(target=work, args=(t,)) for t in tokens]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert codes == ["unknown_key"] * 8
    assert server.requests == 2
