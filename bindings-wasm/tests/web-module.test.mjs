// The web build initialised from a compiled WebAssembly.Module (what Cloudflare Workers and
// Deno deploy hand over), asynchronously, in its own process (a module initialises once).
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import init, { OrgGuard, OrgkitError, signOrgClaims } from "orgkit/web";
import { testKeys, throwsCode } from "./helpers.mjs";

const require = createRequire(import.meta.url);

test("init from a WebAssembly.Module, then verify a token", async () => {
  const module = new WebAssembly.Module(readFileSync(require.resolve("orgkit/web/orgkit_bg.wasm")));
  await init({ module_or_path: module });
  const claims = { iss: "i", aud: "a", sub: "u", iat: 100, exp: 200, org_id: "o", org_slug: "s", org_role: "owner" };
  const { token } = signOrgClaims({ key: testKeys.rs256, claims });
  const guard = new OrgGuard({ jwks: testKeys.jwks, issuer: "i", audience: "a" });
  assert.equal(guard.authorize(token, { now: 150, role: "owner", org: "s" }).sub, "u");
  throwsCode(() => guard.authorize(token, { now: 201 }), "token_expired", OrgkitError);
});
