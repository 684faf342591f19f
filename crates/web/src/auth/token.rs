//! Secrets handed to people (session cookies, personal links, API tokens): 128 random bits,
//! shown once, stored only as their SHA-256 so that a stolen database opens nothing.

use rand::Rng;
use sha2::{Digest, Sha256};

/// A fresh secret: 32 hexadecimal characters (128 bits from the OS-seeded generator).
pub fn new_token() -> String {
    format!("{:032x}", rand::rng().random::<u128>())
}

/// What the store keeps of a secret.
pub fn hash_token(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// API tokens carry a prefix so that a leaked one is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "forma_";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), hash_token(&a));
        assert_ne!(hash_token(&a), a);
    }
}
