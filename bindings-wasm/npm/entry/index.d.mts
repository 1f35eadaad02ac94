// The package's types for every ESM entry (node.mjs, web.mjs, workerd.mjs): the API of the
// builds (the same in each) and RemoteOrgGuard.
export * from "../node/orgkit.js";
export { RemoteOrgGuard, type RemoteOrgGuardConfig } from "./remote_jwks.js";
