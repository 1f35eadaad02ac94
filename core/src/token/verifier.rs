//! [`Verifier`]: a long-lived verifier of one issuer's access tokens — its keys, a checked
//! configuration, a claim profile and a cache of verified tokens — for hosts that answer many
//! requests (the WASM guard, the Python verifier, a Rust service).
//!
//! A verification is three steps, so that a host can run the expensive one without holding its
//! own lock (Python releases the GIL and lets threads verify at once; JS may re-enter):
//! [`Verifier::lookup`] asks the cache, [`Pending::run`] checks signature and claims against the
//! snapshot of keys it holds, [`Verifier::remember`] stores the result. [`Verifier::verify`]
//! takes the three steps at once. Each request's requirement is then applied to the verified
//! token ([`Remembered::authorize`]), from the cache or not: requirements are never cached, and
//! a valid token that fails one is remembered all the same.
//!
//! Key rotation ([`Verifier::replace_keys`]): a remembered token survives only when the new key
//! set would verify it with the same key — its `kid` finds a key of the same algorithm and
//! material (without a `kid`: the set's only key). A token whose key was removed, or replaced
//! under its `kid`, is verified again against the new keys, so a withdrawn key never keeps
//! answering from the cache, while replacing a JWKS by the same keys keeps every entry.

use super::cache::{TokenCache, TokenHash, token_hash};
use super::keys::{KeySet, KeyUse};
use super::pipeline::{MAX_TOKEN_BYTES, VerifyOptions, header_kid};
use super::profile::ProfileConfig;
use super::verified::{Answer, VerifiedToken, verify_token};
use super::verifier_config::VerifierConfig;
use crate::error::Result;
use std::sync::Arc;

/// What every verification of a verifier shares; fixed when the verifier is built.
#[derive(Debug)]
struct Settings {
    issuer: String,
    audience: String,
    leeway: u64,
    profile: ProfileConfig,
}

impl Settings {
    fn options(&self, now: i64) -> VerifyOptions {
        VerifyOptions {
            issuer: self.issuer.clone(),
            audience: self.audience.clone(),
            leeway: self.leeway,
            now,
        }
    }
}

/// Verifies access tokens of one issuer and audience — orgkit's, or another provider's through
/// a claim profile — and remembers the valid ones (by their SHA-256, never past `exp`; see
/// [`TokenCache`]). `M` is what the host keeps beside each remembered token (a converted answer,
/// say), made by the host: `M::default()` through [`Verifier::verify`].
///
/// ```
/// use orgkit_core::token::{KeySet, Requirement, Verifier, VerifierConfig};
/// let config = VerifierConfig::from_json(serde_json::json!({"issuer": "i", "audience": "a"})).unwrap();
/// let keys = KeySet::shared_secret(None, &[7; 32]).unwrap();
/// let mut verifier: Verifier = Verifier::new(config, keys).unwrap();
/// let err = verifier.verify("not.a.token", 1_800_000_000).err().unwrap();
/// assert_eq!(err.code(), "invalid_token");
/// assert_eq!(verifier.cached_tokens(), 0);
/// ```
pub struct Verifier<M = ()> {
    settings: Arc<Settings>,
    keys: Arc<KeySet>,
    cache: TokenCache<Arc<Remembered<M>>>,
}

/// A token a verifier verified, as it remembers it, with the host's `memo`.
#[derive(Debug)]
pub struct Remembered<M = ()> {
    verified: VerifiedToken,
    /// The key that verified it; `None` never enters the cache.
    key: Option<KeyUse>,
    settings: Arc<Settings>,
    memo: M,
}

impl<M> Remembered<M> {
    /// Applies a request's requirement (org, minimum role, permission) and answers the claims
    /// for it: core's `org_required`, `org_mismatch` or `insufficient_role` otherwise.
    pub fn authorize(&self, req: &super::Requirement) -> Result<Answer<'_>> {
        self.verified.authorize(&self.settings.profile, req)
    }

    /// The verified token.
    pub fn verified(&self) -> &VerifiedToken {
        &self.verified
    }

    /// What the host keeps beside the token.
    pub fn memo(&self) -> &M {
        &self.memo
    }
}

/// What the cache says about a token.
pub enum Lookup<'t, M> {
    /// The token is remembered and may answer at this `now`.
    Hit(Arc<Remembered<M>>),
    /// The token must be verified in full: [`Pending::run`], then [`Verifier::remember`].
    Miss(Pending<'t>),
}

/// A full verification to run, with the keys and settings it runs against; needs no access to
/// the verifier, so a host may run it without holding its lock.
pub struct Pending<'t> {
    token: &'t str,
    /// `None` for a token too large to be valid: core refuses it, and it is never hashed.
    hash: Option<TokenHash>,
    now: i64,
    generation: u64,
    keys: Arc<KeySet>,
    settings: Arc<Settings>,
}

/// A token that passed a full verification, to hand to [`Verifier::remember`].
pub struct Checked {
    verified: VerifiedToken,
    key: Option<KeyUse>,
}

impl Pending<'_> {
    /// Verifies the token: core's whole pipeline and the claim profile, no requirement.
    pub fn run(&self) -> Result<Checked> {
        let verified = verify_token(
            self.token,
            &self.keys,
            &self.settings.options(self.now),
            &self.settings.profile,
        )?;
        let key = self.keys.key_use(header_kid(self.token).as_deref());
        Ok(Checked { verified, key })
    }
}

impl<M> Verifier<M> {
    /// A verifier of `config` (checked here: [`VerifierConfig::validate`]) trusting `keys`.
    pub fn new(config: VerifierConfig, keys: KeySet) -> Result<Verifier<M>> {
        config.validate()?;
        let profile = config.profile_config();
        Ok(Verifier {
            cache: TokenCache::new(config.cache_size),
            settings: Arc::new(Settings {
                issuer: config.issuer,
                audience: config.audience,
                leeway: config.leeway,
                profile,
            }),
            keys: Arc::new(keys),
        })
    }

    /// The remembered token, when it may answer at `now`; otherwise the verification to run.
    pub fn lookup<'t>(&mut self, token: &'t str, now: i64) -> Lookup<'t, M> {
        let hash = (token.len() <= MAX_TOKEN_BYTES).then(|| token_hash(token));
        if let Some(hit) = hash.as_ref().and_then(|h| self.cache.get(h, now)) {
            return Lookup::Hit(Arc::clone(hit));
        }
        Lookup::Miss(self.pending_with(token, hash, now))
    }

    /// A full verification against the current keys, whatever the cache holds (after the host
    /// replaced the keys, say).
    pub fn pending<'t>(&self, token: &'t str, now: i64) -> Pending<'t> {
        let hash = (token.len() <= MAX_TOKEN_BYTES).then(|| token_hash(token));
        self.pending_with(token, hash, now)
    }

    fn pending_with<'t>(&self, token: &'t str, hash: Option<TokenHash>, now: i64) -> Pending<'t> {
        Pending {
            token,
            hash,
            now,
            generation: self.cache.generation(),
            keys: Arc::clone(&self.keys),
            settings: Arc::clone(&self.settings),
        }
    }

    /// Remembers a verified token with the host's `memo` and hands it back. Not stored when
    /// the cache is off, the token already expired, or the keys changed since `pending` began.
    pub fn remember(
        &mut self,
        pending: &Pending<'_>,
        checked: Checked,
        memo: M,
    ) -> Arc<Remembered<M>> {
        let exp = checked.verified.exp();
        let remembered = Arc::new(Remembered {
            verified: checked.verified,
            key: checked.key,
            settings: Arc::clone(&pending.settings),
            memo,
        });
        if let (Some(hash), Some(_)) = (pending.hash, &remembered.key) {
            let entry = Arc::clone(&remembered);
            self.cache
                .insert(hash, entry, exp, pending.now, pending.generation);
        }
        remembered
    }

    /// Trusts `keys` from now on (key rotation). Remembered tokens stay only when the new set
    /// would verify them with the same key (see the module documentation).
    pub fn replace_keys(&mut self, keys: KeySet) {
        self.cache
            .keys_replaced(|r| r.key.as_ref().is_some_and(|used| keys.still_picks(used)));
        self.keys = Arc::new(keys);
    }

    /// How many verified tokens are remembered.
    pub fn cached_tokens(&self) -> usize {
        self.cache.len()
    }

    /// How many keys are trusted.
    pub fn key_count(&self) -> usize {
        self.keys.len()
    }

    /// The `iss` required.
    pub fn issuer(&self) -> &str {
        &self.settings.issuer
    }

    /// The `aud` required.
    pub fn audience(&self) -> &str {
        &self.settings.audience
    }

    /// The clock-skew leeway, in seconds.
    pub fn leeway(&self) -> u64 {
        self.settings.leeway
    }
}

impl<M: Default> Verifier<M> {
    /// Verifies `token` at `now`, from the cache when it may answer, in full otherwise (and
    /// then remembers it). Apply each request's requirement to the answer with
    /// [`Remembered::authorize`].
    pub fn verify(&mut self, token: &str, now: i64) -> Result<Arc<Remembered<M>>> {
        match self.lookup(token, now) {
            Lookup::Hit(remembered) => Ok(remembered),
            Lookup::Miss(pending) => {
                let checked = pending.run()?;
                Ok(self.remember(&pending, checked, M::default()))
            }
        }
    }
}
