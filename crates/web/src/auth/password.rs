//! Password hashing with argon2id (OWASP parameters, the crate's defaults), off the async
//! threads and bounded: on two cores, a flood of logins must not starve the other requests.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Default for Passwords {
    fn default() -> Self {
        Passwords { permits: Arc::new(Semaphore::new(2)) }
    }
}

/// A hash verified against nothing, so that an unknown address costs as much as a known one
/// and response times do not reveal which accounts exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YVx6X2Cz5Lm1nGf1V0bF7bQG8yJ9b3t2v8i2p1Xy0aE";

impl Passwords {
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        tokio::task::spawn_blocking(move || {
            Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| anyhow::anyhow!("argon2 : {e}"))
        })
        .await?
    }

    /// Whether `password` matches `hash`; with no hash (unknown account, no password yet) the
    /// work is still done and the answer is no.
    pub async fn verify(&self, password: String, hash: Option<String>) -> anyhow::Result<bool> {
        let _permit = self.permits.acquire().await?;
        tokio::task::spawn_blocking(move || {
            let known = hash.is_some();
            let hash = hash.unwrap_or_else(|| DUMMY_HASH.to_owned());
            let ok = Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok();
            Ok(ok && known)
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_then_verify() {
        let p = Passwords::default();
        let hash = p.hash("une longue phrase de passe".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(p.verify("une longue phrase de passe".into(), Some(hash.clone())).await.unwrap());
        assert!(!p.verify("autre chose".into(), Some(hash)).await.unwrap());
        assert!(!p.verify("une longue phrase de passe".into(), None).await.unwrap());
    }
}
