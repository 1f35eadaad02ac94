// The package in Deno, browsers and bundlers (conditions `deno`, `browser`, `default`): the
// web build, instantiated by top-level await from the .wasm beside it (Deno reads it with
// --allow-read; bundlers emit it as an asset from `new URL(…, import.meta.url)`), so no `init`
// is needed.
import init, * as orgkit from "../web/orgkit.js";
import { defineRemoteOrgGuard } from "./remote_jwks.mjs";

await init({ module_or_path: new URL("../web/orgkit_bg.wasm", import.meta.url) });

export * from "../web/orgkit.js";
export const RemoteOrgGuard = defineRemoteOrgGuard(orgkit);
