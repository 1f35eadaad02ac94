// OrgGuard with claim profiles: tokens in each provider's documented claim layout (the shared
// table of tests/vectors/profiles.json, signed here with `jose` and the fixed test keys) verify,
// answer core's ProfiledClaims and meet or fail requirements with core's codes; role maps;
// Keycloak's per-request org, also from the cache; bad profile configurations refused with a code.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SignJWT, importPKCS8 } from "jose";
import { OrgGuard, OrgkitError } from "orgkit";
import { jsProfile, loadProviders, testKeys, throwsCode } from "./helpers.mjs";

const providers = loadProviders();
const { issuer, audience } = providers;
const now = 1_900_000_000;
const es256 = await importPKCS8(testKeys.es256.pem, "ES256");

/** A token of `claims` (iss, aud, sub, iat and exp filled in unless given; null leaves one out). */
function sign(claims) {
  const payload = { iss: issuer, aud: audience, sub: "user_2abc", iat: now - 60, exp: now + 3600, ...claims };
  for (const [k, v] of Object.entries(payload)) if (v === undefined || v === null) delete payload[k];
  return new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid: testKeys.es256.kid, typ: "JWT" }).sign(es256);
}

function guard(profile, extra = {}) {
  return new OrgGuard({ jwks: testKeys.jwks, issuer, audience, profile, ...extra });
}

const unmappedRole = await sign({ org_id: "org_1", role: "janitor" });
const tokens = {
  otherAudience: await sign({ aud: "someone-else", org_id: "org_1", role: "admin" }),
  otherIssuer: await sign({ iss: "https://evil.test", org_id: "org_1", role: "admin" }),
};

for (const c of providers.cases) {
  test(`${c.name}: a token in the provider's layout answers core's profiled claims`, async () => {
    const g = guard(jsProfile(c.profile), c.audience ? { audience: c.audience } : {});
    const token = await sign({ ...(c.audience ? { aud: c.audience } : {}), ...c.claims });
    const org = c.expect.org_slug ?? c.expect.org_id;
    const got = g.authorize(`Bearer ${token}`, { now, org });
    assert.deepEqual({ ...got, claims: undefined }, { sub: "user_2abc", ...c.expect, claims: undefined });
    assert.equal(got.claims.iss, issuer, "claims holds the provider's claims as issued");
    for (const [k, v] of Object.entries(c.claims)) if (v !== null) assert.deepEqual(got.claims[k], v);
    assert.ok(Object.isFrozen(got) && Object.isFrozen(got.claims) && Object.isFrozen(got.permissions));
    if (c.expect.org_role) {
      assert.equal(g.authorize(token, { now, org, role: c.expect.org_role }).org_role, c.expect.org_role);
      throwsCode(() => g.authorize(token, { now, role: "owner" }), "insufficient_role", OrgkitError);
    } else {
      throwsCode(() => g.authorize(token, { now, role: "viewer" }), "insufficient_role", OrgkitError);
    }
    throwsCode(() => g.authorize(token, { now, org: c.other_org }), "org_mismatch", OrgkitError);
    throwsCode(() => g.authorize(token, { now: now + 3601 }), "token_expired", OrgkitError);
  });
}

test("the orgkit profile (named or by default) answers OrgClaims unchanged", async () => {
  const token = await sign({ aud: audience, org_id: "org-1", org_slug: "acme", org_role: "admin", amr: ["pwd"] });
  for (const g of [guard(undefined), guard("orgkit"), guard({ name: "orgkit" }), guard(null)]) {
    const got = g.authorize(token, { now, org: "acme", role: "admin" });
    assert.deepEqual(got, {
      iss: issuer, sub: "user_2abc", aud: audience, iat: now - 60, exp: now + 3600,
      org_id: "org-1", org_slug: "acme", org_role: "admin", amr: ["pwd"],
    });
    assert.equal(g.authorize(token, { now }), got, "served from the cache: the same object");
  }
});

test("a provider role with no mapping is invalid_org_claim; roleMap adds or overrides mappings", async () => {
  const billing = await sign({ aud: undefined, azp: audience, org_id: "org_2Z3", org_slug: "acme", org_role: "org:billing" });
  throwsCode(() => guard("clerk-v1").authorize(billing, { now }), "invalid_org_claim", OrgkitError);
  const mapped = guard("clerk-v1", { roleMap: { "org:billing": "member" } });
  assert.equal(mapped.authorize(billing, { now, role: "member" }).org_role, "member");
  throwsCode(() => mapped.authorize(billing, { now, role: "admin" }), "insufficient_role");

  const admin = await sign({ aud: undefined, azp: audience, org_id: "org_2Z3", org_role: "org:admin" });
  assert.equal(guard("clerk-v1").authorize(admin, { now }).org_role, "admin");
  const promoted = guard("clerk-v1", { roleMap: { "org:admin": "owner" } });
  assert.equal(promoted.authorize(admin, { now, role: "owner", permission: "org:delete" }).org_role, "owner");

  // Auth0's default roles claim, several roles: the highest mapped one.
  const auth0 = await sign({ org_id: "org_1", "https://orgkit.dev/roles": ["member", "Billing Owner"] });
  throwsCode(() => guard("auth0").authorize(auth0, { now }), "invalid_org_claim");
  assert.equal(guard("auth0", { roleMap: { "Billing Owner": "owner" } }).authorize(auth0, { now }).org_role, "owner");
});

test("keycloak: a multi-org token answers for the org each call names, from the cache too", async () => {
  const g = guard("keycloak");
  const token = await sign({ organization: { acme: { id: "42f4" }, globex: { id: "77aa" } } });
  const acme = g.authorize(token, { now, org: "acme" });
  assert.deepEqual([acme.org_id, acme.org_slug], ["42f4", "acme"]);
  assert.ok(Object.isFrozen(acme));
  assert.equal(g.cachedTokens, 1);
  const globex = g.authorize(token, { now: now + 5, org: "77aa" });
  assert.deepEqual([globex.org_id, globex.org_slug], ["77aa", "globex"]);
  assert.ok(Object.isFrozen(globex) && Object.isFrozen(globex.claims));
  const acmeAgain = g.authorize(token, { now: now + 10, org: "acme" });
  assert.deepEqual(acmeAgain, acme);
  assert.equal(g.cachedTokens, 1, "one verification served every org");
  throwsCode(() => g.authorize(token, { now }), "org_required");
  throwsCode(() => g.authorize(token, { now, org: "initech" }), "org_mismatch");
  throwsCode(() => g.authorize(token, { now, org: "acme", role: "viewer" }), "insufficient_role");
  // The list form: an alias is both id and slug.
  const listed = await sign({ organization: ["acme"] });
  assert.equal(g.authorize(listed, { now }).org_id, "acme");
});

test("per-token answers are converted once and served from the cache", async () => {
  const g = guard("workos");
  const token = await sign({ org_id: "org_1", role: "admin" });
  throwsCode(() => g.authorize(token, { now, role: "owner" }), "insufficient_role");
  assert.equal(g.cachedTokens, 1, "verified once even though the requirement failed");
  const first = g.authorize(token, { now, role: "admin" });
  assert.equal(g.authorize(`Bearer ${token}`, { now: now + 1 }), first);
  // A token whose org context core refuses is not cached.
  throwsCode(() => g.authorize(unmappedRole, { now }), "invalid_org_claim");
  assert.equal(g.cachedTokens, 1);
});

test("profiled tokens go through core's issuer, audience and time checks; setJwks keeps what its keys still verify", async () => {
  const g = guard("workos");
  const token = await sign({ org_id: "org_1", role: "admin" });
  throwsCode(() => g.authorize(tokens.otherAudience, { now }), "invalid_audience");
  throwsCode(() => g.authorize(tokens.otherIssuer, { now }), "invalid_issuer");
  throwsCode(() => g.authorize(token, { now: now - 3600 }), "token_not_yet_valid");
  g.authorize(token, { now });
  g.setJwks(testKeys.jwks);
  assert.equal(g.cachedTokens, 1, "the same keys: the token stays remembered");
  g.setJwks({ keys: testKeys.jwks.keys.filter((k) => k.kid !== testKeys.es256.kid) });
  assert.equal(g.cachedTokens, 0, "its key removed: forgotten");
  throwsCode(() => g.authorize(token, { now }), "unknown_key");
});

test("claims keep JS number semantics: an integer above 2^53 reads as a number", async () => {
  const token = await sign({ org_id: "org_1", role: "admin", snowflake: 12345678901234567890 });
  assert.equal(guard("workos").authorize(token, { now }).claims.snowflake, 12345678901234567890);
});

test("a bad profile configuration is refused at construction with a coded OrgkitError", () => {
  const refused = (config, code, field) => {
    const e = throwsCode(() => guard(undefined, config), code, OrgkitError);
    if (field) assert.equal(e.field, field);
  };
  refused({ profile: "okta" }, "invalid_request", "profile");
  refused({ profile: { name: "okta" } }, "invalid_request", "profile");
  refused({ profile: 42 }, "invalid_request", "profile");
  refused({ profile: {} }, "invalid_request", "profile");
  refused({ profile: { name: "auth0", rolesClaimm: "x" } }, "unknown_field", "profile");
  refused({ profile: { name: "auth0", roles_claim: "x" } }, "unknown_field", "profile");
  refused({ profile: "custom" }, "invalid_request", "profile");
  refused({ profile: { name: "custom", orgId: "org/id" } }, "invalid_request", "profile.orgId");
  refused({ profile: { name: "custom", orgId: "/org/id", permissions: "perms" } }, "invalid_request", "profile.permissions");
  refused({ profile: "clerk-v1", roleMap: { "org:billing": "boss" } }, "invalid_role", "roleMap");
  refused({ profile: "clerk-v1", roleMap: ["admin"] }, "invalid_request", "roleMap");
  refused({ profil: "clerk-v1" }, "unknown_field");
  assert.ok(guard({ name: "custom", orgId: "/org/id" }));
  assert.ok(guard({ name: "auth0", rolesClaim: null }));
});
