// Shared helpers of the node test suites.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SignJWT, exportJWK, generateKeyPair } from "jose";

export const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, "..", "..");
export const vectorsDir = join(repo, "tests", "vectors");
export const keysDir = join(vectorsDir, "keys");

/** The fixed test keys of tests/vectors/keys. */
export const testKeys = {
  jwks: JSON.parse(readFileSync(join(keysDir, "test-jwks.json"), "utf8")),
  es256: { kid: "test-es256", alg: "ES256", pem: readFileSync(join(keysDir, "test-es256.private.pem"), "utf8") },
  eddsa: { kid: "test-eddsa", alg: "EdDSA", pem: readFileSync(join(keysDir, "test-eddsa.private.pem"), "utf8") },
  rs256: { kid: "test-rs256", alg: "RS256", pem: readFileSync(join(keysDir, "test-rs256.private.pem"), "utf8") },
};

/** Every tests/vectors/*.json document by file name: each holds `vectors` or `scenarios`. */
function vectorDocuments() {
  const docs = readdirSync(vectorsDir).filter((f) => f.endsWith(".json")).sort()
    .map((file) => ({ file, doc: JSON.parse(readFileSync(join(vectorsDir, file), "utf8")) }));
  for (const { file, doc } of docs) {
    assert.ok(Array.isArray(doc.vectors) !== Array.isArray(doc.scenarios), `${file}: exactly one of "vectors" and "scenarios"`);
  }
  return docs;
}

/** Every per-operation vector of tests/vectors/*.json, with its file name. */
export function loadVectors() {
  const docs = vectorDocuments().filter(({ doc }) => Array.isArray(doc.vectors));
  const vectors = docs.flatMap(({ file, doc }) => doc.vectors.map((v) => ({ file, ...v })));
  return { files: docs.map(({ file }) => file), vectors };
}

/** The verifier's scenarios (tests/vectors/verifier.json: its JWKS sets, tokens and scenarios). */
export function loadScenarios() {
  return JSON.parse(readFileSync(join(vectorsDir, "verifier.json"), "utf8"));
}

/** The provider claim table of tests/vectors/profiles.json (`providers`). */
export function loadProviders() {
  return JSON.parse(readFileSync(join(vectorsDir, "profiles.json"), "utf8")).providers;
}

/** `snake_case` → `camelCase`: core's field names as the JS API spells them. */
export function camelCase(name) {
  return name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** A profile in core's spelling (a name, or an object with snake_case options) as JS spells it. */
export function jsProfile(profile) {
  if (profile === null || typeof profile !== "object") return profile;
  return Object.fromEntries(Object.entries(profile).map(([k, v]) => [camelCase(k), v]));
}

/**
 * Whether `actual` contains `expected` as tests/vectors/README.md defines it: objects match
 * as a recursive subset, everything else exactly. Answers null or the path of the mismatch.
 */
export function subsetMismatch(expected, actual, path = "$") {
  if (expected !== null && typeof expected === "object" && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual)) return path;
    for (const [k, v] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, k)) return `${path}.${k} (missing)`;
      const inner = subsetMismatch(v, actual[k], `${path}.${k}`);
      if (inner) return inner;
    }
    return null;
  }
  return isDeepStrictEqual(expected, actual) ? null : path;
}

function isDeepStrictEqual(a, b) {
  try {
    assert.deepStrictEqual(b, a);
    return true;
  } catch {
    return false;
  }
}

/** Asserts that `fn` throws an OrgkitError with `code` and answers the error. */
export function throwsCode(fn, code, OrgkitError) {
  let error;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected ${code}, nothing was thrown`);
  if (OrgkitError) assert.ok(error instanceof OrgkitError, `not an OrgkitError: ${error}`);
  assert.equal(error.name, "OrgkitError", String(error));
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  return error;
}

/** An Ed25519 key made now by jose: its private key and its public JWK under `kid`. */
export async function generatedKey(kid) {
  const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" } };
}

/** An org token for user-1 in org acme (admin, one hour), signed by jose with `key` (no `aud`
 *  when `audience` is undefined, as Clerk's). */
export async function joseOrgToken(key, { issuer, audience }, claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ org_id: "org-1", org_slug: "acme", org_role: "admin", ...claims })
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: "JWT" })
    .setIssuer(issuer).setSubject("user-1")
    .setIssuedAt(now - 10).setExpirationTime(claims.exp ?? now + 3600);
  return (audience === undefined ? jwt : jwt.setAudience(audience)).sign(key.privateKey);
}
