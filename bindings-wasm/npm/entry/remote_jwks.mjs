// RemoteOrgGuard: an OrgGuard whose keys come from the issuer's JWKS URL, as jose's
// createRemoteJWKSet does for jose users. This file only fetches: *when* to fetch is core's rule
// (`shouldFetchJwks`, core::token::JwksRefreshPolicy), asked before every fetch, and what a
// token answers is the OrgGuard's. One definition serves every build of the package: each entry
// passes the build it loaded (its OrgGuard and shouldFetchJwks).

/** jose's option names → core's JwksRefreshPolicy fields, and back for error fields. */
const POLICY_FIELDS = { cacheMaxAge: "max_age_ms", cooldownDuration: "cooldown_ms" };
const REMOTE_OPTIONS = new Set(["jwksUrl", "cacheMaxAge", "cooldownDuration", "timeoutDuration", "headers", "fetch", "clock"]);
const DEFAULT_TIMEOUT_MS = 5000;

/** The text of an http(s) URL, or null. */
function httpUrl(value) {
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
  } catch {
    return null;
  }
}

/** The RemoteOrgGuard class over one build of the package. */
export function defineRemoteOrgGuard({ OrgGuard, shouldFetchJwks }) {
  /** Asks core whether to fetch; its errors name the JS options. */
  function decide(policy, state, need, now) {
    try {
      return shouldFetchJwks({ policy, state, need, now }).fetch;
    } catch (error) {
      const option = Object.keys(POLICY_FIELDS).find((name) => POLICY_FIELDS[name] === error?.field);
      if (option) error.field = option;
      throw error;
    }
  }

  /** An `invalid_request` OrgkitError naming a remote option: core makes the error (its status
   *  and family are core's), this only names the option. */
  function invalidOption(field, message) {
    try {
      shouldFetchJwks(null);
    } catch (error) {
      return Object.assign(error, { field, message });
    }
    return new TypeError(message);
  }

  return class RemoteOrgGuard {
    #guard;
    #url;
    #policy = {};
    #state = {};
    #timeout;
    #headers;
    #fetch;
    #clock;
    /** The fetch running now, shared by every caller that needs it. */
    #running = null;
    /** Why the last fetch failed (undefined after a success). */
    #lastFailure;

    /**
     * `new RemoteOrgGuard({ jwksUrl, issuer, audience, … })`: the OrgGuard options but `jwks`,
     * and `cacheMaxAge` / `cooldownDuration` (ms; core's defaults 5 min / 30 s),
     * `timeoutDuration` (ms, default 5000), `headers`, `fetch` (default globalThis.fetch) and
     * `clock` (unix ms, default Date.now). Fetches nothing: the first `authorize` does. Throws
     * OrgkitError for a bad config, as `new OrgGuard` does.
     */
    constructor(config) {
      const guardConfig = {};
      const remote = {};
      if (config === null || typeof config !== "object") {
        throw invalidOption(undefined, "the guard config is an object with jwksUrl, issuer and audience");
      }
      let options;
      try {
        options = Object.entries(config);
      } catch {
        throw invalidOption(undefined, "the guard config could not be read (a throwing getter or Proxy)");
      }
      for (const [name, value] of options) {
        (REMOTE_OPTIONS.has(name) ? remote : guardConfig)[name] = value;
      }
      this.#guard = OrgGuard.keyless(guardConfig);
      this.#url = httpUrl(remote.jwksUrl);
      if (!this.#url) throw invalidOption("jwksUrl", "jwksUrl must be an http(s) URL");
      if (remote.timeoutDuration !== undefined && !(Number.isSafeInteger(remote.timeoutDuration) && remote.timeoutDuration > 0)) {
        throw invalidOption("timeoutDuration", "timeoutDuration must be a whole number of milliseconds > 0");
      }
      for (const name of ["fetch", "clock"]) {
        if (remote[name] !== undefined && typeof remote[name] !== "function") {
          throw invalidOption(name, `${name} must be a function`);
        }
      }
      for (const [option, field] of Object.entries(POLICY_FIELDS)) {
        if (remote[option] !== undefined) this.#policy[field] = remote[option];
      }
      this.#timeout = remote.timeoutDuration ?? DEFAULT_TIMEOUT_MS;
      this.#headers = remote.headers ?? {};
      this.#fetch = remote.fetch ?? ((...args) => globalThis.fetch(...args));
      this.#clock = remote.clock ?? Date.now;
      decide(this.#policy, {}, "routine", 0); // core checks the policy now
    }

    /** The JWKS URL. */
    get jwksUrl() {
      return this.#url;
    }

    /** How many verified tokens the guard remembers. */
    get cachedTokens() {
      return this.#guard.cachedTokens;
    }

    /**
     * `OrgGuard.authorize`, after fetching the JWKS when core's policy says: before the first
     * verification, when the keys are older than `cacheMaxAge`, and once more for a token whose
     * `kid` the keys lack (never twice within `cooldownDuration`). A fetch that fails keeps the
     * keys held; without any, the token is refused with `unknown_key` (its `cause` says why).
     */
    async authorize(input, options) {
      await this.#fetchIfDue("routine");
      try {
        return this.#guard.authorize(input, options);
      } catch (error) {
        if (error?.code !== "unknown_key" || !(await this.#fetchIfDue("unknown_kid"))) {
          throw this.#withCause(error);
        }
      }
      try {
        return this.#guard.authorize(input, options);
      } catch (error) {
        throw this.#withCause(error);
      }
    }

    /** Fetches now when core's policy grants it for `need` (or joins the fetch running); whether a fetch ended meanwhile. */
    async #fetchIfDue(need) {
      if (!this.#running) {
        const now = this.#clock();
        if (!decide(this.#policy, this.#state, need, now)) return false;
        // Recorded before the fetch starts: concurrent callers see the cooldown at once.
        this.#state = { ...this.#state, attempted_at: now };
        this.#running = this.#fetchKeys().finally(() => {
          this.#running = null;
        });
      }
      await this.#running;
      return true;
    }

    /** One fetch of the JWKS into the guard; never rejects (a failure is kept for `cause`). */
    async #fetchKeys() {
      try {
        const response = await this.#fetch(this.#url, {
          headers: { accept: "application/json", ...this.#headers },
          signal: AbortSignal.timeout(this.#timeout),
        });
        if (!response.ok) throw new Error(`GET ${this.#url} answered ${response.status}`);
        this.#guard.setJwks(await response.text());
        this.#state = { ...this.#state, fetched_at: this.#clock() };
        this.#lastFailure = undefined;
      } catch (error) {
        this.#lastFailure = error;
      }
    }

    #withCause(error) {
      if (error?.code === "unknown_key" && this.#lastFailure && error.cause === undefined) {
        error.cause = this.#lastFailure;
        error.message += `; the last JWKS fetch failed: ${this.#lastFailure?.message ?? this.#lastFailure}`;
      }
      return error;
    }
  };
}
