// Runs every shared vector of tests/vectors through `call`, in both builds (nodejs and web).
// The count printed must equal the Rust runner's.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as node from "orgkit";
import * as web from "orgkit/web";
import { loadVectors, subsetMismatch } from "./helpers.mjs";

const require = createRequire(import.meta.url);
web.initSync({ module: readFileSync(require.resolve("orgkit/web/orgkit_bg.wasm")) });

function run(call, vector) {
  let output;
  try {
    output = call(vector.op, vector.input);
  } catch (e) {
    if (e?.name !== "OrgkitError") return `threw a non-orgkit error: ${e}`;
    if (!("error" in vector)) return `failed with ${e.code}: ${e.message}`;
    return e.code === vector.error ? null : `expected error ${vector.error}, got ${e.code}: ${e.message}`;
  }
  if ("error" in vector) return `expected error ${vector.error}, got ${JSON.stringify(output)}`;
  const at = subsetMismatch(vector.output, output);
  return at ? `output mismatch at ${at}: got ${JSON.stringify(output)}` : null;
}

for (const [label, module] of [["nodejs", node], ["web", web]]) {
  test(`every shared vector passes (${label} build)`, () => {
    const { files, vectors } = loadVectors();
    assert.ok(files.length > 0, "no tests/vectors/*.json file found");
    const failures = [];
    let passed = 0;
    for (const v of vectors) {
      assert.ok(("output" in v) !== ("error" in v), `${v.file}: ${v.name}: exactly one of output and error`);
      const problem = run(module.call, v);
      if (problem) failures.push(`${v.file}: ${v.name} (${v.op}): ${problem}`);
      else passed += 1;
    }
    if (label === "nodejs") console.log(`wasm vectors: ${vectors.length} run, ${passed} passed`);
    assert.ok(vectors.length > 0, "no vectors");
    assert.deepEqual(failures, []);
  });
}

test("vector names are unique within each file", () => {
  const seen = new Set();
  const duplicates = [];
  for (const v of loadVectors().vectors) {
    const key = `${v.file}: ${v.name}`;
    if (seen.has(key)) duplicates.push(key);
    seen.add(key);
  }
  assert.deepEqual(duplicates, []);
});
