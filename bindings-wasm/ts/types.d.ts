// ---- orgkit: the declarations of the JS surface (included into the generated .d.ts by
// src/types.rs). Every input and output type of core (OrgClaims, SettingsLayer, Operations, …)
// and the guard's config and options are generated from the Rust types by tsify and sit beside
// these; what is here is the JS-only surface: the error class, JWKS, the patch shapes core
// parses by hand, and the typed `call`. A node test compiles every vector input against the
// generated types and checks the unions against the running module.

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
  readonly family: Family;
}

/** A JSON Web Key (RFC 7517): `kty`, `kid`, `alg` and the key's own members. */
export interface Jwk { kty: string; kid?: string; alg?: string; use?: string; [member: string]: unknown }
/** A JSON Web Key Set (its keys as fetched: core checks each member). */
export interface Jwks { keys: Array<Jwk | Record<string, unknown>> }

/** The name of a claim profile. */
export type ClaimProfileName = ClaimProfile["name"];
/** Every field of each member of union `T` spelled in camelCase (the JS options' spelling). */
export type CamelFields<T> = T extends unknown ? { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] } : never;
/** `new OrgGuard({ profile })`: a profile's name, or the profile with camelCase options. */
export type GuardProfile = ClaimProfileName | CamelFields<ClaimProfile>;

/** `snake_case` → `camelCase`. */
export type CamelCase<S extends string> = S extends `${infer H}_${infer T}` ? `${H}${Capitalize<CamelCase<T>>}` : S;
/** Every key of `T` also spelled in camelCase (the user API's spelling), all optional and nullable. */
export type PatchOf<T> = { [K in keyof T]?: T[K] | null } & { [K in keyof T & string as CamelCase<K>]?: T[K] | null };
/** A merge-patch of settings: absent = unchanged, `null` = inherit again; snake_case or camelCase names. */
export type SettingsPatch = PatchOf<SettingsLayer>;
/**
 * A tenant settings patch: setting fields flat, plus a `floors` merge-patch (`null` clears every
 * floor) and the tenant's `allowed_redirect_urls` (a list replaces them, `null` empties them).
 */
export type TenantSettingsPatch = SettingsPatch & { floors?: PatchOf<Floors> | null; allowed_redirect_urls?: string[] | null };
/** A SAML connection configuration as the management API takes it (snake_case or camelCase). */
export type SamlConnectionBody = {
  name: string; certificate: string;
  entity_id?: string; entityId?: string; sso_url?: string; ssoUrl?: string;
  email_domains?: string[] | null; emailDomains?: string[] | null;
  groups_attribute?: string | null; groupsAttribute?: string | null;
};
/** An org's OpenID Connect configuration (camelCase or snake_case). */
export type OidcConnectionBody = {
  issuer: string; clientId?: string; client_id?: string; clientSecret?: string; client_secret?: string;
  emailDomain?: string; email_domain?: string; groupsClaim?: string | null; groups_claim?: string | null;
};
/** An org's `group_role_mappings`: IdP group display name → the role its members get. */
export type GroupRoleMappings = Record<string, Role>;
/** An organization body (name, slug, metadata and setting overrides), as the API takes it. */
export type OrganizationBody = { name?: string; slug?: string; metadata?: Record<string, unknown> | null } & SettingsPatch;
