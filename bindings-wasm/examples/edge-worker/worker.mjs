// An edge worker that enforces org policy before a request reaches the origin.
//
//   /orgs/:slug/admin/*  → a valid token for org :slug with role admin or higher
//   /orgs/:slug/*        → a valid token for org :slug (any membership role)
//   anything else        → a valid token
//
// Allowed requests are forwarded to `env.ORIGIN` (a service binding: anything with `fetch`)
// with the verified identity in `x-orgkit-*` headers; refused ones get core's HTTP status and a
// JSON body `{ "error": { "code", "message" } }`.
//
// env: ORGKIT_JWKS_URL (the issuer's JWKS URL) or ORGKIT_JWKS (a JWKS object or its JSON text),
// ORGKIT_ISSUER, ORGKIT_AUDIENCE, ORIGIN. The package picks its build by the runtime (the
// `workerd` condition on Cloudflare, `node` in Node…): no init, no .wasm import here.
import { OrgGuard, RemoteOrgGuard } from "orgkit/guard";

let guard;

/** One guard per isolate: with a JWKS URL it fetches the keys when core's policy says. */
function guardFor(env) {
  const config = { issuer: env.ORGKIT_ISSUER, audience: env.ORGKIT_AUDIENCE, leeway: 30 };
  guard ??= env.ORGKIT_JWKS_URL
    ? new RemoteOrgGuard({ jwksUrl: env.ORGKIT_JWKS_URL, ...config })
    : new OrgGuard({ jwks: env.ORGKIT_JWKS, ...config });
  return guard;
}

/** What the path requires of the token. */
function requirementFor(pathname) {
  const [, orgs, slug, section] = pathname.split("/");
  if (orgs !== "orgs" || !slug) return {};
  const org = decodeURIComponent(slug);
  return section === "admin" ? { org, role: "admin" } : { org, role: "viewer" };
}

function refuse(error) {
  const status = error?.name === "OrgkitError" ? error.status : 500;
  const code = error?.name === "OrgkitError" ? error.code : "internal_error";
  const headers = { "content-type": "application/json" };
  if (status === 401) headers["www-authenticate"] = `Bearer error="invalid_token", error_description="${code}"`;
  return new Response(JSON.stringify({ error: { code, message: error?.message ?? String(error) } }), { status, headers });
}

export default {
  async fetch(request, env) {
    let claims;
    try {
      claims = await guardFor(env).authorize(request, requirementFor(new URL(request.url).pathname));
    } catch (error) {
      return refuse(error);
    }
    const forwarded = new Request(request);
    forwarded.headers.set("x-orgkit-user", claims.sub);
    if (claims.org_id) forwarded.headers.set("x-orgkit-org", claims.org_id);
    if (claims.org_role) forwarded.headers.set("x-orgkit-role", claims.org_role);
    return env.ORIGIN.fetch(forwarded);
  },
};
