// Interop with the `jose` npm package, both ways, with keys generated at test time:
// tokens jose signs verify in orgkit (OrgGuard and verifyOrgToken) through a JWKS, and tokens
// orgkit's signOrgClaims issues verify in jose's jwtVerify. Claims read back as JS reads JSON.
import assert from "node:assert/strict";
import { test } from "node:test";
import { SignJWT, createLocalJWKSet, exportJWK, exportPKCS8, generateKeyPair, jwtVerify } from "jose";
import { OrgGuard, signOrgClaims, verifyOrgToken, verifyProfiledToken } from "orgkit";
import { throwsCode } from "./helpers.mjs";

const issuer = "https://auth.example.test";
const audience = "orgkit";
const algorithms = ["ES256", "EdDSA", "RS256"];

async function keyPair(alg) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const kid = `jose-${alg.toLowerCase()}`;
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { alg, kid, publicKey, privateKey, jwk, pem: await exportPKCS8(privateKey) };
}

const pairs = await Promise.all(algorithms.map(keyPair));
const jwks = { keys: pairs.map((p) => p.jwk) };

function claims(now) {
  return {
    sub: "user-42", iss: issuer, aud: audience, iat: now, exp: now + 900,
    org_id: "org-7", org_slug: "globex", org_role: "admin", amr: ["pwd", "otp"], email: "ann@globex.test",
  };
}

for (const pair of pairs) {
  test(`jose-signed ${pair.alg} tokens verify in orgkit through the JWKS`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(claims(now))
      .setProtectedHeader({ alg: pair.alg, kid: pair.kid, typ: "at+jwt" })
      .sign(pair.privateKey);
    const guard = new OrgGuard({ jwks, issuer, audience });
    const verified = guard.authorize(`Bearer ${token}`, { org: "globex", role: "admin", permission: "members:add", now });
    assert.equal(verified.sub, "user-42");
    assert.deepEqual(verified.amr, ["pwd", "otp"]);
    const viaOp = verifyOrgToken({ token, jwks, options: { issuer, audience, now }, require: { org: "org-7" } });
    assert.equal(viaOp.org_role, "admin");
    throwsCode(() => guard.authorize(token, { role: "owner", now }), "insufficient_role");
    // A token jose signs with another key under the same kid fails orgkit's signature check.
    const other = await keyPair(pair.alg);
    const forged = await new SignJWT(claims(now)).setProtectedHeader({ alg: pair.alg, kid: pair.kid }).sign(other.privateKey);
    throwsCode(() => guard.authorize(forged, { now }), "invalid_signature");
  });

  test(`orgkit-signed ${pair.alg} tokens verify in jose`, async () => {
    const now = Math.floor(Date.now() / 1000);
    const { token } = signOrgClaims({ key: { kid: pair.kid, alg: pair.alg, pem: pair.pem }, claims: claims(now) });
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer, audience, algorithms: [pair.alg], typ: "at+jwt", currentDate: new Date(now * 1000),
    });
    assert.equal(protectedHeader.kid, pair.kid);
    assert.equal(payload.org_slug, "globex");
    assert.equal(payload.exp - payload.iat, 900);
    await assert.rejects(
      jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience: "someone-else" }),
      (e) => e.code === "ERR_JWT_CLAIM_VALIDATION_FAILED",
    );
  });
}

test("a claim jose writes as an integer above 2^53 reads back as that JS number", async () => {
  const now = Math.floor(Date.now() / 1000);
  const [pair] = pairs;
  const token = await new SignJWT({ ...claims(now), snowflake: 12345678901234567890 })
    .setProtectedHeader({ alg: pair.alg, kid: pair.kid })
    .sign(pair.privateKey);
  const out = verifyProfiledToken({ token, jwks, options: { issuer, audience, now }, profile: { profile: { name: "orgkit" } } });
  assert.equal(out.claims.snowflake, 12345678901234567890);
});
