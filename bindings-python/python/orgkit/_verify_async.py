"""``OrgTokenVerifier.verify_async``: ``verify`` without blocking the event loop.

When to fetch the JWKS is core's rule (``_claim_fetch``, which records the attempt); this
module only moves the fetch off the loop, into the default executor's worker thread, and lets
concurrent callers await the fetch already running instead of starting another. A failed fetch
keeps the current keys and is logged, as in ``verify``.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any, Optional

from orgkit._orgkit import OrgTokenVerifier, TokenError

# The fetch running for each verifier, on the loop that started it.
_running: weakref.WeakKeyDictionary[OrgTokenVerifier, asyncio.Future[None]] = weakref.WeakKeyDictionary()


async def _fetch_if_due(verifier: OrgTokenVerifier, need: str) -> bool:
    """Fetches (or joins the fetch in progress) when core's policy says so; whether it did.

    A fetch in progress is joined for an unknown ``kid`` and while there are no keys at all;
    otherwise a caller goes on with the keys it has (a made-up ``kid`` cannot stall every
    request behind a slow issuer)."""
    loop = asyncio.get_running_loop()
    running = _running.get(verifier)
    if running is not None and not running.done() and running.get_loop() is loop:
        if need == "routine" and verifier.key_count > 0:
            return False
    elif verifier._claim_fetch(need):
        running = loop.run_in_executor(None, verifier._fetch_or_log)
        _running[verifier] = running
    else:
        return False
    # Shielded: a caller that is cancelled must not cancel the fetch the others wait for.
    await asyncio.shield(running)
    return True


async def verify_async(
    verifier: OrgTokenVerifier,
    token: str,
    *,
    org: Optional[str] = None,
    role: Optional[str] = None,
    permission: Optional[str] = None,
    now: Optional[float] = None,
) -> dict[str, Any]:
    """What ``verifier.verify(token, ...)`` answers, with every JWKS fetch off the loop."""
    await _fetch_if_due(verifier, "routine")
    try:
        return verifier._verify_with_current_keys(token, org=org, role=role, permission=permission, now=now)
    except TokenError as error:
        if error.code != "unknown_key" or not await _fetch_if_due(verifier, "unknown_kid"):
            raise
    return verifier._verify_with_current_keys(token, org=org, role=role, permission=permission, now=now)
