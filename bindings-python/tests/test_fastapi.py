"""The FastAPI extra through FastAPI's TestClient: middleware, dependency, 401/403 bodies."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from orgkit import OrgTokenVerifier
from orgkit.fastapi import OrgTokenMiddleware, require_org
from conftest import AUDIENCE, ISSUER, TokenFactory


def build_app(verifier: OrgTokenVerifier, *, middleware: bool = True) -> FastAPI:
    app = FastAPI()
    if middleware:
        app.add_middleware(OrgTokenMiddleware, verifier=verifier)
    else:
        app.state.orgkit_verifier = verifier

    @app.get("/public")
    def public(request: Request) -> dict[str, Any]:
        return {"claims": getattr(request.state, "org_claims", None)}

    @app.get("/me")
    def me(claims: dict[str, Any] = Depends(require_org())) -> dict[str, Any]:
        return {"sub": claims["sub"]}

    @app.get("/orgs/{org_id}/members")
    def members(org_id: str, claims: dict[str, Any] = Depends(require_org(permission="members:read", org_param="org_id"))) -> dict[str, Any]:
        return {"org": org_id, "role": claims["org_role"]}

    @app.delete("/orgs/{org_id}")
    def delete(org_id: str, claims: dict[str, Any] = Depends(require_org(role="owner", org_param="org_id"))) -> dict[str, Any]:
        return {"deleted": org_id}

    return app


@pytest.fixture()
def verifier(jwks: dict[str, Any]) -> OrgTokenVerifier:
    return OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("middleware", [True, False], ids=["middleware", "dependency-only"])
def test_statuses_and_bodies(verifier: OrgTokenVerifier, token: TokenFactory, middleware: bool) -> None:
    client = TestClient(build_app(verifier, middleware=middleware))
    admin = token(org_role="admin")

    r = client.get("/me")
    assert r.status_code == 401 and r.json()["detail"]["code"] == "unauthenticated"
    assert r.headers["www-authenticate"].startswith("Bearer")

    r = client.get("/me", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert r.status_code == 401 and r.json()["detail"]["code"] == "unauthenticated"

    r = client.get("/me", headers=bearer(token(exp=1000, iat=900)))
    assert r.status_code == 401 and r.json()["detail"]["code"] == "token_expired"

    r = client.get("/me", headers=bearer(admin))
    assert r.status_code == 200 and r.json() == {"sub": "user-1"}

    r = client.get("/orgs/org-1/members", headers=bearer(admin))
    assert r.status_code == 200 and r.json() == {"org": "org-1", "role": "admin"}

    r = client.get("/orgs/acme/members", headers=bearer(admin))  # the slug names the org too
    assert r.status_code == 200

    r = client.get("/orgs/org-2/members", headers=bearer(admin))
    assert r.status_code == 403 and r.json()["detail"]["code"] == "org_mismatch"

    r = client.delete("/orgs/org-1", headers=bearer(admin))
    assert r.status_code == 403 and r.json()["detail"]["code"] == "insufficient_role"

    r = client.delete("/orgs/org-1", headers=bearer(token(org_role="owner")))
    assert r.status_code == 200


def test_middleware_puts_claims_on_request_state(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    client = TestClient(build_app(verifier))
    assert client.get("/public").json() == {"claims": None}
    claims = client.get("/public", headers=bearer(token())).json()["claims"]
    assert claims["org_id"] == "org-1" and claims["org_role"] == "admin"
    # A bad token is refused by the middleware even on a route that requires nothing.
    r = client.get("/public", headers=bearer("not.a.token"))
    assert r.status_code == 401 and r.json()["detail"]["code"] == "invalid_token"


def test_required_middleware_refuses_anonymous(verifier: OrgTokenVerifier) -> None:
    app = FastAPI()
    app.add_middleware(OrgTokenMiddleware, verifier=verifier, required=True)

    @app.get("/x")
    def x() -> dict[str, str]:
        return {"ok": "yes"}

    r = TestClient(app).get("/x")
    assert r.status_code == 401 and r.json() == {"detail": {"code": "unauthenticated", "message": r.json()["detail"]["message"]}}


def test_no_verifier_configured_is_a_server_error(token: TokenFactory) -> None:
    app = FastAPI()

    @app.get("/me")
    def me(claims: dict[str, Any] = Depends(require_org())) -> dict[str, Any]:
        return claims

    with pytest.raises(RuntimeError):
        TestClient(app).get("/me", headers=bearer(token()))


def test_misspelt_org_param_is_a_server_error_not_an_open_door(verifier: OrgTokenVerifier, token: TokenFactory) -> None:
    app = FastAPI()
    app.add_middleware(OrgTokenMiddleware, verifier=verifier)

    @app.get("/orgs/{org_id}")
    def get_org(org_id: str, claims: dict[str, Any] = Depends(require_org(org_param="orgid"))) -> dict[str, Any]:
        return claims

    with pytest.raises(RuntimeError):
        TestClient(app).get("/orgs/org-2", headers=bearer(token()))


@pytest.mark.parametrize("middleware", [True, False], ids=["middleware", "dependency-only"])
def test_a_workos_token_through_require_org(jwks: dict[str, Any], keys: dict[str, Any], middleware: bool) -> None:
    from conftest import claims as orgkit_claims, pyjwt_token

    workos = OrgTokenVerifier(jwks, issuer=ISSUER, audience=AUDIENCE, profile="workos")
    client = TestClient(build_app(workos, middleware=middleware))
    base = {k: v for k, v in orgkit_claims().items() if k in ("iss", "aud", "sub", "iat", "exp")}
    admin = pyjwt_token(keys["ES256"], {**base, "org_id": "org-1", "role": "admin", "permissions": ["widgets:create"]})

    r = client.get("/orgs/org-1/members", headers=bearer(admin))
    assert r.status_code == 200 and r.json() == {"org": "org-1", "role": "admin"}
    r = client.get("/orgs/org-2/members", headers=bearer(admin))
    assert r.status_code == 403 and r.json()["detail"]["code"] == "org_mismatch"
    r = client.delete("/orgs/org-1", headers=bearer(admin))
    assert r.status_code == 403 and r.json()["detail"]["code"] == "insufficient_role"
    unmapped = pyjwt_token(keys["ES256"], {**base, "org_id": "org-1", "role": "janitor"})
    r = client.get("/me", headers=bearer(unmapped))
    assert r.status_code == 401 and r.json()["detail"]["code"] == "invalid_org_claim"


def test_openapi_declares_the_bearer_scheme(verifier: OrgTokenVerifier) -> None:
    schema = TestClient(build_app(verifier, middleware=False)).get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["orgkit"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["orgkit"]["description"],
    }
    assert schema["paths"]["/me"]["get"]["security"] == [{"orgkit": []}]
    assert schema["paths"]["/orgs/{org_id}"]["delete"]["security"] == [{"orgkit": []}]
    assert "security" not in schema["paths"]["/public"]["get"]  # a route without require_org
