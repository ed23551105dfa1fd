//! Opaque secrets (refresh tokens, API tokens): random, shown once, stored as SHA-256.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of API tokens, so that a leaked one is recognisable (secret scanners) and
/// so that the server tells an API token from a JWT without trying to decode it.
pub const API_TOKEN_PREFIX: &str = "scl_";
pub const REFRESH_TOKEN_PREFIX: &str = "sclr_";

/// 32 random bytes from the OS generator, hex-encoded, behind a prefix.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

pub fn sha256_hex(bytes: impl AsRef<[u8]>) -> String {
    hex::encode(Sha256::digest(bytes.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = generate(API_TOKEN_PREFIX);
        let b = generate(API_TOKEN_PREFIX);
        assert_ne!(a, b);
        assert!(a.starts_with("scl_") && a.len() == 4 + 64);
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
