// workerd's runner of the guard suite: a worker whose every request runs it on the package
// (bundled with the `workerd` condition, as Wrangler does) and answers the results as JSON.
import * as orgkit from "orgkit";
import * as guardOnly from "orgkit/guard";
import fixture from "./fixture.json";
import { guardSuite } from "./guard_suite.mjs";

export default {
  async fetch() {
    return Response.json({ orgkit: await guardSuite(orgkit, fixture), guard: await guardSuite(guardOnly, fixture) });
  },
};
