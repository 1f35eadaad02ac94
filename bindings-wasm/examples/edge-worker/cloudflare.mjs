// Cloudflare Workers entry: Wrangler bundles the .wasm import as a WebAssembly.Module.
// wrangler.toml: main = "cloudflare.mjs"; vars ORGKIT_ISSUER, ORGKIT_AUDIENCE, ORGKIT_JWKS;
// a service binding ORIGIN to the origin worker (or replace env.ORIGIN.fetch with fetch()).
import wasm from "orgkit/guard/web/orgkit_bg.wasm";
import worker from "./worker.mjs";

export default {
  fetch(request, env, ctx) {
    return worker.fetch(request, { ...env, ORGKIT_WASM: wasm }, ctx);
  },
};
