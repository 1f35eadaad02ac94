// Runs the verifier scenarios of tests/vectors/verifier.json against OrgGuard — each step
// against the one guard of its scenario — in the full node module and both guard-only modules.
// The count printed must equal core's and Python's. The scenarios are in core's spelling:
// options, profile options and error fields are renamed to the JS API's camelCase here.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as full from "orgkit";
import * as guardNode from "orgkit/guard";
import * as guardWeb from "orgkit/guard/web";
import { camelCase, jsProfile, loadScenarios, subsetMismatch } from "./helpers.mjs";

const require = createRequire(import.meta.url);
guardWeb.initSync({ module: readFileSync(require.resolve("orgkit/guard/web/orgkit_bg.wasm")) });

/** A scenario's config (core's spelling) as `new OrgGuard` takes it. */
function guardConfig(config, jwks) {
  const out = { jwks };
  for (const [k, v] of Object.entries(config)) out[camelCase(k)] = k === "profile" ? jsProfile(v) : v;
  return out;
}

/** What `fn` answered: `{ expect }` or `{ error, field }`. */
function outcome(fn) {
  try {
    return { expect: fn() ?? {} };
  } catch (e) {
    if (e?.name !== "OrgkitError") throw e;
    return { error: e.code, field: e.field };
  }
}

/** Null when `got` meets `want` (`expect`, or `error` and `field` in core's spelling). */
function problem(got, want) {
  if ("error" in want) {
    const field = want.field === undefined ? got.field : want.field.split(".").map(camelCase).join(".");
    return got.error === want.error && got.field === field ? null : `expected ${want.error} (${field}), got ${JSON.stringify(got)}`;
  }
  if (!("expect" in got)) return `expected success, got ${JSON.stringify(got)}`;
  const at = want.expect ? subsetMismatch(want.expect, got.expect) : null;
  return at ? `mismatch at ${at}: ${JSON.stringify(got.expect)}` : null;
}

function run(OrgGuard, doc, scenario) {
  const built = outcome(() => new OrgGuard(guardConfig(scenario.config, doc.jwks[scenario.jwks])));
  if ("error" in scenario) return problem(built, scenario) && `built: ${problem(built, scenario)}`;
  if ("error" in built) return `not built: ${JSON.stringify(built)}`;
  const guard = built.expect;
  for (const [i, step] of scenario.steps.entries()) {
    const got = "replace_jwks" in step
      ? outcome(() => guard.setJwks(doc.jwks[step.replace_jwks]))
      : outcome(() => guard.authorize(doc.tokens[step.verify], { now: step.now, ...step.require }));
    const wrong = problem(got, step);
    if (wrong) return `step ${i} ${JSON.stringify(step)}: ${wrong}`;
    if ("cached" in step && guard.cachedTokens !== step.cached) return `step ${i}: ${guard.cachedTokens} tokens cached, expected ${step.cached}`;
  }
  return null;
}

for (const [label, { OrgGuard }] of [["orgkit", full], ["orgkit/guard", guardNode], ["orgkit/guard/web", guardWeb]]) {
  test(`every verifier scenario passes (${label})`, () => {
    const doc = loadScenarios();
    const failures = [];
    let steps = 0;
    for (const scenario of doc.scenarios) {
      const wrong = run(OrgGuard, doc, scenario);
      if (wrong) failures.push(`${scenario.name}: ${wrong}`);
      steps += scenario.steps?.length ?? 0;
    }
    if (label === "orgkit") console.log(`wasm verifier scenarios: ${doc.scenarios.length} run (${steps} steps), ${failures.length} failed`);
    assert.ok(doc.scenarios.length >= 20, "expected at least 20 scenarios");
    assert.deepEqual(failures, []);
  });
}
