// The edge snippet of the package README (bindings-wasm/npm/README.md), a whole worker: the
// README copies everything below this header, and tests/docs.test.mjs checks the copy and runs
// the worker in Node against a local JWKS.
import { OrgkitError, RemoteOrgGuard } from "orgkit"; // or "orgkit/guard": the guard alone, smaller

// Keys fetched on first use, again when older than cacheMaxAge (default 5 min), and once more for
// a token with an unknown kid, never twice within cooldownDuration (default 30 s).
const guard = new RemoteOrgGuard({
  jwksUrl: "https://auth.example.com/.well-known/jwks.json",
  issuer: "https://auth.example.com",
  audience: "orgkit",
});

export default {
  async fetch(request) {
    try {
      const claims = await guard.authorize(request, { org: "acme", role: "admin" });
      return new Response(`hello ${claims.sub} of ${claims.org_slug}`);
    } catch (e) {
      if (e instanceof OrgkitError) return Response.json({ error: { code: e.code, message: e.message } }, { status: e.status });
      throw e;
    }
  },
};
