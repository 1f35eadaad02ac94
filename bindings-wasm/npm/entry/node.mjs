// The package in Node, imported (condition `node` + `import`): the nodejs build (signatures by
// node:crypto), instantiated synchronously when loaded.
import orgkit from "../node/orgkit.js";
import { defineRemoteOrgGuard } from "./remote_jwks.mjs";

export * from "../node/orgkit.js";
export const RemoteOrgGuard = defineRemoteOrgGuard(orgkit);
