// Runs the example worker in node with real Request/Response objects and a fake origin (the
// installed package in real workerd: tests/runtimes/runtimes.test.mjs).
import assert from "node:assert/strict";
import { test } from "node:test";
import { signOrgClaims } from "orgkit";
import { testKeys } from "../../tests/helpers.mjs";
import worker from "./worker.mjs";

const issuer = "https://auth.example.test";
const audience = "orgkit";
const forwarded = [];
const env = {
  ORGKIT_JWKS: JSON.stringify(testKeys.jwks),
  ORGKIT_ISSUER: issuer,
  ORGKIT_AUDIENCE: audience,
  ORIGIN: {
    async fetch(request) {
      forwarded.push(request);
      return new Response(`origin saw ${new URL(request.url).pathname}`, { status: 200 });
    },
  },
};

function token(extra = {}) {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: issuer, aud: audience, sub: "user-1", iat: now - 10, exp: now + 600, org_id: "org-1", org_slug: "acme", org_role: "member", ...extra };
  return signOrgClaims({ key: testKeys.eddsa, claims }).token;
}

async function get(path, bearer) {
  const headers = bearer === undefined ? {} : { authorization: `Bearer ${bearer}` };
  forwarded.length = 0;
  return worker.fetch(new Request(`https://edge.example.test${path}`, { headers }), env);
}

async function refused(response, status, code) {
  assert.equal(response.status, status);
  assert.equal(response.headers.get("content-type"), "application/json");
  const body = await response.json();
  assert.equal(body.error.code, code, body.error.message);
  assert.equal(forwarded.length, 0, "a refused request never reaches the origin");
}

test("no or bad bearer token: 401 with the code", async () => {
  const none = await get("/orgs/acme/projects");
  await refused(none, 401, "unauthenticated");
  assert.match(none.headers.get("www-authenticate"), /^Bearer /);
  await refused(await get("/orgs/acme/projects", "garbage"), 401, "invalid_token");
  await refused(await get("/health", token({ exp: Math.floor(Date.now() / 1000) - 120 })), 401, "token_expired");
  await refused(await get("/health", token({ aud: "another-api" })), 401, "invalid_audience");
});

test("members of the org reach /orgs/:slug/*, with their identity forwarded", async () => {
  const response = await get("/orgs/acme/projects/1", token());
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "origin saw /orgs/acme/projects/1");
  assert.equal(forwarded.length, 1);
  assert.equal(forwarded[0].headers.get("x-orgkit-user"), "user-1");
  assert.equal(forwarded[0].headers.get("x-orgkit-org"), "org-1");
  assert.equal(forwarded[0].headers.get("x-orgkit-role"), "member");
  assert.equal((await get("/orgs/acme", token({ org_role: "viewer" }))).status, 200);
});

test("another org's token gets 403 org_mismatch; a token without org gets 403 org_required", async () => {
  await refused(await get("/orgs/globex/projects", token()), 403, "org_mismatch");
  await refused(await get("/orgs/acme/projects", token({ org_id: undefined, org_slug: undefined, org_role: undefined })), 403, "org_required");
});

test("/orgs/:slug/admin/* needs role admin", async () => {
  await refused(await get("/orgs/acme/admin/settings", token()), 403, "insufficient_role");
  assert.equal((await get("/orgs/acme/admin/settings", token({ org_role: "admin" }))).status, 200);
  assert.equal((await get("/orgs/acme/admin/settings", token({ org_role: "owner" }))).status, 200);
  await refused(await get("/orgs/globex/admin/settings", token({ org_role: "owner" })), 403, "org_mismatch");
});

test("other paths need only a valid token", async () => {
  const response = await get("/health", token({ org_id: undefined, org_slug: undefined, org_role: undefined }));
  assert.equal(response.status, 200);
  assert.equal(forwarded[0].headers.get("x-orgkit-org"), null);
});
