//! Certification in GraphQL: the seal of each document and payment, and verification of
//! an account's chains.

use super::context::{CtxExt, ResultExt};
use async_graphql::ID;
use async_graphql::{Context, Enum, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::ledger::store::{self, Chain};
use entity::ledger::verify::{self, Finding};
use entity::{AccountId, DomainError, FieldCode};
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum CertificationStatus {
    /// Issued (or paid) but not in the chain. Never the case for what Scelle issues now:
    /// documents and payments are sealed in the transaction that issues or pays them, so
    /// this means records from before that, or tampering (`verifyLedger` says UNSEALED).
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
    // Batched with the other subjects of the response (see `graphql::loaders`).
    let key = crate::graphql::loaders::EntryOf(actor.account_id, chain, subject_id);
    let entry = ctx.reads().load_one(key).await.map_err(crate::graphql::loaders::failed).gql(ctx)?;
    Ok(match entry.as_deref().cloned() {
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

/// A chain's position: its last sequence and hash (sequence 0: the chain's genesis).
#[derive(SimpleObject, Clone)]
pub struct ChainHead {
    pub chain: LedgerChain,
    pub sequence: i64,
    pub hash: String,
}

/// A signature made with the installation's ledger key, which the database does not hold.
#[derive(SimpleObject, Clone)]
pub struct LedgerSignature {
    /// `Ed25519`.
    pub algorithm: String,
    /// The signing key's public key (64 hexadecimal characters), to look up in the
    /// published list (`scelle keys public`).
    pub key: String,
    /// 128 hexadecimal characters, over the checkpoint text given in docs/certification.md.
    pub signature: String,
    pub signed_at: DateTime<Utc>,
}

impl LedgerSignature {
    pub fn of(signed_at: Option<DateTime<Utc>>, signature: Option<String>, key: Option<String>) -> Option<Self> {
        Some(Self {
            algorithm: entity::ledger::keys::SIGNATURE_ALGORITHM.into(),
            key: key?,
            signature: signature?,
            signed_at: signed_at?,
        })
    }
}

/// A chain's head as stored: where the chain ends, and its signature.
#[derive(SimpleObject)]
pub struct SignedHead {
    pub chain: LedgerChain,
    pub sequence: i64,
    pub hash: String,
    /// The chain's random start (the previous hash of its first entry).
    pub genesis: String,
    pub signature: Option<LedgerSignature>,
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

impl From<Chain> for LedgerChain {
    fn from(c: Chain) -> Self {
        match c {
            Chain::Documents => LedgerChain::Documents,
            Chain::Payments => LedgerChain::Payments,
            Chain::Closures => LedgerChain::Closures,
            Chain::Events => LedgerChain::Events,
        }
    }
}

/// Why verification objects (see `docs/certification.md` for each).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::ledger::verify::Reason")]
pub enum BreakReason {
    /// A sequence number is missing: an entry was deleted.
    MissingEntry,
    /// An entry does not link to the previous entry's hash (entries swapped or replaced),
    /// or the first one to the chain's genesis.
    BrokenLink,
    /// An entry's hash is not the hash of its stored content (the sealed record was edited).
    HashMismatch,
    /// The sealed record no longer matches what it seals (a document or payment edited
    /// behind the API): `expectedHash` is what the hash would be now.
    SubjectChanged,
    /// What a sealed entry seals is gone.
    SubjectDeleted,
    /// The chain ends before its head says: the newest entries were removed.
    Truncated,
    /// The chain's head is missing.
    HeadMissing,
    /// The head does not match the chain's last entry.
    HeadMismatch,
    /// A head or a closure without its signature.
    SignatureMissing,
    /// A signature that is not the signature of what it vouches for.
    SignatureInvalid,
    /// Signed by a key that is not among the trusted public keys.
    UntrustedKey,
    /// An issued fiscal document, a paid payment, a closure or an event without its entry.
    Unsealed,
    /// A numbering counter behind the documents it numbered (moved back).
    NumberingBehind,
    /// A numbering counter ahead of every document: the newest numbered document is gone.
    NumberingGap,
    /// A past period has no closure.
    ClosureMissing,
    /// A closure recorded a head (or its period's last entry) that the chain no longer holds.
    ClosureHeadMismatch,
    /// A closure's CSV does not match its sealed SHA-256.
    CsvMismatch,
    /// A hash kept outside (an anchor) is not in the chain.
    AnchorNotFound,
    /// A document sealed after a signed closure made since its issue.
    SealedLate,
}

/// One thing verification objects to.
#[derive(SimpleObject)]
pub struct BrokenLink {
    pub reason: BreakReason,
    /// Where in the chain it shows, when it shows at an entry (null for, e.g., a document
    /// that has no entry at all, or a missing closure).
    pub sequence: Option<i64>,
    /// The record concerned (document, payment, closure or journal event id), when one is.
    pub subject_id: Option<ID>,
    /// The hash expected there (recomputed, recorded by a closure, kept as an anchor…).
    pub expected_hash: Option<String>,
    /// The hash found there.
    pub stored_hash: Option<String>,
    /// What it is about, in words (a document number, a period, a series).
    pub detail: String,
}

impl From<Finding> for BrokenLink {
    fn from(f: Finding) -> Self {
        Self {
            reason: f.reason.into(),
            sequence: f.sequence,
            subject_id: f.subject.map(|s| ID(s.to_string())),
            expected_hash: f.expected_hash,
            stored_hash: f.stored_hash,
            detail: f.detail,
        }
    }
}

#[derive(SimpleObject)]
pub struct LedgerVerification {
    pub ok: bool,
    /// Entries examined.
    pub checked: u64,
    /// The first finding (the lowest sequence; findings at no sequence come last).
    pub first_broken: Option<BrokenLink>,
    /// Every finding, in chain order, at most 100.
    pub findings: Vec<BrokenLink>,
    /// More than 100 findings: the list was cut.
    pub findings_truncated: bool,
}

impl From<verify::Report> for LedgerVerification {
    fn from(r: verify::Report) -> Self {
        let findings: Vec<BrokenLink> = r.findings.into_iter().map(Into::into).collect();
        Self {
            ok: findings.is_empty(),
            checked: r.checked,
            first_broken: None,
            findings,
            findings_truncated: r.truncated,
        }
        .with_first()
    }
}

impl LedgerVerification {
    fn with_first(mut self) -> Self {
        self.first_broken = self.findings.first().map(|f| BrokenLink {
            reason: f.reason,
            sequence: f.sequence,
            subject_id: f.subject_id.clone(),
            expected_hash: f.expected_hash.clone(),
            stored_hash: f.stored_hash.clone(),
            detail: f.detail.clone(),
        });
        self
    }
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
    /// The heads of the account's four chains, signed: a signed head saved outside Scelle
    /// is an anchor (`verifyLedger(anchors:)`, `scelle verify --anchors` take its hash).
    /// Owners, admins and accountants.
    async fn ledger_heads(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SignedHead>> {
        let actor = ctx.actor()?;
        actor.require_auditor().gql(ctx)?;
        let mut out = Vec::new();
        for chain in Chain::ALL {
            if let Some(h) = store::head_of(&ctx.app().db, actor.account_id, chain).await.gql(ctx)? {
                out.push(SignedHead {
                    chain: chain.into(),
                    sequence: h.last_sequence,
                    hash: h.last_hash,
                    genesis: h.genesis,
                    signature: LedgerSignature::of(h.signed_at, h.signature, h.signing_key),
                });
            }
        }
        Ok(out)
    }

    /// Verifies one of the account's chains: every entry's sequence, link and hash, every
    /// sealed record against what it seals, the head and its signature (against the
    /// installation's public keys) and, when the range reaches the end, the head against
    /// the last entry. Over the whole chain (no range) also what the chain must hold:
    /// every issued document or paid payment sealed, numbering counters, closures'
    /// signatures, CSVs and recorded heads, a closure for every past period, and each of
    /// `anchors` (hashes kept from closure e-mails) found. A range past the end of the
    /// chain is refused (VALIDATION_FAILED). Every run is journaled (VERIFICATION_RUN, or
    /// VERIFICATION_FAILED when something was found). Anyone with access to the account.
    async fn verify_ledger(
        &self,
        ctx: &Context<'_>,
        chain: LedgerChain,
        from_sequence: Option<i32>,
        to_sequence: Option<i32>,
        anchors: Option<Vec<String>>,
    ) -> async_graphql::Result<LedgerVerification> {
        let actor = ctx.actor()?;
        let account: AccountId = actor.account_id;
        let db = &ctx.app().db;
        let chain = Chain::from(chain);
        let anchors = anchor_list(anchors.unwrap_or_default()).gql(ctx)?;
        let range = verify::Range { from: from_sequence.map(i64::from), to: to_sequence.map(i64::from) };
        let range = verify::check_range(db, account, chain, range).await.gql(ctx)?;
        let trusted = entity::ledger::keys::installed().gql(ctx)?.trusted();
        let options = ctx.app().config.verification(trusted, anchors);
        let report = verify::verify_chain(db, account, chain, range, &options).await.gql(ctx)?;
        let origin = entity::journal::Origin::of(actor);
        // The findings are answered even when the run cannot be journaled (the events chain
        // itself altered): they are what the caller needs to see.
        if let Err(e) = entity::journal::record_alone(db, account, &origin, report.journal_event()).await {
            tracing::error!(account = %account.0, error = %e, "verification run not journaled");
        }
        Ok(report.into())
    }
}

/// Anchors as given: 64 hexadecimal characters each, at most 1000.
fn anchor_list(anchors: Vec<String>) -> Result<Vec<String>, DomainError> {
    let mut errors = Vec::new();
    if anchors.len() > 1000 {
        errors.push(entity::FieldError::new("anchors", FieldCode::OutOfRange { min: 0, max: 1000 }));
    }
    for (i, a) in anchors.iter().enumerate() {
        if a.len() != 64 || !a.bytes().all(|b| b.is_ascii_hexdigit()) {
            errors.push(entity::FieldError::new(format!("anchors.{i}"), FieldCode::Rule("not_a_sha256")));
        }
    }
    if errors.is_empty() {
        Ok(anchors.into_iter().map(|a| a.to_ascii_lowercase()).collect())
    } else {
        Err(DomainError::Validation(errors))
    }
}
