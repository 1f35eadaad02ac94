// The .d.ts against the contract: every input of a succeeding shared vector must type-check as
// `OperationInput<op>` (object literals, so a field missing from the types is an error), and
// every expected output must fit the keys of `OperationOutput<op>` (of any member of a union). Runs tsc on a generated file.
import assert from "node:assert/strict";
import { test } from "node:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { here, loadVectors } from "./helpers.mjs";

test("every succeeding vector's input type-checks against the .d.ts", () => {
  const { vectors } = loadVectors();
  const ok = vectors.filter((v) => "output" in v);
  assert.ok(ok.length > 0, "no succeeding vectors");
  // The keys of every member of an output union (an internally tagged enum such as
  // `AfterFailure`), not only the keys they share.
  const lines = [
    'import type { OperationInput, OperationOutput } from "orgkit";',
    "type Keys<T> = T extends unknown ? keyof T : never;",
  ];
  ok.forEach((v, i) => {
    lines.push(`// ${v.file}: ${v.name}`);
    lines.push(`export const input${i}: OperationInput<${JSON.stringify(v.op)}> = ${JSON.stringify(v.input ?? null)};`);
    lines.push(`export const output${i}: Partial<Record<Keys<OperationOutput<${JSON.stringify(v.op)}>>, unknown>> = ${JSON.stringify(v.output)};`);
  });
  const dir = mkdtempSync(join(tmpdir(), "orgkit-types-"));
  try {
    writeFileSync(join(dir, "vectors.ts"), lines.join("\n"));
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }');
    symlinkSync(join(here, "..", "node_modules"), join(dir, "node_modules"));
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: { target: "ES2022", module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, lib: ["ESNext", "DOM"], types: [] },
      files: ["vectors.ts"],
    }));
    try {
      execFileSync(join(here, "..", "node_modules", ".bin", "tsc"), ["-p", dir], { encoding: "utf8" });
    } catch (e) {
      assert.fail(`tsc rejected vector inputs:\n${e.stdout}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
