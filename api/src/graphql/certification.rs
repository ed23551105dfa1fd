//! Certification in GraphQL: the seal of each document and payment, and verification of
//! an account's chains.

use super::context::{CtxExt, ResultExt};
use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::ledger::store::{self, Chain, Range};
use entity::{AccountId, DomainError, FieldCode};
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CertificationStatus {
    /// Issued (or paid) and waiting for the sealing job: normally less than a second.
    Pending,
    /// In the account's chain.
    Sealed,
}

/// Where a record stands in its account's hash chain.
#[derive(SimpleObject, Clone)]
pub struct Certification {
    pub status: CertificationStatus,
    /// Position in the chain (1 for the first entry); null while pending.
    pub sequence: Option<i64>,
    /// SHA-256(previousHash ‖ canonical form), 64 hexadecimal characters.
    pub hash: Option<String>,
    /// The previous entry's hash (the chain's random genesis value for the first).
    pub previous_hash: Option<String>,
    pub sealed_at: Option<DateTime<Utc>>,
    /// Always `SHA-256` for now.
    pub algorithm: String,
}

/// The certification of a subject that is to be sealed: its entry, or pending.
pub async fn of(ctx: &Context<'_>, chain: Chain, subject_id: Uuid) -> async_graphql::Result<Certification> {
    let actor = ctx.actor()?;
    let entry = store::entry_of(&ctx.app().db, actor.account_id, chain, subject_id).await.gql(ctx)?;
    Ok(match entry {
        Some(e) => Certification {
            status: CertificationStatus::Sealed,
            sequence: Some(e.sequence),
            hash: Some(e.hash),
            previous_hash: Some(e.previous_hash),
            sealed_at: Some(e.sealed_at),
            algorithm: entity::ledger::ALGORITHM.into(),
        },
        None => Certification {
            status: CertificationStatus::Pending,
            sequence: None,
            hash: None,
            previous_hash: None,
            sealed_at: None,
            algorithm: entity::ledger::ALGORITHM.into(),
        },
    })
}

/// An account's chains.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum LedgerChain {
    /// Issued fiscal documents (invoices, credit notes, advances, finals, receipts…).
    Documents,
    /// Paid payments.
    Payments,
    /// Daily, monthly and yearly closures.
    Closures,
    /// The event journal.
    Events,
}

impl From<LedgerChain> for Chain {
    fn from(c: LedgerChain) -> Self {
        match c {
            LedgerChain::Documents => Chain::Documents,
            LedgerChain::Payments => Chain::Payments,
            LedgerChain::Closures => Chain::Closures,
            LedgerChain::Events => Chain::Events,
        }
    }
}

/// Why verification stopped.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BreakReason {
    /// A sequence number is missing: an entry was deleted.
    MissingEntry,
    /// The entry does not link to the previous entry's hash (entries swapped or replaced).
    BrokenLink,
    /// The entry's hash is not the hash of its own content (the sealed record was edited).
    HashMismatch,
    /// The sealed record no longer matches the document or payment it seals.
    SubjectChanged,
    /// The document or payment a sealed entry seals is gone.
    SubjectDeleted,
    /// The chain ends before its head says: the newest entries were removed.
    Truncated,
}

impl BreakReason {
    fn of(reason: &str) -> Self {
        match reason {
            "missing_entry" => BreakReason::MissingEntry,
            "broken_link" => BreakReason::BrokenLink,
            "hash_mismatch" => BreakReason::HashMismatch,
            "subject_changed" => BreakReason::SubjectChanged,
            "subject_deleted" => BreakReason::SubjectDeleted,
            _ => BreakReason::Truncated,
        }
    }
}

#[derive(SimpleObject)]
pub struct BrokenLink {
    pub sequence: i64,
    /// The hash the entry should have (recomputed), when it can be computed.
    pub expected_hash: Option<String>,
    /// The hash stored, when there is one.
    pub stored_hash: Option<String>,
    pub reason: BreakReason,
}

#[derive(SimpleObject)]
pub struct LedgerVerification {
    pub ok: bool,
    /// Entries checked before the first problem (all of them when `ok`).
    pub checked: u64,
    pub first_broken: Option<BrokenLink>,
}

impl From<store::Verification> for LedgerVerification {
    fn from(v: store::Verification) -> Self {
        Self {
            ok: v.ok(),
            checked: v.checked,
            first_broken: v.first_broken.map(|b| BrokenLink {
                sequence: b.sequence,
                expected_hash: b.expected_hash,
                stored_hash: b.stored_hash,
                reason: BreakReason::of(b.reason),
            }),
        }
    }
}

/// What a verification run journals: `VERIFICATION_RUN`, or `VERIFICATION_FAILED` with
/// where and why.
pub fn journal_event(chain: Chain, v: &store::Verification) -> entity::journal::Event {
    match &v.first_broken {
        None => entity::journal::Event::VerificationRun { chain: chain.as_str().into(), checked: v.checked },
        Some(b) => entity::journal::Event::VerificationFailed {
            chain: chain.as_str().into(),
            sequence: b.sequence,
            reason: b.reason.into(),
        },
    }
}

/// Checks a range before running it: sequences start at 1, and `to` is not before `from`.
fn range(from: Option<i64>, to: Option<i64>) -> Result<Range, DomainError> {
    let mut errors = Vec::new();
    if from.is_some_and(|f| f < 1) {
        errors.push(entity::FieldError::new("fromSequence", FieldCode::OutOfRange { min: 1, max: i64::MAX }));
    }
    if to.is_some_and(|t| t < from.unwrap_or(1).max(1)) {
        errors.push(entity::FieldError::new("toSequence", FieldCode::Rule("before_from_sequence")));
    }
    if errors.is_empty() { Ok(Range { from, to }) } else { Err(DomainError::Validation(errors)) }
}

/// An archive made by `exportArchive`.
#[derive(SimpleObject)]
pub struct ArchiveExport {
    /// e.g. `scelle-ACME-2026-01-01-2026-12-31.zip`.
    pub file_name: String,
    /// SHA-256 of the zip.
    pub sha256: String,
    /// SHA-256 of its `manifest.json` (which lists every other file with its SHA-256).
    pub manifest_sha256: String,
    pub size_bytes: u64,
    /// The zip itself, base64 (standard alphabet, padded).
    pub content_base64: String,
}

#[derive(Default)]
pub struct CertificationMutation;

#[Object]
impl CertificationMutation {
    /// Archives what the account sealed over a period of at most 366 days (documents by
    /// issue date, payments by payment date, closures and journal events by sealing date):
    /// a zip of JSON (with its JSON Schema), CSV and the chain entries, and a manifest of
    /// every file's SHA-256, checkable offline with `scelle verify-archive <file>`. For
    /// owners, admins and accountants.
    async fn export_archive(
        &self,
        ctx: &Context<'_>,
        from: super::scalars::Date,
        to: super::scalars::Date,
    ) -> async_graphql::Result<ArchiveExport> {
        use base64::Engine;
        let actor = ctx.actor()?;
        actor.require_auditor().gql(ctx)?;
        let archive = entity::archive::export(&ctx.app().db, actor, from.0, to.0).await.gql(ctx)?;
        Ok(ArchiveExport {
            file_name: archive.file_name,
            sha256: archive.sha256,
            manifest_sha256: archive.manifest_sha256,
            size_bytes: archive.bytes.len() as u64,
            content_base64: base64::engine::general_purpose::STANDARD.encode(&archive.bytes),
        })
    }
}

#[derive(Default)]
pub struct CertificationQuery;

#[Object]
impl CertificationQuery {
    /// Recomputes one of the account's chains from its genesis (or the entry before
    /// `fromSequence`): every link, every hash, every sealed record against what it seals,
    /// and — when the range reaches the end — the chain's head, which catches removed
    /// newest entries. Anyone with access to the account may verify.
    async fn verify_ledger(
        &self,
        ctx: &Context<'_>,
        chain: LedgerChain,
        from_sequence: Option<i64>,
        to_sequence: Option<i64>,
    ) -> async_graphql::Result<LedgerVerification> {
        let actor = ctx.actor()?;
        let range = range(from_sequence, to_sequence).gql(ctx)?;
        let account: AccountId = actor.account_id;
        let db = &ctx.app().db;
        let v = store::verify(db, account, chain.into(), range).await.gql(ctx)?;
        let origin = entity::journal::Origin::of(actor);
        entity::journal::record_alone(db, account, &origin, journal_event(Chain::from(chain), &v)).await.gql(ctx)?;
        Ok(v.into())
    }
}
