// The package's types for require("orgkit") (node.cjs).
export * from "../node/orgkit.js";
export { RemoteOrgGuard, type RemoteOrgGuardConfig } from "./remote_jwks.js";
