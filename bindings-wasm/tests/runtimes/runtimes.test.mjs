// The packed package in real runtimes: `npm pack`s bindings-wasm/npm, installs the tarball into a
// scratch project in a temp dir, and runs the same guard suite (guard_suite.mjs) on `orgkit` and
// `orgkit/guard` in Node, in Deno (`deno run`, npm package `deno`) and in workerd (npm package
// `workerd`, the worker bundled by esbuild with the `workerd` condition as Wrangler bundles it),
// then the example edge worker in workerd. Keys are made at test time; the JWKS of the remote
// checks is served by node:http on 127.0.0.1:0. Every wait is bounded and every process stopped.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execFile, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { generatedKey, joseOrgToken } from "../helpers.mjs";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const dev = join(here, "..", "..");
const workerdBinary = require("workerd").default;
const denoBinary = require("deno/install_api.cjs").runInstall();
const STEP_TIMEOUT = 120_000;
const issuer = "https://auth.example.test";
const audience = "orgkit";

let scratch;
let jwksServer;
let jwksFetches = 0;
const fixture = {};

const sign = (key, claims) => joseOrgToken(key, { issuer, audience }, claims);

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), "orgkit-runtimes-"));
  const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: join(dev, "npm"), timeout: STEP_TIMEOUT });
  const tarball = join(scratch, stdout.trim().split("\n").pop());
  const project = join(scratch, "project");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "scratch", private: true, type: "module" }));
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--loglevel=error", tarball], { cwd: project, timeout: STEP_TIMEOUT });
  for (const file of readdirSync(here).filter((f) => f.endsWith(".mjs") && !f.endsWith(".test.mjs"))) {
    cpSync(join(here, file), join(project, file));
  }
  cpSync(join(dev, "examples", "edge-worker", "worker.mjs"), join(project, "edge_worker.mjs"));

  const key = await generatedKey("key-1");
  const stranger = await generatedKey("key-1"); // same kid, other key: a forged signature
  const unpublished = await generatedKey("key-2");
  jwksServer = createServer((_, response) => {
    jwksFetches += 1;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ keys: [key.jwk] }));
  });
  await new Promise((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  Object.assign(fixture, {
    issuer,
    audience,
    jwks: { keys: [key.jwk] },
    jwksUrl: `http://127.0.0.1:${jwksServer.address().port}/jwks.json`,
    tokens: {
      valid: await sign(key),
      member: await sign(key, { org_role: "member" }),
      expired: await sign(key, { exp: Math.floor(Date.now() / 1000) - 600 }),
      forged: await sign(stranger),
      unknownKid: await sign(unpublished),
    },
  });
  writeFileSync(join(project, "fixture.json"), JSON.stringify(fixture));
  scratch = { root: scratch, project };
});

after(() => {
  jwksServer?.close();
  if (scratch?.root) rmSync(scratch.root, { recursive: true, force: true });
});

/** Every check of both modules passed, and each ran the whole suite. */
function assertSuite(results, runtime) {
  for (const module of ["orgkit", "guard"]) {
    assert.deepEqual(results[module].failed, [], `${runtime}, ${module}: ${JSON.stringify(results[module].failed, null, 1)}`);
    assert.equal(results[module].passed.length, 8, `${runtime}, ${module}: ${results[module].passed}`);
  }
  console.log(`${runtime}: guard suite ${results.orgkit.passed.length} + ${results.guard.passed.length} checks passed`);
}

test("the tarball carries the licence it declares", () => {
  const installed = join(scratch.project, "node_modules", "orgkit");
  const declared = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")).license;
  assert.equal(declared, "Apache-2.0");
  assert.match(readFileSync(join(installed, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
});

test("Node: the installed tarball passes the guard suite (import picks entry/node.mjs)", async () => {
  const { stdout } = await run(process.execPath, ["main.mjs"], { cwd: scratch.project, timeout: STEP_TIMEOUT });
  const results = JSON.parse(stdout);
  assert.match(results.entry, /node_modules\/orgkit\/entry\/node\.mjs$/);
  assertSuite(results, "node");
  const { stdout: required } = await run(process.execPath, ["-e", "const o = require('orgkit'); console.log(typeof o.RemoteOrgGuard, typeof require('orgkit/guard').OrgGuard)"], { cwd: scratch.project, timeout: STEP_TIMEOUT });
  assert.equal(required.trim(), "function function");
});

test("Deno: the installed tarball passes the guard suite (the deno condition, no init)", async () => {
  const env = { ...process.env, DENO_DIR: join(scratch.root, "deno-dir"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  const { stdout } = await run(denoBinary, ["run", "--allow-read=.", `--allow-net=${new URL(fixture.jwksUrl).host}`, "main.mjs"], { cwd: scratch.project, env, timeout: STEP_TIMEOUT });
  const results = JSON.parse(stdout);
  assert.match(results.entry, /node_modules\/orgkit\/entry\/web\.mjs$/);
  assertSuite(results, "deno");
});

/** Bundles `entry` as Wrangler does: the `workerd` condition, each .wasm a module of its own. */
async function bundleForWorkerd(entry, outDir) {
  const wasmNames = new Map();
  const wasmModules = {
    name: "wasm-modules",
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, ({ path, resolveDir }) => {
        const file = join(resolveDir, path);
        if (!wasmNames.has(file)) wasmNames.set(file, `module-${wasmNames.size}.wasm`);
        return { path: `./${wasmNames.get(file)}`, external: true };
      });
    },
  };
  const { metafile } = await esbuild.build({
    metafile: true, entryPoints: [join(scratch.project, entry)], outfile: join(outDir, "worker.mjs"), bundle: true, format: "esm",
    platform: "neutral", conditions: ["workerd", "worker", "browser"], mainFields: ["module", "main"], plugins: [wasmModules], logLevel: "error",
  });
  for (const [file, name] of wasmNames) cpSync(file, join(outDir, name));
  return { wasm: [...wasmNames.values()], inputs: Object.keys(metafile.inputs) };
}

/** The capnp text of a worker: its bundle, its wasm modules, its bindings (`dir` relative to the
 *  project, where the config is: capnp embeds only relative paths). */
function workerConfig(dir, wasm, bindings = []) {
  dir = relative(scratch.project, dir);
  const modules = [`(name = "worker.mjs", esModule = embed "${dir}/worker.mjs")`, ...wasm.map((name) => `(name = "${name}", wasm = embed "${dir}/${name}")`)];
  return `(modules = [${modules.join(", ")}], compatibilityDate = "2025-09-01", bindings = [${bindings.join(", ")}])`;
}

/**
 * Runs workerd on `config` (a capnp text whose socket "http" listens on 127.0.0.1:0) until
 * `use(baseUrl)` settles; the port comes from workerd's control fd, within a bounded wait.
 */
async function withWorkerd(config, use) {
  const file = join(scratch.project, `config-${Date.now()}.capnp`);
  writeFileSync(file, config);
  const child = spawn(workerdBinary, ["serve", file, "--control-fd=3"], { cwd: scratch.project, stdio: ["ignore", "pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    const port = await Promise.race([
      (async () => {
        for await (const line of createInterface({ input: child.stdio[3] })) {
          const message = JSON.parse(line);
          if (message.event === "listen" && message.socket === "http") return message.port;
        }
        throw new Error("workerd closed its control fd before listening");
      })(),
      exited.then((code) => { throw new Error(`workerd exited (${code}) before listening`); }),
      new Promise((_, reject) => setTimeout(() => reject(new Error("workerd did not listen within 60 s")), 60_000).unref()),
    ]);
    return await use(`http://127.0.0.1:${port}`);
  } catch (error) {
    error.message += `\nworkerd output:\n${output}`;
    throw error;
  } finally {
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** workerd's outbound network: the loopback JWKS server is local, so it must be allowed. */
const NETWORK = `(name = "internet", network = (allow = ["public", "local", "private"]))`;

test("workerd: the installed tarball passes the guard suite (the workerd condition, no init)", async () => {
  const dir = join(scratch.project, "suite-bundle");
  const { wasm, inputs } = await bundleForWorkerd("suite_worker.mjs", dir);
  assert.equal(wasm.length, 2, "the full and the guard-only web modules");
  for (const entry of ["node_modules/orgkit/entry/workerd.mjs", "node_modules/orgkit/guard/entry/workerd.mjs"]) {
    assert.ok(inputs.some((input) => input.endsWith(entry)), `the workerd condition picks ${entry}: ${inputs}`);
  }
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "suite", worker = ${workerConfig(dir, wasm)}), ${NETWORK}],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "suite")],
);`;
  await withWorkerd(config, async (base) => {
    const response = await fetch(`${base}/`, { signal: AbortSignal.timeout(60_000) });
    assert.equal(response.status, 200, await response.clone().text());
    assertSuite(await response.json(), "workerd");
  });
});

test("workerd: the example edge worker enforces org policy, keys from the JWKS URL, origin behind a service binding", async () => {
  const edgeDir = join(scratch.project, "edge-bundle");
  const originDir = join(scratch.project, "origin-bundle");
  const { wasm } = await bundleForWorkerd("edge_worker.mjs", edgeDir);
  await bundleForWorkerd("origin_worker.mjs", originDir);
  const text = (name, value) => `(name = "${name}", text = ${JSON.stringify(value)})`;
  const bindings = [text("ORGKIT_JWKS_URL", fixture.jwksUrl), text("ORGKIT_ISSUER", issuer), text("ORGKIT_AUDIENCE", audience), `(name = "ORIGIN", service = "origin")`];
  const config = `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "edge", worker = ${workerConfig(edgeDir, wasm, bindings)}), (name = "origin", worker = ${workerConfig(originDir, [])}), ${NETWORK}],
  sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "edge")],
);`;
  await withWorkerd(config, async (base) => {
    const get = (path, token) => fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(60_000) });
    const before = jwksFetches;
    const first = await Promise.all(Array.from({ length: 8 }, () => get("/orgs/acme/projects", fixture.tokens.valid)));
    assert.deepEqual(first.map((r) => r.status), Array(8).fill(200), "concurrent first requests all pass");
    assert.equal(jwksFetches - before, 1, "concurrent requests in workerd share one JWKS fetch");
    const allowed = await get("/orgs/acme/admin/settings", fixture.tokens.valid);
    assert.equal(allowed.status, 200, await allowed.clone().text());
    assert.deepEqual(await allowed.json(), { path: "/orgs/acme/admin/settings", seen: { "x-orgkit-org": "org-1", "x-orgkit-role": "admin", "x-orgkit-user": "user-1" } });
    const refused = async (path, token, status, code) => {
      const response = await get(path, token);
      assert.equal(response.status, status, path);
      assert.equal((await response.json()).error.code, code, path);
    };
    await refused("/orgs/globex/projects", fixture.tokens.valid, 403, "org_mismatch");
    await refused("/orgs/acme/admin/settings", fixture.tokens.member, 403, "insufficient_role");
    await refused("/orgs/acme/projects", fixture.tokens.expired, 401, "token_expired");
    await refused("/orgs/acme/projects", fixture.tokens.forged, 401, "invalid_signature");
    await refused("/orgs/acme/projects", undefined, 401, "unauthenticated");
    await refused("/orgs/acme/projects", fixture.tokens.unknownKid, 401, "unknown_key");
  });
});
