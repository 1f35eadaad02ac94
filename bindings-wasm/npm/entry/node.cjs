// The package in Node, required (condition `node` + `require`): the nodejs build, and the
// RemoteOrgGuard from the CommonJS copy of remote_jwks.mjs that build.sh writes into cjs/.
const orgkit = require("../node/orgkit.js");
const { defineRemoteOrgGuard } = require("../cjs/remote_jwks.cjs");

module.exports = { ...orgkit, RemoteOrgGuard: defineRemoteOrgGuard(orgkit) };
