//! Verification of an account's chains, as an auditor (or an attacker's victim) needs it:
//! every finding named with its reason, the sequence where it shows and the record it
//! concerns, against public keys and anchors taken from outside the database.
//!
//! Per chain (`verify_chain`), over the whole chain or a range of it:
//! - entries (`entries`): sequences without gaps, each link, each hash recomputed from the
//!   stored canonical form, each sealed record compared with its subject as it is now (in
//!   the canonical version it was sealed in);
//! - the head: present, signed by a trusted key, and — when the range reaches the end —
//!   equal to the last entry;
//! - over the whole chain only, what the chain must hold (`completeness`, `closures`):
//!   every issued fiscal document and paid payment has its entry, numbering counters are
//!   not behind their documents, every closure's signature, CSV and recorded heads hold,
//!   every past period has its closure; and anchors kept outside (`anchors`) are found.
//!
//! A verification reads; it never repairs. `docs/certification.md` lists every reason.

pub mod anchors;
pub mod closures;
mod completeness;
mod entries;

use super::keys::TrustedKeys;
use super::store::Chain;
use crate::error::{DomainError, DomainResult, FieldCode, FieldError};
use crate::scope::ScopedQuery;
use crate::tables::ledger_entry as entry;
use crate::tenant::AccountId;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// Findings reported per chain, at most (a verification of a wrecked chain stays readable).
pub const MAX_FINDINGS: usize = 100;

/// Why verification objects. Stable codes (`as_str`), documented for auditors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A sequence number is missing: an entry was deleted.
    MissingEntry,
    /// An entry does not link to the previous entry's hash (entries swapped or replaced),
    /// or the first one to the chain's genesis.
    BrokenLink,
    /// An entry's hash is not the hash of its stored content (the sealed record edited).
    HashMismatch,
    /// A sealed record no longer matches what it seals as it is now.
    SubjectChanged,
    /// What a sealed entry seals is gone.
    SubjectDeleted,
    /// The chain ends before its head says: the newest entries were removed.
    Truncated,
    /// The chain's head is missing.
    HeadMissing,
    /// The head does not match the chain's last entry (entries beyond it, or another hash).
    HeadMismatch,
    /// A head or a closure without a signature.
    SignatureMissing,
    /// A signature that is not the signature of what it vouches for.
    SignatureInvalid,
    /// Signed by a key that is not among the trusted public keys.
    UntrustedKey,
    /// An issued fiscal document, or a paid payment, with no entry in its chain.
    Unsealed,
    /// A numbering counter behind the documents it numbered (moved back).
    NumberingBehind,
    /// A numbering counter ahead of every document (the newest numbered document is gone).
    NumberingGap,
    /// A past period has no closure.
    ClosureMissing,
    /// A closure recorded a head (or its period's last entry) that the chain no longer holds.
    ClosureHeadMismatch,
    /// A closure's CSV does not match its sealed SHA-256.
    CsvMismatch,
    /// A hash kept outside (an anchor) is not in the chain.
    AnchorNotFound,
    /// A document sealed after a signed closure that was made after its issue: it should
    /// have been sealed before (with its issue), and is missing from what that closure anchors.
    SealedLate,
}

impl Reason {
    pub const ALL: [Reason; 19] = [
        Reason::MissingEntry,
        Reason::BrokenLink,
        Reason::HashMismatch,
        Reason::SubjectChanged,
        Reason::SubjectDeleted,
        Reason::Truncated,
        Reason::HeadMissing,
        Reason::HeadMismatch,
        Reason::SignatureMissing,
        Reason::SignatureInvalid,
        Reason::UntrustedKey,
        Reason::Unsealed,
        Reason::NumberingBehind,
        Reason::NumberingGap,
        Reason::ClosureMissing,
        Reason::ClosureHeadMismatch,
        Reason::CsvMismatch,
        Reason::AnchorNotFound,
        Reason::SealedLate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::MissingEntry => "MISSING_ENTRY",
            Reason::BrokenLink => "BROKEN_LINK",
            Reason::HashMismatch => "HASH_MISMATCH",
            Reason::SubjectChanged => "SUBJECT_CHANGED",
            Reason::SubjectDeleted => "SUBJECT_DELETED",
            Reason::Truncated => "TRUNCATED",
            Reason::HeadMissing => "HEAD_MISSING",
            Reason::HeadMismatch => "HEAD_MISMATCH",
            Reason::SignatureMissing => "SIGNATURE_MISSING",
            Reason::SignatureInvalid => "SIGNATURE_INVALID",
            Reason::UntrustedKey => "UNTRUSTED_KEY",
            Reason::Unsealed => "UNSEALED",
            Reason::NumberingBehind => "NUMBERING_BEHIND",
            Reason::NumberingGap => "NUMBERING_GAP",
            Reason::ClosureMissing => "CLOSURE_MISSING",
            Reason::ClosureHeadMismatch => "CLOSURE_HEAD_MISMATCH",
            Reason::CsvMismatch => "CSV_MISMATCH",
            Reason::AnchorNotFound => "ANCHOR_NOT_FOUND",
            Reason::SealedLate => "SEALED_LATE",
        }
    }
}

impl From<super::keys::SignatureFault> for Reason {
    fn from(f: super::keys::SignatureFault) -> Self {
        match f {
            super::keys::SignatureFault::Missing => Reason::SignatureMissing,
            super::keys::SignatureFault::UntrustedKey => Reason::UntrustedKey,
            super::keys::SignatureFault::Invalid => Reason::SignatureInvalid,
        }
    }
}

/// One thing verification objects to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub reason: Reason,
    /// Where in the chain it shows, when it shows at an entry (or at the head's sequence).
    pub sequence: Option<i64>,
    /// The record concerned (a document, payment, closure or event id), when one is.
    pub subject: Option<Uuid>,
    /// The hash expected there (recomputed, recorded by a closure, kept as an anchor…).
    pub expected_hash: Option<String>,
    /// The hash found there.
    pub stored_hash: Option<String>,
    /// What it is about, for people: a document number, a period, a series…
    pub detail: String,
}

impl Finding {
    pub fn new(reason: Reason, sequence: Option<i64>, detail: impl Into<String>) -> Self {
        Self { reason, sequence, subject: None, expected_hash: None, stored_hash: None, detail: detail.into() }
    }

    fn subject(mut self, id: Uuid) -> Self {
        self.subject = Some(id);
        self
    }

    fn hashes(mut self, expected: Option<&str>, stored: Option<&str>) -> Self {
        self.expected_hash = expected.map(str::to_owned);
        self.stored_hash = stored.map(str::to_owned);
        self
    }
}

/// What one chain's verification found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub chain: Chain,
    /// Entries examined.
    pub checked: u64,
    /// In the order of the chain: findings at a sequence first (by sequence), then the others.
    pub findings: Vec<Finding>,
    /// More findings than `MAX_FINDINGS` were left out.
    pub truncated: bool,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.findings.is_empty()
    }

    pub fn first(&self) -> Option<&Finding> {
        self.findings.first()
    }

    /// What the run journals: VERIFICATION_RUN, or VERIFICATION_FAILED with the first
    /// finding — only for findings, never for a question refused (a bad range).
    pub fn journal_event(&self) -> crate::journal::Event {
        let chain = self.chain.as_str().to_owned();
        match self.first() {
            None => crate::journal::Event::VerificationRun { chain, checked: self.checked },
            Some(f) => crate::journal::Event::VerificationFailed {
                chain,
                sequence: f.sequence,
                reason: f.reason.as_str().to_owned(),
                findings: self.findings.len(),
            },
        }
    }
}

/// Collects findings, at most `MAX_FINDINGS`.
#[derive(Default)]
pub(super) struct Findings {
    list: Vec<Finding>,
    more: bool,
}

impl Findings {
    fn push(&mut self, f: Finding) {
        if self.list.len() < MAX_FINDINGS { self.list.push(f) } else { self.more = true }
    }

    fn full(&self) -> bool {
        self.more
    }
}

/// Which entries a verification covers: all by default, or `from..=to` (1-based).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Range {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl Range {
    fn whole(&self) -> bool {
        self.from.is_none_or(|f| f <= 1) && self.to.is_none()
    }
}

/// What verification trusts, taken from outside the database.
#[derive(Clone, Debug)]
pub struct Options {
    /// Public keys that may have signed heads and closures.
    pub trusted: TrustedKeys,
    /// Hashes kept outside (closure e-mails' block and file hashes): each must be found.
    pub anchors: Vec<String>,
    /// "Now", for which periods are past (closures due).
    pub now: DateTime<Utc>,
    /// How long after its end a period's closure may still be missing (the closures run
    /// on a schedule): `closure_grace` for the installation's.
    pub closure_grace: chrono::Duration,
    /// Told how many entries were examined, page by page (a progress bar).
    pub progress: Option<Progress>,
}

/// What verification tells of its progress: a number of entries just examined.
#[derive(Clone)]
pub struct Progress(pub std::sync::Arc<dyn Fn(u64) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

impl Options {
    /// Trusting `trusted`, finding `anchors`, now, with the default grace.
    pub fn new(trusted: TrustedKeys, anchors: Vec<String>) -> Self {
        Self { trusted, anchors, now: Utc::now(), closure_grace: closures::DEFAULT_GRACE, progress: None }
    }
}

/// The last sequence of a chain as far as anything knows: its head, or its newest entry
/// if entries go beyond the head (a range may reach what a tampered head hides).
pub async fn chain_length(db: &impl ConnectionTrait, account: AccountId, chain: Chain) -> DomainResult<i64> {
    let head = super::store::head_of(db, account, chain).await?.map(|h| h.last_sequence).unwrap_or(0);
    let newest: Option<i64> = entry::Entity::find()
        .select_only()
        .column(entry::Column::Sequence)
        .in_account(account)
        .filter(entry::Column::Chain.eq(chain.as_str()))
        .order_by_desc(entry::Column::Sequence)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?;
    Ok(head.max(newest.unwrap_or(0)))
}

/// Checks a range against the chain: sequences start at 1, `to` is not before `from`, and
/// neither is past the end of the chain (a range past the end is a mistake in the
/// question, not a finding). Field names are the API's (`fromSequence`, `toSequence`).
pub async fn check_range(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    range: Range,
) -> DomainResult<Range> {
    let length = chain_length(db, account, chain).await?;
    let mut errors = Vec::new();
    // `fromSequence: 1` is the start of any chain, even an empty one.
    let last_start = length.max(1);
    if let Some(from) = range.from
        && !(1..=last_start).contains(&from)
    {
        errors.push(FieldError::new("from_sequence", FieldCode::OutOfRange { min: 1, max: last_start }));
    }
    if let Some(to) = range.to {
        let from = range.from.unwrap_or(1).max(1);
        if to < from {
            errors.push(FieldError::new("to_sequence", FieldCode::Rule("before_from_sequence")));
        } else if to > length {
            errors.push(FieldError::new("to_sequence", FieldCode::OutOfRange { min: from, max: length }));
        }
    }
    if errors.is_empty() { Ok(range) } else { Err(DomainError::Validation(errors)) }
}

/// Verifies one chain of an account over `range` (see the module's documentation), in one
/// snapshot of the database. The range is taken as given: check it with `check_range` first.
pub async fn verify_chain(
    db: &sea_orm::DatabaseConnection,
    account: AccountId,
    chain: Chain,
    range: Range,
    options: &Options,
) -> DomainResult<Report> {
    let snapshot = crate::db::begin_snapshot(db).await?;
    let report = verify_chain_in(&snapshot, account, chain, range, options).await?;
    snapshot.rollback().await?;
    Ok(report)
}

/// `verify_chain` within the caller's snapshot.
pub async fn verify_chain_in(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    range: Range,
    options: &Options,
) -> DomainResult<Report> {
    let mut found = Findings::default();
    let head = super::store::head_of(db, account, chain).await?;
    let checked = entries::verify(db, account, chain, head.as_ref(), range, options, &mut found).await?;
    if range.whole() && !found.full() {
        completeness::verify(db, account, chain, &mut found).await?;
        closures::verify(db, account, chain, options, &mut found).await?;
        anchors::verify(db, account, Some(chain), &options.anchors, &mut found).await?;
    }
    let mut findings = found.list;
    // Stable: by sequence, those without one last, each kind in the order found.
    findings.sort_by_key(|f| f.sequence.unwrap_or(i64::MAX));
    Ok(Report { chain, checked, findings, truncated: found.more })
}

/// Every chain of an account, whole, in one snapshot; the anchors are looked for in every
/// chain.
pub async fn verify_account(
    db: &sea_orm::DatabaseConnection,
    account: AccountId,
    options: &Options,
) -> DomainResult<Vec<Report>> {
    let snapshot = crate::db::begin_snapshot(db).await?;
    let without_anchors = Options { anchors: Vec::new(), ..options.clone() };
    let mut reports = Vec::new();
    for chain in Chain::ALL {
        reports.push(verify_chain_in(&snapshot, account, chain, Range::default(), &without_anchors).await?);
    }
    if !options.anchors.is_empty() {
        let mut found = Findings::default();
        anchors::verify(&snapshot, account, None, &options.anchors, &mut found).await?;
        // Reported with the chain an anchor belongs in: closures (e-mailed block and file hashes).
        let closures = reports.iter_mut().find(|r| r.chain == Chain::Closures).expect("four chains");
        closures.findings.extend(found.list);
        closures.truncated |= found.more;
    }
    snapshot.rollback().await?;
    Ok(reports)
}
