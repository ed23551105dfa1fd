//! The certification ledger (French anti-VAT-fraud law): per-account hash chains of
//! sealed records. This module holds the pure part — the canonical form of what is sealed
//! and the chaining rule — so that a third party can recompute every hash from
//! docs/certification.md. Storage (`store`), sealing (`subjects`) and verification build on it.

pub mod adoption;
pub mod canonical;
pub mod keys;
pub mod pending;
pub mod store;
pub mod subjects;
pub mod verify;

use sha2::{Digest, Sha256};

/// The hash algorithm, as reported with each seal.
pub const ALGORITHM: &str = "SHA-256";

/// `hash = SHA-256(previous_hash ‖ canonical_bytes)`, where `previous_hash` is the previous
/// entry's hash as 64 lower-case hexadecimal characters (for the first entry: the chain's
/// random genesis value, same form) and `canonical_bytes` the UTF-8 canonical form. The
/// result is written the same way: 64 lower-case hexadecimal characters.
pub fn chain_hash(previous_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(previous_hash.as_bytes());
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// A chain's genesis value: 32 random bytes, hexadecimal.
pub fn genesis() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaining_is_sha256_of_previous_hex_then_canonical() {
        // Recomputable with any tool: printf '%s%s' "$prev" "$canonical" | sha256sum
        let prev = "0".repeat(64);
        assert_eq!(chain_hash(&prev, "abc"), {
            let mut h = Sha256::new();
            h.update(format!("{prev}abc").as_bytes());
            hex::encode(h.finalize())
        });
        // SHA-256("abc") with an empty previous hash: the standard test vector.
        assert_eq!(chain_hash("", "abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn genesis_values_are_random_hex() {
        let (a, b) = (genesis(), genesis());
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }
}
