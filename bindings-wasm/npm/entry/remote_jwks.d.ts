// Types of RemoteOrgGuard (remote_jwks.mjs), shared by every entry of the package.
import type { AuthorizeOptions, OrgClaims, OrgGuardConfig, ProfiledClaims } from "../guard/node/orgkit.js";

/** `new RemoteOrgGuard(config)`: the OrgGuard options but `jwks`, and where and how often to fetch it. */
export type RemoteOrgGuardConfig = Omit<OrgGuardConfig, "jwks"> & {
  /** The issuer's JWKS URL (http or https). */
  jwksUrl: string | URL;
  /** Fetched keys older than this are fetched again (ms; default 300000, at most one day). */
  cacheMaxAge?: number;
  /** Least time between two fetches, whatever asks (ms; default 30000, at most cacheMaxAge). */
  cooldownDuration?: number;
  /** How long one fetch may take (ms; default 5000). */
  timeoutDuration?: number;
  /** Extra request headers of the fetch. */
  headers?: Record<string, string>;
  /** The fetch to use (default globalThis.fetch), e.g. a Worker's service binding. */
  fetch?: (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;
  /** The JWKS clock, unix ms (default Date.now). */
  clock?: () => number;
};

/**
 * An OrgGuard whose keys come from a JWKS URL: fetched on first use, again when older than
 * `cacheMaxAge`, and once more for an unknown `kid`, never twice within `cooldownDuration`
 * (core's JwksRefreshPolicy), with concurrent callers sharing one fetch.
 */
export declare class RemoteOrgGuard {
  /** Checks the config (throws OrgkitError as `new OrgGuard` does); fetches nothing yet. */
  constructor(config: RemoteOrgGuardConfig);
  /** The JWKS URL. */
  readonly jwksUrl: string;
  /** How many verified tokens the guard remembers. */
  readonly cachedTokens: number;
  /**
   * `OrgGuard.authorize` after fetching the keys when due. Rejects with OrgkitError; an
   * unreachable JWKS with no keys held is `unknown_key`, its `cause` the fetch failure.
   */
  authorize(input: Request | { headers: unknown } | string, options?: AuthorizeOptions): Promise<OrgClaims | ProfiledClaims>;
}
