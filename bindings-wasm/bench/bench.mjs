// On-demand benchmark (not a test): `node bench/bench.mjs` from bindings-wasm after build.sh.
// Per request: OrgGuard.authorize versus jose jwtVerify + the same claim checks by hand, for
// ES256, EdDSA and RS256, with a fresh token each time and with one repeated token, in the four
// modules (nodejs: signatures by node:crypto; web: RustCrypto in wasm; each also as the guard
// alone, orgkit/guard and orgkit/guard/web); each .wasm's size raw and gzipped;
// instantiate time (compile + instantiate in a fresh process).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from "jose";
import { OrgGuard } from "orgkit";
import * as web from "orgkit/web";
import * as guardNode from "orgkit/guard";
import * as guardWeb from "orgkit/guard/web";

const require = createRequire(import.meta.url);
/** Each module by its name in the tables, and the package specifier that loads it. */
const specifiers = { nodejs: "orgkit", web: "orgkit/web", "guard (nodejs)": "orgkit/guard", "guard/web": "orgkit/guard/web" };
const builds = Object.fromEntries(
  Object.entries(specifiers).map(([build, specifier]) => [build, join(dirname(require.resolve(specifier)), "orgkit_bg.wasm")]),
);
web.initSync({ module: readFileSync(builds.web) });
guardWeb.initSync({ module: readFileSync(builds["guard/web"]) });
const issuer = "https://auth.example.test";
const audience = "orgkit";
const FRESH = Number(process.env.FRESH ?? 400);
const REPEAT = Number(process.env.REPEAT ?? 20000);
const RANK = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** The checks OrgGuard.authorize({ org, role }) makes after verification, written by hand. */
function handChecks(payload, org, role) {
  if (!payload.org_id) throw new Error("org_required");
  if (payload.org_id !== org && payload.org_slug !== org) throw new Error("org_mismatch");
  if (!(payload.org_role in RANK) || RANK[payload.org_role] < RANK[role]) throw new Error("insufficient_role");
  return payload;
}

async function timeAsync(n, fn) {
  for (let i = 0; i < Math.min(50, n); i += 1) await fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) await fn(i);
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}
function timeSync(n, fn) {
  for (let i = 0; i < Math.min(50, n); i += 1) fn(i);
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i += 1) fn(i);
  return Number(process.hrtime.bigint() - start) / 1000 / n;
}

const rows = [];
for (const alg of ["ES256", "EdDSA", "RS256"]) {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: "k1", alg, use: "sig" }] };
  const now = Math.floor(Date.now() / 1000);
  const sign = (i) => new SignJWT({ sub: `user-${i}`, jti: `t-${i}`, org_id: "org-1", org_slug: "acme", org_role: "admin", amr: ["pwd"] })
    .setProtectedHeader({ alg, kid: "k1", typ: "at+jwt" }).setIssuer(issuer).setAudience(audience)
    .setIssuedAt(now).setExpirationTime(now + 3600).sign(privateKey);
  const tokens = [];
  for (let i = 0; i < FRESH + 50; i += 1) tokens.push(await sign(i));
  const keySet = createLocalJWKSet(jwks);
  const joseOnce = async (token) => handChecks((await jwtVerify(token, keySet, { issuer, audience, algorithms: [alg] })).payload, "acme", "admin");
  const options = { org: "acme", role: "admin" };
  const joseFresh = await timeAsync(FRESH, (i) => joseOnce(tokens[i % tokens.length]));
  const joseRepeat = await timeAsync(Math.min(REPEAT, FRESH * 5), () => joseOnce(tokens[0]));
  const guards = [["nodejs", OrgGuard], ["web", web.OrgGuard], ["guard (nodejs)", guardNode.OrgGuard], ["guard/web", guardWeb.OrgGuard]];
  for (const [build, Guard] of guards) {
    const guard = new Guard({ jwks, issuer, audience });
    const fresh = timeSync(FRESH, (i) => guard.authorize(tokens[(i + 50) % tokens.length], options));
    const repeat = timeSync(REPEAT, () => guard.authorize(`Bearer ${tokens[0]}`, options));
    rows.push({ alg, build, joseFresh, fresh, joseRepeat, repeat });
  }
}

/**
 * Milliseconds to get a usable module in a fresh process (median of 5): the web build's
 * `initSync` from bytes already read; the nodejs build's `require("orgkit")`, which reads,
 * compiles and instantiates its module.
 */
function instantiateMs(build) {
  const specifier = specifiers[build];
  const script = build.endsWith("web")
    ? `const { initSync } = await import(${JSON.stringify(require.resolve(specifier))});
const bytes = (await import("node:fs")).readFileSync(${JSON.stringify(builds[build])});
const t = process.hrtime.bigint(); initSync({ module: bytes }); console.log(Number(process.hrtime.bigint() - t) / 1e6);`
    : `const { createRequire } = await import("node:module"); const require = createRequire(${JSON.stringify(import.meta.url)});
const t = process.hrtime.bigint(); require(${JSON.stringify(specifier)}); console.log(Number(process.hrtime.bigint() - t) / 1e6);`;
  const samples = [];
  for (let i = 0; i < 5; i += 1) {
    samples.push(Number(execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" }).trim()));
  }
  return samples.sort((a, b) => a - b)[2];
}

const f = (x) => x.toFixed(1);
console.log(`machine: ${cpus()[0]?.model ?? "?"} ×${cpus().length}, node ${process.version}; FRESH=${FRESH} REPEAT=${REPEAT}`);
console.log("| alg | build | jose fresh µs | orgkit fresh µs | ratio | jose repeated µs | orgkit repeated µs | ratio |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|");
for (const r of rows) {
  console.log(`| ${r.alg} | ${r.build} | ${f(r.joseFresh)} | ${f(r.fresh)} | ${(r.fresh / r.joseFresh).toFixed(2)}× | ${f(r.joseRepeat)} | ${f(r.repeat)} | ${(r.repeat / r.joseRepeat).toFixed(3)}× |`);
}
for (const build of Object.keys(builds)) {
  const bytes = readFileSync(builds[build]);
  console.log(`${build} wasm: ${bytes.length} bytes raw, ${gzipSync(bytes, { level: 9 }).length} bytes gzip -9; ready in ${instantiateMs(build).toFixed(1)} ms`);
}
