#!/usr/bin/env python3
"""Writes every vector file of tests/vectors from hand-written expectations.

Rule vectors (roles, membership, settings, organizations, login) are literal data below: the
expected values were written from the specification, not computed by orgkit. Token vectors are
signed here with PyJWT and `cryptography` — an implementation independent of orgkit — using the
fixed test keys in keys/. Run: `.venv/bin/python tests/vectors/generate.py [file.json ...]`.
"""
import base64, copy, hashlib, hmac, json, pathlib
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

HERE = pathlib.Path(__file__).parent
KEYS = HERE / "keys"
JWKS = json.loads((KEYS / "test-jwks.json").read_text())
ATTACKER_JWKS = json.loads((KEYS / "test-attacker-jwks.json").read_text())
PEM = {alg: (KEYS / f"test-{alg.lower()}.private.pem").read_text() for alg in ("ES256", "EdDSA", "RS256")}
ATTACKER_PEM = (KEYS / "test-attacker-es256.private.pem").read_text()
KID = {"ES256": "test-es256", "EdDSA": "test-eddsa", "RS256": "test-rs256"}
ISS, AUD, NOW = "https://auth.test.orgkit.dev", "orgkit", 1_800_000_000
OPTS = {"issuer": ISS, "audience": AUD, "leeway": 30, "now": NOW}
ORG_ID, USER_ID, TENANT_ID = "0190a5c4-7e1f-7d2a-9b3c-4d5e6f708192", "0190a5c4-0000-7000-8000-000000000001", "0190a5c4-aaaa-7000-8000-00000000000a"

def b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def ok(name, op, input, output):
    return {"name": name, "op": op, "input": input, "output": output}

def err(name, op, input, code):
    return {"name": name, "op": op, "input": input, "error": code}

# ---------------------------------------------------------------- identity
def identity():
    v = []
    for s in ["cardiology", "acme-corp", "a1", "x" * 63, "2024-q1-team"]:
        v.append(ok(f"slug {s[:20]} is valid", "validate_slug", {"slug": s}, {"slug": s}))
    for s in ["a", "x" * 64, "Acme", "acme corp", "-acme", "acme-", "ac--me", "acme_corp", "", "ácme", "acme.corp"]:
        v.append(err(f"slug {s[:20]!r} is invalid", "validate_slug", {"slug": s}, "invalid_slug"))
    # A slug shaped like a UUID could stand for another org's id where either is accepted.
    for s in [ORG_ID, "00000000-0000-0000-0000-000000000000", "0192f0c1-6b2a-7cc4-9d55-0a4bd1d6c2a1"]:
        v.append(err(f"UUID-shaped slug {s}", "validate_slug", {"slug": s}, "invalid_slug"))
    for s in ["0192f0c16b2a7cc49d550a4bd1d6c2a1", "0192f0c1-6b2a-7cc4-9d55-0a4bd1d6c2a", "0192f0c1-6b2a-7cc4-9d55-0a4bd1d6c2ag"]:
        v.append(ok(f"almost a UUID {s}", "validate_slug", {"slug": s}, {"slug": s}))
    v.append(err("a name that normalizes to a UUID", "normalize_slug", {"name": ORG_ID.upper()}, "invalid_slug"))
    v.append(err("a new org with a UUID slug", "parse_new_organization", {"body": {"name": "Shadow", "slug": ORG_ID}}, "invalid_slug"))
    for name, slug in [("Acme Corp", "acme-corp"), ("  Cardiology Department ", "cardiology-department"),
                       ("Acme Corp, Inc.", "acme-corp-inc"), ("R&D 2024", "r-d-2024"), ("ÉCOLE normale", "cole-normale")]:
        v.append(ok(f"normalize {name!r}", "normalize_slug", {"name": name}, {"slug": slug}))
    v.append(err("normalize nothing usable", "normalize_slug", {"name": "!!!"}, "invalid_slug"))
    for raw, norm in [("bob@hospital.com", "bob@hospital.com"), (" Bob@Hospital.COM ", "bob@hospital.com"),
                      ("first.last+tag@sub.example.org", "first.last+tag@sub.example.org")]:
        v.append(ok(f"email {raw!r}", "normalize_email", {"email": raw}, {"email": norm}))
    for raw in ["bob", "@hospital.com", "bob@", "bob@localhost", "bob@@x.com", "bo b@x.com", "bob@1.2.3.4",
                ".bob@x.com", "bob..x@x.com", "a" * 65 + "@x.com", "bob@-x.com"]:
        v.append(err(f"email {raw[:24]!r} invalid", "normalize_email", {"email": raw}, "invalid_email"))
    v.append(ok("bearer header", "parse_bearer", {"authorization": "Bearer abc.def.ghi"}, {"token": "abc.def.ghi"}))
    v.append(ok("bearer scheme is case-insensitive", "parse_bearer", {"authorization": "bearer abc.def.ghi"}, {"token": "abc.def.ghi"}))
    for h in ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a b", "abc.def.ghi"]:
        v.append(err(f"authorization {h!r} refused", "parse_bearer", {"authorization": h}, "unauthenticated"))
    v.append(err("unknown input field", "parse_bearer", {"authorization": "Bearer x", "extra": 1}, "unknown_field"))
    v.append(err("wrong input type", "validate_slug", {"slug": 42}, "invalid_request"))
    # The custom domain a Host header names: lowercase, no port, never an IP address.
    H = "custom_domain_of_host"
    for host, domain in [("auth.cardiology.hospital.com", "auth.cardiology.hospital.com"), ("Auth.Hospital.COM:8443", "auth.hospital.com"),
                         ("login.acme.com.", "login.acme.com"), ("127.0.0.1:8080", None), ("[::1]:8080", None), ("localhost", None),
                         ("", None), ("bad_host.com", None)]:
        v.append(ok(f"host {host!r}", H, {"host": host}, {"custom_domain": domain}))
    # Page sizes: absent → 50, at most 200.
    v += [ok("default page size", "page_size", {}, {"limit": 50}), ok("page size 1", "page_size", {"limit": 1}, {"limit": 1}),
          ok("page size at the maximum", "page_size", {"limit": 200}, {"limit": 200}),
          err("page size 0", "page_size", {"limit": 0}, "invalid_request"),
          err("page size past the maximum", "page_size", {"limit": 201}, "input_too_large"),
          err("negative page size", "page_size", {"limit": -1}, "invalid_request")]
    return v

# ---------------------------------------------------------------- roles & membership
ROLES = ["viewer", "member", "admin", "owner"]
# The permission matrix as the specification states it: the lowest role holding each permission.
MATRIX = {
    "org:read": "viewer", "org:update": "admin", "org:delete": "owner",
    "members:read": "viewer", "members:add": "admin", "members:update_role": "admin", "members:remove": "admin",
    "invitations:create": "admin", "invitations:list": "admin", "invitations:revoke": "admin",
    "sso:read": "admin", "sso:manage": "owner", "connections:read": "admin", "connections:manage": "owner",
    "audit_log:read": "admin", "scim:manage": "owner",
}

def member(role, uid="actor"):
    return {"kind": "member", "user_id": uid, "role": role}

def roles():
    v = []
    for r in ROLES:
        perms = [p for p, low in MATRIX.items() if ROLES.index(r) >= ROLES.index(low)]
        v.append(ok(f"{r} permissions", "role_permissions", {"role": r}, {"permissions": perms}))
    v.append(err("unknown role", "role_permissions", {"role": "superadmin"}, "invalid_role"))
    for r in ROLES:
        for p, low in MATRIX.items():
            inp = {"actor": member(r), "permission": p}
            if ROLES.index(r) >= ROLES.index(low):
                v.append(ok(f"{r} may {p}", "authorize", inp, {"allowed": True}))
            else:
                v.append(err(f"{r} may not {p}", "authorize", inp, "insufficient_role"))
    v.append(err("non-member sees nothing", "authorize", {"actor": {"kind": "non_member"}, "permission": "org:read"}, "not_found"))
    v.append(ok("management key may delete", "authorize", {"actor": {"kind": "tenant"}, "permission": "org:delete"}, {"allowed": True}))
    v.append(err("unknown permission", "authorize", {"actor": member("owner"), "permission": "org:explode"}, "invalid_permission"))
    v.append(err("unknown role in actor", "authorize", {"actor": member("root"), "permission": "org:read"}, "invalid_role"))
    return v

def membership():
    v = []
    g = lambda n, actor, role, out, perm="members:add": (ok if out is None else err)(n, "can_grant", {"actor": actor, "permission": perm, "role": role}, *( [{"allowed": True}] if out is None else [out]))
    v += [g("admin adds a member", member("admin"), "member", None),
          g("admin adds an admin (not above own)", member("admin"), "admin", None),
          g("admin cannot grant owner", member("admin"), "owner", "owner_required"),
          g("owner grants owner", member("owner"), "owner", None),
          g("member cannot add", member("member"), "viewer", "insufficient_role"),
          g("admin invites a viewer", member("admin"), "viewer", None, "invitations:create"),
          g("admin cannot invite an owner", member("admin"), "owner", "owner_required", "invitations:create"),
          g("viewer cannot invite", member("viewer"), "viewer", "insufficient_role", "invitations:create"),
          g("management key grants owner", {"kind": "tenant"}, "owner", None),
          g("non-member cannot add", {"kind": "non_member"}, "member", "not_found")]
    def c(n, actor, target_role, new, count, out, target_uid="target"):
        inp = {"actor": actor, "target": {"user_id": target_uid, "role": target_role}, "new_role": new, "owner_count": count}
        return ok(n, "can_change_role", inp, {"allowed": True}) if out is None else err(n, "can_change_role", inp, out)
    v += [c("owner demotes another owner", member("owner"), "owner", "admin", 2, None),
          c("owner demotes the last owner (self)", member("owner"), "owner", "admin", 1, "last_owner", target_uid="actor"),
          c("owner steps down when another owner exists", member("owner"), "owner", "member", 2, None, target_uid="actor"),
          c("admin promotes member to admin", member("admin"), "member", "admin", 1, None),
          c("admin cannot promote to owner", member("admin"), "member", "owner", 1, "owner_required"),
          c("admin cannot change another admin", member("admin"), "admin", "member", 1, "insufficient_role"),
          c("admin cannot demote an owner", member("admin"), "owner", "member", 2, "owner_required"),
          c("member cannot raise self", member("member"), "member", "admin", 1, "role_ceiling", target_uid="actor"),
          c("viewer cannot raise self", member("viewer"), "viewer", "member", 1, "role_ceiling", target_uid="actor"),
          c("member lowers self to viewer", member("member"), "member", "viewer", 1, None, target_uid="actor"),
          c("member cannot change others", member("member"), "viewer", "member", 1, "insufficient_role"),
          c("management key cannot demote last owner", {"kind": "tenant"}, "owner", "member", 1, "last_owner"),
          c("management key demotes one of two owners", {"kind": "tenant"}, "owner", "member", 2, None),
          c("management key promotes to owner", {"kind": "tenant"}, "member", "owner", 0, None),
          c("owner keeps owner role (no-op)", member("owner"), "owner", "owner", 1, None, target_uid="actor"),
          c("non-member cannot change roles", {"kind": "non_member"}, "member", "viewer", 1, "not_found")]
    def r(n, actor, target_role, count, out, target_uid="target"):
        inp = {"actor": actor, "target": {"user_id": target_uid, "role": target_role}, "owner_count": count}
        return ok(n, "can_remove_member", inp, {"allowed": True}) if out is None else err(n, "can_remove_member", inp, out)
    v += [r("member leaves", member("member"), "member", 1, None, target_uid="actor"),
          r("viewer leaves", member("viewer"), "viewer", 1, None, target_uid="actor"),
          r("last owner cannot leave", member("owner"), "owner", 1, "last_owner", target_uid="actor"),
          r("one of two owners leaves", member("owner"), "owner", 2, None, target_uid="actor"),
          r("admin removes a member", member("admin"), "member", 1, None),
          r("admin removes a viewer", member("admin"), "viewer", 1, None),
          r("admin cannot remove an admin", member("admin"), "admin", 1, "insufficient_role"),
          r("admin cannot remove an owner", member("admin"), "owner", 2, "owner_required"),
          r("owner removes another owner", member("owner"), "owner", 2, None),
          r("member cannot remove a viewer", member("member"), "viewer", 1, "insufficient_role"),
          r("management key cannot remove last owner", {"kind": "tenant"}, "owner", 1, "last_owner"),
          r("management key removes a member", {"kind": "tenant"}, "member", 0, None)]
    v.append(err("negative owner count", "can_remove_member", {"actor": {"kind": "tenant"}, "target": {"user_id": "t", "role": "member"}, "owner_count": -1}, "invalid_request"))
    return v

# ---------------------------------------------------------------- settings
DEFAULT_EFFECTIVE = {
    "logo_url": {"value": None, "source": "default"}, "primary_color": {"value": "#2563eb", "source": "default"},
    "welcome_text": {"value": None, "source": "default"}, "custom_domain": {"value": None, "source": "default"},
    "password_min_length": {"value": 8, "source": "default"}, "require_mfa": {"value": False, "source": "default"},
    "session_ttl_hours": {"value": 24, "source": "default"}, "max_login_attempts": {"value": 5, "source": "default"},
    "lockout_duration_minutes": {"value": 15, "source": "default"}, "default_connection_id": {"value": None, "source": "default"},
    "group_role_mappings": {"value": None, "source": "default"},
}
SEED_BRANDING = {"logo_url": "https://cdn.hospital.com/cardiology.png", "primary_color": "#0066cc",
                 "welcome_text": "Cardiology Portal", "custom_domain": "auth.cardiology.hospital.com"}
SEED_AUTH = {"password_min_length": 12, "require_mfa": True, "session_ttl_hours": 8, "max_login_attempts": 3,
             "lockout_duration_minutes": 30, "default_connection_id": "saml-conn-uuid"}

def settings():
    v = [ok("built-in defaults", "resolve_settings", {}, DEFAULT_EFFECTIVE)]
    tenant = {"defaults": {"session_ttl_hours": 12, "primary_color": "#111111", "logo_url": "https://cdn.acme.com/logo.png"}}
    v.append(ok("tenant values are inherited", "resolve_settings", {"tenant": tenant},
                {"session_ttl_hours": {"value": 12, "source": "tenant"}, "primary_color": {"value": "#111111", "source": "tenant"},
                 "logo_url": {"value": "https://cdn.acme.com/logo.png", "source": "tenant"}, "password_min_length": {"value": 8, "source": "default"}}))
    v.append(ok("org override wins", "resolve_settings", {"tenant": tenant, "org": {"session_ttl_hours": 8, "primary_color": "#0066cc"}},
                {"session_ttl_hours": {"value": 8, "source": "org"}, "primary_color": {"value": "#0066cc", "source": "org"},
                 "logo_url": {"value": "https://cdn.acme.com/logo.png", "source": "tenant"}}))
    floors = {"password_min_length": 12, "require_mfa": True, "max_login_attempts": 5, "session_ttl_hours": 24, "lockout_duration_minutes": 15}
    v.append(ok("floors raise weaker org values", "resolve_settings",
                {"tenant": {"floors": floors}, "org": {"password_min_length": 10, "require_mfa": False, "max_login_attempts": 10, "session_ttl_hours": 48, "lockout_duration_minutes": 5}},
                {"password_min_length": {"value": 12, "source": "tenant_floor"}, "require_mfa": {"value": True, "source": "tenant_floor"},
                 "max_login_attempts": {"value": 5, "source": "tenant_floor"}, "session_ttl_hours": {"value": 24, "source": "tenant_floor"},
                 "lockout_duration_minutes": {"value": 15, "source": "tenant_floor"}}))
    v.append(ok("stricter org values pass floors", "resolve_settings",
                {"tenant": {"floors": floors}, "org": {"password_min_length": 16, "max_login_attempts": 3, "session_ttl_hours": 8, "lockout_duration_minutes": 60}},
                {"password_min_length": {"value": 16, "source": "org"}, "max_login_attempts": {"value": 3, "source": "org"},
                 "session_ttl_hours": {"value": 8, "source": "org"}, "lockout_duration_minutes": {"value": 60, "source": "org"},
                 "require_mfa": {"value": True, "source": "tenant_floor"}}))
    v.append(err("unknown layer field", "resolve_settings", {"org": {"colour": "#000000"}}, "unknown_field"))

    P = "apply_settings_patch"
    v.append(ok("seed branding patch", P, {"patch": SEED_BRANDING}, {"settings": SEED_BRANDING,
                "effective": {"primary_color": {"value": "#0066cc", "source": "org"}, "custom_domain": {"value": "auth.cardiology.hospital.com", "source": "org"}}}))
    seed_auth_ok = dict(SEED_AUTH, default_connection_id="0190a5c4-5a41-7000-8000-00000000c0nn".replace("nn", "01"))
    v.append(ok("seed auth settings patch", P, {"patch": seed_auth_ok, "org_connections": [seed_auth_ok["default_connection_id"]]},
                {"settings": seed_auth_ok, "effective": {"session_ttl_hours": {"value": 8, "source": "org"}, "require_mfa": {"value": True, "source": "org"}}}))
    v.append(err("seed placeholder connection id is not one of the org's", P, {"patch": SEED_AUTH, "org_connections": []}, "invalid_setting"))
    v.append(err("seed placeholder logo url", P, {"patch": {"logo_url": "https://..."}}, "invalid_setting"))
    v.append(ok("null clears an override", P, {"org": {"session_ttl_hours": 8, "logo_url": "https://x.example.com/l.png"}, "patch": {"session_ttl_hours": None}},
                {"settings": {"session_ttl_hours": None, "logo_url": "https://x.example.com/l.png"}, "effective": {"session_ttl_hours": {"value": 24, "source": "default"}}}))
    v.append(ok("absent fields are unchanged", P, {"org": {"require_mfa": True}, "patch": {}}, {"settings": {"require_mfa": True}}))
    v.append(ok("camelCase names are accepted", P, {"patch": {"primaryColor": "#ABCDEF", "sessionTtlHours": 2}},
                {"settings": {"primary_color": "#abcdef", "session_ttl_hours": 2}}))
    v.append(ok("custom domain is lowercased", P, {"patch": {"custom_domain": "Auth.Example.COM."}}, {"settings": {"custom_domain": "auth.example.com"}}))
    v.append(ok("welcome text is trimmed", P, {"patch": {"welcome_text": "  Hello  "}}, {"settings": {"welcome_text": "Hello"}}))
    bad = [("primary_color", "blue"), ("primary_color", "#12345"), ("primary_color", "#1234567"), ("primary_color", "#gggggg"),
           ("logo_url", "http://cdn.example.com/logo.png"), ("logo_url", "https://user:pw@cdn.example.com/l.png"),
           ("logo_url", "javascript:alert(1)"), ("logo_url", "https://" + "a" * 2050 + ".com"), ("logo_url", "https://10.0.0.1/logo.png"),
           ("welcome_text", ""), ("welcome_text", "x" * 281), ("welcome_text", "line\nbreak"),
           ("custom_domain", "localhost"), ("custom_domain", "10.0.0.1"), ("custom_domain", "bad_domain.com"), ("custom_domain", "https://auth.example.com"),
           ("password_min_length", 7), ("password_min_length", 129), ("password_min_length", "12"), ("password_min_length", 12.5), ("password_min_length", -1),
           ("session_ttl_hours", 0), ("session_ttl_hours", 721), ("max_login_attempts", 0), ("max_login_attempts", 101),
           ("lockout_duration_minutes", 0), ("lockout_duration_minutes", 10081), ("require_mfa", "yes"), ("require_mfa", 1),
           ("default_connection_id", ""), ("default_connection_id", "conn id"), ("default_connection_id", 5),
           ("group_role_mappings", ["Admins"]), ("group_role_mappings", {"Admins": "root"}), ("group_role_mappings", {" ": "admin"}),
           ("group_role_mappings", {"Admins": "admin", "ADMINS": "member"}), ("group_role_mappings", {"Admins": 3})]
    for field, value in bad:
        v.append(err(f"{field}={json.dumps(value)[:24]} refused", P, {"patch": {field: value}}, "invalid_setting"))
    v.append(err("unknown field refused", P, {"patch": {"primary_colour": "#000000"}}, "unknown_field"))
    v.append(err("patch must be an object", P, {"patch": [1, 2]}, "invalid_request"))
    tfl = {"floors": floors}
    for field, value in [("password_min_length", 10), ("require_mfa", False), ("max_login_attempts", 6), ("session_ttl_hours", 48), ("lockout_duration_minutes", 5)]:
        v.append(err(f"{field}={value} weaker than floor", P, {"tenant": tfl, "patch": {field: value}}, "below_tenant_floor"))
    v.append(ok("clearing an override under a floor is allowed", P, {"tenant": tfl, "org": {"password_min_length": 14}, "patch": {"password_min_length": None}},
                {"effective": {"password_min_length": {"value": 12, "source": "tenant_floor"}}}))

    T = "apply_tenant_settings_patch"
    v.append(ok("tenant sets defaults and floors", T, {"patch": {"session_ttl_hours": 12, "floors": {"password_min_length": 10, "require_mfa": True}}},
                {"tenant": {"defaults": {"session_ttl_hours": 12}, "floors": {"password_min_length": 10, "require_mfa": True}},
                 "effective": {"session_ttl_hours": {"value": 12, "source": "tenant"}, "require_mfa": {"value": True, "source": "tenant_floor"}}}))
    v.append(err("tenant defaults must respect its floors", T, {"patch": {"password_min_length": 8, "floors": {"password_min_length": 10}}}, "below_tenant_floor"))
    v.append(ok("floors null clears every floor", T, {"tenant": {"floors": floors}, "patch": {"floors": None}},
                {"tenant": {"floors": {"password_min_length": None, "require_mfa": None, "max_login_attempts": None, "session_ttl_hours": None, "lockout_duration_minutes": None}}}))
    v.append(ok("require_mfa floor false means no floor", T, {"patch": {"floors": {"require_mfa": False}}}, {"tenant": {"floors": {"require_mfa": None}}}))
    v.append(err("unknown floor", T, {"patch": {"floors": {"logo_url": "https://x.example.com/a.png"}}}, "unknown_field"))
    v.append(err("floor out of range", T, {"patch": {"floors": {"password_min_length": 500}}}, "invalid_setting"))
    return v

# ---------------------------------------------------------------- directory (SCIM and IdP groups)
def directory():
    R, S, A = "role_from_groups", "synced_role", "admit_directory_user"
    m = {"IdP Admins": "admin", "Viewers": "viewer", "Founders": "owner"}
    v = [
        ok("no mappings: the directory does not decide roles", R, {"mappings": {}, "groups": ["IdP Admins"]}, {"role": None}),
        ok("a mapped group gives its role", R, {"mappings": m, "groups": ["IdP Admins"]}, {"role": "admin"}),
        ok("group names compare ignoring case", R, {"mappings": m, "groups": ["idp ADMINS"]}, {"role": "admin"}),
        ok("the highest mapped role wins", R, {"mappings": m, "groups": ["Viewers", "IdP Admins", "Staff"]}, {"role": "admin"}),
        ok("a lower mapped role is still lower than member", R, {"mappings": m, "groups": ["Viewers"]}, {"role": "viewer"}),
        ok("members of no mapped group get member", R, {"mappings": m, "groups": ["Staff"]}, {"role": "member"}),
        ok("no groups at all gives member", R, {"mappings": m, "groups": []}, {"role": "member"}),
        ok("owners only through an explicit mapping", R, {"mappings": m, "groups": ["Founders"]}, {"role": "owner"}),
        err("a mapping to an unknown role is refused", R, {"mappings": {"X": "root"}, "groups": []}, "invalid_setting"),
        ok("a new member without mappings is a member", S, {"current": None, "from_groups": None, "owner_count": 0}, {"role": "member"}),
        ok("without mappings the current role stays", S, {"current": "admin", "from_groups": None, "owner_count": 1}, {"role": "admin"}),
        ok("groups demote an admin", S, {"current": "admin", "from_groups": "viewer", "owner_count": 1}, {"role": "viewer"}),
        ok("groups promote a member", S, {"current": "member", "from_groups": "owner", "owner_count": 1}, {"role": "owner"}),
        ok("the last owner is never demoted", S, {"current": "owner", "from_groups": "member", "owner_count": 1}, {"role": "owner"}),
        ok("an owner among several follows the groups", S, {"current": "owner", "from_groups": "member", "owner_count": 2}, {"role": "member"}),
    ]
    def user(name, *emails):
        return {"user_name": name, "emails": [{"value": e, "primary": p} for e, p in emails]}
    verified = ["acme.example"]
    v += [
        ok("the primary email is the account", A, {"user": user("ann", ("ann@home.example", False), ("Ann@Acme.example", True)), "verified_domains": verified}, {"email": "ann@acme.example"}),
        ok("else the first email", A, {"user": user("ann", ("ann@acme.example", False), ("a2@acme.example", False)), "verified_domains": verified}, {"email": "ann@acme.example"}),
        ok("else the user name when it is an email", A, {"user": user("Bob@ACME.example"), "verified_domains": verified}, {"email": "bob@acme.example"}),
        ok("a subdomain of a verified domain is covered", A, {"user": user("c@eu.acme.example"), "verified_domains": verified}, {"email": "c@eu.acme.example"}),
        err("a user without an email is refused", A, {"user": user("bob"), "verified_domains": verified}, "invalid_email"),
        err("an unverified domain is refused", A, {"user": user("x", ("x@evil.example", True)), "verified_domains": verified}, "email_domain_not_verified"),
        err("a look-alike domain is refused", A, {"user": user("x@acme.example.evil"), "verified_domains": verified}, "email_domain_not_verified"),
        err("an org without verified domains provisions nobody", A, {"user": user("x@acme.example"), "verified_domains": []}, "email_domain_not_verified"),
        ok("the operator may allow any domain", A, {"user": user("x", ("x@evil.example", True)), "verified_domains": [], "any_domain": True}, {"email": "x@evil.example"}),
    ]
    return v

# ---------------------------------------------------------------- admin portal links
def portal():
    A, G, C, R, L = "authorize", "can_grant", "can_change_role", "can_remove_member", "check_portal_link"
    grants = {
        "sso": ["org:read", "sso:read", "sso:manage"],
        "domains": ["org:read", "sso:read", "sso:manage"],
        "scim": ["org:read", "scim:manage"],
        "members": ["org:read", "members:read", "members:add", "members:update_role", "members:remove",
                    "invitations:create", "invitations:list", "invitations:revoke"],
        "audit_log": ["org:read", "audit_log:read"],
    }
    v = []
    for intent, allowed in grants.items():
        for p in MATRIX:
            inp = {"actor": {"kind": "delegate", "intent": intent}, "permission": p}
            if p in allowed:
                v.append(ok(f"a {intent} portal link allows {p}", A, inp, {"allowed": True}))
            else:
                v.append(err(f"a {intent} portal link does not allow {p}", A, inp, "insufficient_role"))
    d = {"kind": "delegate", "intent": "members"}
    v += [
        err("an unknown intent is no actor", A, {"actor": {"kind": "delegate", "intent": "billing"}, "permission": "org:read"}, "invalid_request"),
        ok("a members link invites up to admin", G, {"actor": d, "permission": "invitations:create", "role": "admin"}, {"allowed": True}),
        err("a members link never grants owner", G, {"actor": d, "permission": "invitations:create", "role": "owner"}, "owner_required"),
        err("an sso link invites nobody", G, {"actor": {"kind": "delegate", "intent": "sso"}, "permission": "invitations:create", "role": "viewer"}, "insufficient_role"),
        ok("a members link re-roles a member", C, {"actor": d, "target": {"user_id": "t", "role": "member"}, "new_role": "viewer", "owner_count": 1}, {"allowed": True}),
        err("a members link does not touch an owner", C, {"actor": d, "target": {"user_id": "t", "role": "owner"}, "new_role": "member", "owner_count": 2}, "owner_required"),
        ok("a members link removes a viewer", R, {"actor": d, "target": {"user_id": "t", "role": "viewer"}, "owner_count": 1}, {"allowed": True}),
        err("a members link does not remove an owner", R, {"actor": d, "target": {"user_id": "t", "role": "owner"}, "owner_count": 2}, "owner_required"),
        ok("a fresh link opens", L, {"created_at": 1000, "now": 1299}, {"allowed": True}),
        err("a link opens once", L, {"created_at": 1000, "used_at": 1010, "now": 1020}, "portal_link_used"),
        err("a link expires after five minutes", L, {"created_at": 1000, "now": 1300}, "portal_link_expired"),
    ]
    return v

# ---------------------------------------------------------------- events and webhooks
def events():
    W, F, D = "webhook_endpoint", "event_type_filter", "delivery_failure"
    v = [
        ok("every event type when events is absent", W, {"url": "https://hooks.example.com/orgkit"}, {"url": "https://hooks.example.com/orgkit", "events": None}),
        ok("loopback is allowed: only the operator declares endpoints", W, {"url": "http://127.0.0.1:8080/hook"}, {"url": "http://127.0.0.1:8080/hook", "events": None}),
        ok("the URL is normalised", W, {"url": "HTTPS://Hooks.Example.com:443/a?b=1"}, {"url": "https://hooks.example.com/a?b=1", "events": None}),
        ok("subscribed types come back sorted without repeats", W,
           {"url": "https://h.example/x", "events": ["membership.deleted", "membership.created", "membership.deleted"]},
           {"url": "https://h.example/x", "events": ["membership.created", "membership.deleted"]}),
        err("an unknown event type is refused", W, {"url": "https://h.example/x", "events": ["user.hacked"]}, "invalid_request"),
        err("an empty subscription is refused (leave it out for all)", W, {"url": "https://h.example/x", "events": []}, "invalid_request"),
        err("not http or https", W, {"url": "ftp://h.example/x"}, "invalid_request"),
        err("javascript: is no endpoint", W, {"url": "javascript:alert(1)"}, "invalid_request"),
        err("a relative URL is refused", W, {"url": "/hook"}, "invalid_request"),
        err("credentials in the URL are refused", W, {"url": "https://user:pw@h.example/x"}, "invalid_request"),
        err("a fragment is refused", W, {"url": "https://h.example/x#frag"}, "invalid_request"),
        err("an over-long URL is refused", W, {"url": "https://h.example/" + "a" * 2048}, "invalid_request"),
        ok("a listing filter, sorted", F, {"types": "domain.verified, organization.created"}, {"types": ["organization.created", "domain.verified"]}),
        ok("an empty filter is every type", F, {"types": ""}, {"types": []}),
        ok("blanks and repeats are ignored", F, {"types": "scim.user.created,,scim.user.created"}, {"types": ["scim.user.created"]}),
        err("an unknown type in a filter is refused", F, {"types": "organization.created,org.created"}, "invalid_request"),
    ]
    def d(n, attempts, since, now, jitter, out):
        v.append(ok(n, D, {"attempts": attempts, "failing_since": since, "now": now, "jitter_permille": jitter}, out))
    d("the first retry comes within seconds", 1, 1000, 1000, 500, {"then": "retry", "at": 1005})
    d("the second after about 30 s", 2, 1000, 1005, 500, {"then": "retry", "at": 1035})
    d("the third after about 2 min", 3, 1000, 1035, 500, {"then": "retry", "at": 1155})
    d("jitter spreads a retry down to 80 %", 3, 1000, 1035, 0, {"then": "retry", "at": 1035 + 96})
    d("jitter spreads a retry up to 120 %", 3, 1000, 1035, 1000, {"then": "retry", "at": 1035 + 144})
    d("later retries grow", 6, 1000, 5000, 500, {"then": "retry", "at": 5000 + 3600})
    d("past the schedule the last delay repeats", 20, 1000, 50000, 500, {"then": "retry", "at": 50000 + 28800})
    d("a day of failures disables the endpoint", 10, 1000, 1000 + 86400, 500, {"then": "disable_endpoint"})
    d("just under a day still retries", 10, 1000, 1000 + 86399, 500, {"then": "retry", "at": 1000 + 86399 + 28800})
    return v

# ---------------------------------------------------------------- organizations
SEED_CREATE = {"name": "Cardiology Department", "slug": "cardiology", "metadata": {"department_code": "CARD-01"}}

def organizations():
    N, A = "parse_new_organization", "apply_organization_patch"
    v = [ok("seed 000 create body", N, {"body": SEED_CREATE}, {"name": "Cardiology Department", "slug": "cardiology", "metadata": {"department_code": "CARD-01"}}),
         ok("seed 004 create body", N, {"body": {"name": "Acme Corp", "slug": "acme-corp"}}, {"name": "Acme Corp", "slug": "acme-corp", "metadata": {}}),
         ok("settings at creation", N, {"body": {"name": "Acme", "slug": "acme", "require_mfa": True}}, {"settings": {"require_mfa": True}}),
         err("slug is required", N, {"body": {"name": "Acme"}}, "invalid_request"),
         err("name is required", N, {"body": {"slug": "acme"}}, "invalid_request"),
         err("slug shape", N, {"body": {"name": "Acme", "slug": "Acme Corp"}}, "invalid_slug"),
         err("slug type", N, {"body": {"name": "Acme", "slug": 7}}, "invalid_slug"),
         err("blank name", N, {"body": {"name": "   ", "slug": "acme"}}, "invalid_organization"),
         err("name too long", N, {"body": {"name": "n" * 101, "slug": "acme"}}, "invalid_organization"),
         err("name with control characters", N, {"body": {"name": "Ac\u0000me", "slug": "acme"}}, "invalid_organization"),
         err("metadata must be an object", N, {"body": {"name": "Acme", "slug": "acme", "metadata": ["a"]}}, "invalid_organization"),
         err("too many metadata keys", N, {"body": {"name": "Acme", "slug": "acme", "metadata": {f"k{i}": i for i in range(26)}}}, "input_too_large"),
         err("metadata nested too deep", N, {"body": {"name": "Acme", "slug": "acme", "metadata": {"a": {"b": {"c": {"d": 1}}}}}}, "input_too_large"),
         err("metadata string too long", N, {"body": {"name": "Acme", "slug": "acme", "metadata": {"a": "x" * 256}}}, "input_too_large"),
         err("metadata key too long", N, {"body": {"name": "Acme", "slug": "acme", "metadata": {"k" * 65: 1}}}, "input_too_large"),
         err("unknown field", N, {"body": {"name": "Acme", "slug": "acme", "owner": "me"}}, "unknown_field"),
         err("body must be an object", N, {"body": "acme"}, "invalid_request"),
         # The server's create always held these; the operation now holds them too.
         err("floors bind a new org", N, {"tenant": {"floors": {"require_mfa": True}}, "body": {"name": "Acme", "slug": "acme", "require_mfa": False}}, "below_tenant_floor"),
         err("a new org under a session TTL floor", N, {"tenant": {"floors": {"session_ttl_hours": 8}}, "body": {"name": "Acme", "slug": "acme", "session_ttl_hours": 24}}, "below_tenant_floor"),
         ok("a new org stricter than the floors", N, {"tenant": {"floors": {"password_min_length": 10}}, "body": {"name": "Acme", "slug": "acme", "password_min_length": 14}}, {"settings": {"password_min_length": 14}}),
         err("a new org has no connection to default to", N, {"body": {"name": "Acme", "slug": "acme", "default_connection_id": "conn-x"}}, "invalid_setting")]
    org = {"name": "Cardiology Department", "slug": "cardiology", "metadata": {"department_code": "CARD-01", "floor": 3}, "settings": {}}
    v += [ok("seed branding patch on an org", A, {"org": org, "patch": SEED_BRANDING},
             {"name": "Cardiology Department", "settings": SEED_BRANDING, "effective": {"welcome_text": {"value": "Cardiology Portal", "source": "org"}},
              "permission": "org:update"}),
          ok("group role mappings need scim:manage", A, {"org": org, "patch": {"groupRoleMappings": {"IdP Admins": "admin"}}},
             {"settings": {"group_role_mappings": {"IdP Admins": "admin"}}, "permission": "scim:manage"}),
          ok("clearing group role mappings needs scim:manage", A, {"org": dict(org, settings={"group_role_mappings": {"A": "owner"}}), "patch": {"group_role_mappings": None}},
             {"settings": {"group_role_mappings": None}, "permission": "scim:manage"}),
          ok("re-sending the same mappings is an org:update", A, {"org": dict(org, settings={"group_role_mappings": {"A": "owner"}}), "patch": {"group_role_mappings": {"A": "owner"}, "welcome_text": "Hi"}},
             {"permission": "org:update"}),
          ok("metadata merge-patch", A, {"org": org, "patch": {"metadata": {"floor": None, "wing": "B"}}}, {"metadata": {"department_code": "CARD-01", "wing": "B"}}),
          ok("metadata null clears", A, {"org": org, "patch": {"metadata": None}}, {"metadata": {}}),
          ok("rename and re-slug", A, {"org": org, "patch": {"name": "Cardiology", "slug": "cardio"}}, {"name": "Cardiology", "slug": "cardio"}),
          err("name cannot be null", A, {"org": org, "patch": {"name": None}}, "invalid_organization"),
          err("floors bind org patches", A, {"tenant": {"floors": {"require_mfa": True}}, "org": org, "patch": {"require_mfa": False}}, "below_tenant_floor"),
          err("default connection must be the org's", A, {"org": org, "patch": {"default_connection_id": "conn-x"}, "org_connections": ["conn-y"]}, "invalid_setting"),
          err("patch growing metadata past limits", A, {"org": org, "patch": {"metadata": {f"n{i}": i for i in range(24)}}}, "input_too_large")]
    return v

# ---------------------------------------------------------------- login
def login():
    v = []
    R = {"min_length": 12}
    for pw, viol in [("correct horse battery", []), ("short", ["too_short"]), ("a" * 12, ["single_character"]), ("aaaa", ["too_short", "single_character"]),
                     ("x" * 257 + "y", ["too_long"]), ("ünïcödé-pässwörd", [])]:
        v.append(ok(f"password {pw[:16]!r}", "check_password", {"password": pw, "rules": R}, {"violations": viol}))
    v.append(ok("password equal to email", "check_password", {"password": "Bob@Hospital.com", "rules": R, "email": "bob@hospital.com"}, {"violations": ["matches_email"]}))
    v.append(ok("password equal to local part", "check_password", {"password": "roberto", "rules": {"min_length": 8}, "email": "roberto@x.com"}, {"violations": ["too_short", "matches_email"]}))
    v.append(ok("unicode counts characters", "check_password", {"password": "日本語のパスワード", "rules": {"min_length": 9}}, {"violations": []}))

    v.append(ok("acceptable password", "enforce_password", {"password": "correct horse battery", "rules": R}, {"allowed": True}))
    v.append(err("weak password is refused with every reason", "enforce_password", {"password": "aaaa", "rules": R}, "weak_password"))
    v.append(err("password that is the email", "enforce_password", {"password": "bob@hospital.com", "rules": {"min_length": 8}, "email": "Bob@hospital.com"}, "weak_password"))
    v.append(ok("not locked", "lockout_check", {"state": {"failed_attempts": 2}, "now": NOW}, {"locked": False}))
    v.append(err("locked", "lockout_check", {"state": {"failed_attempts": 0, "locked_until": NOW + 60}, "now": NOW}, "account_locked"))
    v.append(ok("lock expired", "lockout_check", {"state": {"failed_attempts": 0, "locked_until": NOW}, "now": NOW}, {"locked": False}))
    pol = {"max_attempts": 3, "duration_seconds": 1800}
    v.append(ok("first failure", "lockout_after_failure", {"policy": pol, "now": NOW}, {"failed_attempts": 1, "locked_until": None}))
    v.append(ok("third failure locks", "lockout_after_failure", {"state": {"failed_attempts": 2}, "policy": pol, "now": NOW}, {"failed_attempts": 0, "locked_until": NOW + 1800}))
    v.append(ok("failure after an expired lock starts over", "lockout_after_failure", {"state": {"failed_attempts": 0, "locked_until": NOW - 1}, "policy": pol, "now": NOW}, {"failed_attempts": 1, "locked_until": None}))
    v.append(ok("max_attempts 1 locks at once", "lockout_after_failure", {"policy": {"max_attempts": 1, "duration_seconds": 60}, "now": NOW}, {"failed_attempts": 0, "locked_until": NOW + 60}))

    base = {"lockout_policy": pol, "password_rules": {"min_length": 12}, "require_mfa": False, "password_ok": True,
            "password": "correct horse battery", "email": "bob@hospital.com", "now": NOW}
    D = "decide_password_login"
    def d(n, out, **kw):
        facts = dict(base, **kw)
        return (err if isinstance(out, str) else ok)(n, D, facts, out)
    v += [d("password login", {"amr": ["pwd"], "lockout": {"failed_attempts": 0, "locked_until": None}}),
          d("success clears failures", {"lockout": {"failed_attempts": 0}}, lockout={"failed_attempts": 2}),
          d("locked account is refused before the password", "account_locked", lockout={"failed_attempts": 0, "locked_until": NOW + 5}, password_ok=False),
          d("wrong password", "invalid_credentials", password_ok=False),
          d("org requires MFA, no factor", "mfa_enrollment_required", require_mfa=True),
          d("org requires MFA, no code", "mfa_required", require_mfa=True, mfa={"enrolled": True}),
          d("wrong code", "invalid_mfa_code", require_mfa=True, mfa={"enrolled": True, "code_valid": False}),
          d("right code", {"amr": ["pwd", "otp"]}, require_mfa=True, mfa={"enrolled": True, "code_valid": True}),
          d("enrolled user is asked for a code anyway", "mfa_required", mfa={"enrolled": True}),
          d("password below new rules", "password_change_required", password="short-pass"),
          d("MFA is asked before the password change", "mfa_required", password="short-pass", require_mfa=True, mfa={"enrolled": True})]

    # TOTP: the RFC 6238 appendix B SHA-1 vectors (secret "12345678901234567890"), last 6 digits.
    sec = base64.b32encode(b"12345678901234567890").decode().rstrip("=")
    for t, code, step in [(59, "287082", 1), (1111111109, "081804", 37037036), (1234567890, "005924", 41152263), (2000000000, "279037", 66666666)]:
        v.append(ok(f"RFC 6238 code at {t}", "verify_totp", {"secret": sec, "code": code, "now": t}, {"step": step}))
    v += [ok("one step of clock skew", "verify_totp", {"secret": sec, "code": "287082", "now": 89}, {"step": 1}),
          err("two steps late", "verify_totp", {"secret": sec, "code": "287082", "now": 120}, "invalid_mfa_code"),
          err("a code is accepted once", "verify_totp", {"secret": sec, "code": "287082", "now": 59, "last_used_step": 1}, "invalid_mfa_code"),
          ok("a later code after an earlier one", "verify_totp", {"secret": sec, "code": "287082", "now": 59, "last_used_step": 0}, {"step": 1}),
          err("wrong TOTP code", "verify_totp", {"secret": sec, "code": "000000", "now": 59}, "invalid_mfa_code"),
          err("not digits", "verify_totp", {"secret": sec, "code": "abcdef", "now": 59}, "invalid_mfa_code"),
          err("secret too short", "verify_totp", {"secret": "GEZDGNBV", "code": "287082", "now": 59}, "invalid_request"),
          err("secret not base32", "verify_totp", {"secret": "not base32!!", "code": "287082", "now": 59}, "invalid_request"),
          err("negative time", "verify_totp", {"secret": sec, "code": "287082", "now": -1}, "invalid_request"),
          ok("enrolment URI", "totp_enrolment", {"secret": sec, "issuer": "orgkit", "account": "bob@hospital.com"},
             {"secret": sec, "otpauth_uri": f"otpauth://totp/orgkit:bob%40hospital.com?secret={sec}&issuer=orgkit"})]

    conns = [{"id": "conn-b", "email_domains": ["hospital.com"]}, {"id": "conn-a", "email_domains": ["hospital.com", "clinic.org"]}, {"id": "conn-c", "email_domains": ["acme.com"]}]
    v += [ok("email domain routes", "route_email", {"email": "bob@acme.com", "connections": conns}, {"connection_id": "conn-c"}),
          ok("no connection for the domain", "route_email", {"email": "bob@gmail.com", "connections": conns}, {"connection_id": None}),
          ok("several claim the domain: smallest id", "route_email", {"email": "Bob@Hospital.com", "connections": conns}, {"connection_id": "conn-a"}),
          ok("several claim the domain: preferred wins", "route_email", {"email": "bob@hospital.com", "connections": conns, "preferred": "conn-b"}, {"connection_id": "conn-b"}),
          ok("subdomains do not match", "route_email", {"email": "bob@eu.acme.com", "connections": conns}, {"connection_id": None}),
          err("routing a malformed email", "route_email", {"email": "bob", "connections": conns}, "invalid_email"),
          ok("connection allowed", "check_connection_allowed", {"org_connections": ["conn-a"], "connection_id": "conn-a"}, {"allowed": True}),
          err("connection not allowed", "check_connection_allowed", {"org_connections": ["conn-a"], "connection_id": "conn-b"}, "connection_not_allowed")]

    org = {"id": ORG_ID, "require_mfa": True, "password_min_length": 12, "default_connection_id": "conn-a",
           "connections": [{"id": "conn-a", "email_domains": ["hospital.com"]}]}
    E = "explain_login"
    q = lambda **kw: dict({"email": "bob@hospital.com", "tenant_password_min_length": 8, "now": NOW}, **kw)
    v += [ok("org member routed to SSO by domain", E, q(org=org), {"method": "sso", "connection_id": "conn-a", "mfa_required": False, "locked": False}),
          ok("other domain with password: password + MFA", E, q(email="eve@gmail.com", org=org, user={"has_password": True}),
             {"method": "password", "connection_id": None, "mfa_required": True, "password_min_length": 12}),
          ok("other domain without password: org default connection", E, q(email="eve@gmail.com", org=org), {"method": "sso", "connection_id": "conn-a"}),
          ok("default connection not enabled is not proposed", E, q(email="eve@gmail.com", org=dict(org, default_connection_id="conn-z")), {"method": "password", "connection_id": None}),
          ok("locked account", E, q(email="eve@gmail.com", org=org, user={"has_password": True, "lockout": {"failed_attempts": 0, "locked_until": NOW + 600}}),
             {"locked": True, "locked_until": NOW + 600}),
          ok("no org: tenant connections route", E, q(tenant_connections=[{"id": "conn-t", "email_domains": ["hospital.com"]}]), {"method": "sso", "connection_id": "conn-t"}),
          ok("no org, enrolled user: password + MFA", E, q(email="a@b.com", user={"has_password": True, "mfa_enrolled": True}),
             {"method": "password", "mfa_required": True, "password_min_length": 8}),
          err("explain with a malformed email", E, q(email="not-an-email"), "invalid_email")]
    return v

# ---------------------------------------------------------------- OpenID Connect (PyJWT signs the ID tokens)
IDP_ISS, CLIENT = "https://idp.hospital.test", "orgkit-client"

def oidc():
    P = "parse_oidc_connection"
    body = {"issuer": IDP_ISS, "clientId": CLIENT, "clientSecret": "s3cret", "emailDomain": "Hospital.com", "groupsClaim": "groups"}
    v = [ok("an OIDC connection", P, {"body": body}, {"issuer": IDP_ISS, "client_id": CLIENT, "client_secret": "s3cret",
                                                       "email_domains": ["hospital.com"], "groups_claim": "groups"}),
         ok("snake_case fields, no groups claim", P, {"body": {"issuer": IDP_ISS + "/", "client_id": "c", "client_secret": "s", "email_domain": "a.com"}},
            {"issuer": IDP_ISS + "/", "client_id": "c"}),
         err("an http issuer", P, {"body": dict(body, issuer="http://idp.hospital.test")}, "invalid_request"),
         ok("an http issuer when allowed (a provider on this machine)", P, {"body": dict(body, issuer="http://localhost:5000"), "allow_http": True},
            {"issuer": "http://localhost:5000"}),
         err("an issuer with a query", P, {"body": dict(body, issuer=IDP_ISS + "?tenant=x")}, "invalid_request"),
         err("no client secret", P, {"body": {k: val for k, val in body.items() if k != "clientSecret"}}, "invalid_request"),
         err("no email domain", P, {"body": {k: val for k, val in body.items() if k != "emailDomain"}}, "invalid_request"),
         err("an OIDC email domain that is not a hostname", P, {"body": dict(body, emailDomain="not a domain")}, "invalid_request"),
         err("an unknown OIDC field", P, {"body": dict(body, scopes="openid")}, "unknown_field")]
    V, NONCE = "verify_id_token", "n-0S6_WzA2Mj"
    opts = {"issuer": IDP_ISS, "audience": CLIENT, "leeway": 30, "now": NOW}
    def id_token(**kw):
        c = {"iss": IDP_ISS, "sub": "idp-user-1", "aud": CLIENT, "iat": NOW - 10, "exp": NOW + 300, "nonce": NONCE,
             "email": "Ann@hospital.com", "email_verified": True, "groups": ["Doctors", "Staff"]}
        c.update(kw)
        return sign({k: val for k, val in c.items() if val is not None}, alg="RS256")
    def vi(n, token, out, nonce=NONCE, options=opts, groups_claim="groups", jwks=JWKS):
        inp = {"token": token, "jwks": jwks, "options": options, "nonce": nonce}
        if groups_claim is not None:
            inp["groups_claim"] = groups_claim
        return (err if isinstance(out, str) else ok)(n, V, inp, out)
    def tampered(token, **changes):
        header, payload, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return ".".join([header, b64(json.dumps(dict(claims, **changes)).encode()), signature])
    good = {"sub": "idp-user-1", "email": "Ann@hospital.com", "groups": ["Doctors", "Staff"]}
    v += [vi("an ID token", id_token(), good),
          vi("the groups claim may be one string", id_token(groups="Doctors"), dict(good, groups=["Doctors"])),
          vi("no groups claim named: no groups", id_token(), dict(good, groups=[]), groups_claim=None),
          vi("an unverified email is not taken", id_token(email_verified=False), dict(good, email=None)),
          vi("no email_verified at all: not taken", id_token(email_verified=None), dict(good, email=None)),
          vi("email_verified as the string true", id_token(email_verified="true"), good),
          vi("several audiences with azp the client", id_token(aud=[CLIENT, "api"], azp=CLIENT), good),
          vi("a wrong nonce", id_token(nonce="other"), "invalid_nonce"),
          vi("no nonce in the token", id_token(nonce=None), "invalid_nonce"),
          vi("a wrong audience", id_token(aud="another-client"), "invalid_audience"),
          vi("several audiences without azp", id_token(aud=[CLIENT, "api"]), "invalid_audience"),
          vi("azp another client", id_token(azp="another-client"), "invalid_audience"),
          vi("another issuer", id_token(iss="https://evil.test"), "invalid_issuer"),
          vi("an expired ID token", id_token(exp=NOW - 31), "token_expired"),
          vi("an ID token from the future", id_token(iat=NOW + 120), "token_not_yet_valid"),
          vi("no sub", id_token(sub=None), "invalid_token"),
          vi("a payload changed under the provider's signature", tampered(id_token(), sub="admin"), "invalid_signature"),
          ok("the verified email signs in, normalised", "id_token_email", good, {"email": "ann@hospital.com"}),
          err("no verified email: no login", "id_token_email", dict(good, email=None), "email_not_verified"),
          vi("alg none", unsigned({"alg": "none", "typ": "JWT"}, {"iss": IDP_ISS, "sub": "x", "aud": CLIENT, "exp": NOW + 300, "nonce": NONCE}),
             "algorithm_not_allowed")]
    return v

# ---------------------------------------------------------------- tokens (PyJWT)
def sign(claims, alg="ES256", kid="default", typ="JWT", extra_headers=None, key=None):
    headers = {"typ": typ} if typ is not None else {}
    if kid is not None:
        headers["kid"] = KID[alg] if kid == "default" else kid
    headers.update(extra_headers or {})
    return jwt.encode(claims, key or PEM[alg], algorithm=alg, headers=headers)

def sign_raw_payload(payload: bytes, alg="ES256"):
    return jwt.api_jws.PyJWS().encode(payload, PEM[alg], algorithm=alg, headers={"kid": KID[alg], "typ": "JWT"})

def access_claims(**kw):
    c = {"iss": ISS, "sub": USER_ID, "aud": AUD, "iat": NOW - 60, "exp": NOW + 3600, "tid": TENANT_ID, "email": "bob@hospital.com",
         "amr": ["pwd"], "org_id": ORG_ID, "org_slug": "cardiology", "org_role": "admin"}
    c.update(kw)
    return {k: v for k, v in c.items() if v is not None}

def unsigned(header, claims):
    return b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode()) + "."

def tokens():
    V = "verify_org_token"
    v = []
    def vt(n, token, out, jwks=JWKS, options=OPTS, require=None):
        inp = {"token": token, "jwks": jwks, "options": options}
        if require is not None:
            inp["require"] = require
        return (err if isinstance(out, str) else ok)(n, V, inp, out)
    expected = {"iss": ISS, "sub": USER_ID, "org_id": ORG_ID, "org_slug": "cardiology", "org_role": "admin", "amr": ["pwd"]}
    for alg in ("ES256", "EdDSA", "RS256"):
        v.append(vt(f"valid {alg} token", sign(access_claims(), alg), expected))
    good = sign(access_claims())
    v += [vt("require org by id", good, expected, require={"org": ORG_ID}),
          vt("require org by slug", good, expected, require={"org": "cardiology"}),
          vt("require role admin", good, expected, require={"role": "admin"}),
          vt("require role member (lower)", good, expected, require={"role": "member"}),
          vt("require permission members:add", good, expected, require={"permission": "members:add"}),
          vt("require role owner", good, "insufficient_role", require={"role": "owner"}),
          vt("require permission org:delete", good, "insufficient_role", require={"permission": "org:delete"}),
          vt("require another org", good, "org_mismatch", require={"org": "radiology"}),
          vt("token without org, org required", sign(access_claims(org_id=None, org_slug=None, org_role=None)), "org_required", require={"role": "viewer"}),
          vt("token without org, nothing required", sign(access_claims(org_id=None, org_slug=None, org_role=None)), {"sub": USER_ID}),
          vt("unknown required role", good, "invalid_role", require={"role": "root"}),
          vt("expired beyond leeway", sign(access_claims(iat=NOW - 7200, exp=NOW - 31)), "token_expired"),
          vt("expired within leeway", sign(access_claims(iat=NOW - 7200, exp=NOW - 29)), {"sub": USER_ID}),
          vt("not yet valid (nbf)", sign(access_claims(nbf=NOW + 120)), "token_not_yet_valid"),
          vt("issued in the future", sign(access_claims(iat=NOW + 120)), "token_not_yet_valid"),
          vt("nbf within leeway", sign(access_claims(nbf=NOW + 20)), {"sub": USER_ID}),
          vt("wrong issuer", sign(access_claims(iss="https://evil.example.com")), "invalid_issuer"),
          vt("issuer with trailing slash", sign(access_claims(iss=ISS + "/")), "invalid_issuer"),
          vt("wrong audience", sign(access_claims(aud="another-api")), "invalid_audience"),
          vt("audience list containing ours", sign(access_claims(aud=["another-api", AUD])), {"aud": ["another-api", AUD]}),
          vt("missing exp", sign(access_claims(exp=None)), "invalid_token"),
          vt("missing sub", sign(access_claims(sub=None)), "invalid_token"),
          vt("unknown org_role", sign(access_claims(org_role="superadmin")), "invalid_token"),
          vt("exp as a string", sign(access_claims(exp=str(NOW + 3600))), "invalid_token"),
          vt("typ at+jwt", sign(access_claims(), typ="at+jwt"), {"sub": USER_ID}),
          vt("no typ", sign(access_claims(), typ=None), {"sub": USER_ID}),
          vt("typ application/at+jwt", sign(access_claims(), typ="application/at+jwt"), {"sub": USER_ID}),
          vt("foreign typ", sign(access_claims(), typ="dpop+jwt"), "wrong_token_type")]
    # attacks
    es_pub_pem = serialization.load_pem_private_key(PEM["ES256"].encode(), None).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    def hs256_with(secret: bytes, kid="test-es256"):
        h = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        p = b64(json.dumps(access_claims(org_role="owner")).encode())
        sig = hmac.new(secret, f"{h}.{p}".encode(), hashlib.sha256).digest()
        return f"{h}.{p}.{b64(sig)}"
    parts = good.split(".")
    forged_payload = b64(json.dumps(access_claims(org_role="owner")).encode())
    sig = parts[2]
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    v += [vt("alg none", unsigned({"alg": "none", "typ": "JWT", "kid": "test-es256"}, access_claims()), "algorithm_not_allowed"),
          vt("alg None (case)", unsigned({"alg": "None", "typ": "JWT", "kid": "test-es256"}, access_claims()), "algorithm_not_allowed"),
          vt("HS256 signed with the EC public key", hs256_with(es_pub_pem), "algorithm_not_allowed"),
          vt("HS256 signed with the JWK x coordinate", hs256_with(base64.urlsafe_b64decode(JWKS["keys"][1]["x"] + "==")), "algorithm_not_allowed"),
          vt("RS256 token claiming the EC key", sign(access_claims(), "RS256", kid="test-es256"), "algorithm_not_allowed"),
          vt("unknown algorithm name", unsigned({"alg": "XS999", "kid": "test-es256"}, access_claims()) + "c2ln", "algorithm_not_allowed"),
          vt("unknown kid", sign(access_claims(), kid="test-es256-old"), "unknown_key"),
          vt("kid path traversal", sign(access_claims(), kid="../../../../dev/null"), "unknown_key"),
          vt("kid SQL injection", sign(access_claims(), kid="' OR '1'='1' --"), "unknown_key"),
          vt("no kid, several keys", sign(access_claims(), kid=None), "unknown_key"),
          vt("no kid, one key", sign(access_claims(), kid=None), {"sub": USER_ID}, jwks={"keys": [JWKS["keys"][1]]}),
          vt("jku header", sign(access_claims(), extra_headers={"jku": "https://evil.example.com/jwks.json"}), "invalid_token"),
          vt("x5u header", sign(access_claims(), extra_headers={"x5u": "https://evil.example.com/cert.pem"}), "invalid_token"),
          vt("embedded jwk header", sign(access_claims(), extra_headers={"jwk": ATTACKER_JWKS["keys"][0]}), "invalid_token"),
          vt("crit header", sign(access_claims(), extra_headers={"crit": ["exp"]}), "invalid_token"),
          vt("attacker key under our kid", sign(access_claims(org_role="owner"), key=ATTACKER_PEM), "invalid_signature"),
          vt("tampered payload", f"{parts[0]}.{forged_payload}.{parts[2]}", "invalid_signature"),
          vt("tampered signature", f"{parts[0]}.{parts[1]}.{flipped}", "invalid_signature"),
          vt("signature removed", f"{parts[0]}.{parts[1]}.", "invalid_signature"),
          vt("truncated to two parts", f"{parts[0]}.{parts[1]}", "invalid_token"),
          vt("four parts", good + ".extra", "invalid_token"),
          vt("empty token", "", "invalid_token"),
          vt("garbage", "not a token", "invalid_token"),
          vt("header not base64", "%%%." + parts[1] + "." + parts[2], "invalid_token"),
          vt("header not JSON", b64(b"alg=ES256") + "." + parts[1] + "." + parts[2], "invalid_token"),
          vt("oversized token", sign(access_claims(padding="x" * 9000)), "invalid_token"),
          vt("duplicate org_role claim", sign_raw_payload(json.dumps(access_claims(org_role="viewer"))[:-1].encode() + b', "org_role": "owner"}'), "invalid_token"),
          vt("duplicate exp claim", sign_raw_payload(json.dumps(access_claims())[:-1].encode() + f', "exp": {NOW + 10**8}}}'.encode()), "invalid_token"),
          vt("invitation token as access token", sign(invitation_claims(), "ES256", typ="orgkit-invitation+jwt"), "wrong_token_type"),
          vt("invitation claims under a JWT typ", sign(dict(access_claims(), inv="0190a5c4-1111-7000-8000-000000000111")), "wrong_token_type")]
    # key sets
    hs_jwks = {"keys": [{"kty": "oct", "kid": "hs", "k": b64(b"s" * 32)}]}
    mismatched = copy.deepcopy(JWKS); mismatched["keys"][0]["alg"] = "ES256"
    dup = {"keys": [JWKS["keys"][1], JWKS["keys"][1]]}
    enc_only = {"keys": [dict(JWKS["keys"][0], use="enc")]}

    def resized(kty, **members):  # the JWKS with one key's members replaced
        return {"keys": [dict(k, **members) if k["kty"] == kty else k for k in JWKS["keys"]]}

    def b64_of(kty, member):
        jwk = next(k for k in JWKS["keys"] if k["kty"] == kty)
        return base64.urlsafe_b64decode(jwk[member] + "==")

    n = b64_of("RSA", "n")
    wrong_sizes = [("Ed25519 key of 31 bytes", "OKP", {"x": b64(b64_of("OKP", "x")[:31])}),
                   ("Ed25519 key of 33 bytes", "OKP", {"x": b64(b64_of("OKP", "x") + b"\x01")}),
                   ("P-256 x of 31 bytes", "EC", {"x": b64(b64_of("EC", "x")[:31])}),
                   ("P-256 y of 33 bytes", "EC", {"y": b64(b"\x00" + b64_of("EC", "y"))}),
                   ("RSA modulus of 1024 bits", "RSA", {"n": b64(n[:128])}),
                   ("RSA modulus of 4104 bits", "RSA", {"n": b64(n + n + n[:1])}),
                   ("RSA exponent of 0", "RSA", {"e": b64(b"\x00")}),
                   ("RSA exponent even", "RSA", {"e": b64(b"\x01\x00\x00")})]
    v += [vt("HMAC key in a public JWKS", good, "invalid_key", jwks=hs_jwks),
          vt("JWKS without keys", good, "invalid_key", jwks={"keys": []}),
          vt("JWKS not an object", good, "invalid_key", jwks=[1, 2]),
          vt("RSA key declaring ES256", good, "invalid_key", jwks=mismatched),
          vt("duplicate kid", good, "invalid_key", jwks=dup),
          vt("only encryption keys", good, "invalid_key", jwks=enc_only),
          vt("malformed EC key", good, "invalid_key", jwks={"keys": [{"kty": "EC", "crv": "P-256", "kid": "x"}]}),
          *[vt(f"key material of the wrong size: {what}", good, "invalid_key", jwks=resized(kty, **member))
            for what, kty, member in wrong_sizes]]
    v += [vt("leeway above 300 s", good, "invalid_request", options=dict(OPTS, leeway=301)),
          err("token of the wrong type", V, {"token": 42, "jwks": JWKS, "options": OPTS}, "invalid_request"),
          ok("never revoked", "check_token_not_revoked", {"iat": NOW}, {"allowed": True}),
          ok("issued after the revocation", "check_token_not_revoked", {"iat": NOW, "valid_after": NOW - 1}, {"allowed": True}),
          ok("issued in the revocation's second", "check_token_not_revoked", {"iat": NOW, "valid_after": NOW}, {"allowed": True}),
          err("issued before the revocation", "check_token_not_revoked", {"iat": NOW - 1, "valid_after": NOW}, "token_revoked"),
          err("revocation time of the wrong type", "check_token_not_revoked", {"iat": NOW, "valid_after": "yesterday"}, "invalid_request"),
          err("minted after the revocation from a session that authenticated before it", "check_token_not_revoked",
              {"iat": NOW, "auth_time": NOW - 600, "valid_after": NOW - 1}, "token_revoked"),
          err("minted in the revocation's second from an earlier session", "check_token_not_revoked",
              {"iat": NOW, "auth_time": NOW - 1, "valid_after": NOW}, "token_revoked"),
          ok("a session that authenticated after the revocation", "check_token_not_revoked",
             {"iat": NOW, "auth_time": NOW, "valid_after": NOW - 1}, {"allowed": True}),
          err("an auth_time later than iat counts as iat", "check_token_not_revoked",
              {"iat": NOW - 1, "auth_time": NOW + 600, "valid_after": NOW}, "token_revoked"),
          err("unknown option", V, {"token": good, "jwks": JWKS, "options": dict(OPTS, algorithms=["none"])}, "unknown_field")]

    # build and sign
    B = "build_org_claims"
    req = {"issuer": ISS, "audience": AUD, "user_id": USER_ID, "email": "bob@hospital.com", "tenant_id": TENANT_ID,
           "org": {"id": ORG_ID, "slug": "cardiology", "role": "admin"}, "policy": {"require_mfa": False, "session_ttl_hours": 8, "connections": ["conn-a"]},
           "authentication": {"amr": ["pwd"]}, "jti": "jti-1", "now": NOW}
    v += [ok("org claims", B, req, {"iss": ISS, "sub": USER_ID, "aud": AUD, "iat": NOW, "exp": NOW + 8 * 3600, "tid": TENANT_ID,
                                    "org_id": ORG_ID, "org_slug": "cardiology", "org_role": "admin", "amr": ["pwd"], "jti": "jti-1",
                                    "auth_time": NOW}),
          ok("a switch carries its session's auth_time and does not extend it", B,
             dict(req, authentication={"amr": ["pwd"], "auth_time": NOW - 3600}),
             {"iat": NOW, "exp": NOW + 7 * 3600, "auth_time": NOW - 3600}),
          err("a session older than the org's TTL gets no token of it", B,
              dict(req, authentication={"amr": ["pwd"], "auth_time": NOW - 8 * 3600}), "session_expired"),
          ok("a session one second younger than the org's TTL", B,
             dict(req, authentication={"amr": ["pwd"], "auth_time": NOW - 8 * 3600 + 1}), {"exp": NOW + 1}),
          ok("an auth_time in the future is the token's issuance", B, dict(req, authentication={"amr": ["pwd"], "auth_time": NOW + 60}),
             {"iat": NOW, "auth_time": NOW}),
          ok("claims without org follow the tenant TTL", B, dict(req, org=None, policy={"require_mfa": False, "session_ttl_hours": 24}), {"exp": NOW + 24 * 3600}),
          err("MFA required, password only", B, dict(req, policy=dict(req["policy"], require_mfa=True)), "mfa_required"),
          ok("MFA required, TOTP performed", B, dict(req, policy=dict(req["policy"], require_mfa=True), authentication={"amr": ["pwd", "otp"]}), {"amr": ["pwd", "otp"]}),
          ok("MFA required, org SSO", B, dict(req, policy=dict(req["policy"], require_mfa=True), authentication={"amr": ["saml"], "connection_id": "conn-a"}), {"cid": "conn-a"}),
          err("MFA required, saml without the org's connection", B, dict(req, policy=dict(req["policy"], require_mfa=True), authentication={"amr": ["saml"]}), "mfa_required"),
          err("SSO through a connection the org has not enabled", B, dict(req, authentication={"amr": ["saml"], "connection_id": "conn-b"}), "connection_not_allowed"),
          err("unknown role in org context", B, dict(req, org={"id": ORG_ID, "slug": "cardiology", "role": "boss"}), "invalid_role")]
    S = "sign_org_claims"
    claims = access_claims()
    spec = lambda alg: {"kid": KID[alg], "alg": alg, "pem": PEM[alg]}
    for alg in ("ES256", "EdDSA", "RS256"):
        v.append(ok(f"sign {alg}", S, {"key": spec(alg), "claims": claims}, {}))
    v += [err("sign with alg none", S, {"key": {"kid": "k", "alg": "none", "pem": PEM["ES256"]}, "claims": claims}, "invalid_key"),
          err("sign ES256 with an Ed25519 key", S, {"key": dict(spec("ES256"), pem=PEM["EdDSA"]), "claims": claims}, "invalid_key"),
          err("sign without key material", S, {"key": {"kid": "k", "alg": "ES256"}, "claims": claims}, "invalid_key"),
          err("short HS256 secret", S, {"key": {"kid": "k", "alg": "HS256", "secret": b64(b"short")}, "claims": claims}, "invalid_key"),
          ok("HS256 with an explicit 32-byte secret", S, {"key": {"kid": "k", "alg": "HS256", "secret": b64(b"k" * 32)}, "claims": claims}, {})]
    # Other PEM documents: the same RSA key as PKCS#1 signs; a P-384 key is not an ES256 key; a
    # public key, an encrypted key or a certificate-shaped block signs nothing.
    rsa_key = serialization.load_pem_private_key(PEM["RS256"].encode(), password=None)
    pkcs1 = rsa_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()).decode()
    p384 = ec.derive_private_key(0x0123456789ABCDEF0123456789ABCDEF, ec.SECP384R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public_pem = rsa_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + PEM["ES256"].split("-----")[2].strip() + "\n-----END ENCRYPTED PRIVATE KEY-----\n"
    v += [ok("sign RS256 with the key as PKCS#1", S, {"key": dict(spec("RS256"), pem=pkcs1), "claims": claims}, {}),
          err("sign ES256 with a P-384 key", S, {"key": dict(spec("ES256"), pem=p384), "claims": claims}, "invalid_key"),
          err("sign RS256 with a public key", S, {"key": dict(spec("RS256"), pem=public_pem), "claims": claims}, "invalid_key"),
          err("sign ES256 with an encrypted key", S, {"key": dict(spec("ES256"), pem=encrypted), "claims": claims}, "invalid_key"),
          err("sign ES256 with an RSA PKCS#1 key", S, {"key": dict(spec("ES256"), pem=pkcs1), "claims": claims}, "invalid_key"),
          err("sign EdDSA with half a PEM", S, {"key": dict(spec("EdDSA"), pem=PEM["EdDSA"][:60]), "claims": claims}, "invalid_key")]
    for alg, idx in (("ES256", 1), ("EdDSA", 2), ("RS256", 0)):
        pub = {k: JWKS["keys"][idx][k] for k in JWKS["keys"][idx] if k not in ("use",)}
        v.append(ok(f"public JWK of the {alg} test key", "public_jwk", {"key": spec(alg)}, dict(pub, use="sig")))
    v.append(err("no public JWK for a shared secret", "public_jwk", {"key": {"kid": "k", "alg": "HS256", "secret": b64(b"k" * 32)}}, "invalid_key"))
    return v

# ---------------------------------------------------------------- invitations
INV_ID = "0190a5c4-1111-7000-8000-000000000111"
def invitation_claims(**kw):
    c = {"iss": ISS, "inv": INV_ID, "org_id": ORG_ID, "org_slug": "cardiology", "email": "bob@hospital.com", "role": "member",
         "iat": NOW - 60, "exp": NOW + 7 * 86400, "nonce": "n0nce-0123456789abcdef"}
    c.update(kw)
    return c

def invitations():
    v = []
    I, VI = "issue_invitation", "verify_invitation"
    req = {"issuer": ISS, "invitation_id": INV_ID, "org_id": ORG_ID, "org_slug": "cardiology", "email": "Bob@Hospital.com",
           "role": "member", "now": NOW, "nonce": "n0nce-0123456789abcdef"}
    key = {"kid": "test-eddsa", "alg": "EdDSA", "pem": PEM["EdDSA"]}
    v += [ok("issue with the 7-day default", I, {"key": key, "invitation": req},
             {"claims": {"iss": ISS, "inv": INV_ID, "org_id": ORG_ID, "email": "bob@hospital.com", "role": "member", "iat": NOW, "exp": NOW + 604800}}),
          ok("issue for 30 days", I, {"key": key, "invitation": dict(req, ttl_seconds=30 * 86400)}, {"claims": {"exp": NOW + 30 * 86400}}),
          err("issue for 31 days", I, {"key": key, "invitation": dict(req, ttl_seconds=31 * 86400)}, "invalid_request"),
          err("short nonce", I, {"key": key, "invitation": dict(req, nonce="abc")}, "invalid_request"),
          err("invite a malformed email", I, {"key": key, "invitation": dict(req, email="bob")}, "invalid_email"),
          err("invite with an unknown role", I, {"key": key, "invitation": dict(req, role="god")}, "invalid_role")]
    tok = sign(invitation_claims(), "ES256", typ="orgkit-invitation+jwt")
    def vi(n, token, out, email=None, options=OPTS):
        inp = {"token": token, "jwks": JWKS, "options": options}
        if email is not None:
            inp["email"] = email
        return (err if isinstance(out, str) else ok)(n, VI, inp, out)
    v += [vi("valid invitation", tok, {"inv": INV_ID, "email": "bob@hospital.com", "role": "member", "org_id": ORG_ID}),
          vi("email matches after normalisation", tok, {"inv": INV_ID}, email="  BOB@hospital.com"),
          vi("another email", tok, "invitation_email_mismatch", email="eve@hospital.com"),
          vi("expired invitation", sign(invitation_claims(iat=NOW - 8 * 86400, exp=NOW - 86400), "ES256", typ="orgkit-invitation+jwt"), "invitation_expired"),
          vi("access token as invitation", sign(access_claims()), "wrong_token_type"),
          vi("invitation typ on access claims", sign(access_claims(), typ="orgkit-invitation+jwt"), "invalid_token"),
          vi("invitation from another issuer", sign(invitation_claims(iss="https://evil.example.com"), "ES256", typ="orgkit-invitation+jwt"), "invalid_issuer"),
          vi("invitation signed by an attacker", sign(invitation_claims(role="owner"), "ES256", typ="orgkit-invitation+jwt", key=ATTACKER_PEM), "invalid_signature"),
          vi("EdDSA invitation", sign(invitation_claims(), "EdDSA", typ="orgkit-invitation+jwt"), {"inv": INV_ID})]
    rec = lambda **kw: dict({"expires_at": NOW + 100}, **kw)
    v += [ok("status pending", "invitation_status", {"record": rec(), "now": NOW}, {"status": "pending"}),
          ok("status accepted", "invitation_status", {"record": rec(accepted_at=NOW - 5), "now": NOW}, {"status": "accepted"}),
          ok("status revoked", "invitation_status", {"record": rec(revoked_at=NOW - 5), "now": NOW}, {"status": "revoked"}),
          ok("expired at the instant", "invitation_status", {"record": rec(expires_at=NOW), "now": NOW}, {"status": "expired"}),
          ok("accepted stays accepted after expiry", "invitation_status", {"record": rec(expires_at=NOW - 10, accepted_at=NOW - 20), "now": NOW}, {"status": "accepted"}),
          ok("a pending invitation is acceptable", "check_invitation_acceptable", {"record": rec(), "now": NOW}, {"allowed": True}),
          err("a used invitation is refused", "check_invitation_acceptable", {"record": rec(accepted_at=NOW - 5), "now": NOW}, "invitation_used"),
          err("a revoked invitation is refused", "check_invitation_acceptable", {"record": rec(revoked_at=NOW - 5), "now": NOW}, "invitation_revoked"),
          err("an expired invitation is refused", "check_invitation_acceptable", {"record": rec(expires_at=NOW - 1), "now": NOW}, "invitation_expired"),
          ok("a pending invitation can be resent", "check_invitation_resendable", {"record": rec(), "now": NOW}, {"allowed": True}),
          ok("an expired invitation can be resent", "check_invitation_resendable", {"record": rec(expires_at=NOW - 1), "now": NOW}, {"allowed": True}),
          err("an accepted invitation cannot be resent", "check_invitation_resendable", {"record": rec(accepted_at=NOW - 5), "now": NOW}, "invitation_used"),
          err("a revoked invitation cannot be resent", "check_invitation_resendable", {"record": rec(revoked_at=NOW - 5), "now": NOW}, "invitation_revoked"),
          err("an accepted invitation past its expiry cannot be resent", "check_invitation_resendable", {"record": rec(expires_at=NOW - 10, accepted_at=NOW - 20), "now": NOW}, "invitation_used")]
    v += LINK_AND_AMR
    return v


def link(name, record, latest, expect):
    i = {"record": record, "now": NOW, "latest_link": latest}
    return (ok if isinstance(expect, dict) else err)(name, "check_invitation_link", i, expect)


# The link a resend replaced, and the amr a token for an accepted invitation carries.
_rec = lambda **kw: dict({"expires_at": NOW + 100}, **kw)
LINK_AND_AMR = [
    link("the latest link of a pending invitation joins", _rec(resends=1), True, {"allowed": True}),
    link("a link a resend replaced is revoked", _rec(resends=1), False, "invitation_revoked"),
    link("an accepted invitation's old link says used, not replaced", _rec(accepted_at=NOW - 5), False, "invitation_used"),
    link("an expired invitation's old link says expired", _rec(expires_at=NOW - 1), False, "invitation_expired"),
    ok("an accepting session keeps its own amr", "acceptance_amr", {"session_amr": ["pwd", "otp"]}, {"amr": ["pwd", "otp"]}),
    ok("an accepting sso session keeps sso", "acceptance_amr", {"session_amr": ["sso"]}, {"amr": ["sso"]}),
    ok("an account the invitation creates authenticated by password", "acceptance_amr", {}, {"amr": ["pwd"]}),
]

# ---------------------------------------------------------------- claim profiles
def profiles():
    V = "verify_profiled_token"
    base = {"iss": ISS, "sub": "user_2abc", "aud": AUD, "iat": NOW - 60, "exp": NOW + 3600}
    def vp(n, claims, profile, out, require=None, role_map=None, options=OPTS, alg="ES256"):
        cfg = {"profile": profile}
        if role_map:
            cfg["role_map"] = role_map
        merged = {k: val for k, val in dict(base, **claims).items() if val is not None}
        inp = {"token": sign(merged, alg), "jwks": JWKS, "options": options, "profile": cfg}
        if require:
            inp["require"] = require
        return (err if isinstance(out, str) else ok)(n, V, inp, out)
    o = lambda name, **kw: dict({"name": name}, **kw)
    stytch_org = {"https://stytch.com/organization": {"organization_id": "organization-test-07971b06", "slug": "acme"},
                  "https://stytch.com/session": {"id": "member-session-test-1", "roles": ["stytch_member", "stytch_admin"]}}
    v = [
        vp("orgkit profile", {"org_id": ORG_ID, "org_slug": "cardiology", "org_role": "admin"}, o("orgkit"),
           {"org_id": ORG_ID, "org_slug": "cardiology", "org_role": "admin", "claims": {"sub": "user_2abc"}}, require={"role": "admin"}),
        vp("auth0 org with namespaced roles", {"org_id": "org_9ybsU1dN2dKfDkBi", "https://acme.com/roles": ["member"], "permissions": ["read:reports"]},
           o("auth0", roles_claim="https://acme.com/roles"), {"org_id": "org_9ybsU1dN2dKfDkBi", "org_slug": None, "org_role": "member", "permissions": ["read:reports"]}),
        vp("auth0 default roles claim, several roles: highest wins", {"org_id": "org_1", "https://orgkit.dev/roles": ["member", "admin"]}, o("auth0"), {"org_role": "admin"}),
        vp("auth0 custom role mapping", {"org_id": "org_1", "https://orgkit.dev/roles": ["Billing Owner"]}, o("auth0"), {"org_role": "owner"}, role_map={"Billing Owner": "owner"}),
        vp("auth0 unmapped role", {"org_id": "org_1", "https://orgkit.dev/roles": ["janitor"]}, o("auth0"), "invalid_org_claim"),
        vp("auth0 org_id not a string", {"org_id": 42}, o("auth0"), "invalid_org_claim"),
        vp("clerk v1", {"org_id": "org_2Z3", "org_slug": "acme", "org_role": "org:admin", "org_permissions": ["org:sys_memberships:manage"]}, o("clerk-v1"),
           {"org_id": "org_2Z3", "org_slug": "acme", "org_role": "admin", "permissions": ["org:sys_memberships:manage"]}, require={"org": "acme", "permission": "members:add"}),
        vp("clerk v1 member lacks admin", {"org_id": "org_2Z3", "org_slug": "acme", "org_role": "org:member"}, o("clerk-v1"), "insufficient_role", require={"role": "admin"}),
        vp("clerk v1 custom role needs a mapping", {"org_id": "org_2Z3", "org_role": "org:billing"}, o("clerk-v1"), "invalid_org_claim"),
        vp("clerk token without aud: azp is the audience", {"aud": None, "azp": AUD, "org_id": "org_2Z3", "org_role": "org:member"}, o("clerk-v1"), {"org_role": "member"}),
        vp("clerk token without aud from another origin", {"aud": None, "azp": "https://evil.example.com", "org_id": "org_2Z3"}, o("clerk-v1"), "invalid_audience"),
        vp("clerk v2 compact o claim", {"v": 2, "o": {"id": "org_2Z3", "slg": "acme", "rol": "admin", "per": "read,manage", "fpm": "3"}}, o("clerk-v2"),
           {"org_id": "org_2Z3", "org_slug": "acme", "org_role": "admin", "permissions": ["read", "manage"]}),
        vp("clerk v2 without an active org", {"v": 2}, o("clerk-v2"), {"org_id": None, "org_role": None}),
        vp("clerk v2 without an org, org required", {"v": 2}, o("clerk-v2"), "org_required", require={"role": "member"}),
        vp("clerk v2 o not an object", {"v": 2, "o": "org_2Z3"}, o("clerk-v2"), "invalid_org_claim"),
        vp("workos", {"org_id": "org_01HXYZ", "role": "admin", "permissions": ["widgets:create"]}, o("workos"),
           {"org_id": "org_01HXYZ", "org_role": "admin", "permissions": ["widgets:create"]}, require={"org": "org_01HXYZ", "role": "admin"}),
        vp("workos other org", {"org_id": "org_01HXYZ", "role": "admin"}, o("workos"), "org_mismatch", require={"org": "org_other"}),
        vp("workos provider permission satisfies by name", {"org_id": "org_01HXYZ", "role": "member", "permissions": ["members:add"]}, o("workos"),
           {"org_role": "member"}, require={"permission": "members:add"}),
        vp("stytch", stytch_org, o("stytch"), {"org_id": "organization-test-07971b06", "org_slug": "acme", "org_role": "admin"}, require={"org": "acme"}),
        vp("stytch session roles not a list", {"https://stytch.com/organization": {"organization_id": "organization-test-1"}, "https://stytch.com/session": {"roles": 3}},
           o("stytch"), "invalid_org_claim"),
        vp("logto organization token", {"aud": "urn:logto:organization:org_abc", "scope": "read:data members:add"}, o("logto"),
           {"org_id": "org_abc", "org_role": None, "permissions": ["read:data", "members:add"]},
           options=dict(OPTS, audience="urn:logto:organization:org_abc"), require={"permission": "members:add"}),
        vp("logto any organization with the prefix audience", {"aud": "urn:logto:organization:org_abc"}, o("logto"), {"org_id": "org_abc"},
           options=dict(OPTS, audience="urn:logto:organization:")),
        vp("logto token for another organization", {"aud": "urn:logto:organization:org_xyz"}, o("logto"), "invalid_audience",
           options=dict(OPTS, audience="urn:logto:organization:org_abc")),
        vp("logto has no role", {"aud": "urn:logto:organization:org_abc"}, o("logto"), "insufficient_role",
           options=dict(OPTS, audience="urn:logto:organization:org_abc"), require={"role": "viewer"}),
        vp("keycloak list form", {"organization": ["acme"]}, o("keycloak"), {"org_id": "acme", "org_slug": "acme"}),
        vp("keycloak map form with ids, org named", {"organization": {"acme": {"id": "42f4"}, "globex": {"id": "77aa"}}}, o("keycloak"),
           {"org_id": "77aa", "org_slug": "globex"}, require={"org": "globex"}),
        vp("keycloak several orgs, none named", {"organization": ["acme", "globex"]}, o("keycloak"), "org_required"),
        vp("keycloak org not in the token", {"organization": ["acme"]}, o("keycloak"), "org_mismatch", require={"org": "globex"}),
        vp("keycloak malformed organization", {"organization": 7}, o("keycloak"), "invalid_org_claim"),
        vp("custom pointers", {"tenant": {"org": {"id": "o-1", "slug": "one", "role": "owner", "perms": "a b"}}},
           o("custom", org_id="/tenant/org/id", org_slug="/tenant/org/slug", role="/tenant/org/role", permissions="/tenant/org/perms"),
           {"org_id": "o-1", "org_slug": "one", "org_role": "owner", "permissions": ["a", "b"]}, role_map={"owner": "owner"}),
        vp("custom pointer to a number", {"tenant": {"org": {"id": 5}}}, o("custom", org_id="/tenant/org/id"), "invalid_org_claim"),
        vp("profiles still check the audience", {"aud": "someone-else", "org_id": "org_1", "role": "admin"}, o("workos"), "invalid_audience"),
        vp("profiles still check expiry", {"exp": NOW - 100, "org_id": "org_1", "role": "admin"}, o("workos"), "token_expired"),
        vp("profiles refuse duplicate claims", {}, o("workos"), {}),
        err("unknown profile", V, {"token": "x.y.z", "jwks": JWKS, "options": OPTS, "profile": {"profile": {"name": "okta"}}}, "invalid_request"),
        err("an option the profile does not take is refused", V, {"token": "x.y.z", "jwks": JWKS, "options": OPTS, "profile": {"profile": {"name": "workos", "org_id": "/org"}}}, "unknown_field"),
        err("a custom pointer must start with a slash", V, {"token": "x.y.z", "jwks": JWKS, "options": OPTS, "profile": {"profile": {"name": "custom", "org_id": "org"}}}, "invalid_request"),
    ]
    dup = sign_raw_payload(json.dumps(dict(base, org_id="org_1", role="member"))[:-1].encode() + b', "role": "admin"}')
    v[-4] = err("profiles refuse duplicate claims", V, {"token": dup, "jwks": JWKS, "options": OPTS, "profile": {"profile": {"name": "workos"}}}, "invalid_token")
    # The provider table the Node and Python suites read: each provider's token, as a vector too.
    for case in PROVIDERS["cases"]:
        audience = case.get("audience", PROVIDERS["audience"])
        claims = {**base, "iss": PROVIDERS["issuer"], "aud": audience, **case["claims"]}
        profile = case["profile"] if isinstance(case["profile"], dict) else o(case["profile"])
        options = dict(OPTS, issuer=PROVIDERS["issuer"], audience=audience)
        org = case["expect"]["org_slug"] or case["expect"]["org_id"]
        v.append(vp(f"provider table: {case['name']}", claims, profile, case["expect"], require={"org": org}, options=options))
    return v

# Tokens in each provider's documented claim layout (sources in core/src/token/profile.rs), with
# the org context orgkit reads from them: the table the Node and Python profile suites sign and
# verify at test time (profiles.json, "providers"). `profile` is core's spelling (the JS suite
# renames its options to camelCase); a claim set to null is left out of the token; `audience`
# overrides the table's; `other_org` names an org the token is not for.
PROVIDER_AUD = "https://api.example.test"
PROVIDERS = {"issuer": "https://auth.provider.test", "audience": PROVIDER_AUD, "cases": [
    {"name": "auth0", "profile": "auth0",
     "claims": {"org_id": "org_9ybsU1dN2dKfDkBi", "https://orgkit.dev/roles": ["admin"], "permissions": ["read:reports"]},
     "expect": {"org_id": "org_9ybsU1dN2dKfDkBi", "org_slug": None, "org_role": "admin", "permissions": ["read:reports"]}, "other_org": "org_other"},
    {"name": "auth0 with a roles claim", "profile": {"name": "auth0", "roles_claim": "https://acme.test/roles"},
     "claims": {"org_id": "org_9ybsU1dN2dKfDkBi", "org_name": "acme", "https://acme.test/roles": ["member"]},
     "expect": {"org_id": "org_9ybsU1dN2dKfDkBi", "org_slug": None, "org_role": "member", "permissions": []}, "other_org": "org_other"},
    # Clerk session tokens carry no aud: azp (the origin) is checked against the audience.
    {"name": "clerk-v1", "profile": "clerk-v1",
     "claims": {"aud": None, "azp": PROVIDER_AUD, "org_id": "org_2Z3", "org_slug": "acme", "org_role": "org:admin", "org_permissions": ["org:sys_memberships:manage"]},
     "expect": {"org_id": "org_2Z3", "org_slug": "acme", "org_role": "admin", "permissions": ["org:sys_memberships:manage"]}, "other_org": "globex"},
    {"name": "clerk-v2", "profile": "clerk-v2",
     "claims": {"aud": None, "azp": PROVIDER_AUD, "v": 2, "o": {"id": "org_2Z3", "slg": "acme", "rol": "member", "per": "read,manage", "fpm": "3"}},
     "expect": {"org_id": "org_2Z3", "org_slug": "acme", "org_role": "member", "permissions": ["read", "manage"]}, "other_org": "globex"},
    {"name": "workos", "profile": "workos",
     "claims": {"org_id": "org_01HXYZ", "role": "member", "permissions": ["widgets:create"]},
     "expect": {"org_id": "org_01HXYZ", "org_slug": None, "org_role": "member", "permissions": ["widgets:create"]}, "other_org": "org_other"},
    {"name": "stytch", "profile": "stytch",
     "claims": {"https://stytch.com/organization": {"organization_id": "organization-test-07971b06", "slug": "acme"},
                "https://stytch.com/session": {"id": "member-session-test-1", "roles": ["stytch_member", "stytch_admin"]}},
     "expect": {"org_id": "organization-test-07971b06", "org_slug": "acme", "org_role": "admin", "permissions": []}, "other_org": "globex"},
    # Logto organization tokens name the org in aud; the verifier's audience is that URN.
    {"name": "logto", "profile": "logto", "audience": "urn:logto:organization:org_abc",
     "claims": {"scope": "read:data members:add"},
     "expect": {"org_id": "org_abc", "org_slug": None, "org_role": None, "permissions": ["read:data", "members:add"]}, "other_org": "org_xyz"},
    {"name": "keycloak map form", "profile": "keycloak",
     "claims": {"organization": {"acme": {"id": "42f4"}}},
     "expect": {"org_id": "42f4", "org_slug": "acme", "org_role": None, "permissions": []}, "other_org": "globex"},
    {"name": "keycloak list form", "profile": "keycloak",
     "claims": {"organization": ["acme"]},
     "expect": {"org_id": "acme", "org_slug": "acme", "org_role": None, "permissions": []}, "other_org": "globex"},
    {"name": "custom", "profile": {"name": "custom", "org_id": "/tenant/org/id", "org_slug": "/tenant/org/slug", "role": "/tenant/org/role", "permissions": "/tenant/org/perms"},
     "claims": {"tenant": {"org": {"id": "o-1", "slug": "one", "role": "admin", "perms": "a b"}}},
     "expect": {"org_id": "o-1", "org_slug": "one", "org_role": "admin", "permissions": ["a", "b"]}, "other_org": "two"},
]}

# ---------------------------------------------------------------- sso
def test_certificate():
    """A self-signed certificate of the fixed Ed25519 test key (Ed25519 signs deterministically)."""
    import datetime
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    key = serialization.load_pem_private_key(PEM["EdDSA"].encode(), password=None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.hospital.test")])
    day = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(day).not_valid_after(day + datetime.timedelta(days=3650)).sign(key, None))
    return cert.public_bytes(serialization.Encoding.PEM).decode()

def sso():
    v = []
    R, OWN = "redirect_target", "https://auth.hospital.test"
    r = lambda target, **kw: dict({"target": target, "public_url": OWN}, **kw)
    v += [ok("a path on the server's origin", R, r("/app?tab=1"), {"url": OWN + "/app?tab=1"}),
          ok("an absolute URL on the server's origin", R, r(OWN + "/welcome"), {"url": OWN + "/welcome"}),
          ok("an allowed redirect URL", R, r("https://app.hospital.test/done", allowed=["https://app.hospital.test/done"]), {"url": "https://app.hospital.test/done"}),
          err("another origin", R, r("https://evil.test/"), "redirect_not_allowed"),
          err("an allowed URL's origin is not enough", R, r("https://app.hospital.test/other", allowed=["https://app.hospital.test/done"]), "redirect_not_allowed"),
          err("scheme-relative", R, r("//evil.test/"), "redirect_not_allowed"),
          err("backslash trick", R, r("/\\evil.test/"), "redirect_not_allowed"),
          err("credentials in the URL", R, r("https://user:pw@auth.hospital.test/"), "redirect_not_allowed"),
          err("a fragment", R, r("/app#token"), "redirect_not_allowed"),
          err("javascript scheme", R, r("javascript:alert(1)"), "redirect_not_allowed"),
          err("control character", R, r("/app\n"), "redirect_not_allowed"),
          err("over 2048 bytes", R, r("/" + "a" * 2048), "redirect_not_allowed"),
          ok("2048 bytes", R, r("/" + "a" * 2047), {"url": OWN + "/" + "a" * 2047})]
    J, conn = "jit_role", {"id": "conn-a", "email_domains": ["hospital.com"]}
    v += [ok("a routed domain joins as member", J, {"email": "Ann@Hospital.com", "connection": conn}, {"role": "member"}),
          ok("another domain gets no membership", J, {"email": "ann@evil.com", "connection": conn}, {"role": None}),
          ok("a connection without domains gets no membership", J, {"email": "ann@hospital.com", "connection": {"id": "conn-b"}}, {"role": None}),
          ok("a malformed asserted email gets no membership", J, {"email": "ann", "connection": conn}, {"role": None})]
    C, cert = "parse_saml_connection", test_certificate()
    body = {"name": "Hospital IdP", "entity_id": "https://idp.hospital.test/saml", "sso_url": "https://idp.hospital.test/sso",
            "certificate": cert, "email_domains": ["Hospital.com", "hospital.com", "clinic.org."]}
    v += [ok("a SAML connection", C, {"body": body}, {"name": "Hospital IdP", "entity_id": "https://idp.hospital.test/saml",
                                                          "sso_url": "https://idp.hospital.test/sso", "certificate": cert,
                                                          "email_domains": ["hospital.com", "clinic.org"]}),
          ok("camelCase fields", C, {"body": {"name": "IdP", "entityId": "urn:idp", "ssoUrl": "https://idp.test/sso", "certificate": cert}},
             {"entity_id": "urn:idp", "email_domains": []}),
          err("an http SSO URL", C, {"body": dict(body, sso_url="http://idp.hospital.test/sso")}, "invalid_request"),
          err("a certificate that is not PEM", C, {"body": dict(body, certificate="MIIB...")}, "invalid_request"),
          err("a private key instead of a certificate", C, {"body": dict(body, certificate=PEM["EdDSA"])}, "invalid_request"),
          err("an email domain that is not a hostname", C, {"body": dict(body, email_domains=["not a domain"])}, "invalid_request"),
          err("an unknown connection field", C, {"body": dict(body, acs_url="https://x.test")}, "unknown_field"),
          err("no name", C, {"body": {k: val for k, val in body.items() if k != "name"}}, "invalid_request"),
          ok("a groups attribute for roles from IdP groups", C, {"body": dict(body, groupsAttribute=" memberOf ")}, {"groups_attribute": "memberOf"}),
          err("an empty groups attribute", C, {"body": dict(body, groups_attribute=" ")}, "invalid_request"),
          err("a groups attribute that is not text", C, {"body": dict(body, groups_attribute=["memberOf"])}, "invalid_request")]
    v += oidc()
    S, pol = "decide_step_up", {"max_attempts": 3, "duration_seconds": 1800}
    def step(n, out, **kw):
        facts = dict({"amr": ["pwd"], "require_mfa": True, "lockout_policy": pol, "now": NOW, "connections": ["conn-a"]}, **kw)
        return (err if isinstance(out, str) else ok)(n, S, facts, out)
    v += [step("an org without MFA: the session passes as it is", {"amr": ["pwd"], "lockout": {"failed_attempts": 2}}, require_mfa=False, lockout={"failed_attempts": 2}),
          step("a session that performed TOTP passes", {"amr": ["pwd", "otp"]}, amr=["pwd", "otp"]),
          step("the org's own SSO counts as MFA", {"amr": ["saml"]}, amr=["saml"], connection_id="conn-a"),
          step("another org's SSO connection is refused", "connection_not_allowed", amr=["saml"], connection_id="conn-z", require_mfa=False),
          step("no factor enrolled", "mfa_enrollment_required"),
          step("enrolled, no code yet", "mfa_required", mfa={"enrolled": True}),
          step("a wrong code", "invalid_mfa_code", mfa={"enrolled": True, "code_valid": False}),
          step("the right code adds otp and clears failures", {"amr": ["pwd", "otp"], "lockout": {"failed_attempts": 0, "locked_until": None}},
               mfa={"enrolled": True, "code_valid": True}, lockout={"failed_attempts": 2}),
          step("a locked account is refused before the code", "account_locked", mfa={"enrolled": True, "code_valid": True},
               lockout={"failed_attempts": 0, "locked_until": NOW + 60})]
    return v

# ---------------------------------------------------------------- sessions, lockout, redirects, abuse
def sessions():
    v = []
    # A session acts in an org only when it meets the org's policy (every request, not only at issue).
    S = "check_session"
    def sess(n, out, **kw):
        facts = dict({"amr": ["pwd"], "require_mfa": False, "connections": ["conn-a"]}, **kw)
        return (err if isinstance(out, str) else ok)(n, S, facts, out)
    v += [sess("a password session in an org without MFA", {"allowed": True}),
          sess("a password session in an org that requires MFA", "mfa_required", require_mfa=True),
          sess("a session that performed TOTP", {"allowed": True}, amr=["pwd", "otp"], require_mfa=True),
          sess("a hardware key is a second factor", {"allowed": True}, amr=["pwd", "hwk"], require_mfa=True),
          sess("the org's own SSO satisfies its MFA", {"allowed": True}, amr=["saml"], connection_id="conn-a", require_mfa=True),
          sess("the org's own OIDC satisfies its MFA", {"allowed": True}, amr=["oidc"], connection_id="conn-a", require_mfa=True),
          sess("another org's OIDC into an org", "connection_not_allowed", amr=["oidc"], connection_id="conn-z"),
          sess("another org's SSO into an org without MFA", "connection_not_allowed", amr=["saml"], connection_id="conn-z"),
          sess("another org's SSO is refused before MFA is asked", "connection_not_allowed", amr=["saml"], connection_id="conn-z", require_mfa=True),
          sess("an SSO session into an org with no connection", "connection_not_allowed", amr=["saml"], connection_id="conn-a", connections=[]),
          sess("saml without a connection is no second factor", "mfa_required", amr=["saml"], require_mfa=True),
          sess("a session with no methods", "mfa_required", amr=[], require_mfa=True),
          err("session input with an unknown field", S, {"amr": ["pwd"], "require_mfa": False, "org_id": ORG_ID}, "unknown_field"),
          err("session input without require_mfa", S, {"amr": ["pwd"]}, "invalid_request")]

    # One lockout counter per account: an org's limits only tighten the tenant's.
    L, tenant = "account_lockout_policy", {"max_attempts": 5, "duration_seconds": 900}
    v += [ok("no org: the tenant's limits", L, {"tenant": tenant}, tenant),
          ok("a lax org loosens nothing", L, {"tenant": tenant, "org": {"max_attempts": 100, "duration_seconds": 60}}, tenant),
          ok("a strict org tightens both", L, {"tenant": tenant, "org": {"max_attempts": 3, "duration_seconds": 3600}}, {"max_attempts": 3, "duration_seconds": 3600}),
          ok("fewer attempts, shorter lock: the stricter of each", L, {"tenant": tenant, "org": {"max_attempts": 2, "duration_seconds": 60}}, {"max_attempts": 2, "duration_seconds": 900})]
    D = "decide_password_login"
    base = {"lockout_policy": tenant, "password_rules": {"min_length": 12}, "require_mfa": False, "password_ok": True,
            "password": "correct horse battery", "email": "bob@hospital.com", "now": NOW}
    def d(n, out, **kw):
        return (err if isinstance(out, str) else ok)(n, D, dict(base, **kw), out)
    strict = {"max_attempts": 1, "duration_seconds": 604800}
    v += [d("a member logs into the named org", {"amr": ["pwd"]}, org={"member": True, "lockout_policy": tenant}),
          d("the right password for an org the user is not in", "invalid_credentials", org={"member": False, "lockout_policy": strict}),
          d("a wrong password for an org the user is not in", "invalid_credentials", password_ok=False, org={"member": False, "lockout_policy": strict}),
          d("the right password for an org that does not exist", "invalid_credentials", org={"member": False}),
          d("a stranger's org that requires MFA tells nothing", "invalid_credentials", require_mfa=True, mfa={"enrolled": True}, org={"member": False}),
          d("a locked account naming a stranger's org", "account_locked", org={"member": False}, lockout={"locked_until": NOW + 60}),
          err("a named org without membership", D, dict(base, org={"lockout_policy": tenant}), "invalid_request")]

    # Redirects after SSO: never the server's own routes that send the browser on.
    R, own = "redirect_target", "https://auth.example.com"
    listed = ["https://auth.example.com/saml/conn-evil/login", "https://app.customer.com/callback"]
    def r(n, target, out, public_url=own, allowed=listed):
        inp = {"target": target, "public_url": public_url, "allowed": allowed}
        return (err if isinstance(out, str) else ok)(n, R, inp, out)
    v += [r("an SP-initiated login of any connection", "/saml/conn-evil/login", "redirect_not_allowed"),
          r("an SP-initiated login listed by URL", "https://auth.example.com/saml/conn-evil/login", "redirect_not_allowed"),
          r("the ACS", "/saml/conn-a/acs", "redirect_not_allowed"),
          r("an OIDC login start of any connection", "/oidc/conn-evil/login", "redirect_not_allowed"),
          r("the OIDC callback", "/oidc/conn-a/callback?code=x&state=y", "redirect_not_allowed"),
          r("the login page", "/login?organization=evil", "redirect_not_allowed"),
          r("the login page's script", "/login/login.js", "redirect_not_allowed"),
          r("the API docs", "/docs", "redirect_not_allowed"),
          r("percent-encoded saml", "/%73aml/conn-evil/login", "redirect_not_allowed"),
          r("upper-case saml", "/SAML/conn-evil/login", "redirect_not_allowed"),
          r("dot segments to saml", "/app/../saml/conn-evil/login", "redirect_not_allowed"),
          r("an app path that starts like login", "/logins", {"url": "https://auth.example.com/logins"}),
          r("an app path with saml further down", "/app/saml", {"url": "https://auth.example.com/app/saml"}),
          r("a listed callback", "https://app.customer.com/callback", {"url": "https://app.customer.com/callback"}),
          r("a callback that is not listed", "https://app.customer.com/other", "redirect_not_allowed"),
          r("server routes under a public URL with a path", "/auth/saml/c1/login", "redirect_not_allowed", public_url="https://example.com/auth"),
          r("app routes beside a public URL with a path", "/saml/c1", {"url": "https://example.com/saml/c1"}, public_url="https://example.com/auth")]
    T = "apply_tenant_settings_patch"
    def t(n, patch, out, tenant=None):
        inp = {"patch": patch} if tenant is None else {"patch": patch, "tenant": tenant}
        return (err if isinstance(out, str) else ok)(n, T, inp, out)
    v += [t("allowed redirect URLs, normalised, duplicates dropped",
            {"allowed_redirect_urls": ["https://App.Customer.com/callback", "https://app.customer.com/callback", "http://localhost:3000/cb", "http://127.0.0.1:8080/cb"]},
            {"tenant": {"allowed_redirect_urls": ["https://app.customer.com/callback", "http://localhost:3000/cb", "http://127.0.0.1:8080/cb"]}}),
          t("null empties them", {"allowed_redirect_urls": None}, {"tenant": {"allowed_redirect_urls": []}},
            tenant={"allowed_redirect_urls": ["https://app.customer.com/callback"]}),
          t("other settings keep them", {"primary_color": "#112233"}, {"tenant": {"allowed_redirect_urls": ["https://app.customer.com/callback"]}},
            tenant={"allowed_redirect_urls": ["https://app.customer.com/callback"]}),
          t("plain http off loopback", {"allowed_redirect_urls": ["http://app.customer.com/cb"]}, "invalid_setting"),
          t("a path is not absolute", {"allowed_redirect_urls": ["/callback"]}, "invalid_setting"),
          t("a fragment", {"allowed_redirect_urls": ["https://app.customer.com/cb#x"]}, "invalid_setting"),
          t("credentials", {"allowed_redirect_urls": ["https://user:pw@app.customer.com/cb"]}, "invalid_setting"),
          t("another scheme", {"allowed_redirect_urls": ["javascript:alert(1)"]}, "invalid_setting"),
          t("not a list", {"allowed_redirect_urls": "https://app.customer.com/cb"}, "invalid_setting"),
          t("not strings", {"allowed_redirect_urls": [42]}, "invalid_setting"),
          t("over 50 URLs", {"allowed_redirect_urls": [f"https://app{i}.customer.com/cb" for i in range(51)]}, "invalid_setting"),
          t("an over-long URL", {"allowed_redirect_urls": ["https://app.customer.com/" + "a" * 2048]}, "invalid_setting"),
          err("no redirect URLs at the org level", "apply_settings_patch", {"patch": {"allowed_redirect_urls": ["https://app.customer.com/cb"]}}, "unknown_field")]

    # Inviting again never mails again; resends are limited.
    C, RS = "check_invitation_creatable", "check_invitation_resendable"
    rec = lambda **kw: dict({"expires_at": NOW + 100}, **kw)
    v += [ok("a first invitation", C, {"records": [], "now": NOW}, {"allowed": True}),
          err("an address with a pending invitation", C, {"records": [rec()], "now": NOW}, "invitation_pending"),
          err("a pending one among finished ones", C, {"records": [rec(revoked_at=NOW - 9), rec(accepted_at=NOW - 5), rec()], "now": NOW}, "invitation_pending"),
          ok("only expired, revoked or accepted ones", C, {"records": [rec(expires_at=NOW), rec(revoked_at=NOW - 9), rec(accepted_at=NOW - 5)], "now": NOW}, {"allowed": True}),
          ok("a fifth resend", RS, {"record": rec(resends=4), "now": NOW}, {"allowed": True}),
          err("a sixth resend", RS, {"record": rec(resends=5), "now": NOW}, "invitation_resend_limit"),
          err("an expired invitation past the resend limit", RS, {"record": rec(resends=5, expires_at=NOW - 1), "now": NOW}, "invitation_resend_limit"),
          err("an accepted invitation past the resend limit", RS, {"record": rec(resends=9, accepted_at=NOW - 5), "now": NOW}, "invitation_used")]

    # The client behind reverse proxies: the right-most untrusted hop, only from trusted peers.
    A = "client_address"
    def a(n, out, **kw):  # out: the client's address, or an error code
        inp = dict({"peer": "10.0.0.2", "trusted_proxies": ["10.0.0.0/8"]}, **kw)
        return err(n, A, inp, out) if out.startswith("invalid_") else ok(n, A, inp, {"address": out})
    v += [a("no headers: the peer", "10.0.0.2"),
          a("an untrusted peer is the client, whatever it forwards", "198.51.100.7", peer="198.51.100.7", x_forwarded_for=["203.0.113.9"]),
          a("no trusted proxies: headers are ignored", "10.0.0.2", trusted_proxies=[], x_forwarded_for=["203.0.113.9"]),
          a("the proxy's hop, not the client's own claim", "203.0.113.9", x_forwarded_for=["6.6.6.6, 203.0.113.9"]),
          a("through two trusted proxies", "203.0.113.9", x_forwarded_for=["6.6.6.6, 203.0.113.9, 10.1.1.1"]),
          a("several header lines are one list", "203.0.113.9", x_forwarded_for=["6.6.6.6", "203.0.113.9"]),
          a("every hop trusted: the left-most", "10.9.9.9", x_forwarded_for=["10.9.9.9, 10.1.1.1"]),
          a("a hop with a port", "203.0.113.9", x_forwarded_for=["203.0.113.9:51000"]),
          a("Forwarded with an IPv6 hop", "2001:db8:cafe::17", forwarded=['for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https']),
          a("Forwarded with an obfuscated hop stops at the proxy", "10.1.1.1", forwarded=["for=_hidden, for=10.1.1.1"]),
          a("Forwarded and X-Forwarded-For that agree", "203.0.113.9", forwarded=["for=203.0.113.9"], x_forwarded_for=["203.0.113.9"]),
          a("Forwarded and X-Forwarded-For that disagree: the peer", "10.0.0.2", forwarded=["for=6.6.6.6"], x_forwarded_for=["203.0.113.9"]),
          a("an IPv4-mapped peer", "203.0.113.9", peer="::ffff:10.0.0.2", x_forwarded_for=["203.0.113.9"]),
          a("a trusted address without a prefix", "203.0.113.9", peer="192.0.2.1", trusted_proxies=["192.0.2.1"], x_forwarded_for=["203.0.113.9"]),
          a("a peer that is no address", "invalid_request", peer="localhost"),
          a("a trusted proxy that is no network", "invalid_request", trusted_proxies=["10.0.0.0/33"])]
    # The default abuse limits: never looser than 20 logins per address and minute.
    q = lambda burst, every: {"burst": burst, "replenish_seconds": every}
    v.append(ok("the default abuse limits", "rate_limits", {}, {"limits": [
        {"action": "signup", "per_address": q(10, 6), "per_account": q(3, 20)},
        {"action": "login", "per_address": q(20, 3), "per_account": q(10, 6)},
        {"action": "discover", "per_address": q(60, 1), "per_account": q(30, 2)},
        {"action": "accept_invitation", "per_address": q(20, 3), "per_account": q(10, 6)},
        {"action": "saml_start", "per_address": q(30, 2), "per_account": None},
        {"action": "send_invitation", "per_address": q(30, 2), "per_account": q(20, 60)},
        {"action": "verify_domain", "per_address": q(30, 2), "per_account": q(10, 6)}]}))
    return v

# ---------------------------------------------------------------- verifier (stateful)
def verifier():
    """Scenarios for the long-lived verifier (core's Verifier, the WASM OrgGuard, the Python
    OrgTokenVerifier): a configuration and a JWKS, then steps against that one verifier."""
    keys = {k["kid"]: k for k in JWKS["keys"]}
    jwks = {"test": JWKS,
            "test reordered": {"keys": [keys["test-eddsa"], keys["test-es256"], keys["test-rs256"]]},
            "test without eddsa": {"keys": [keys["test-rs256"], keys["test-es256"]]},
            "es256 only": {"keys": [keys["test-es256"]]},
            "attacker under our kid": ATTACKER_JWKS,
            "empty": {"keys": []}}
    provider = {"iss": ISS, "sub": "user_2abc", "aud": AUD, "iat": NOW - 60, "exp": NOW + 3600}
    tokens = {"admin": sign(access_claims()),
              "admin eddsa": sign(access_claims(sub="user-eddsa"), "EdDSA"),
              "admin rs256": sign(access_claims(sub="user-rs256"), "RS256"),
              "user a": sign(access_claims(sub="user-a")), "user b": sign(access_claims(sub="user-b")),
              "user c": sign(access_claims(sub="user-c")),
              "other audience": sign(access_claims(aud="another-api")),
              "garbage": "not-a-jwt",
              "attacker owner": sign(access_claims(org_role="owner"), key=ATTACKER_PEM),
              "no kid": sign(access_claims(), kid=None),
              "workos admin": sign(dict(provider, org_id="org_01HXYZ", role="admin")),
              "keycloak two orgs": sign(dict(provider, organization={"acme": {"id": "42f4"}, "globex": {"id": "77aa"}})),
              "auth0 unmapped role": sign(dict(provider, org_id="org_1", **{"https://orgkit.dev/roles": ["janitor"]}))}
    config = {"issuer": ISS, "audience": AUD}
    admin = {"sub": USER_ID, "org_id": ORG_ID, "org_role": "admin"}
    EXP = NOW + 3600

    def verify(token, now=NOW, out=None, cached=None, **require):
        step = {"verify": token, "now": now}
        if require:
            step["require"] = require
        step["error" if isinstance(out, str) else "expect"] = out if out is not None else {}
        if cached is not None:
            step["cached"] = cached
        return step

    def replace(name, cached, error=None):
        return dict({"replace_jwks": name, "cached": cached}, **({"error": error} if error else {}))

    def scenario(name, steps, jwks_name="test", **cfg):
        return {"name": name, "config": dict(config, **cfg), "jwks": jwks_name, "steps": steps}

    def refused(name, code, field=None, jwks_name="test", **cfg):
        return dict({"name": name, "config": dict(config, **cfg), "jwks": jwks_name, "error": code},
                    **({"field": field} if field else {}))

    scenarios = [
        scenario("a repeated token is answered from the cache", [
            verify("admin", out=admin, cached=1), verify("admin", now=NOW + 10, out=admin, cached=1)]),
        scenario("requirements run on every call, a remembered token's too", [
            verify("admin", out=admin, cached=1, role="admin", org="cardiology"),
            verify("admin", out="insufficient_role", cached=1, role="owner"),
            verify("admin", out="org_mismatch", cached=1, org="radiology"),
            verify("admin", out="insufficient_role", cached=1, permission="org:delete"),
            verify("admin", out=admin, cached=1, permission="members:add", org=ORG_ID),
            verify("admin", out="invalid_role", cached=1, role="root"),
            verify("admin", out="invalid_permission", cached=1, permission="org:explode")]),
        scenario("a valid token failing its requirement is remembered all the same", [
            verify("admin", out="insufficient_role", cached=1, role="owner"), verify("admin", out=admin, cached=1)]),
        scenario("an invalid token is never remembered", [
            verify("other audience", out="invalid_audience", cached=0), verify("garbage", out="invalid_token", cached=0)]),
        scenario("expiry while remembered: at exp the token is verified again, after it refused", [
            verify("admin", out=admin, cached=1), verify("admin", now=EXP - 1, out=admin, cached=1),
            verify("admin", now=EXP, out=admin, cached=0), verify("admin", now=EXP + 1, out="token_expired", cached=0)]),
        scenario("within the leeway past exp a token verifies again and is not remembered", [
            verify("admin", out=admin, cached=1), verify("admin", now=EXP + 10, out=admin, cached=0),
            verify("admin", now=EXP + 31, out="token_expired", cached=0)], leeway=30),
        scenario("the largest leeway is accepted", [verify("admin", now=EXP + 300, out=admin, cached=0)], leeway=300),
        scenario("a now before the verification is judged by core, not the cache", [
            verify("admin", out=admin, cached=1), verify("admin", now=NOW - 3600, out="token_not_yet_valid", cached=0)]),
        scenario("rotation: the same keys keep every remembered token", [
            verify("admin", out=admin), verify("admin eddsa", out={"sub": "user-eddsa"}), verify("admin rs256", out={"sub": "user-rs256"}, cached=3),
            replace("test reordered", cached=3), verify("admin eddsa", out={"sub": "user-eddsa"}, cached=3)]),
        scenario("rotation: a removed key takes its tokens with it", [
            verify("admin", out=admin), verify("admin eddsa", out={"sub": "user-eddsa"}, cached=2),
            replace("test without eddsa", cached=1), verify("admin eddsa", out="unknown_key", cached=1),
            verify("admin", out=admin, cached=1)]),
        scenario("rotation: a key replaced under its kid takes its tokens with it", [
            verify("admin", out=admin, cached=1), replace("attacker under our kid", cached=0),
            verify("admin", out="invalid_signature", cached=0), verify("attacker owner", out={"org_role": "owner"}, cached=1)]),
        scenario("rotation: a token without kid goes when its key is no longer the only one", [
            verify("no kid", out=admin, cached=1), replace("test", cached=0), verify("no kid", out="unknown_key", cached=0)],
            jwks_name="es256 only"),
        scenario("a refused JWKS keeps the keys and the remembered tokens", [
            verify("admin", out=admin, cached=1), replace("empty", cached=1, error="invalid_key"), verify("admin", out=admin, cached=1)]),
        scenario("the cache holds at most cache_size tokens", [
            verify("user a", out={"sub": "user-a"}, cached=1), verify("user b", out={"sub": "user-b"}, cached=2),
            verify("user c", out={"sub": "user-c"}, cached=2)], cache_size=2),
        scenario("cache_size 0 remembers nothing", [verify("admin", out=admin, cached=0)], cache_size=0),
        scenario("the largest cache is accepted", [verify("admin", out=admin, cached=1)], cache_size=100_000),
        scenario("a profiled token is remembered, its requirement checked per call", [
            verify("workos admin", out={"org_id": "org_01HXYZ", "org_role": "admin", "sub": "user_2abc"}, cached=1),
            verify("workos admin", out="insufficient_role", cached=1, role="owner")], profile="workos"),
        scenario("keycloak: one verification answers for each org a call names", [
            verify("keycloak two orgs", out={"org_id": "42f4", "org_slug": "acme"}, cached=1, org="acme"),
            verify("keycloak two orgs", out={"org_id": "77aa", "org_slug": "globex"}, cached=1, org="77aa"),
            verify("keycloak two orgs", out="org_required", cached=1),
            verify("keycloak two orgs", out="org_mismatch", cached=1, org="initech")], profile="keycloak"),
        scenario("a token whose org claim the profile refuses is not remembered", [
            verify("auth0 unmapped role", out="invalid_org_claim", cached=0)], profile="auth0"),
        scenario("a role map adds a provider role", [
            verify("auth0 unmapped role", out={"org_role": "viewer"}, cached=1)], profile="auth0", role_map={"janitor": "viewer"}),
        refused("a leeway above 300 s is refused when the verifier is built", "invalid_request", "leeway", leeway=301),
        refused("a cache above 100000 tokens is refused", "invalid_request", "cache_size", cache_size=100_001),
        refused("an unknown profile", "invalid_request", "profile", profile="okta"),
        refused("an option the profile does not take", "unknown_field", "profile", profile={"name": "workos", "org_id": "/org"}),
        refused("a custom pointer without a slash", "invalid_request", "profile.org_id", profile={"name": "custom", "org_id": "org"}),
        refused("a role map to an unknown role", "invalid_role", "role_map", role_map={"janitor": "boss"}),
        refused("an unusable JWKS", "invalid_key", jwks_name="empty"),
    ]
    return {"jwks": jwks, "tokens": tokens, "scenarios": scenarios}

FILES = {
    "identity.json": ("Slugs, emails, Authorization headers, Host headers and page sizes.", identity),
    "roles.json": ("The role ladder and the full permission matrix.", roles),
    "membership.json": ("Who may grant, change and remove which role; the last owner.", membership),
    "settings.json": ("Settings inheritance, merge-patches, validation and tenant floors.", settings),
    "organizations.json": ("Organization creation and patch bodies, metadata limits.", organizations),
    "directory.json": ("Directory rules: IdP groups to roles (SCIM and SSO), the last owner, which users an org's directory may provision.", directory),
    "portal.json": ("Admin-portal links: what each intent lets the link's holder do, and when a link opens.", portal),
    "events.json": ("Events and webhooks: endpoint URLs and subscriptions, listing filters, retries after a failed delivery.", events),
    "login.json": ("Password rules, lockout, routing, connections, password-login decisions, explain-login.", login),
    "sso.json": ("SSO decisions: redirect targets, just-in-time roles, SAML connection configurations, step-up into an org.", sso),
    "tokens.json": ("Access tokens signed by PyJWT: claims, requirements and the attack corpus.", tokens),
    "invitations.json": ("Invitation tokens and invitation lifecycle.", invitations),
    "sessions.json": ("Sessions acting in orgs, per-account lockout, redirect targets and allowed redirect URLs, invitation abuse limits, client addresses and rate limits.", sessions),
    "profiles.json": ("Claim profiles: tokens shaped like Auth0, Clerk v1/v2, WorkOS, Stytch, Logto, Keycloak and custom layouts; "
                      "\"providers\" is the table of provider tokens the Node and Python suites sign at test time.", profiles),
    "verifier.json": ("The long-lived verifier: scenarios of steps against one verifier (the cache, expiry, key rotation, "
                      "requirements, configuration errors); see README.md.", verifier),
}
# Beside "vectors", what a file also carries.
EXTRA = {"profiles.json": lambda: {"providers": PROVIDERS}}


if __name__ == "__main__":
    import sys
    # Name files to write only those (ES256 signatures differ on every run: rewriting a file
    # whose rules did not change only makes noise).
    only = set(sys.argv[1:])
    unknown = only - set(FILES)
    assert not unknown, f"no such vector file: {unknown}"
    total = 0
    for fname, (desc, fn) in FILES.items():
        if only and fname not in only:
            continue
        made = fn()
        if isinstance(made, dict):  # a file of scenarios
            items, doc = made["scenarios"], {"description": desc, **made}
        else:
            items, doc = made, {"description": desc, **EXTRA.get(fname, dict)(), "vectors": made}
        seen = [v["name"] for v in items]
        dups = {n for n in seen if seen.count(n) > 1}
        assert not dups, f"{fname}: duplicate names {dups}"
        (HERE / fname).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
        total += len(items)
        print(f"{fname}: {len(items)}")
    print(f"total: {total}")
