"""Fetching a JWKS over HTTP(S) with the standard library only."""

from __future__ import annotations

import urllib.request
from typing import Callable

#: Largest JWKS document accepted, in bytes (core accepts at most 64 keys).
MAX_JWKS_BYTES = 1024 * 1024


def url_fetcher(url: str, timeout: float) -> Callable[[], bytes]:
    """A callable that GETs ``url`` and returns the body; raises ``OSError`` (``URLError``) on failure."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("the JWKS URL must be http(s)")

    def fetch() -> bytes:
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "orgkit-python"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            body: bytes = response.read(MAX_JWKS_BYTES + 1)
        if len(body) > MAX_JWKS_BYTES:
            raise ValueError(f"the JWKS at {url} is larger than {MAX_JWKS_BYTES} bytes")
        return body

    return fetch
