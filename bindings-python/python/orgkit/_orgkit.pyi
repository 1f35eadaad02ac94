"""The compiled core binding. Checked against the module by ``python -m mypy.stubtest orgkit._orgkit``."""

from typing import Any, Awaitable, Callable, Mapping, Optional, Union, final

__all__ = [
    "InvitationError",
    "LoginError",
    "MAX_TOKEN_BYTES",
    "OPERATIONS",
    "OrgPermissionError",
    "OrgTokenVerifier",
    "OrgkitError",
    "RequestError",
    "ResourceError",
    "SettingsError",
    "TokenError",
    "call",
    "error_table",
]

OPERATIONS: list[str]
MAX_TOKEN_BYTES: int

def call(op: str, input: Mapping[str, Any]) -> dict[str, Any]: ...
def error_table() -> dict[str, tuple[str, int]]: ...

class OrgkitError(ValueError):
    code: str
    message: str
    field: Optional[str]
    status: int

class RequestError(OrgkitError): ...
class TokenError(OrgkitError): ...
class OrgPermissionError(OrgkitError): ...
class InvitationError(OrgkitError): ...
class SettingsError(OrgkitError): ...
class LoginError(OrgkitError): ...
class ResourceError(OrgkitError): ...

_Jwks = Union[Mapping[str, Any], str, bytes]
# A claim profile: a name ("orgkit", "auth0", "clerk-v1", "clerk-v2", "workos", "stytch", "logto",
# "keycloak") or a dict {"name": ..., **options} ("auth0": roles_claim; "custom": org_id,
# org_slug, role, permissions as JSON pointers). None means "orgkit".
_Profile = Union[str, Mapping[str, Any], None]
# Provider role name -> orgkit role name ("owner", "admin", "member", "viewer").
_RoleMap = Optional[Mapping[str, str]]

@final
class OrgTokenVerifier:
    def __new__(
        cls,
        jwks: _Jwks,
        *,
        issuer: str,
        audience: str,
        leeway: Optional[int] = None,
        cache_size: Optional[int] = None,
        profile: _Profile = None,
        role_map: _RoleMap = None,
    ) -> OrgTokenVerifier: ...
    @classmethod
    def from_jwks_fetcher(
        cls,
        fetch: Callable[[], _Jwks],
        *,
        issuer: str,
        audience: str,
        leeway: Optional[int] = None,
        cache_ttl: float = 300.0,
        refetch_interval: float = 30.0,
        cache_size: Optional[int] = None,
        profile: _Profile = None,
        role_map: _RoleMap = None,
    ) -> OrgTokenVerifier: ...
    @classmethod
    def from_jwks_url(
        cls,
        url: str,
        *,
        issuer: str,
        audience: str,
        leeway: Optional[int] = None,
        cache_ttl: float = 300.0,
        refetch_interval: float = 30.0,
        timeout: float = 5.0,
        cache_size: Optional[int] = None,
        profile: _Profile = None,
        role_map: _RoleMap = None,
    ) -> OrgTokenVerifier: ...
    def verify(
        self,
        token: str,
        *,
        org: Optional[str] = None,
        role: Optional[str] = None,
        permission: Optional[str] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def verify_async(
        self,
        token: str,
        *,
        org: Optional[str] = None,
        role: Optional[str] = None,
        permission: Optional[str] = None,
        now: Optional[float] = None,
    ) -> Awaitable[dict[str, Any]]: ...
    def _verify_with_current_keys(
        self,
        token: str,
        *,
        org: Optional[str] = None,
        role: Optional[str] = None,
        permission: Optional[str] = None,
        now: Optional[float] = None,
    ) -> dict[str, Any]: ...
    def _claim_fetch(self, need: str) -> bool: ...
    def _fetch_or_log(self) -> None: ...
    def set_jwks(self, jwks: _Jwks) -> None: ...
    def refresh(self) -> None: ...
    @property
    def cache_len(self) -> int: ...
    @property
    def key_count(self) -> int: ...
    @property
    def issuer(self) -> str: ...
    @property
    def audience(self) -> str: ...
    @property
    def leeway(self) -> int: ...
