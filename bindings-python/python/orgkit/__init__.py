"""orgkit: org tokens, roles and settings with the exact rules of the orgkit server.

Every function takes the operation's input as a dict (or as keyword arguments) and returns a
dict; failures raise a subclass of :class:`OrgkitError` whose ``.code`` is core's stable code.
The rules live in the Rust core (``orgkit._orgkit``); this module only names them.

>>> import orgkit
>>> orgkit.normalize_slug(name="Acme Corp")
{'slug': 'acme-corp'}
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from orgkit._orgkit import (
    MAX_TOKEN_BYTES,
    OPERATIONS,
    InvitationError,
    LoginError,
    OrgkitError,
    OrgPermissionError,
    OrgTokenVerifier,
    RequestError,
    ResourceError,
    SettingsError,
    TokenError,
    call,
    error_table,
)

__all__ = [
    "MAX_TOKEN_BYTES",
    "OPERATIONS",
    "InvitationError",
    "LoginError",
    "OrgkitError",
    "OrgPermissionError",
    "OrgTokenVerifier",
    "RequestError",
    "ResourceError",
    "SettingsError",
    "TokenError",
    "call",
    "error_table",
    "error_codes",
    "validate_slug",
    "normalize_slug",
    "normalize_email",
    "role_permissions",
    "authorize",
    "can_grant",
    "can_change_role",
    "can_remove_member",
    "resolve_settings",
    "apply_settings_patch",
    "apply_tenant_settings_patch",
    "parse_new_organization",
    "apply_organization_patch",
    "check_password",
    "enforce_password",
    "totp_enrolment",
    "verify_totp",
    "lockout_check",
    "lockout_after_failure",
    "account_lockout_policy",
    "decide_password_login",
    "decide_step_up",
    "route_email",
    "check_connection_allowed",
    "check_session",
    "redirect_target",
    "jit_role",
    "parse_saml_connection",
    "custom_domain_of_host",
    "page_size",
    "client_address",
    "rate_limits",
    "explain_login",
    "invitation_status",
    "check_invitation_acceptable",
    "check_invitation_resendable",
    "check_invitation_creatable",
    "issue_invitation",
    "verify_invitation",
    "build_org_claims",
    "sign_org_claims",
    "verify_org_token",
    "verify_profiled_token",
    "check_token_not_revoked",
    "should_fetch_jwks",
    "parse_bearer",
    "public_jwk",
    "check_domain_claim",
    "domain_challenge",
    "decide_domain_verification",
    "check_custom_domain",
    "custom_domain_served",
    "decide_sso_login",
    "check_email_verification",
]


def _input(given: Optional[Mapping[str, Any]], fields: dict[str, Any]) -> dict[str, Any]:
    if given is None:
        return fields
    if fields or not isinstance(given, dict):
        return {**given, **fields}
    return given


def error_codes(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """Every error code core knows: ``{codes: [...]}``."""
    return call("error_codes", _input(input, fields))


def validate_slug(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{slug}`` → the slug if valid, else ``RequestError(invalid_slug)``."""
    return call("validate_slug", _input(input, fields))


def normalize_slug(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{name}`` → ``{slug}`` derived from an org name."""
    return call("normalize_slug", _input(input, fields))


def normalize_email(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{email}`` → ``{email}`` normalised."""
    return call("normalize_email", _input(input, fields))


def role_permissions(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{role}`` → ``{permissions}`` the role carries."""
    return call("role_permissions", _input(input, fields))


def authorize(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{actor, permission}`` → ``{allowed: True}`` or ``OrgPermissionError``."""
    return call("authorize", _input(input, fields))


def can_grant(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{actor, permission, role}`` → ``{allowed: True}`` or ``OrgPermissionError``."""
    return call("can_grant", _input(input, fields))


def can_change_role(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{actor, target, new_role, owner_count}`` → ``{allowed: True}`` or ``OrgPermissionError``."""
    return call("can_change_role", _input(input, fields))


def can_remove_member(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{actor, target, owner_count}`` → ``{allowed: True}`` or ``OrgPermissionError``."""
    return call("can_remove_member", _input(input, fields))


def resolve_settings(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{tenant, org}`` → effective settings with their source."""
    return call("resolve_settings", _input(input, fields))


def apply_settings_patch(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{tenant, org, patch, org_connections?}`` → ``{settings, effective}``."""
    return call("apply_settings_patch", _input(input, fields))


def apply_tenant_settings_patch(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{tenant, patch}`` → ``{tenant, effective}``."""
    return call("apply_tenant_settings_patch", _input(input, fields))


def parse_new_organization(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{body}`` → ``{name, slug, metadata, settings}`` of a new org."""
    return call("parse_new_organization", _input(input, fields))


def apply_organization_patch(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{tenant, org, patch, org_connections?}`` → the patched org and its effective settings."""
    return call("apply_organization_patch", _input(input, fields))


def check_password(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{password, rules, email?}`` → ``{violations: [...]}``."""
    return call("check_password", _input(input, fields))


def enforce_password(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{password, rules, email?}`` → ``{allowed: True}`` or ``LoginError(weak_password)``."""
    return call("enforce_password", _input(input, fields))


def totp_enrolment(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{secret, issuer, account}`` → ``{secret, otpauth_uri}``."""
    return call("totp_enrolment", _input(input, fields))


def verify_totp(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{secret, code, now, last_used_step?}`` → ``{step}`` or ``LoginError(invalid_mfa_code)``."""
    return call("verify_totp", _input(input, fields))


def lockout_check(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{state, now}`` → ``{locked: False}`` or ``LoginError(account_locked)``."""
    return call("lockout_check", _input(input, fields))


def lockout_after_failure(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{state, policy, now}`` → the lockout state after a failed login."""
    return call("lockout_after_failure", _input(input, fields))


def account_lockout_policy(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{tenant, org?}`` → the account's lockout limits: the tenant's, tightened (never loosened) by the org's."""
    return call("account_lockout_policy", _input(input, fields))


def decide_password_login(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """The password-login decision: ``{amr, lockout}`` or a ``LoginError``."""
    return call("decide_password_login", _input(input, fields))


def route_email(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{email, connections, preferred?}`` → ``{connection_id}`` for SSO routing."""
    return call("route_email", _input(input, fields))


def check_connection_allowed(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{org_connections, connection_id}`` → ``{allowed: True}`` or ``LoginError``."""
    return call("check_connection_allowed", _input(input, fields))


def check_session(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{amr, connection_id?, require_mfa, connections}`` → ``{allowed}`` when the session may act in the org, else ``LoginError`` (``mfa_required``, ``connection_not_allowed``)."""
    return call("check_session", _input(input, fields))


def decide_step_up(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """A session switching into an org: ``{amr, lockout}`` or a ``LoginError``."""
    return call("decide_step_up", _input(input, fields))


def redirect_target(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{target, public_url, allowed?}`` → ``{url}`` or ``OrgkitError`` (``redirect_not_allowed``)."""
    return call("redirect_target", _input(input, fields))


def jit_role(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{email, connection}`` → ``{role}``: ``member`` for a routed domain, else ``None``."""
    return call("jit_role", _input(input, fields))


def parse_saml_connection(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{body}`` → the validated connection ``{name, entity_id, sso_url, certificate, email_domains}``."""
    return call("parse_saml_connection", _input(input, fields))


def custom_domain_of_host(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{host}`` (a ``Host`` header) → ``{custom_domain}`` (``None`` for an IP or a non-hostname)."""
    return call("custom_domain_of_host", _input(input, fields))


def page_size(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{limit?}`` → ``{limit}`` (default 50, at most 200)."""
    return call("page_size", _input(input, fields))


def client_address(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{peer, forwarded?, x_forwarded_for?, trusted_proxies?}`` → ``{address}``: the right-most untrusted hop behind trusted proxies."""
    return call("client_address", _input(input, fields))


def rate_limits(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """The default abuse limits: ``{limits: [{action, per_address, per_account}]}``."""
    return call("rate_limits", _input(input, fields))


def explain_login(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """Explains how a user would log in to an org."""
    return call("explain_login", _input(input, fields))


def invitation_status(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{record, now}`` → ``{status}``."""
    return call("invitation_status", _input(input, fields))


def check_invitation_acceptable(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{record, now}`` → ``{allowed: True}`` or ``InvitationError``."""
    return call("check_invitation_acceptable", _input(input, fields))


def check_invitation_resendable(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{record, now}`` → ``{allowed: True}`` (pending or expired) or ``InvitationError``."""
    return call("check_invitation_resendable", _input(input, fields))


def check_invitation_creatable(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{records, now}`` → ``{allowed}`` unless the address has a pending invitation (``invitation_pending``)."""
    return call("check_invitation_creatable", _input(input, fields))


def issue_invitation(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{key, invitation}`` → ``{token, claims}``."""
    return call("issue_invitation", _input(input, fields))


def verify_invitation(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{token, jwks, options, email?}`` → the invitation claims."""
    return call("verify_invitation", _input(input, fields))


def build_org_claims(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """A login's access-token claims, or ``LoginError`` when the org's policy is not met."""
    return call("build_org_claims", _input(input, fields))


def sign_org_claims(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{key, claims}`` → ``{token}``."""
    return call("sign_org_claims", _input(input, fields))


def verify_org_token(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{token, jwks, options, require?}`` → claims (one-off; prefer ``OrgTokenVerifier``)."""
    return call("verify_org_token", _input(input, fields))


def verify_profiled_token(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{token, jwks, options, profile, require?}`` → claims of another provider's token (Auth0,
    Clerk, WorkOS, …) mapped onto orgkit's org context by core's claim profile."""
    return call("verify_profiled_token", _input(input, fields))


def check_token_not_revoked(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{iat, valid_after}`` → ``{allowed: True}`` or ``TokenError`` (``token_revoked``)."""
    return call("check_token_not_revoked", _input(input, fields))


def should_fetch_jwks(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{policy?, state, need, now}`` → ``{fetch}``: whether a host that fetches its JWKS should
    fetch it now (keys missing or older than ``max_age_ms``, or an unknown ``kid``; never twice
    within ``cooldown_ms``)."""
    return call("should_fetch_jwks", _input(input, fields))


def parse_bearer(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{authorization}`` → ``{token}`` or ``TokenError(unauthenticated)``."""
    return call("parse_bearer", _input(input, fields))


def public_jwk(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{key}`` → the public JWK of a signing key."""
    return call("public_jwk", _input(input, fields))


def check_domain_claim(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{domain, verified_by_another_org?}`` → ``{domain}`` normalised, or ``domain_not_allowed`` / ``domain_taken``."""
    return call("check_domain_claim", _input(input, fields))


def domain_challenge(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{domain, token}`` → ``{type: 'dns_txt', name, value}``: the TXT record that proves a claim."""
    return call("domain_challenge", _input(input, fields))


def decide_domain_verification(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """A claim and what DNS answered → ``{status, proof, release_holder}``, or ``domain_not_verified`` / ``domain_taken``."""
    return call("decide_domain_verification", _input(input, fields))


def check_custom_domain(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{custom_domain, public_url, verified_domains}`` → ``{allowed: True}``, or ``domain_reserved`` / ``domain_not_verified``."""
    return call("check_custom_domain", _input(input, fields))


def custom_domain_served(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{custom_domain, set_by_operator?, verified_domains?}`` → ``{served}``."""
    return call("custom_domain_served", _input(input, fields))


def decide_sso_login(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """Which account an SSO assertion signs in → the plan, or ``LoginError(email_domain_not_verified)``."""
    return call("decide_sso_login", _input(input, fields))


def check_email_verification(input: Optional[Mapping[str, Any]] = None, /, **fields: Any) -> dict[str, Any]:
    """``{record, now}`` → ``{allowed: True}``, or ``token_expired`` / ``invalid_token``."""
    return call("check_email_verification", _input(input, fields))
