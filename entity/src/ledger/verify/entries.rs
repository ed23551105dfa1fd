//! The walk along a chain's entries and the check of its head.
//!
//! Each anomaly is reported once and the walk goes on from what is there (after a missing
//! entry, from the next one; after a broken link, from the entry's own hash), so that one
//! deletion does not hide an edit further on.

use super::{Finding, Findings, Options, Range, Reason};
use crate::error::DomainResult;
use crate::ledger::chain_hash;
use crate::ledger::store::{Chain, head_checkpoint};
use crate::ledger::subjects::DocumentPage;
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::{ledger_entry as entry, ledger_head as head};
use crate::tenant::AccountId;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

/// Entries read per query.
const PAGE: u64 = 500;

/// An entry sealed this long after its document's issue was not sealed with it (sealing
/// happens in the issuing transaction: milliseconds apart).
const LATE: chrono::Duration = chrono::Duration::seconds(60);

/// When the account's signed closures were signed, oldest first: a document issued before
/// one of them and sealed after it was sealed late (only adoption does that, and before
/// any signed closure exists).
async fn signed_closures(
    db: &impl ConnectionTrait,
    account: AccountId,
) -> DomainResult<Vec<chrono::DateTime<chrono::Utc>>> {
    use crate::tables::closure;
    let mut at: Vec<chrono::DateTime<chrono::Utc>> = closure::Entity::find()
        .select_only()
        .column(closure::Column::SignedAt)
        .in_account(account)
        .filter(closure::Column::Signature.is_not_null())
        .into_tuple::<Option<chrono::DateTime<chrono::Utc>>>()
        .all(db)
        .await?
        .into_iter()
        .flatten()
        .collect();
    at.sort();
    Ok(at)
}

/// The issue time a sealed document's canonical form records (`issued_at=`, any version).
fn issued_at(canonical: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let value = canonical.split('\n').find_map(|l| l.strip_prefix("issued_at="))?;
    chrono::DateTime::parse_from_rfc3339(value).ok().map(|t| t.to_utc())
}

/// What an entry's subject looks like now.
enum Subject {
    /// Its canonical form recomputed from its rows, in the entry's version.
    Current(String),
    Deleted,
    /// Its rows no longer make a canonical form (values that do not read back): changed.
    Unreadable(String),
}

/// The subject of an entry as it is now: each chain knows where its subjects live.
async fn subject_now(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    e: &entry::Model,
    page: Option<&DocumentPage>,
) -> DomainResult<Subject> {
    // Documents in the current version come from the page read for all its entries.
    if let (Chain::Documents, 2, Some(page)) = (chain, e.version, page) {
        return Ok(match page.form_v2(e.subject_id) {
            None => Subject::Deleted,
            Some(Ok(form)) => Subject::Current(form),
            Some(Err(why)) => Subject::Unreadable(why.to_string()),
        });
    }
    match read_subject(db, account, chain, e).await {
        // The database failing is not a finding; values that no longer read back are.
        Err(e @ crate::error::DomainError::Db(_)) => Err(e),
        Err(other) => Ok(Subject::Unreadable(other.to_string())),
        ok => ok,
    }
}

async fn read_subject(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    e: &entry::Model,
) -> DomainResult<Subject> {
    let found = crate::ledger::subjects::current_form(db, account, chain, e.subject_id, e.version as u32).await?;
    Ok(found.map(Subject::Current).unwrap_or(Subject::Deleted))
}

/// The `format=` line an entry of `version` starts with, in this chain.
fn format_of(chain: Chain, version: i32) -> String {
    let what = match chain {
        Chain::Documents => "document",
        Chain::Payments => "payment",
        Chain::Closures => "closure",
        Chain::Events => "event",
    };
    format!("format=scelle-{what}-v{version}")
}

/// Walks the entries of `range` and checks the head. Returns how many entries it examined.
pub(super) async fn verify(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    head: Option<&head::Model>,
    range: Range,
    options: &Options,
    found: &mut Findings,
) -> DomainResult<u64> {
    let from = range.from.unwrap_or(1).max(1);
    let Some(head) = head else {
        found.push(Finding::new(Reason::HeadMissing, None, format!("the {} chain has no head", chain.as_str())));
        return walk(db, account, chain, None, from, range.to, options, found).await.map(|(checked, _)| checked);
    };
    // The head's own signature, whatever the range: it is what anchors the chain.
    if let Err(fault) = options.trusted.check(
        head.signing_key.as_deref(),
        head.signature.as_deref(),
        &head_checkpoint(head, head.signed_at.unwrap_or(head.updated_at)),
    ) {
        let f = Finding::new(fault.into(), Some(head.last_sequence), format!("the {} chain head", chain.as_str()))
            .hashes(None, Some(&head.last_hash));
        found.push(f);
    }
    let genesis = (from == 1).then_some(head.genesis.as_str());
    let (checked, last) = walk(db, account, chain, genesis, from, range.to, options, found).await?;
    // The head against the chain's end, when the range reaches it.
    if range.to.is_none_or(|to| to >= head.last_sequence) {
        let last_sequence = last.as_ref().map(|(s, _)| *s).unwrap_or(from - 1);
        let last_hash = last.as_ref().map(|(_, h)| h.as_str());
        if head.last_sequence > last_sequence {
            let f = Finding::new(
                Reason::Truncated,
                Some(last_sequence + 1),
                format!("the head says {} entries, the chain ends at {last_sequence}", head.last_sequence),
            )
            .hashes(Some(&head.last_hash), last_hash);
            found.push(f);
        } else if head.last_sequence < last_sequence {
            let f = Finding::new(
                Reason::HeadMismatch,
                Some(head.last_sequence + 1),
                format!("entries beyond the head (which says {})", head.last_sequence),
            )
            .hashes(Some(&head.last_hash), last_hash);
            found.push(f);
        } else if last_sequence >= from && last_hash != Some(head.last_hash.as_str()) {
            let f = Finding::new(Reason::HeadMismatch, Some(last_sequence), "the head names another last entry")
                .hashes(Some(&head.last_hash), last_hash);
            found.push(f);
        } else if last_sequence == 0 && head.last_hash != head.genesis {
            let f = Finding::new(Reason::HeadMismatch, Some(0), "an empty chain's head names an entry")
                .hashes(Some(&head.genesis), Some(&head.last_hash));
            found.push(f);
        }
    }
    Ok(checked)
}

/// The entries from `from` (linked to `genesis` when from is 1 and the genesis is known,
/// else to the entry before), page by page. Returns how many were examined and the last
/// (sequence, hash) seen.
#[allow(clippy::too_many_arguments)] // the walk and its context, each spelled out
async fn walk(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    genesis: Option<&str>,
    from: i64,
    to: Option<i64>,
    options: &Options,
    found: &mut Findings,
) -> DomainResult<(u64, Option<(i64, String)>)> {
    let page = |after: i64| {
        let mut q = entry::Entity::find_in(account)
            .filter(entry::Column::Chain.eq(chain.as_str()))
            .filter(entry::Column::Sequence.gt(after))
            .order_by_asc(entry::Column::Sequence)
            .limit(PAGE);
        if let Some(to) = to {
            q = q.filter(entry::Column::Sequence.lte(to));
        }
        q
    };
    // The link into the range: the genesis, or the hash of the entry just before it.
    let mut previous: Option<String> = match genesis {
        Some(g) => Some(g.to_owned()),
        None if from > 1 => {
            let before = entry::Entity::find_in(account)
                .filter(entry::Column::Chain.eq(chain.as_str()))
                .filter(entry::Column::Sequence.eq(from - 1))
                .one(db)
                .await?;
            match before {
                Some(e) => Some(e.hash),
                None => {
                    found.push(Finding::new(Reason::MissingEntry, Some(from - 1), "the entry before the range"));
                    None
                }
            }
        }
        // No head: the first entry's link cannot be checked against a genesis.
        None => None,
    };
    let closures_signed = if chain == Chain::Documents { signed_closures(db, account).await? } else { Vec::new() };
    let (mut expected, mut checked, mut last) = (from, 0u64, None);
    let mut after = from - 1;
    let mut seen_subjects: std::collections::HashSet<Uuid> = std::collections::HashSet::new();
    loop {
        let entries = page(after).all(db).await?;
        let Some(tail) = entries.last() else { break };
        after = tail.sequence;
        if let Some(progress) = &options.progress {
            (progress.0)(entries.len() as u64);
        }
        let documents = match chain {
            Chain::Documents => {
                let ids: Vec<Uuid> = entries.iter().map(|e| e.subject_id).collect();
                Some(DocumentPage::read(db, account, &ids).await?)
            }
            _ => None,
        };
        for e in &entries {
            if e.sequence != expected {
                found.push(Finding::new(
                    Reason::MissingEntry,
                    Some(expected),
                    if e.sequence == expected + 1 {
                        format!("entry {expected} is missing")
                    } else {
                        format!("entries {expected} to {} are missing", e.sequence - 1)
                    },
                ));
            } else if let Some(p) = previous.as_deref()
                && e.previous_hash != p
            {
                found.push(
                    Finding::new(Reason::BrokenLink, Some(e.sequence), "not linked to the previous entry")
                        .subject(e.subject_id)
                        .hashes(Some(p), Some(&e.previous_hash)),
                );
            }
            let recomputed = chain_hash(&e.previous_hash, &e.canonical);
            let format_line = e.canonical.split('\n').next().unwrap_or("");
            if recomputed != e.hash || format_line != format_of(chain, e.version) {
                found.push(
                    Finding::new(Reason::HashMismatch, Some(e.sequence), "the stored record is not what was hashed")
                        .subject(e.subject_id)
                        .hashes(Some(&recomputed), Some(&e.hash)),
                );
            } else if !seen_subjects.insert(e.subject_id) {
                found.push(
                    Finding::new(Reason::SubjectChanged, Some(e.sequence), "a record sealed twice")
                        .subject(e.subject_id),
                );
            } else {
                match subject_now(db, account, chain, e, documents.as_ref()).await? {
                    Subject::Deleted => found.push(
                        Finding::new(Reason::SubjectDeleted, Some(e.sequence), "what this entry seals is gone")
                            .subject(e.subject_id)
                            .hashes(None, Some(&e.hash)),
                    ),
                    Subject::Current(now) if now != e.canonical => found.push(
                        Finding::new(Reason::SubjectChanged, Some(e.sequence), changed_fields(&e.canonical, &now))
                            .subject(e.subject_id)
                            .hashes(Some(&chain_hash(&e.previous_hash, &now)), Some(&e.hash)),
                    ),
                    Subject::Unreadable(why) => found.push(
                        Finding::new(Reason::SubjectChanged, Some(e.sequence), format!("no longer reads back: {why}"))
                            .subject(e.subject_id)
                            .hashes(None, Some(&e.hash)),
                    ),
                    Subject::Current(_) => {}
                }
            }
            if let Some(issued) = issued_at(&e.canonical).filter(|i| e.sealed_at - *i > LATE)
                && let Some(closure) = closures_signed.iter().find(|c| **c > issued && **c < e.sealed_at)
            {
                found.push(
                    Finding::new(
                        Reason::SealedLate,
                        Some(e.sequence),
                        format!("issued {issued}, sealed {} after a closure signed {closure}", e.sealed_at),
                    )
                    .subject(e.subject_id),
                );
            }
            checked += 1;
            expected = e.sequence + 1;
            previous = Some(e.hash.clone());
            last = Some((e.sequence, e.hash.clone()));
            if found.full() {
                return Ok((checked, last));
            }
        }
    }
    Ok((checked, last))
}

/// Which records differ between the sealed form and the form now (for people).
fn changed_fields(sealed: &str, now: &str) -> String {
    let keys = |s: &str| -> Vec<(String, String)> {
        s.split('\n')
            .map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())).unwrap_or_default())
            .collect()
    };
    let (a, b) = (keys(sealed), keys(now));
    let mut changed: Vec<String> = Vec::new();
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (Some((k, _)), _) | (None, Some((k, _))) => {
                if !changed.contains(k) {
                    changed.push(k.clone());
                }
            }
            (None, None) => {}
        }
    }
    format!("changed since sealed: {}", changed.join(", "))
}
