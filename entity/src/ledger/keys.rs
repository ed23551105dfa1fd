//! The anchor outside the database: Ed25519 keys that sign chain heads and closures.
//!
//! An attacker with write access to the database (triggers dropped, the published
//! algorithm at hand) can rewrite a chain so that every hash recomputes; what they cannot
//! do without the private key is sign the rewritten head. The key therefore never enters
//! the database: it lives in a file (`<data dir>/ledger_keys`, mode 0600, created on
//! first start) or in an environment variable, and verification takes the *public* keys
//! from outside the database too (the same file, or a published list).
//!
//! Key ring text, one key per line, `#` starts a comment:
//!
//! ```text
//! public <64 hex>   a retired key: still verifies what it signed
//! secret <64 hex>   the signing key (exactly one): its public key is trusted too
//! ```
//!
//! A list of trusted public keys (`scelle keys public`, `scelle verify --keys FILE`) has
//! the same syntax; a bare 64-hex line is a public key.
//!
//! One process signs with one key ring: it is installed once at start (`install`), like
//! the logger, because every write transaction of every account signs the heads it moves.

use chrono::{DateTime, SubsecRound, Utc};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use std::path::Path;
use std::sync::OnceLock;
use uuid::Uuid;

/// The algorithm named next to every signature.
pub const SIGNATURE_ALGORITHM: &str = "Ed25519";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("line {line}: {reason}")]
    Syntax { line: usize, reason: &'static str },
    #[error("the key ring has no signing key (a `secret <hex>` line)")]
    NoSecret,
    #[error("the key ring has more than one signing key")]
    SeveralSecrets,
    #[error("no public key in the list")]
    Empty,
    #[error("{0}")]
    Io(String),
    #[error("another signing key is already installed in this process")]
    AlreadyInstalled,
}

fn hex32(s: &str, line: usize) -> Result<[u8; 32], KeyError> {
    let bytes = hex::decode(s).map_err(|_| KeyError::Syntax { line, reason: "not hexadecimal" })?;
    bytes.try_into().map_err(|_| KeyError::Syntax { line, reason: "a key is 32 bytes (64 hex characters)" })
}

/// One key line, parsed.
enum KeyLine {
    Secret(SigningKey),
    Public(VerifyingKey),
}

fn key_lines(text: &str) -> Result<Vec<KeyLine>, KeyError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let content = raw.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let mut words = content.split_whitespace();
        let (kind, value) = match (words.next(), words.next(), words.next()) {
            (Some(v), None, None) => ("public", v),
            (Some(k), Some(v), None) => (k, v),
            _ => return Err(KeyError::Syntax { line, reason: "expected `public <hex>` or `secret <hex>`" }),
        };
        let bytes = hex32(value, line)?;
        out.push(match kind {
            "secret" => KeyLine::Secret(SigningKey::from_bytes(&bytes)),
            "public" => KeyLine::Public(
                VerifyingKey::from_bytes(&bytes)
                    .map_err(|_| KeyError::Syntax { line, reason: "not an Ed25519 public key" })?,
            ),
            _ => return Err(KeyError::Syntax { line, reason: "a line starts with `public` or `secret`" }),
        });
    }
    Ok(out)
}

/// A key's name: its public key, 64 lower-case hexadecimal characters.
pub fn key_id(k: &VerifyingKey) -> String {
    hex::encode(k.as_bytes())
}

/// The signing key and the retired public keys of one installation.
pub struct KeyRing {
    signing: SigningKey,
    retired: Vec<VerifyingKey>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing").field("signing", &self.key_id()).field("retired", &self.retired.len()).finish()
    }
}

impl KeyRing {
    /// A new ring with a fresh random signing key.
    pub fn generate() -> Self {
        use rand::RngCore;
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        Self { signing: SigningKey::from_bytes(&seed), retired: Vec::new() }
    }

    /// A ring from its text (see the module's documentation). A bare 64-hex value is read
    /// as the signing key, so that an environment variable can hold just the secret.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let trimmed = text.trim();
        if trimmed.len() == 64 && trimmed.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Self { signing: SigningKey::from_bytes(&hex32(trimmed, 1)?), retired: Vec::new() });
        }
        let mut signing = None;
        let mut retired = Vec::new();
        for k in key_lines(text)? {
            match k {
                KeyLine::Secret(s) if signing.is_none() => signing = Some(s),
                KeyLine::Secret(_) => return Err(KeyError::SeveralSecrets),
                KeyLine::Public(p) => retired.push(p),
            }
        }
        Ok(Self { signing: signing.ok_or(KeyError::NoSecret)?, retired })
    }

    /// The ring as its file holds it.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# Scelle ledger keys: keep this file secret and outside the database (mode 0600).\n\
             # `secret` signs chain heads and closures; each `public` line is a retired key that\n\
             # still verifies what it signed. Publish the public keys with `scelle keys public`.\n",
        );
        for p in &self.retired {
            out.push_str(&format!("public {}\n", key_id(p)));
        }
        out.push_str(&format!("secret {}\n", hex::encode(self.signing.to_bytes())));
        out
    }

    /// The trusted public keys as a published list (what `scelle verify --keys` reads).
    pub fn public_text(&self) -> String {
        let mut out = String::from("# Scelle ledger public keys (Ed25519); the last one signs now.\n");
        for p in self.trusted().0 {
            out.push_str(&format!("public {}\n", key_id(&p)));
        }
        out
    }

    /// A new signing key; the current one is retired (its public key kept).
    pub fn rotated(&self) -> Self {
        let mut retired = self.retired.clone();
        retired.push(self.signing.verifying_key());
        Self { signing: Self::generate().signing, retired }
    }

    /// The public key that signs now.
    pub fn key_id(&self) -> String {
        key_id(&self.signing.verifying_key())
    }

    /// Every public key of the ring: the retired ones, then the signing one.
    pub fn trusted(&self) -> TrustedKeys {
        let mut keys = self.retired.clone();
        keys.push(self.signing.verifying_key());
        TrustedKeys(keys)
    }

    /// Signs a checkpoint; returns the signature as 128 hexadecimal characters.
    pub fn sign(&self, c: &Checkpoint) -> String {
        hex::encode(self.signing.sign(c.message().as_bytes()).to_bytes())
    }

    /// Reads a ring from `path`, or creates one there (mode 0600) when there is none.
    /// Returns whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), KeyError> {
        let io = |what: &str, e: std::io::Error| KeyError::Io(format!("{what} {}: {e}", path.display()));
        match std::fs::read_to_string(path) {
            Ok(text) => {
                warn_if_readable_by_others(path);
                return Ok((Self::parse(&text)?, false));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io("reading", e)),
        }
        let ring = Self::generate();
        match crate::secret::write_private_file(path, ring.to_text().as_bytes()) {
            Ok(true) => Ok((ring, true)),
            // Another process created it meanwhile: use theirs.
            Ok(false) => {
                let text = std::fs::read_to_string(path).map_err(|e| io("reading", e))?;
                Ok((Self::parse(&text)?, false))
            }
            Err(e) => Err(io("writing", e)),
        }
    }

    /// Replaces the file's ring by its rotation (private, atomic). Returns the new ring.
    pub fn rotate_file(path: &Path) -> Result<Self, KeyError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| KeyError::Io(format!("reading {}: {e}", path.display())))?;
        let rotated = Self::parse(&text)?.rotated();
        crate::secret::replace_private_file(path, rotated.to_text().as_bytes())
            .map_err(|e| KeyError::Io(format!("writing {}: {e}", path.display())))?;
        Ok(rotated)
    }
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(m) = std::fs::metadata(path)
        && m.permissions().mode() & 0o077 != 0
    {
        tracing::warn!(path = %path.display(), "the ledger key file is readable by others: chmod 600 it");
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

/// Public keys that verification trusts, taken from outside the database.
#[derive(Clone, Debug, Default)]
pub struct TrustedKeys(Vec<VerifyingKey>);

/// Why a signature does not hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureFault {
    /// No signature where one must be.
    Missing,
    /// Signed by a key that is not among the trusted ones.
    UntrustedKey,
    /// The signature is not the key's signature of this checkpoint.
    Invalid,
}

impl TrustedKeys {
    /// A published list (or a whole ring: secret lines count by their public key).
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let keys: Vec<VerifyingKey> = key_lines(text)?
            .into_iter()
            .map(|k| match k {
                KeyLine::Secret(s) => s.verifying_key(),
                KeyLine::Public(p) => p,
            })
            .collect();
        if keys.is_empty() { Err(KeyError::Empty) } else { Ok(Self(keys)) }
    }

    pub fn ids(&self) -> Vec<String> {
        self.0.iter().map(key_id).collect()
    }

    /// Checks that `signature` is the signature of `c` by the key `key` (its id), and that
    /// this key is trusted.
    pub fn check(&self, key: Option<&str>, signature: Option<&str>, c: &Checkpoint) -> Result<(), SignatureFault> {
        let (Some(key), Some(signature)) = (key, signature) else { return Err(SignatureFault::Missing) };
        let Some(k) = self.0.iter().find(|k| key_id(k) == key) else { return Err(SignatureFault::UntrustedKey) };
        let bytes: [u8; 64] =
            hex::decode(signature).ok().and_then(|b| b.try_into().ok()).ok_or(SignatureFault::Invalid)?;
        k.verify_strict(c.message().as_bytes(), &Signature::from_bytes(&bytes)).map_err(|_| SignatureFault::Invalid)
    }
}

/// What a signature vouches for: chain `chain` of account `account` had entry `sequence`
/// with hash `hash` (sequence 0: the genesis) at `signed_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint<'a> {
    pub account: Uuid,
    pub chain: &'a str,
    pub sequence: i64,
    pub hash: &'a str,
    pub signed_at: DateTime<Utc>,
}

impl Checkpoint<'_> {
    /// The signed bytes (UTF-8), `\n`-separated, no trailing newline:
    ///
    /// ```text
    /// scelle-checkpoint-v1
    /// account=<uuid>
    /// chain=<documents|payments|closures|events>
    /// sequence=<n>
    /// hash=<64 hex>
    /// signed_at=<YYYY-MM-DDTHH:MM:SS.ffffffZ>
    /// ```
    pub fn message(&self) -> String {
        format!(
            "scelle-checkpoint-v1\naccount={}\nchain={}\nsequence={}\nhash={}\nsigned_at={}",
            self.account,
            self.chain,
            self.sequence,
            self.hash,
            timestamp(self.signed_at)
        )
    }
}

/// Signing times keep microseconds (what PostgreSQL stores), so they read back as signed.
pub fn signing_time() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

static INSTALLED: OnceLock<KeyRing> = OnceLock::new();

/// Makes `ring` the process' signing ring. Installing the same signing key again is
/// harmless; another one is refused (a process signs with one key).
pub fn install(ring: KeyRing) -> Result<&'static KeyRing, KeyError> {
    let id = ring.key_id();
    let installed = INSTALLED.get_or_init(|| ring);
    if installed.key_id() == id { Ok(installed) } else { Err(KeyError::AlreadyInstalled) }
}

/// The process' signing ring; writing to a chain without one is an error, never an
/// unsigned head.
pub fn installed() -> crate::error::DomainResult<&'static KeyRing> {
    INSTALLED
        .get()
        .ok_or_else(|| crate::error::DomainError::Internal("no ledger signing key is installed in this process".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkpoint() -> Checkpoint<'static> {
        Checkpoint {
            account: Uuid::nil(),
            chain: "documents",
            sequence: 3,
            hash: "ab",
            signed_at: DateTime::parse_from_rfc3339("2026-12-01T10:00:00.123456Z").unwrap().to_utc(),
        }
    }

    #[test]
    fn the_signed_message_is_fixed() {
        assert_eq!(
            checkpoint().message(),
            "scelle-checkpoint-v1\naccount=00000000-0000-0000-0000-000000000000\nchain=documents\nsequence=3\nhash=ab\n\
             signed_at=2026-12-01T10:00:00.123456Z"
        );
    }

    #[test]
    fn rings_round_trip_sign_and_rotate() {
        let ring = KeyRing::generate();
        let again = KeyRing::parse(&ring.to_text()).unwrap();
        assert_eq!(again.key_id(), ring.key_id());
        let sig = ring.sign(&checkpoint());
        let trusted = ring.trusted();
        assert_eq!(trusted.check(Some(&ring.key_id()), Some(&sig), &checkpoint()), Ok(()));
        // Anything else in the checkpoint, and the signature no longer holds.
        let other = Checkpoint { sequence: 4, ..checkpoint() };
        assert_eq!(trusted.check(Some(&ring.key_id()), Some(&sig), &other), Err(SignatureFault::Invalid));
        assert_eq!(trusted.check(None, None, &checkpoint()), Err(SignatureFault::Missing));
        // After a rotation the old signatures still verify with the retired key…
        let rotated = ring.rotated();
        assert_ne!(rotated.key_id(), ring.key_id());
        let parsed = KeyRing::parse(&rotated.to_text()).unwrap();
        assert_eq!(parsed.trusted().check(Some(&ring.key_id()), Some(&sig), &checkpoint()), Ok(()));
        // …and a list without it does not trust them.
        let only_new = TrustedKeys::parse(&format!("{}\n", rotated.key_id())).unwrap();
        assert_eq!(only_new.check(Some(&ring.key_id()), Some(&sig), &checkpoint()), Err(SignatureFault::UntrustedKey));
        // The published list is read back as the same keys.
        assert_eq!(TrustedKeys::parse(&parsed.public_text()).unwrap().ids(), parsed.trusted().ids());
    }

    #[test]
    fn bad_rings_are_refused_with_the_line() {
        assert_eq!(KeyRing::parse("public zz").unwrap_err(), KeyError::Syntax { line: 1, reason: "not hexadecimal" });
        assert_eq!(KeyRing::parse("# nothing\n").unwrap_err(), KeyError::NoSecret);
        let s = format!("secret {}\nsecret {}\n", "11".repeat(32), "22".repeat(32));
        assert_eq!(KeyRing::parse(&s).unwrap_err(), KeyError::SeveralSecrets);
        assert!(matches!(KeyRing::parse("secret 1234"), Err(KeyError::Syntax { line: 1, .. })));
        assert_eq!(TrustedKeys::parse("").unwrap_err(), KeyError::Empty);
        // A bare secret, as an environment variable may hold it.
        assert!(KeyRing::parse(&"42".repeat(32)).is_ok());
    }

    #[test]
    fn key_files_are_created_private_and_read_back() {
        let dir = std::env::temp_dir().join(format!("scelle-keys-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ledger_keys");
        let (ring, created) = KeyRing::load_or_create(&path).unwrap();
        assert!(created);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let (again, created) = KeyRing::load_or_create(&path).unwrap();
        assert!(!created);
        assert_eq!(again.key_id(), ring.key_id());
        let rotated = KeyRing::rotate_file(&path).unwrap();
        let (read, _) = KeyRing::load_or_create(&path).unwrap();
        assert_eq!(read.key_id(), rotated.key_id());
        assert_eq!(read.trusted().ids(), vec![ring.key_id(), rotated.key_id()]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
