"""FastAPI integration (``pip install orgkit[fastapi]``).

>>> from fastapi import Depends, FastAPI
>>> from orgkit import OrgTokenVerifier
>>> from orgkit.fastapi import OrgTokenMiddleware, require_org
>>> app = FastAPI()
>>> app.add_middleware(OrgTokenMiddleware, verifier=OrgTokenVerifier(jwks, issuer=ISS, audience="orgkit"))
>>> @app.delete("/orgs/{org_id}")
... def delete_org(org_id: str, claims: dict = Depends(require_org(role="owner", org_param="org_id"))): ...

``require_org`` works with or without the middleware: it takes the verifier from its argument,
from the middleware, or from ``app.state.orgkit_verifier``. A missing or bad token answers 401,
an insufficient role or another org 403, with ``{"detail": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from orgkit._orgkit import OrgkitError, OrgTokenVerifier
from orgkit.asgi import CLAIMS_KEY, TOKEN_KEY, VERIFIER_KEY, OrgTokenMiddleware, bearer_token, error_body, error_headers

__all__ = ["OrgTokenMiddleware", "require_org", "http_error", "bearer_scheme"]

#: The security scheme every ``require_org`` dependency declares, so that OpenAPI (``/docs``)
#: shows it and its Authorize button. Only declared: without a header the dependency answers
#: core's ``unauthenticated``, and the header is parsed by core, not by FastAPI.
bearer_scheme = HTTPBearer(scheme_name="orgkit", description="An orgkit org access token (or your IdP's, read with the verifier's claim profile).", auto_error=False)


def http_error(error: OrgkitError) -> HTTPException:
    """The ``HTTPException`` for an orgkit error: core's status, code and message."""
    return HTTPException(status_code=error.status, detail=error_body(error)["detail"], headers=error_headers(error) or None)


def _verifier(request: Request, explicit: Optional[OrgTokenVerifier]) -> OrgTokenVerifier:
    found = explicit or getattr(request.state, VERIFIER_KEY, None) or getattr(request.app.state, VERIFIER_KEY, None)
    if not isinstance(found, OrgTokenVerifier):
        raise RuntimeError("require_org needs a verifier: pass verifier=, add OrgTokenMiddleware or set app.state.orgkit_verifier")
    return found


def require_org(
    role: Optional[str] = None,
    permission: Optional[str] = None,
    *,
    org: Optional[str] = None,
    org_param: Optional[str] = None,
    verifier: Optional[OrgTokenVerifier] = None,
) -> Callable[..., Awaitable[dict[str, Any]]]:
    """A dependency returning the verified claims after requiring, when given, a minimum
    ``role``, a ``permission`` and the org (fixed ``org``, or the path parameter ``org_param``;
    id or slug). The requirement is core's, run on every request; the claims are shaped by the
    verifier's claim profile (see ``OrgTokenVerifier.verify``). Verification is
    ``verify_async``: a JWKS fetch never blocks the event loop."""

    async def dependency(
        request: Request,
        _credentials: Optional[HTTPAuthorizationCredentials] = Security(bearer_scheme),
    ) -> dict[str, Any]:
        wanted_org = org
        if org_param is not None:
            if org_param not in request.path_params:
                # A misspelt parameter must not switch the org check off silently.
                raise RuntimeError(f"require_org(org_param={org_param!r}): the route has no such path parameter")
            wanted_org = request.path_params[org_param]
        try:
            token = getattr(request.state, TOKEN_KEY, None)
            if token is None:
                token = bearer_token(request.headers.get("authorization", ""))
            claims = await _verifier(request, verifier).verify_async(token, org=wanted_org, role=role, permission=permission)
        except OrgkitError as error:
            raise http_error(error) from error
        setattr(request.state, CLAIMS_KEY, claims)
        return claims

    return dependency
