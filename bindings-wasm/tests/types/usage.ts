// A typed usage of the package, compiled with `tsc --noEmit` by test.sh: it must type-check, and
// the lines marked @ts-expect-error must not (so the types are not `any`).
import {
  OrgGuard, OrgkitError, call, operations, allErrorCodes, validateSlug, verifyOrgToken, resolveSettings,
  type OrgClaims, type ProfiledClaims, type ErrorCode, type OperationName, type Role, type ClaimProfileName,
} from "orgkit";
import initWeb, { initSync, OrgGuard as WebGuard } from "orgkit/web";
import { OrgGuard as NodeGuardOnly, OrgkitError as GuardError, type TotpStep } from "orgkit/guard";
import initGuard, { OrgGuard as WebGuardOnly } from "orgkit/guard/web";
// @ts-expect-error: the guard modules carry no core operations
import { verifyOrgToken as notInGuard } from "orgkit/guard";

declare const request: Request;
declare const jwks: { keys: Array<Record<string, unknown>> };

const guard = new OrgGuard({ jwks, issuer: "https://auth.example.test", audience: "orgkit", leeway: 30 });
const answer: OrgClaims | ProfiledClaims = guard.authorize(request, { org: "acme", role: "admin", permission: "members:add" });
// @ts-expect-error: a profiled answer has no exp; narrow first
answer.exp;
const claims = answer as OrgClaims;
const role: Role | undefined = claims.org_role;
const exp: number = claims.exp;
guard.authorize("Bearer abc", {});
guard.authorize("abc");
guard.setJwks(JSON.stringify(jwks));
const cached: number = guard.cachedTokens;

// @ts-expect-error: not a role
guard.authorize(request, { role: "root" });
// @ts-expect-error: unknown option
guard.authorize(request, { orgg: "acme" });
// @ts-expect-error: issuer is required
new OrgGuard({ jwks, audience: "orgkit" });

// Claim profiles: a name, or the profile with camelCase options, and a role map.
const clerk = new OrgGuard({ jwks, issuer: "https://clerk.example.test", audience: "https://app.example.test", profile: "clerk-v1" });
const profiled = clerk.authorize(request, { org: "acme", role: "member" });
if ("claims" in profiled) {
  const orgRole: Role | null = profiled.org_role;
  const providerClaims: Record<string, unknown> = profiled.claims;
  const permissions: string[] = profiled.permissions;
  console.log(orgRole, providerClaims, permissions);
}
new OrgGuard({ jwks, issuer: "i", audience: "a", profile: { name: "auth0", rolesClaim: "https://acme.test/roles" }, roleMap: { "Billing Owner": "owner" } });
new OrgGuard({ jwks, issuer: "i", audience: "a", profile: { name: "custom", orgId: "/org/id", orgSlug: "/org/slug", role: "/org/role" } });
const names: ClaimProfileName[] = ["orgkit", "auth0", "clerk-v1", "clerk-v2", "workos", "stytch", "logto", "keycloak", "custom"];
// @ts-expect-error: not a profile
new OrgGuard({ jwks, issuer: "i", audience: "a", profile: "okta" });
// @ts-expect-error: JS options are camelCase
new OrgGuard({ jwks, issuer: "i", audience: "a", profile: { name: "auth0", roles_claim: "x" } });
// @ts-expect-error: the custom profile needs orgId
new OrgGuard({ jwks, issuer: "i", audience: "a", profile: { name: "custom" } });
// @ts-expect-error: not a role
new OrgGuard({ jwks, issuer: "i", audience: "a", profile: "workos", roleMap: { boss: "root" } });

const slug: string = validateSlug({ slug: "acme" }).slug;
const viaCall: string = call("normalize_slug", { name: "Acme" }).slug;
// @ts-expect-error: wrong input for the operation
call("normalize_slug", { slug: "acme" });
// @ts-expect-error: not an operation
call("no_such_op", {});
const ttl: number = resolveSettings({}).session_ttl_hours.value;
const verified: OrgClaims = verifyOrgToken({ token: "t", jwks, options: { issuer: "i", audience: "a", now: 0 } });
const ops: OperationName[] = operations();
const codes: ErrorCode[] = allErrorCodes();

try {
  validateSlug({ slug: "-x" });
} catch (e) {
  if (e instanceof OrgkitError) {
    const code: ErrorCode = e.code;
    const field: string | undefined = e.field;
    const status: number = e.status;
    console.log(code, field, status);
  }
}

async function edge(bytes: ArrayBuffer): Promise<void> {
  initSync({ module: bytes });
  await initWeb({ module_or_path: bytes });
  new WebGuard({ jwks: "{}", issuer: "i", audience: "a" }).authorize(request);
  await initGuard({ module_or_path: bytes });
  const onlyClaims: OrgClaims | ProfiledClaims = new WebGuardOnly({ jwks, issuer: "i", audience: "a" }).authorize(request, { role: "admin" });
  try {
    new NodeGuardOnly({ jwks, issuer: "i", audience: "a" }).authorize("t");
  } catch (e) {
    if (e instanceof GuardError) console.log(e.code satisfies ErrorCode, onlyClaims);
  }
}

// Generated from the Rust types: an operation's output is its record.
const step: TotpStep = { step: 1 };
// @ts-expect-error: a TOTP step is a number
const badStep: TotpStep = { step: "1" };

console.log(role, exp, names, cached, slug, viaCall, ttl, verified, ops, codes, edge, step, badStep, notInGuard);

// The remote JWKS guard, in both the full package and the guard alone.
import { RemoteOrgGuard, type RemoteOrgGuardConfig } from "orgkit";
import { RemoteOrgGuard as RemoteGuardOnly, shouldFetchJwks } from "orgkit/guard";
const remoteConfig: RemoteOrgGuardConfig = { jwksUrl: "https://auth.example.test/jwks", issuer: "i", audience: "a", cacheMaxAge: 600_000, cooldownDuration: 30_000 };
const remote = new RemoteOrgGuard(remoteConfig);
const remoteAnswer: Promise<OrgClaims | ProfiledClaims> = remote.authorize(request, { org: "acme", role: "admin" });
new RemoteGuardOnly({ jwksUrl: new URL("https://auth.example.test/jwks"), issuer: "i", audience: "a", profile: "clerk-v2" });
const due: boolean = shouldFetchJwks({ need: "unknown_kid", now: 0 }).fetch;
const keyless: OrgGuard = OrgGuard.keyless({ issuer: "i", audience: "a" });
// @ts-expect-error: a remote guard takes a URL, not keys
new RemoteOrgGuard({ jwks, issuer: "i", audience: "a" });
// @ts-expect-error: authorize is async
const notSync: OrgClaims = remote.authorize(request);
