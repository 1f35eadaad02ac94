// RemoteOrgGuard against a real JWKS endpoint (node:http on 127.0.0.1:0) whose keys rotate, with
// keys generated at test time by jose. The JWKS clock is injected (`clock`), so max age and
// cooldown are crossed by moving it, never by sleeping; fetches are counted by the server.
import assert from "node:assert/strict";
import { test, after } from "node:test";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { OrgGuard, OrgkitError, RemoteOrgGuard } from "orgkit";
import * as guardOnly from "orgkit/guard";
import { generatedKey, joseOrgToken, loadVectors, throwsCode } from "./helpers.mjs";

const issuer = "https://auth.example.test";
const audience = "orgkit";
const MAX_AGE = 300_000;
const COOLDOWN = 30_000;

const sign = (key, claims) => joseOrgToken(key, { issuer, audience }, claims);

/** The issuer's JWKS endpoint: serves `keys`, counts GETs, answers `status` when not 200. */
async function jwksServer() {
  const server = createServer((request, response) => {
    endpoint.fetches += 1;
    if (endpoint.status !== 200) {
      response.writeHead(endpoint.status).end("unavailable");
      return;
    }
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ keys: endpoint.keys.map((k) => k.jwk) }));
  });
  const endpoint = { server, keys: [], fetches: 0, status: 200, url: "" };
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint.url = `http://127.0.0.1:${server.address().port}/.well-known/jwks.json`;
  return endpoint;
}

const endpoint = await jwksServer();
after(() => endpoint.server.close());
const key1 = await generatedKey("key-1");
const key2 = await generatedKey("key-2");
const key3 = await generatedKey("key-3");

/** A remote guard on the test endpoint, with a clock the test moves. */
function remoteGuard(Remote = RemoteOrgGuard, options = {}) {
  const clock = { now: 1_700_000_000_000 };
  const guard = new Remote({ jwksUrl: endpoint.url, issuer, audience, cacheMaxAge: MAX_AGE, cooldownDuration: COOLDOWN, clock: () => clock.now, ...options });
  return { guard, clock };
}

async function rejectsCode(promise, code) {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error, `expected ${code}, the call succeeded`);
  assert.ok(error instanceof OrgkitError || error.name === "OrgkitError", `not an OrgkitError: ${error}`);
  assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
  return error;
}

function reset(keys) {
  endpoint.keys = keys;
  endpoint.fetches = 0;
  endpoint.status = 200;
}

test("nothing is fetched at construction; N concurrent then N sequential requests fetch once", async () => {
  reset([key1]);
  const { guard } = remoteGuard();
  assert.equal(endpoint.fetches, 0);
  const token = await sign(key1);
  const answers = await Promise.all(Array.from({ length: 20 }, () => guard.authorize(`Bearer ${token}`, { org: "acme", role: "admin" })));
  assert.ok(answers.every((claims) => claims.sub === "user-1"));
  for (let i = 0; i < 20; i += 1) await guard.authorize(token, { org: "acme" });
  assert.equal(endpoint.fetches, 1);
  await rejectsCode(guard.authorize(token, { org: "globex" }), "org_mismatch");
  assert.equal(endpoint.fetches, 1, "a refusal by the requirement fetches nothing");
});

test("a new kid refetches once; within the cooldown an unknown kid fetches nothing more", async () => {
  reset([key1]);
  const { guard, clock } = remoteGuard();
  await guard.authorize(await sign(key1));
  assert.equal(endpoint.fetches, 1);
  endpoint.keys = [key1, key2]; // the issuer rotates in key-2
  clock.now += COOLDOWN;
  const rotated = await sign(key2);
  const answers = await Promise.all(Array.from({ length: 10 }, () => guard.authorize(rotated, { org: "acme" })));
  assert.ok(answers.every((claims) => claims.sub === "user-1"));
  assert.equal(endpoint.fetches, 2, "concurrent requests with the new kid share one fetch");

  const unknown = await sign(key3); // a kid the issuer never published
  clock.now += COOLDOWN - 1;
  await Promise.all(Array.from({ length: 10 }, () => rejectsCode(guard.authorize(unknown), "unknown_key")));
  assert.equal(endpoint.fetches, 2, "within the cooldown no refetch");
  clock.now += 1;
  await rejectsCode(guard.authorize(unknown), "unknown_key");
  assert.equal(endpoint.fetches, 3, "after the cooldown one refetch");
  await rejectsCode(guard.authorize(unknown), "unknown_key");
  assert.equal(endpoint.fetches, 3);
});

test("keys older than cacheMaxAge are fetched again; withdrawn keys stop verifying", async () => {
  reset([key1, key2]);
  const { guard, clock } = remoteGuard();
  const token = await sign(key1);
  await guard.authorize(token);
  clock.now += MAX_AGE - 1;
  await guard.authorize(token);
  assert.equal(endpoint.fetches, 1, "fresh keys are not fetched");
  endpoint.keys = [key2]; // key-1 withdrawn
  clock.now += 1;
  await rejectsCode(guard.authorize(token), "unknown_key");
  assert.equal(endpoint.fetches, 2, "the max age refetches once, the unknown kid within the cooldown does not");
  assert.equal((await guard.authorize(await sign(key2))).sub, "user-1");
  assert.equal(endpoint.fetches, 2);
});

test("an unreachable JWKS is a coded error (unknown_key with its cause), retried only after the cooldown", async () => {
  reset([key1]);
  endpoint.status = 503;
  const { guard, clock } = remoteGuard();
  const token = await sign(key1);
  const error = await rejectsCode(guard.authorize(token), "unknown_key");
  assert.equal(error.status, 401);
  assert.match(String(error.cause?.message), /503/);
  await rejectsCode(guard.authorize(token), "unknown_key");
  assert.equal(endpoint.fetches, 1, "a failing endpoint is not hammered");
  endpoint.status = 200;
  clock.now += COOLDOWN;
  assert.equal((await guard.authorize(token)).sub, "user-1");
  assert.equal(endpoint.fetches, 2);

  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = closed.address().port;
  await new Promise((resolve) => closed.close(resolve));
  const down = new RemoteOrgGuard({ jwksUrl: `http://127.0.0.1:${port}/jwks`, issuer, audience });
  const refused = await rejectsCode(down.authorize(token), "unknown_key");
  assert.ok(refused.cause, "the connection failure is the cause");
});

test("a fetch that outlives timeoutDuration fails like an unreachable endpoint", async () => {
  reset([key1]);
  const hanging = createServer(() => {}); // accepts, never answers
  await new Promise((resolve) => hanging.listen(0, "127.0.0.1", resolve));
  try {
    const guard = new RemoteOrgGuard({ jwksUrl: `http://127.0.0.1:${hanging.address().port}/jwks`, issuer, audience, timeoutDuration: 200 });
    const error = await rejectsCode(guard.authorize(await sign(key1)), "unknown_key");
    assert.equal(error.cause?.name, "TimeoutError");
  } finally {
    hanging.closeAllConnections();
    hanging.close();
  }
});

test("a bad config throws at construction with the option's name", () => {
  const base = { jwksUrl: endpoint.url, issuer, audience };
  assert.equal(throwsCode(() => new RemoteOrgGuard({ ...base, jwksUrl: "ftp://x/jwks" }), "invalid_request").field, "jwksUrl");
  assert.equal(throwsCode(() => new RemoteOrgGuard({ ...base, jwksUrl: undefined }), "invalid_request").field, "jwksUrl");
  assert.equal(throwsCode(() => new RemoteOrgGuard({ ...base, cooldownDuration: 60_000, cacheMaxAge: 1_000 }), "invalid_request").field, "cooldownDuration");
  assert.equal(throwsCode(() => new RemoteOrgGuard({ ...base, cacheMaxAge: 2 * 86_400_000 }), "invalid_request").field, "cacheMaxAge");
  assert.equal(throwsCode(() => new RemoteOrgGuard({ ...base, timeoutDuration: -1 }), "invalid_request").field, "timeoutDuration");
  assert.equal(throwsCode(() => new RemoteOrgGuard({ ...base, leeway: 10_000 }), "invalid_request").field, "leeway");
  throwsCode(() => new RemoteOrgGuard({ ...base, jwks_url: "x" }), "unknown_field");
  throwsCode(() => new RemoteOrgGuard({ ...base, issuer: undefined }), "invalid_request");
  throwsCode(() => new RemoteOrgGuard(new Proxy({}, { ownKeys() { throw new Error("hostile"); } })), "invalid_request");
  throwsCode(() => new RemoteOrgGuard("https://auth.example.test/jwks"), "invalid_request");
  assert.equal(endpoint.fetches, 0);
});

test("OrgGuard.keyless answers unknown_key until setJwks gives it keys", async () => {
  const guard = OrgGuard.keyless({ issuer, audience });
  const token = await sign(key1);
  throwsCode(() => guard.authorize(token), "unknown_key", OrgkitError);
  throwsCode(() => guard.authorize(""), "unauthenticated", OrgkitError);
  guard.setJwks({ keys: [key1.jwk] });
  assert.equal(guard.authorize(token).sub, "user-1");
  throwsCode(() => OrgGuard.keyless({ issuer, audience, cacheSize: -1 }), "invalid_request", OrgkitError);
});

test("the guard-only build has RemoteOrgGuard, and its shouldFetchJwks answers every jwks_refresh vector", async () => {
  reset([key1]);
  const { guard } = remoteGuard(guardOnly.RemoteOrgGuard);
  assert.equal((await guard.authorize(await sign(key1), { org: "acme", role: "admin" })).sub, "user-1");
  assert.equal(endpoint.fetches, 1);
  const vectors = loadVectors().vectors.filter((v) => v.op === "should_fetch_jwks");
  assert.ok(vectors.length > 0);
  for (const v of vectors) {
    if (v.error) {
      throwsCode(() => guardOnly.shouldFetchJwks(v.input), v.error);
    } else {
      assert.deepEqual(guardOnly.shouldFetchJwks(v.input), v.output, v.name);
    }
  }
  console.log(`guard-only shouldFetchJwks: ${vectors.length} vectors run`);
});

test("require('orgkit') and require('orgkit/guard') carry RemoteOrgGuard too", () => {
  const require = createRequire(import.meta.url);
  for (const name of ["orgkit", "orgkit/guard"]) {
    const pkg = require(name);
    assert.equal(typeof pkg.RemoteOrgGuard, "function", name);
    assert.equal(typeof pkg.OrgGuard, "function", name);
  }
});
