// OrgGuard: construction, token sources, requirements, expiry, the verified-token cache and
// key rotation, in the full module and in both guard-only modules (`orgkit/guard` for node,
// `orgkit/guard/web`). Tokens are signed by orgkit with the fixed test keys at test time.
import assert from "node:assert/strict";
import { test, test as suite } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import * as full from "orgkit";
import * as guardNode from "orgkit/guard";
import * as guardWeb from "orgkit/guard/web";
import { keysDir, testKeys, throwsCode } from "./helpers.mjs";

const issuer = "https://auth.example.test";
const audience = "orgkit";
const now = 1_900_000_000;
const attackerJwks = JSON.parse(readFileSync(join(keysDir, "test-attacker-jwks.json"), "utf8"));

function claims(extra = {}) {
  return {
    iss: issuer, aud: audience, sub: "user-1", iat: now - 60, exp: now + 3600,
    org_id: "org-1", org_slug: "acme", org_role: "member", amr: ["pwd"], ...extra,
  };
}
function token(extra = {}, key = testKeys.es256) {
  return full.signOrgClaims({ key, claims: claims(extra) }).token;
}

const require = createRequire(import.meta.url);
guardWeb.initSync({ module: readFileSync(require.resolve("orgkit/guard/web/orgkit_bg.wasm")) });

test("the guard modules export the guard alone", () => {
  for (const module of [guardNode, guardWeb]) {
    assert.equal(typeof module.OrgGuard, "function");
    assert.equal(typeof module.OrgkitError, "function");
    assert.ok(module.allErrorCodes().includes("insufficient_role"));
    assert.equal(module.call, undefined);
    assert.equal(module.verifyOrgToken, undefined);
  }
});

for (const [build, { OrgGuard, OrgkitError }] of [["orgkit", full], ["orgkit/guard", guardNode], ["orgkit/guard/web", guardWeb]]) {
  const guard = (extra = {}) => new OrgGuard({ jwks: testKeys.jwks, issuer, audience, ...extra });
  const test = (name, run) => suite(`${build}: ${name}`, run);

  test("a guard is built from a JWKS object or its JSON text, and refuses bad config with a code", () => {
    assert.equal(guard().authorize(token(), { now }).sub, "user-1");
    const fromText = new OrgGuard({ jwks: JSON.stringify(testKeys.jwks), issuer, audience });
    assert.equal(fromText.authorize(token(), { now }).sub, "user-1");
    throwsCode(() => new OrgGuard({ jwks: { keys: [] }, issuer, audience }), "invalid_key", OrgkitError);
    throwsCode(() => new OrgGuard({ jwks: "{not json", issuer, audience }), "invalid_key", OrgkitError);
    throwsCode(() => new OrgGuard({ jwks: testKeys.jwks, issuer, audience, cache: 3 }), "unknown_field", OrgkitError);
    throwsCode(() => new OrgGuard({ jwks: testKeys.jwks, audience }), "invalid_request", OrgkitError);
    throwsCode(() => new OrgGuard({ jwks: testKeys.jwks, issuer, audience, leeway: 100000 }), "invalid_request", OrgkitError);
    throwsCode(() => new OrgGuard(), "invalid_request", OrgkitError);
    throwsCode(() => new OrgGuard("jwks"), "invalid_request", OrgkitError);
  });

  test("the token comes from a Request, a header value, a bare token or node-style headers", () => {
    const g = guard();
    const t = token();
    const viaRequest = g.authorize(new Request("https://api.test/orgs/acme", { headers: { Authorization: `Bearer ${t}` } }), { now });
    assert.equal(viaRequest.org_slug, "acme");
    assert.equal(g.authorize(`Bearer ${t}`, { now }).sub, "user-1");
    assert.equal(g.authorize(`bearer ${t}`, { now }).sub, "user-1");
    assert.equal(g.authorize(t, { now }).sub, "user-1");
    assert.equal(g.authorize({ headers: { authorization: `Bearer ${t}` } }, { now }).sub, "user-1");
    throwsCode(() => g.authorize(new Request("https://api.test/"), { now }), "unauthenticated", OrgkitError);
    throwsCode(() => g.authorize(new Request("https://api.test/", { headers: { authorization: "Basic dXNlcg==" } }), { now }), "unauthenticated");
    throwsCode(() => g.authorize("", { now }), "unauthenticated");
    throwsCode(() => g.authorize("Bearer", { now }), "invalid_token");
    throwsCode(() => g.authorize("not-a-jwt", { now }), "invalid_token");
    throwsCode(() => g.authorize(42, { now }), "invalid_request");
    throwsCode(() => g.authorize(undefined, { now }), "invalid_request");
  });

  test("roles, permissions and the org are required on every call", () => {
    const g = guard();
    const member = token();
    assert.equal(g.authorize(member, { now, role: "member", org: "acme" }).org_role, "member");
    assert.equal(g.authorize(member, { now, org: "org-1", permission: "org:read" }).org_id, "org-1");
    throwsCode(() => g.authorize(member, { now, role: "admin" }), "insufficient_role");
    throwsCode(() => g.authorize(member, { now, permission: "members:add" }), "insufficient_role");
    throwsCode(() => g.authorize(member, { now, org: "globex" }), "org_mismatch");
    assert.equal(g.authorize(token({ org_role: "admin" }), { now, role: "admin", org: "acme" }).org_role, "admin");
    assert.equal(g.authorize(token({ org_role: "owner" }), { now, permission: "org:delete" }).org_role, "owner");
    const noOrg = token({ org_id: undefined, org_slug: undefined, org_role: undefined });
    assert.equal(g.authorize(noOrg, { now }).sub, "user-1");
    throwsCode(() => g.authorize(noOrg, { now, org: "acme" }), "org_required");
    throwsCode(() => g.authorize(member, { now, role: "root" }), "invalid_role");
    throwsCode(() => g.authorize(member, { now, permission: "org:explode" }), "invalid_permission");
    throwsCode(() => g.authorize(member, { now, orgg: "acme" }), "unknown_field");
    throwsCode(() => g.authorize(member, { now: "yesterday" }), "invalid_request");
  });

  test("issuer, audience, expiry and leeway are core's checks", () => {
    const g = guard();
    throwsCode(() => g.authorize(token({ iss: "https://evil.test" }), { now }), "invalid_issuer");
    throwsCode(() => g.authorize(token({ aud: "other" }), { now }), "invalid_audience");
    throwsCode(() => g.authorize(token(), { now: now + 3601 }), "token_expired");
    throwsCode(() => g.authorize(token(), { now: now - 3600 }), "token_not_yet_valid");
    const lenient = guard({ leeway: 60 });
    assert.equal(lenient.authorize(token(), { now: now + 3601 }).sub, "user-1");
    throwsCode(() => lenient.authorize(token(), { now: now + 3661 }), "token_expired");
  });

  test("without `now` the guard reads the clock", () => {
    const g = guard();
    const t = Math.floor(Date.now() / 1000);
    assert.equal(g.authorize(token({ iat: t - 5, exp: t + 600 })).sub, "user-1");
    throwsCode(() => g.authorize(token({ iat: t - 600, exp: t - 300 })), "token_expired");
    throwsCode(() => g.authorize(token({ iat: t - 600, exp: t - 300 }), {}), "token_expired");
  });

  test("a repeated token is served from the cache, which never outlives exp", () => {
    const g = guard();
    const t = token();
    const first = g.authorize(t, { now });
    assert.equal(g.cachedTokens, 1);
    assert.ok(Object.isFrozen(first) && Object.isFrozen(first.amr), "shared claims are frozen");
    const again = g.authorize(`Bearer ${t}`, { now: now + 10, role: "member" });
    assert.equal(again, first, "a cache hit answers the same claims object");
    assert.equal(g.cachedTokens, 1);
    // The requirement still runs on a hit.
    throwsCode(() => g.authorize(t, { now: now + 20, role: "owner" }), "insufficient_role");
    // Past exp the entry is gone and core answers.
    throwsCode(() => g.authorize(t, { now: now + 3601 }), "token_expired");
    assert.equal(g.cachedTokens, 0);
    // A token failing its requirement is still verified once and cached for the next call.
    const t2 = token({ sub: "user-2" });
    throwsCode(() => g.authorize(t2, { now, role: "admin" }), "insufficient_role");
    assert.equal(g.cachedTokens, 1);
    // An invalid token is never cached.
    throwsCode(() => g.authorize(token({ aud: "other" }), { now }), "invalid_audience");
    assert.equal(g.cachedTokens, 1);
  });

  test("a `now` before the verification is checked by core, not served from the cache", () => {
    const g = guard();
    const t = token();
    g.authorize(t, { now });
    throwsCode(() => g.authorize(t, { now: now - 3600 }), "token_not_yet_valid");
  });

  test("the cache is bounded", () => {
    const g = guard({ cacheSize: 2 });
    for (let i = 0; i < 5; i += 1) g.authorize(token({ sub: `user-${i}` }), { now });
    assert.equal(g.cachedTokens, 2);
    const off = guard({ cacheSize: 0 });
    off.authorize(token(), { now });
    assert.equal(off.cachedTokens, 0);
    throwsCode(() => guard({ cacheSize: -1 }), "invalid_request");
  });

  test("setJwks rotates keys and forgets what the old keys verified", () => {
    const g = guard();
    const t = token();
    g.authorize(t, { now });
    assert.equal(g.cachedTokens, 1);
    throwsCode(() => g.setJwks({ keys: "nope" }), "invalid_key", OrgkitError);
    assert.equal(g.authorize(t, { now }).sub, "user-1", "a refused JWKS keeps the old keys");
    g.setJwks(attackerJwks);
    assert.equal(g.cachedTokens, 0);
    throwsCode(() => g.authorize(t, { now }), "invalid_signature");
    const attackerKey = { kid: "test-es256", alg: "ES256", pem: readFileSync(join(keysDir, "test-attacker-es256.private.pem"), "utf8") };
    assert.equal(g.authorize(token({}, attackerKey), { now }).sub, "user-1");
    g.setJwks(JSON.stringify(testKeys.jwks));
    assert.equal(g.authorize(t, { now }).sub, "user-1");
  });

  test("every algorithm of the test JWKS verifies", () => {
    const g = guard();
    for (const key of [testKeys.es256, testKeys.eddsa, testKeys.rs256]) {
      assert.equal(g.authorize(token({ sub: key.kid }, key), { now }).sub, key.kid);
    }
  });
}
