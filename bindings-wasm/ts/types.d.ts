// ---- orgkit: shared types (included into the generated .d.ts from src/types.rs) ----------
// These mirror core's serde types (snake_case fields, as the JSON surface speaks). A node test
// compiles every vector input of tests/vectors against them and checks the unions below against
// the running module, so they cannot drift silently.

/** Every error code, as core's table lists them. */
export type ErrorCode =
  | "invalid_request" | "unknown_field" | "input_too_large" | "invalid_slug" | "invalid_email"
  | "invalid_role" | "invalid_permission" | "invalid_organization" | "invalid_setting"
  | "below_tenant_floor" | "invalid_key" | "unauthenticated" | "invalid_token" | "invalid_signature"
  | "algorithm_not_allowed" | "unknown_key" | "wrong_token_type" | "token_expired"
  | "token_not_yet_valid" | "token_revoked" | "invalid_issuer" | "invalid_audience" | "invalid_org_claim" | "org_required" | "org_mismatch"
  | "insufficient_role" | "role_ceiling" | "owner_required" | "last_owner" | "not_found"
  | "invitation_revoked" | "invitation_used" | "invitation_expired" | "invitation_email_mismatch"
  | "invalid_credentials" | "weak_password" | "password_change_required" | "mfa_required"
  | "mfa_enrollment_required" | "invalid_mfa_code" | "account_locked" | "connection_not_allowed"
  | "saml_invalid_response" | "saml_invalid_signature" | "saml_expired" | "saml_audience_mismatch"
  | "saml_unknown_request" | "saml_replay" | "redirect_not_allowed"
  | "slug_taken" | "custom_domain_taken" | "email_taken" | "already_member" | "payload_too_large"
  | "not_implemented" | "internal_error";

/** The family of a code. */
export type ErrorFamily = "request" | "token" | "permission" | "invitation" | "settings" | "login" | "resource";

/** Thrown by every orgkit function on failure. */
export declare class OrgkitError extends Error {
  readonly name: "OrgkitError";
  /** Core's stable code. */
  readonly code: ErrorCode;
  /** The input field at fault, when there is one. */
  readonly field?: string;
  /** The HTTP status a host answers with for this code. */
  readonly status: number;
  /** The family of the code. */
  readonly family: ErrorFamily;
}

/** Org roles, lowest first. */
export type Role = "viewer" | "member" | "admin" | "owner";

/** `resource:action` permissions. */
export type Permission =
  | "org:read" | "org:update" | "org:delete" | "members:read" | "members:add" | "members:update_role"
  | "members:remove" | "invitations:create" | "invitations:list" | "invitations:revoke" | "sso:read"
  | "sso:manage" | "connections:read" | "connections:manage" | "audit_log:read";

/** A JSON Web Key Set. */
export interface Jwks { keys: Array<Record<string, unknown>> }

/** Unix seconds. */
export type UnixSeconds = number;

/** The claims of an orgkit access token. */
export interface OrgClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: UnixSeconds;
  exp: UnixSeconds;
  nbf?: UnixSeconds;
  jti?: string;
  tid?: string;
  email?: string;
  amr?: string[];
  cid?: string;
  org_id?: string;
  org_slug?: string;
  org_role?: Role;
}

/** `new OrgGuard(config)`. */
export interface OrgGuardConfig {
  /** The issuer's JWKS, as an object or its JSON text. */
  jwks: Jwks | string;
  /** The exact `iss` required. */
  issuer: string;
  /** The `aud` required. */
  audience: string;
  /** Clock-skew allowance in seconds (at most 300). */
  leeway?: number;
  /** Verified tokens remembered (default 1024, 0 disables the cache). */
  cacheSize?: number;
  /**
   * Whose claim layout the tokens carry (default `"orgkit"`): a profile name, or the profile with
   * its options in camelCase (`{ name: "auth0", rolesClaim }`, `{ name: "custom", orgId, … }`).
   * With any profile but orgkit's (or with a `roleMap`), `authorize` answers `ProfiledClaims`.
   */
  profile?: GuardProfile;
  /** Provider role name → orgkit role, over the profile's defaults (e.g. `{ "org:billing": "member" }`). */
  roleMap?: Record<string, Role>;
}

/** The name of a claim profile. */
export type ClaimProfileName = ClaimProfile["name"];
/** Every field of each member of union `T` spelled in camelCase (the JS options' spelling). */
export type CamelFields<T> = T extends unknown ? { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] } : never;
/** `new OrgGuard({ profile })`: a profile's name, or the profile with camelCase options. */
export type GuardProfile = ClaimProfileName | CamelFields<ClaimProfile>;

/** `guard.authorize(input, options)`. */
export interface AuthorizeOptions {
  /** The org the request is about: its id or slug. */
  org?: string;
  /** The minimum role. */
  role?: Role;
  /** A permission the role must carry. */
  permission?: Permission;
  /** Now, unix seconds (default `Date.now() / 1000`). */
  now?: UnixSeconds;
}

export interface SettingsLayer {
  logo_url?: string | null;
  primary_color?: string | null;
  welcome_text?: string | null;
  custom_domain?: string | null;
  password_min_length?: number | null;
  require_mfa?: boolean | null;
  session_ttl_hours?: number | null;
  max_login_attempts?: number | null;
  lockout_duration_minutes?: number | null;
  default_connection_id?: string | null;
}
export interface Floors {
  password_min_length?: number | null;
  require_mfa?: boolean | null;
  max_login_attempts?: number | null;
  session_ttl_hours?: number | null;
  lockout_duration_minutes?: number | null;
}
export interface TenantSettings { defaults?: SettingsLayer; floors?: Floors }
/** `snake_case` → `camelCase`. */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
/** Every key of `T` also spelled in camelCase (the user API's spelling), all optional and nullable. */
export type PatchOf<T> = { [K in keyof T]?: T[K] | null } & { [K in keyof T & string as CamelCase<K>]?: T[K] | null };
/** A merge-patch of settings: absent = unchanged, `null` = inherit again; snake_case or camelCase names. */
export type SettingsPatch = PatchOf<SettingsLayer>;
/** A tenant settings patch: setting fields flat, plus a `floors` merge-patch (`null` clears every floor). */
export type TenantSettingsPatch = SettingsPatch & { floors?: PatchOf<Floors> | null };
export type Source = "org" | "tenant" | "tenant_floor" | "default";
export interface Effective<T> { value: T; source: Source }
export interface EffectiveSettings {
  logo_url: Effective<string | null>;
  primary_color: Effective<string>;
  welcome_text: Effective<string | null>;
  custom_domain: Effective<string | null>;
  password_min_length: Effective<number>;
  require_mfa: Effective<boolean>;
  session_ttl_hours: Effective<number>;
  max_login_attempts: Effective<number>;
  lockout_duration_minutes: Effective<number>;
  default_connection_id: Effective<string | null>;
}
export type Actor = { kind: "member"; user_id: string; role: Role } | { kind: "non_member" } | { kind: "tenant" };
export interface Target { user_id: string; role: Role }
export interface Allowed { allowed: true }
export interface PasswordRules { min_length: number }
export type PasswordViolation = "too_short" | "too_long" | "single_character" | "matches_email";
export interface LockoutPolicy { max_attempts: number; duration_seconds: number }
export interface LockoutState { failed_attempts?: number; locked_until?: UnixSeconds | null }
export interface Connection { id: string; email_domains?: string[] }
export interface OrgLoginFacts {
  id: string;
  require_mfa: boolean;
  password_min_length: number;
  default_connection_id?: string | null;
  connections?: Connection[];
}
export interface UserLoginFacts { has_password?: boolean; mfa_enrolled?: boolean; lockout?: LockoutState }
export interface LoginQuery {
  email: string;
  org?: OrgLoginFacts | null;
  tenant_connections?: Connection[];
  tenant_password_min_length: number;
  tenant_require_mfa?: boolean;
  user?: UserLoginFacts | null;
  now: UnixSeconds;
}
export interface LoginPlan {
  method: "sso" | "password";
  connection_id: string | null;
  mfa_required: boolean;
  locked: boolean;
  locked_until: UnixSeconds | null;
  password_min_length: number;
}
export interface PasswordLoginFacts {
  lockout?: LockoutState;
  lockout_policy: LockoutPolicy;
  password_rules: PasswordRules;
  require_mfa: boolean;
  password_ok: boolean;
  password?: string | null;
  email?: string | null;
  mfa?: { enrolled?: boolean; code_valid?: boolean | null };
  now: UnixSeconds;
}
export interface InvitationRecord { expires_at: UnixSeconds; accepted_at?: UnixSeconds | null; revoked_at?: UnixSeconds | null }
export type InvitationStatus = "pending" | "accepted" | "revoked" | "expired";
/** A private key: PKCS#8 PEM for RS256/ES256/EdDSA, a base64url secret for HS256. */
export interface SigningKeySpec { kid: string; alg: "RS256" | "ES256" | "EdDSA" | "HS256"; pem?: string | null; secret?: string | null }
export interface InvitationRequest {
  issuer: string;
  invitation_id: string;
  org_id: string;
  org_slug: string;
  email: string;
  role: Role;
  now: UnixSeconds;
  ttl_seconds?: number | null;
  nonce: string;
}
export interface InvitationClaims {
  iss: string; inv: string; org_id: string; org_slug: string; email: string; role: Role;
  iat: UnixSeconds; exp: UnixSeconds; nonce: string;
}
export interface VerifyOptions { issuer: string; audience: string; leeway?: number; now: UnixSeconds }
export interface Requirement { org?: string | null; role?: Role | null; permission?: Permission | null }
export interface ClaimsRequest {
  issuer: string;
  audience: string;
  user_id: string;
  email?: string | null;
  tenant_id?: string | null;
  org?: { id: string; slug: string; role: Role } | null;
  policy: { require_mfa: boolean; session_ttl_hours: number; connections?: string[] };
  authentication: { amr: string[]; connection_id?: string | null };
  jti?: string | null;
  now: UnixSeconds;
}
/** An organization body (name, slug, metadata and setting overrides), as the API takes it. */
export type OrganizationBody = { name?: string; slug?: string; metadata?: Record<string, unknown> | null } & SettingsPatch;
export interface OrganizationState { name: string; slug: string; metadata?: Record<string, unknown>; settings?: SettingsLayer }

/** Input and output of every core operation, by its snake_case name. */
export interface Operations {
  error_codes: { input?: Record<string, never> | null; output: { codes: ErrorCode[] } };
  validate_slug: { input: { slug: string }; output: { slug: string } };
  normalize_slug: { input: { name: string }; output: { slug: string } };
  normalize_email: { input: { email: string }; output: { email: string } };
  role_permissions: { input: { role: Role }; output: { permissions: Permission[] } };
  authorize: { input: { actor: Actor; permission: Permission }; output: Allowed };
  can_grant: { input: { actor: Actor; permission: Permission; role: Role }; output: Allowed };
  can_change_role: { input: { actor: Actor; target: Target; new_role: Role; owner_count: number }; output: Allowed };
  can_remove_member: { input: { actor: Actor; target: Target; owner_count: number }; output: Allowed };
  resolve_settings: { input: { tenant?: TenantSettings; org?: SettingsLayer }; output: EffectiveSettings };
  apply_settings_patch: {
    input: { tenant?: TenantSettings; org?: SettingsLayer; patch: SettingsPatch; org_connections?: string[] | null };
    output: { settings: SettingsLayer; effective: EffectiveSettings };
  };
  apply_tenant_settings_patch: {
    input: { tenant?: TenantSettings; patch: TenantSettingsPatch };
    output: { tenant: TenantSettings; effective: EffectiveSettings };
  };
  parse_new_organization: {
    input: { body: OrganizationBody };
    output: { name: string; slug: string; metadata: Record<string, unknown>; settings: SettingsLayer };
  };
  apply_organization_patch: {
    input: { tenant?: TenantSettings; org: OrganizationState; patch: OrganizationBody; org_connections?: string[] | null };
    output: { name: string; slug: string; metadata: Record<string, unknown>; settings: SettingsLayer; effective: EffectiveSettings };
  };
  check_password: { input: { password: string; rules: PasswordRules; email?: string | null }; output: { violations: PasswordViolation[] } };
  enforce_password: { input: { password: string; rules: PasswordRules; email?: string | null }; output: Allowed };
  totp_enrolment: { input: { secret: string; issuer: string; account: string }; output: { secret: string; otpauth_uri: string } };
  verify_totp: { input: { secret: string; code: string; now: UnixSeconds; last_used_step?: number | null }; output: { step: number } };
  lockout_check: { input: { state?: LockoutState; now: UnixSeconds }; output: { locked: false } };
  lockout_after_failure: { input: { state?: LockoutState; policy: LockoutPolicy; now: UnixSeconds }; output: LockoutState };
  decide_password_login: { input: PasswordLoginFacts; output: { amr: string[]; lockout: LockoutState } };
  route_email: { input: { email: string; connections: Connection[]; preferred?: string | null }; output: { connection_id: string | null } };
  check_connection_allowed: { input: { org_connections: string[]; connection_id: string }; output: Allowed };
  explain_login: { input: LoginQuery; output: LoginPlan };
  invitation_status: { input: { record: InvitationRecord; now: UnixSeconds }; output: { status: InvitationStatus } };
  check_invitation_acceptable: { input: { record: InvitationRecord; now: UnixSeconds }; output: Allowed };
  check_invitation_resendable: { input: { record: InvitationRecord; now: UnixSeconds }; output: Allowed };
  issue_invitation: { input: { key: SigningKeySpec; invitation: InvitationRequest }; output: { token: string; claims: InvitationClaims } };
  verify_invitation: {
    input: { token: string; jwks: Jwks; options: VerifyOptions; email?: string | null };
    output: InvitationClaims;
  };
  build_org_claims: { input: ClaimsRequest; output: OrgClaims };
  sign_org_claims: { input: { key: SigningKeySpec; claims: OrgClaims }; output: { token: string } };
  verify_org_token: { input: { token: string; jwks: Jwks; options: VerifyOptions; require?: Requirement }; output: OrgClaims };
  verify_profiled_token: {
    input: { token: string; jwks: Jwks; options: VerifyOptions; profile: ProfileConfig; require?: Requirement };
    output: ProfiledClaims;
  };
  check_token_not_revoked: { input: { iat: UnixSeconds; valid_after?: UnixSeconds | null }; output: Allowed };
  parse_bearer: { input: { authorization: string }; output: { token: string } };
  public_jwk: { input: { key: SigningKeySpec }; output: Record<string, unknown> };
}

/** Which identity provider's claim layout `verify_profiled_token` reads. */
export type ClaimProfile =
  | { name: "orgkit" } | { name: "auth0"; roles_claim?: string | null } | { name: "clerk-v1" } | { name: "clerk-v2" }
  | { name: "workos" } | { name: "stytch" } | { name: "logto" } | { name: "keycloak" }
  | { name: "custom"; org_id: string; org_slug?: string | null; role?: string | null; permissions?: string | null };
/** A claim profile plus role mappings (provider role name → orgkit role) over its defaults. */
export interface ProfileConfig { profile: ClaimProfile; role_map?: Record<string, Role> }
/** Verified claims of any provider, in orgkit's shape, next to the original claims. */
export interface ProfiledClaims {
  sub: string | null;
  org_id: string | null;
  org_slug: string | null;
  org_role: Role | null;
  permissions: string[];
  claims: Record<string, unknown>;
}

/** The snake_case name of a core operation. */
export type OperationName = keyof Operations;
/** The input of operation `K`. */
export type OperationInput<K extends OperationName> = Operations[K]["input"];
/** The output of operation `K`. */
export type OperationOutput<K extends OperationName> = Operations[K]["output"];

/**
 * Runs core operation `op` on `input` (the surface the shared vectors use).
 * Throws `OrgkitError` with core's code on any failure.
 */
export function call<K extends OperationName>(op: K, input: OperationInput<K>): OperationOutput<K>;
