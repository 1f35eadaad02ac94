// The edge snippet of the root README ("Tokens from another identity provider"): the README
// copies everything below this header, and tests/docs.test.mjs checks the copy and runs it in
// Node against a local JWKS serving Clerk-shaped tokens.
import { RemoteOrgGuard } from "orgkit"; // Workers, Deno, browsers, Node: each gets its build, no init

const guard = new RemoteOrgGuard({
  jwksUrl: "https://clerk.example.com/.well-known/jwks.json",
  issuer: "https://clerk.example.com", audience: "https://app.example.com", profile: "clerk-v1",
});

export async function handle(request) {
  const claims = await guard.authorize(request, { org: "acme", role: "admin" }); // rejects with OrgkitError (.code)
  return Response.json({ user: claims.sub, org: claims.org_id, role: claims.org_role });
}
// WorkOS: profile: "workos"; Auth0: profile: { name: "auth0", rolesClaim: "https://acme.com/roles" }
