//! Opaque secrets (refresh tokens, API tokens): random, shown once, stored as SHA-256;
//! and the private files that hold the server's own keys.

use rand::RngCore;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

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

fn private_temporary(path: &Path, bytes: &[u8]) -> std::io::Result<PathBuf> {
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(tmp)
}

/// Writes a file readable by its owner only (0600), unless it exists: the whole content
/// goes to a private temporary file first, which is then linked into place, so nobody
/// ever reads a half-written key and of two processes racing, one wins. Returns whether
/// this call created it.
pub fn write_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<bool> {
    let tmp = private_temporary(path, bytes)?;
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e),
    }
}

/// Replaces a private file's content atomically (a private temporary file renamed over it).
pub fn replace_private_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = private_temporary(path, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
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
