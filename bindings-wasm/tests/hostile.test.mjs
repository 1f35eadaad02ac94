// Random and hostile values thrown at every export: each call either answers or throws an
// OrgkitError with one of core's codes — never another error, never a trap — and the module
// keeps working afterwards. Seeded, so a failure replays.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as orgkit from "orgkit";
import { testKeys } from "./helpers.mjs";

const codes = new Set(orgkit.allErrorCodes());

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hostileValues() {
  const cyclic = { a: 1 };
  cyclic.self = cyclic;
  let deep = {};
  for (let i = 0; i < 5000; i += 1) deep = { d: deep };
  let deepArray = [];
  for (let i = 0; i < 200; i += 1) deepArray = [deepArray];
  const throwingGetter = Object.defineProperty({}, "slug", { enumerable: true, get() { throw new Error("boom"); } });
  const throwingToJSON = { toJSON() { throw new Error("boom"); } };
  const trap = new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });
  const fakeRequest = { headers: { get() { throw new Error("boom"); } } };
  const getterHeaders = { get headers() { throw new Error("boom"); } };
  return [
    undefined, null, true, false, 0, -1, 1.5, NaN, Infinity, -Infinity, 2 ** 53 + 1, -(2 ** 63), 10n, Symbol("s"),
    "", " ", "Bearer", "Bearer  a b", "\u0000", "\ud800", "x".repeat(100_000), "a.b.c", "e30.e30.e30",
    [], [1, 2], {}, { __proto__: null }, Object.create(null), new Map([["a", 1]]), new Set([1]), new Date(0),
    new Uint8Array(8), new ArrayBuffer(8), () => 1, class {}, cyclic, deep, deepArray, throwingGetter,
    throwingToJSON, trap, fakeRequest, getterHeaders, new Request("https://x.test/"),
    { headers: { authorization: 42 } }, { headers: "nope" }, { slug: 1 }, { slug: "ok-slug", extra: {} },
    { key: { kid: "", alg: "ES256", pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----" }, claims: {} },
    { token: "e30.e30.e30", jwks: { keys: [{ kty: "oct", k: "AAAA" }] }, options: { issuer: "i", audience: "a", now: 0 } },
    { token: "x".repeat(20_000), jwks: testKeys.jwks, options: { issuer: "i", audience: "a", now: 0 } },
    { jwks: { keys: [{ kty: "RSA", n: "AQAB", e: "AQAB" }] }, issuer: "i", audience: "a" },
    { jwks: { keys: Array.from({ length: 100 }, () => testKeys.jwks.keys[0]) }, issuer: "i", audience: "a" },
  ];
}

function randomValue(next, depth = 0) {
  const r = next();
  if (depth > 3 || r < 0.3) {
    const scalars = [null, true, 0, -5, 1e300, "", "admin", "owner", "org:read", "Bearer x", "a.b.c", "😀".repeat(3),
      "auth0", "custom", "keycloak", "/org/id"];
    return scalars[Math.floor(next() * scalars.length)];
  }
  if (r < 0.5) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const keys = ["slug", "name", "email", "role", "actor", "target", "now", "token", "jwks", "options", "key", "claims",
    "tenant", "org", "patch", "kind", "user_id", "owner_count", "permission", "authorization", "record", "zzz",
    "profile", "roleMap", "rolesClaim", "orgId"];
  const obj = {};
  for (let i = Math.floor(next() * 5); i > 0; i -= 1) obj[keys[Math.floor(next() * keys.length)]] = randomValue(next, depth + 1);
  return obj;
}

/** Every callable of the package with the arguments it takes. */
function targets() {
  const guard = new orgkit.OrgGuard({ jwks: testKeys.jwks, issuer: "i", audience: "a" });
  const keycloak = new orgkit.OrgGuard({ jwks: testKeys.jwks, issuer: "i", audience: "a", profile: "keycloak" });
  const config = (extra) => ({ jwks: testKeys.jwks, issuer: "i", audience: "a", ...extra });
  const list = [];
  for (const op of orgkit.operations()) {
    const name = op.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    list.push([name, (v) => orgkit[name](v)]);
    list.push([`call(${op})`, (v) => orgkit.call(op, v)]);
  }
  list.push(["call(op=value)", (v) => orgkit.call(v, {})]);
  list.push(["new OrgGuard", (v) => new orgkit.OrgGuard(v)]);
  list.push(["guard.authorize(input)", (v) => guard.authorize(v, { now: 0 })]);
  list.push(["guard.authorize(options)", (v) => guard.authorize("a.b.c", v)]);
  list.push(["guard.setJwks", (v) => guard.setJwks(v)]);
  list.push(["new OrgGuard({ profile })", (v) => new orgkit.OrgGuard(config({ profile: v }))]);
  list.push(["new OrgGuard({ profile: { name: v } })", (v) => new orgkit.OrgGuard(config({ profile: { name: v } }))]);
  list.push(["new OrgGuard({ profile: { name: custom, orgSlug: v } })", (v) => new orgkit.OrgGuard(config({ profile: { name: "custom", orgId: "/o", orgSlug: v } }))]);
  list.push(["new OrgGuard({ roleMap })", (v) => new orgkit.OrgGuard(config({ profile: "auth0", roleMap: v }))]);
  list.push(["keycloak guard.authorize(input)", (v) => keycloak.authorize(v, { now: 0 })]);
  list.push(["keycloak guard.authorize(options)", (v) => keycloak.authorize("a.b.c", v)]);
  return list;
}

function attempt(label, fn, value) {
  try {
    fn(value);
  } catch (e) {
    if (e?.name !== "OrgkitError") assert.fail(`${label}(${describe(value)}) threw ${e?.stack ?? e}`);
    assert.ok(codes.has(e.code), `${label}: unknown code ${e.code}`);
    assert.equal(typeof e.message, "string");
  }
}

function describe(value) {
  try {
    return typeof value === "string" ? JSON.stringify(value.slice(0, 40)) : String(JSON.stringify(value)).slice(0, 80);
  } catch {
    return typeof value;
  }
}

test("hostile values at every export give coded errors", () => {
  const values = hostileValues();
  for (const [label, fn] of targets()) for (const v of values) attempt(label, fn, v);
  assert.deepEqual(orgkit.normalizeSlug({ name: "Still Works" }), { slug: "still-works" });
});

test("random JSON-like values at every export give coded errors (seeded)", () => {
  const next = rng(0x0c6a);
  for (let round = 0; round < 40; round += 1) {
    for (const [label, fn] of targets()) attempt(label, fn, randomValue(next));
  }
  assert.deepEqual(orgkit.normalizeSlug({ name: "Still Works" }), { slug: "still-works" });
});
