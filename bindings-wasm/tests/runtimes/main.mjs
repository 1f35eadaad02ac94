// Node's and Deno's runner of the guard suite: imports the installed package by its name (each
// runtime picks its entry by the package's conditional exports) and prints the results as JSON.
import * as orgkit from "orgkit";
import * as guardOnly from "orgkit/guard";
import fixture from "./fixture.json" with { type: "json" };
import { guardSuite } from "./guard_suite.mjs";

const entry = import.meta.resolve("orgkit");
console.log(JSON.stringify({ entry, orgkit: await guardSuite(orgkit, fixture), guard: await guardSuite(guardOnly, fixture) }));
