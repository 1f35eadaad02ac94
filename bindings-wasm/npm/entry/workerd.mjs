// The package in Cloudflare Workers (conditions `workerd`, `worker`): Wrangler, like any bundler
// given the `workerd` condition, imports the .wasm as a compiled WebAssembly.Module, so the
// module is instantiated synchronously here and no `init` is needed.
import wasm from "../web/orgkit_bg.wasm";
import * as orgkit from "../web/orgkit.js";
import { defineRemoteOrgGuard } from "./remote_jwks.mjs";

orgkit.initSync({ module: wasm });

export * from "../web/orgkit.js";
export const RemoteOrgGuard = defineRemoteOrgGuard(orgkit);
