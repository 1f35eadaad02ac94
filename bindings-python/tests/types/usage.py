"""A typed usage of the package, checked by `mypy --strict --warn-unused-ignores` (test_types.py).

It must type-check, and every line marked `# type: ignore[code]` must be an error of that code:
with `warn_unused_ignores`, a wrong use that stops being flagged (a result typed `Any` again)
fails the check. Never run, only type-checked.
"""

from __future__ import annotations

from typing import Literal, Optional

import orgkit
from orgkit.types import (
    Actor,
    Allowed,
    ClaimProfile,
    EffectiveSettings,
    ErrorCode,
    Family,
    LoginPlan,
    OperationName,
    OrgClaims,
    Permission,
    ResolveInput,
    Role,
    SettingsPatch,
)

# Results: each operation's own TypedDict, through `call` and through the facade functions.
settings: EffectiveSettings = orgkit.call("resolve_settings", {"tenant": {"defaults": {"require_mfa": True}}})
require_mfa: bool = settings["require_mfa"]["value"]
ttl: int = orgkit.resolve_settings({})["session_ttl_hours"]["value"]
logo: Optional[str] = orgkit.resolve_settings()["logo_url"]["value"]
slug: str = orgkit.normalize_slug(name="Acme Corp")["slug"]
allowed: Allowed = orgkit.authorize(actor={"kind": "member", "user_id": "u1", "role": "admin"}, permission="members:add")
permissions: list[Permission] = orgkit.role_permissions({"role": "viewer"})["permissions"]
codes: list[ErrorCode] = orgkit.error_codes()["codes"]
plan: LoginPlan = orgkit.call("explain_login", {"email": "a@b.test", "tenant_password_min_length": 8, "now": 0})
fetch: bool = orgkit.should_fetch_jwks({"need": "unknown_kid", "now": 0})["fetch"]
claims: OrgClaims = orgkit.verify_org_token(
    {"token": "t", "jwks": {"keys": []}, "options": {"issuer": "i", "audience": "a", "now": 0}}
)
org_role: Optional[Role] = claims.get("org_role")
actor: Actor = {"kind": "tenant"}
profile: ClaimProfile = {"name": "auth0", "roles_claim": "https://example.test/roles"}
patch: SettingsPatch = {"require_mfa": None, "sessionTtlHours": 8}
orgkit.call("apply_settings_patch", {"patch": patch})
orgkit.call("error_codes", {})
orgkit.call("rate_limits", None)
name: OperationName = "check_session"
resolve_input: ResolveInput = {"org": {"primary_color": "#112233"}}
try:
    orgkit.validate_slug(slug="-Bad-")
except orgkit.OrgkitError as error:
    code: ErrorCode = error.code
    family: Family = orgkit.error_table()[error.code][0]

# Wrong uses, each flagged (an input of the wrong shape matches no overload of `call`).
orgkit.call("resolve_settings", {"tenant": {"defaults": {"require_mfa": "yes"}}})  # type: ignore[call-overload]
orgkit.call("no_such_operation", {})  # type: ignore[call-overload]
orgkit.call("normalize_slug", {"slug": "acme"})  # type: ignore[call-overload]
orgkit.call("authorize", {"actor": {"kind": "member"}, "permission": "members:add"})  # type: ignore[call-overload]
orgkit.call("role_permissions", {"role": "root"})  # type: ignore[call-overload]
orgkit.call("error_codes", {"extra": 1})  # type: ignore[call-overload]
not_a_bool: str = settings["require_mfa"]["value"]  # type: ignore[assignment]
settings["no_such_setting"]  # type: ignore[typeddict-item]
orgkit.resolve_settings()["require_mfa"]["value"] + "x"  # type: ignore[operator]
orgkit.normalize_slug(name="Acme")["name"]  # type: ignore[typeddict-item]
orgkit.normalize_slug({"name": 3})  # type: ignore[arg-type]
denied: Literal[False] = orgkit.authorize(actor={"kind": "tenant"}, permission="members:add")["allowed"]  # type: ignore[assignment]
claims["exp"] + ""  # type: ignore[operator]
bad_actor: Actor = {"kind": "admin"}  # type: ignore[misc, assignment]
bad_profile: ClaimProfile = {"name": "workos", "org_id": "x"}  # type: ignore[typeddict-item]
bad_patch: SettingsPatch = {"requireMFA": True}  # type: ignore[typeddict-unknown-key]
bad_name: OperationName = "resolve"  # type: ignore[assignment]
try:
    orgkit.validate_slug(slug="-Bad-")
except orgkit.OrgkitError as error:
    error.code == "invalid_slgu"  # type: ignore[comparison-overlap]
