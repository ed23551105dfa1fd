//! Password hashing with argon2id (the crate's default algorithm and parameters:
//! 19 MiB, 2 passes, 1 lane — OWASP's recommendation). Hashing is CPU-heavy by
//! design, so it runs on the blocking pool, not on the async workers.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use std::sync::LazyLock;

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

pub async fn verify(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A hash of a random password, checked when the e-mail is unknown so that an unknown
/// e-mail costs the same time as a wrong password (no account enumeration by timing).
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let random = entity::secret::generate("");
    Argon2::default().hash_password(random.as_bytes()).map(|h| h.to_string()).unwrap_or_default()
});

pub async fn burn_time(password: String) {
    let phc = tokio::task::spawn_blocking(|| DUMMY.clone()).await.unwrap_or_default();
    let _ = verify(password, phc).await;
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hash_then_verify() {
        let phc = super::hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(super::verify("correct horse".into(), phc.clone()).await);
        assert!(!super::verify("wrong horse".into(), phc).await);
        assert!(!super::verify("x".into(), "not a phc".into()).await);
    }
}
