// The guard suite every runtime runs on the installed package (Node, Deno, workerd): it takes
// the imported module (`orgkit` or `orgkit/guard`) and the fixture of the test (tokens signed by
// jose in Node with keys made at test time) and answers which checks passed and which failed,
// with no test framework, so that the same file runs unchanged everywhere.

/** Runs the suite; answers `{ passed: string[], failed: { name, message }[] }`. */
export async function guardSuite(orgkit, fixture) {
  const { OrgGuard, OrgkitError, RemoteOrgGuard } = orgkit;
  const { issuer, audience, jwks, tokens, jwksUrl } = fixture;
  const results = { passed: [], failed: [] };
  const check = async (name, run) => {
    try {
      await run();
      results.passed.push(name);
    } catch (error) {
      results.failed.push({ name, message: String(error?.stack ?? error) });
    }
  };
  const equal = (actual, expected, what) => {
    if (actual !== expected) throw new Error(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`);
  };
  const refusedWith = (error, code, status) => {
    if (!(error instanceof OrgkitError)) throw new Error(`not an OrgkitError: ${error}`);
    equal(error.code, code, "code");
    equal(error.status, status, "status");
  };
  const refused = (run, code, status) => {
    try {
      run();
    } catch (error) {
      return refusedWith(error, code, status);
    }
    throw new Error(`expected ${code}, the token passed`);
  };
  const request = (token) => new Request("https://app.example.test/orgs/acme", token ? { headers: { authorization: `Bearer ${token}` } } : {});

  const guard = new OrgGuard({ jwks, issuer, audience });
  await check("a valid org token passes, with its claims frozen", () => {
    const claims = guard.authorize(request(tokens.valid), { org: "acme", role: "admin" });
    equal(claims.sub, "user-1", "sub");
    equal(claims.org_slug, "acme", "org_slug");
    equal(claims.org_role, "admin", "org_role");
    equal(Object.isFrozen(claims), true, "frozen");
  });
  await check("another org: org_mismatch (403)", () => refused(() => guard.authorize(request(tokens.valid), { org: "globex" }), "org_mismatch", 403));
  await check("a role below the requirement: insufficient_role (403)", () => refused(() => guard.authorize(request(tokens.member), { org: "acme", role: "admin" }), "insufficient_role", 403));
  await check("an expired token: token_expired (401)", () => refused(() => guard.authorize(request(tokens.expired), { org: "acme" }), "token_expired", 401));
  await check("a bad signature: invalid_signature (401)", () => refused(() => guard.authorize(request(tokens.forged), { org: "acme" }), "invalid_signature", 401));
  await check("no token: unauthenticated (401)", () => refused(() => guard.authorize(request()), "unauthenticated", 401));
  if (jwksUrl) {
    const remote = new RemoteOrgGuard({ jwksUrl, issuer, audience });
    await check("RemoteOrgGuard fetches the JWKS and passes a valid token", async () => {
      equal((await remote.authorize(request(tokens.valid), { org: "acme", role: "admin" })).sub, "user-1", "sub");
    });
    await check("RemoteOrgGuard refuses a kid the JWKS lacks: unknown_key (401)", async () => {
      const error = await remote.authorize(request(tokens.unknownKid)).then(() => null, (e) => e);
      if (!error) throw new Error("expected unknown_key, the token passed");
      refusedWith(error, "unknown_key", 401);
    });
  }
  return results;
}
