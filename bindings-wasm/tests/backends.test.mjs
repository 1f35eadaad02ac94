// The two builds sign and verify with different code: the nodejs build with node:crypto
// (OpenSSL), the web build with RustCrypto compiled into the module. Each must accept what the
// other signs and refuse the same forgeries with the same code; keys are generated at test time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as node from "orgkit";
import * as web from "orgkit/web";
import { throwsCode } from "./helpers.mjs";

const require = createRequire(import.meta.url);
web.initSync({ module: readFileSync(require.resolve("orgkit/web/orgkit_bg.wasm")) });

const builds = { nodejs: node, web };
const issuer = "https://auth.example.test";
const audience = "orgkit";
const now = 1_800_000_000;
const options = { issuer, audience, now };
const claims = {
  iss: issuer, aud: audience, sub: "user-1", iat: now, exp: now + 600,
  org_id: "org-1", org_slug: "acme", org_role: "admin",
};

const pem = (type, options) =>
  generateKeyPairSync(type, { ...options, privateKeyEncoding: { type: "pkcs8", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } }).privateKey;
const keys = [
  { kid: "k-es256", alg: "ES256", pem: pem("ec", { namedCurve: "P-256" }) },
  { kid: "k-eddsa", alg: "EdDSA", pem: pem("ed25519") },
  { kid: "k-rs256", alg: "RS256", pem: pem("rsa", { modulusLength: 2048 }) },
];

function jwksOf(build) {
  return { keys: keys.map((key) => build.publicJwk({ key })) };
}

test("both builds derive the same public JWK from a private key", () => {
  assert.deepEqual(jwksOf(node), jwksOf(web));
});

for (const [signer, signing] of Object.entries(builds)) {
  for (const [verifier, verifying] of Object.entries(builds)) {
    test(`tokens the ${signer} build signs verify in the ${verifier} build, forgeries do not`, () => {
      const jwks = jwksOf(verifying);
      const guard = new verifying.OrgGuard({ jwks, issuer, audience });
      for (const key of keys) {
        const { token } = signing.signOrgClaims({ key, claims });
        assert.equal(guard.authorize(token, { now, org: "acme", role: "admin" }).sub, "user-1", key.alg);

        const [header, payload, signature] = token.split(".");
        const raw = Buffer.from(signature, "base64url");
        const flipped = Buffer.from(raw);
        flipped[flipped.length - 1] ^= 1;
        const forgeries = {
          "one bit of the signature flipped": `${header}.${payload}.${flipped.toString("base64url")}`,
          "signature one byte short": `${header}.${payload}.${raw.subarray(1).toString("base64url")}`,
          "random signature": `${header}.${payload}.${randomBytes(raw.length).toString("base64url")}`,
          "payload of another token": `${header}.${Buffer.from(JSON.stringify({ ...claims, org_role: "owner" })).toString("base64url")}.${signature}`,
        };
        for (const [what, forged] of Object.entries(forgeries)) {
          throwsCode(() => verifying.verifyOrgToken({ token: forged, jwks, options }), "invalid_signature", verifying.OrgkitError);
          assert.ok(what);
        }
      }
    });
  }
}

test("deterministic signatures (HS256, EdDSA, RS256) are byte-identical from both builds", () => {
  const hs256 = { kid: "k-hs256", alg: "HS256", secret: randomBytes(32).toString("base64url") };
  for (const key of [hs256, keys[1], keys[2]]) {
    assert.equal(node.signOrgClaims({ key, claims }).token, web.signOrgClaims({ key, claims }).token, key.alg);
  }
});

test("a public key off its curve or of the wrong length is refused alike by both builds", () => {
  const [es256, eddsa] = jwksOf(web).keys;
  const tokens = Object.fromEntries(keys.map((key) => [key.alg, web.signOrgClaims({ key, claims }).token]));
  const broken = [
    ["ES256", { ...es256, y: es256.x }],
    ["ES256", { ...es256, x: Buffer.alloc(31, 1).toString("base64url") }],
    ["EdDSA", { ...eddsa, x: Buffer.alloc(31, 1).toString("base64url") }],
  ];
  for (const [alg, jwk] of broken) {
    const codes = Object.values(builds).map((build) => {
      try {
        build.verifyOrgToken({ token: tokens[alg], jwks: { keys: [jwk] }, options });
        return "verified";
      } catch (e) {
        return e.code;
      }
    });
    assert.notEqual(codes[0], "verified", `${alg}: ${JSON.stringify(jwk)}`);
    assert.equal(codes[0], codes[1], `${alg}: ${JSON.stringify(jwk)}`);
  }
});
