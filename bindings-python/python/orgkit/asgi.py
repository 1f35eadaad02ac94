"""A plain ASGI middleware (Starlette, FastAPI, any ASGI app) that verifies org tokens.

It reads ``Authorization: Bearer <token>``, verifies it with an :class:`OrgTokenVerifier` and puts
the claims on ``request.state.org_claims`` (the ASGI scope's ``state``). A bad token is answered
at once with the status core assigns to the error (401 for token errors) and a JSON body
``{"detail": {"code": ..., "message": ...}}``. Without an ``Authorization`` header the request
passes with ``org_claims = None`` unless ``required=True``.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable, MutableMapping, Optional

from orgkit._orgkit import OrgkitError, OrgTokenVerifier, call

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Keys of ``request.state`` this package sets.
CLAIMS_KEY = "org_claims"
TOKEN_KEY = "org_token"
VERIFIER_KEY = "orgkit_verifier"


def bearer_token(authorization: str) -> str:
    """The token of an ``Authorization`` header value (core's parsing); raises ``TokenError``."""
    token: str = call("parse_bearer", {"authorization": authorization})["token"]
    return token


def error_body(error: OrgkitError) -> dict[str, Any]:
    """The JSON body for an orgkit error: the core code and its message."""
    detail: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.field is not None:
        detail["field"] = error.field
    return {"detail": detail}


def error_headers(error: OrgkitError) -> dict[str, str]:
    """``WWW-Authenticate`` for 401s (RFC 6750), nothing otherwise."""
    if error.status == 401:
        return {"WWW-Authenticate": f'Bearer error="invalid_token", error_description="{error.code}"'}
    return {}


def _authorization(scope: Scope) -> Optional[str]:
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            return bytes(value).decode("latin-1")
    return None


class OrgTokenMiddleware:
    """Verifies the bearer token of every HTTP and WebSocket request before the app sees it."""

    def __init__(self, app: ASGIApp, verifier: OrgTokenVerifier, *, required: bool = False) -> None:
        self.app = app
        self.verifier = verifier
        self.required = required

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state[VERIFIER_KEY] = self.verifier
        state[CLAIMS_KEY] = None
        state[TOKEN_KEY] = None
        header = _authorization(scope)
        if header is not None or self.required:
            try:
                token = bearer_token(header or "")
                state[CLAIMS_KEY] = await self.verifier.verify_async(token)
                state[TOKEN_KEY] = token
            except OrgkitError as error:
                await _reject(scope, send, error)
                return
        await self.app(scope, receive, send)


async def _reject(scope: Scope, send: Send, error: OrgkitError) -> None:
    body = json.dumps(error_body(error)).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error_headers(error).items()]
    if scope["type"] == "websocket":
        # ASGI websocket denial response where the server supports it; a close otherwise.
        if "websocket.http.response" in (scope.get("extensions") or {}):
            await send({"type": "websocket.http.response.start", "status": error.status, "headers": headers})
            await send({"type": "websocket.http.response.body", "body": body})
        else:
            await send({"type": "websocket.close", "code": 1008})
        return
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
