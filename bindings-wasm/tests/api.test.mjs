// The package surface: one camelCase export per core operation, OrgkitError, both builds, and
// the hand-maintained unions of the .d.ts checked against the running module.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as orgkit from "orgkit";
import * as web from "orgkit/web";
import { throwsCode } from "./helpers.mjs";

const require = createRequire(import.meta.url);
const camel = (op) => op.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

test("every core operation has a camelCase export that matches call()", () => {
  const ops = orgkit.operations();
  assert.ok(ops.length >= 20, `only ${ops.length} operations`);
  for (const op of ops) {
    assert.equal(typeof orgkit[camel(op)], "function", `missing export ${camel(op)} for ${op}`);
  }
  assert.deepEqual(orgkit.normalizeSlug({ name: "Acme Corp" }), orgkit.call("normalize_slug", { name: "Acme Corp" }));
  assert.deepEqual(orgkit.errorCodes(), { codes: orgkit.allErrorCodes() });
});

test("failures throw OrgkitError with core's code, message, field, status and family", () => {
  const e = throwsCode(() => orgkit.validateSlug({ slug: "-bad" }), "invalid_slug", orgkit.OrgkitError);
  assert.ok(e instanceof Error);
  assert.equal(e.field, "slug");
  assert.equal(e.status, 422);
  assert.equal(e.family, "request");
  assert.ok(e.message.length > 0 && typeof e.stack === "string");
  const noField = throwsCode(() => orgkit.parseBearer({ authorization: "Basic x" }), "unauthenticated");
  assert.equal(noField.field, undefined);
  assert.equal(noField.status, 401);
  throwsCode(() => orgkit.call("no_such_op", {}), "invalid_request");
  throwsCode(() => orgkit.call(42, {}), "invalid_request");
  throwsCode(() => orgkit.normalizeSlug({ name: "x", extra: 1 }), "unknown_field");
  throwsCode(() => orgkit.rolePermissions({ role: "root" }), "invalid_role");
});

test("JS values convert as JSON: undefined fields are absent, results are plain objects", () => {
  assert.deepEqual(orgkit.normalizeEmail({ email: "Ann@Example.COM", unused: undefined }), { email: "ann@example.com" });
  const out = orgkit.resolveSettings({});
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(typeof out.session_ttl_hours.value, "number");
  throwsCode(() => orgkit.lockoutCheck({ now: 10n }), "invalid_request");
});

test("the web build runs in node after initSync and throws the same errors", () => {
  web.initSync({ module: readFileSync(require.resolve("orgkit/web/orgkit_bg.wasm")) });
  assert.deepEqual(web.normalizeSlug({ name: "Acme Corp" }), { slug: "acme-corp" });
  throwsCode(() => web.validateSlug({ slug: "-bad" }), "invalid_slug", web.OrgkitError);
  assert.deepEqual(web.operations(), orgkit.operations());
});

function union(dts, name) {
  const match = dts.match(new RegExp(`export type ${name} =([^;]*);`));
  assert.ok(match, `type ${name} not found in the .d.ts`);
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort();
}

test("the .d.ts unions list exactly the module's codes, permissions and operations", () => {
  for (const entry of ["orgkit/node/orgkit.d.ts", "orgkit/web/orgkit.d.ts"]) {
    const dts = readFileSync(require.resolve("orgkit/package.json").replace("package.json", entry.replace("orgkit/", "")), "utf8");
    assert.deepEqual(union(dts, "ErrorCode"), [...orgkit.allErrorCodes()].sort());
    assert.deepEqual(union(dts, "Permission"), [...orgkit.rolePermissions({ role: "owner" }).permissions].sort());
    assert.deepEqual(union(dts, "Role"), ["admin", "member", "owner", "viewer"]);
    const table = dts.slice(dts.indexOf("export interface Operations {"));
    const body = table.slice(0, table.indexOf("\n}\n"));
    const entries = [...body.matchAll(/^( +)([a-z_]+): \{/gm)];
    const indent = Math.min(...entries.map((m) => m[1].length));
    const declared = entries.filter((m) => m[1].length === indent).map((m) => m[2]).sort();
    assert.deepEqual(declared, [...orgkit.operations()].sort(), "Operations table of the .d.ts");
    for (const op of orgkit.operations()) assert.match(dts, new RegExp(`export function ${camel(op)}\\(`));
  }
});
