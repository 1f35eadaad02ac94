//! Secrets the server must store and read back (an OIDC connection's client secret): sealed with
//! AES-256-GCM under the key of `ORGKIT_SECRET_KEY`, or, when it is unset, under a key the server
//! generates once and keeps in the database (shared by every instance). Each sealed value is
//! bound to what it belongs to (its associated data), so a value copied to another row does not
//! open.

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::startup::StartupError;
use crate::store::Store;
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The version prefix of a sealed value.
const SEALED_PREFIX: &str = "v1.";
/// Key length, bytes.
const KEY_BYTES: usize = 32;

/// The key secrets are sealed with.
pub struct SecretBox {
    key: LessSafeKey,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(…)")
    }
}

impl SecretBox {
    /// The key of `ORGKIT_SECRET_KEY` (32 bytes, base64url), else the database's (made on first
    /// start).
    pub async fn load(configured: Option<&str>, store: &Store) -> Result<SecretBox, StartupError> {
        let bytes = match configured {
            Some(text) => URL_SAFE_NO_PAD
                .decode(text.trim_end_matches('='))
                .ok()
                .filter(|b| b.len() == KEY_BYTES)
                .ok_or_else(|| StartupError::new("ORGKIT_SECRET_KEY", "must be 32 random bytes, base64url (e.g. `openssl rand -base64 32 | tr '+/' '-_'`)"))?,
            None => {
                let fresh = clock::random_token(KEY_BYTES).map_err(|e| StartupError::database("no randomness for the secret key", e))?;
                let stored = store.ensure_secret_key(&fresh, store.now()).await.map_err(|e| StartupError::database("cannot store the secret key", e))?;
                URL_SAFE_NO_PAD.decode(stored).ok().filter(|b| b.len() == KEY_BYTES).ok_or_else(|| StartupError::database("the stored secret key", "does not decode"))?
            }
        };
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| StartupError::new("ORGKIT_SECRET_KEY", "unusable key"))?;
        Ok(SecretBox { key: LessSafeKey::new(key) })
    }

    /// `secret` sealed, bound to `context`.
    pub fn seal(&self, secret: &str, context: &str) -> ApiResult<String> {
        let nonce_bytes = clock::random_bytes(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(&nonce_bytes).map_err(|_| ApiError::internal("nonce length"))?;
        let mut sealed = secret.as_bytes().to_vec();
        self.key.seal_in_place_append_tag(nonce, Aad::from(context.as_bytes()), &mut sealed).map_err(|_| ApiError::internal("cannot seal a secret"))?;
        let mut out = nonce_bytes;
        out.extend_from_slice(&sealed);
        Ok(format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(out)))
    }

    /// A sealed value opened, if it was sealed under this key for `context`.
    pub fn open(&self, sealed: &str, context: &str) -> ApiResult<String> {
        let unreadable = || ApiError::internal("a stored secret does not open under this key (was ORGKIT_SECRET_KEY changed?)");
        let bytes = sealed.strip_prefix(SEALED_PREFIX).and_then(|b| URL_SAFE_NO_PAD.decode(b).ok()).ok_or_else(unreadable)?;
        let (nonce, body) = bytes.split_at_checked(NONCE_LEN).ok_or_else(unreadable)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unreadable())?;
        let mut body = body.to_vec();
        let plain = self.key.open_in_place(nonce, Aad::from(context.as_bytes()), &mut body).map_err(|_| unreadable())?;
        String::from_utf8(plain.to_vec()).map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sealed_values_open_only_for_their_context_and_key() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite://{}/secrets.db", dir.path().display())).await.unwrap();
        store.migrate().await.unwrap();
        let key = URL_SAFE_NO_PAD.encode([7u8; 32]);
        let sealed_box = SecretBox::load(Some(&key), &store).await.unwrap();
        let sealed = sealed_box.seal("client-secret", "connection:a").unwrap();
        assert!(!sealed.contains("client-secret"));
        assert_eq!(sealed_box.open(&sealed, "connection:a").unwrap(), "client-secret");
        assert!(sealed_box.open(&sealed, "connection:b").is_err());
        let other = SecretBox::load(Some(&URL_SAFE_NO_PAD.encode([8u8; 32])), &store).await.unwrap();
        assert!(other.open(&sealed, "connection:a").is_err());
        assert!(SecretBox::load(Some("short"), &store).await.is_err());
        // Without a configured key, the database's is made once and found again.
        let first = SecretBox::load(None, &store).await.unwrap().seal("x", "c").unwrap();
        assert_eq!(SecretBox::load(None, &store).await.unwrap().open(&first, "c").unwrap(), "x");
    }
}
