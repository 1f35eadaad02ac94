// The READMEs' edge snippets are copies of tested files (examples/readme/*.mjs): each file's body
// must appear verbatim as a js block of its README, and each runs here in Node against a real
// local JWKS server (node:http on 127.0.0.1:0). The snippets name their issuer's public JWKS
// URL, so this process's fetch sends those URLs to the local server instead.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { generatedKey, joseOrgToken, repo } from "./helpers.mjs";

const examples = join(repo, "bindings-wasm", "examples", "readme");
const key = await generatedKey("docs-key");
const jwksServer = createServer((_, response) => {
  response.writeHead(200, { "content-type": "application/json" });
  response.end(JSON.stringify({ keys: [key.jwk] }));
});
await new Promise((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
after(() => jwksServer.close());
const local = `http://127.0.0.1:${jwksServer.address().port}`;
const realFetch = globalThis.fetch;
globalThis.fetch = (url, init) => realFetch(String(url).replace(/^https:\/\/(auth|clerk)\.example\.com/, local), init);

/** A snippet file without its header comment: what the README shows. */
function body(file) {
  const lines = readFileSync(join(examples, file), "utf8").split("\n");
  return lines.slice(lines.findIndex((line) => !line.startsWith("//"))).join("\n");
}

const bearer = (token) => new Request("https://app.example.com/", { headers: { authorization: `Bearer ${token}` } });

test("the READMEs show the tested snippets verbatim", () => {
  const copies = [["edge.mjs", join(repo, "bindings-wasm", "npm", "README.md")], ["clerk.mjs", join(repo, "README.md")]];
  for (const [file, readme] of copies) {
    assert.ok(readFileSync(readme, "utf8").includes("```js\n" + body(file) + "```"), `${readme} does not show examples/readme/${file} as it is`);
  }
});

test("the package README's edge worker: allowed, refused with the code and status", async () => {
  const { default: worker } = await import(join(examples, "edge.mjs"));
  const claims = { issuer: "https://auth.example.com", audience: "orgkit" };
  const allowed = await worker.fetch(bearer(await joseOrgToken(key, claims)));
  assert.equal(allowed.status, 200);
  assert.equal(await allowed.text(), "hello user-1 of acme");
  const refused = await worker.fetch(bearer(await joseOrgToken(key, claims, { org_role: "member" })));
  assert.equal(refused.status, 403);
  assert.equal((await refused.json()).error.code, "insufficient_role");
});

test("the root README's Clerk guard reads a Clerk session token", async () => {
  const { handle } = await import(join(examples, "clerk.mjs"));
  const clerk = { issuer: "https://clerk.example.com", audience: undefined };
  const token = await joseOrgToken(key, clerk, { org_role: "org:admin", azp: "https://app.example.com" });
  const response = await handle(bearer(token));
  assert.deepEqual(await response.json(), { user: "user-1", org: "org-1", role: "admin" });
  const member = await joseOrgToken(key, clerk, { org_role: "org:member", azp: "https://app.example.com" });
  await assert.rejects(handle(bearer(member)), { name: "OrgkitError", code: "insufficient_role" });
});
