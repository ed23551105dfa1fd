//! Chains in the database: sealing what is pending into an account's chain, under its
//! head row's lock, and verifying a chain end to end. Sealing is idempotent (a subject is
//! sealed once: unique index), gapless (sequence = head + 1, under the lock) and ordered by
//! issue time. Verification recomputes every link and compares every sealed record with
//! its subject as it is now.

use super::{canonical, chain_hash, genesis, subjects};
use crate::error::{DomainError, DomainResult};
use crate::tables::{ledger_entry as entry, ledger_head as head};
use crate::tenant::{AccountId, Actor, Credential, Role, UserId};
use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// The chains of an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chain {
    Documents,
    Payments,
    Closures,
    Events,
}

impl Chain {
    pub fn as_str(self) -> &'static str {
        match self {
            Chain::Documents => "documents",
            Chain::Payments => "payments",
            Chain::Closures => "closures",
            Chain::Events => "events",
        }
    }
}

/// The server acting for an account (sealing reads the account's documents).
pub(crate) fn system_actor(account: AccountId) -> Actor {
    Actor { user_id: UserId(Uuid::nil()), account_id: account, role: Role::Owner, credential: Credential::System }
}

/// The chain's head, created with a random genesis on first use, locked until the
/// transaction ends (`FOR UPDATE` on PostgreSQL; SQLite's write transaction excludes others).
pub async fn locked_head(txn: &impl ConnectionTrait, account: AccountId, chain: Chain) -> DomainResult<head::Model> {
    let start = genesis();
    head::Entity::insert(head::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.0),
        chain: Set(chain.as_str().into()),
        genesis: Set(start.clone()),
        last_sequence: Set(0),
        last_hash: Set(start),
        updated_at: Set(Utc::now()),
    })
    .on_conflict_do_nothing_on([head::Column::AccountId, head::Column::Chain])
    .exec_without_returning(txn)
    .await?;
    head::Entity::find()
        .filter(head::Column::AccountId.eq(account.0))
        .filter(head::Column::Chain.eq(chain.as_str()))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("ledger head"))
}

/// An open append to one chain: the head locked in the caller's write transaction, entries
/// added one after the other, the head moved forward once at the end.
pub struct Appender {
    head: head::Model,
    appended: usize,
    now: chrono::DateTime<Utc>,
}

impl Appender {
    /// Locks the chain's head (creating it with a random genesis on first use). Every
    /// writer of a chain goes through here, so sequences are gapless and links unbroken
    /// whatever the number of concurrent sealers.
    pub async fn open(txn: &DatabaseTransaction, account: AccountId, chain: Chain) -> DomainResult<Self> {
        Ok(Self { head: locked_head(txn, account, chain).await?, appended: 0, now: Utc::now() })
    }

    /// Appends the canonical form of `subject_id` as the next entry and returns it.
    pub async fn push(
        &mut self,
        txn: &DatabaseTransaction,
        subject_id: Uuid,
        canonical: String,
    ) -> DomainResult<entry::Model> {
        let hash = chain_hash(&self.head.last_hash, &canonical);
        let e = entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(self.head.account_id),
            chain: Set(self.head.chain.clone()),
            sequence: Set(self.head.last_sequence + 1),
            subject_id: Set(subject_id),
            version: Set(canonical::VERSION as i32),
            canonical: Set(canonical),
            previous_hash: Set(self.head.last_hash.clone()),
            hash: Set(hash.clone()),
            sealed_at: Set(self.now),
        }
        .insert(txn)
        .await?;
        self.head.last_sequence += 1;
        self.head.last_hash = hash;
        self.appended += 1;
        Ok(e)
    }

    /// The head as it will be once finished: last sequence and hash.
    pub fn head(&self) -> &head::Model {
        &self.head
    }

    /// Moves the head row forward (when anything was appended). Returns how many entries.
    pub async fn finish(self, txn: &DatabaseTransaction) -> DomainResult<usize> {
        if self.appended > 0 {
            let mut am: head::ActiveModel = self.head.clone().into();
            am.last_sequence = Set(self.head.last_sequence);
            am.last_hash = Set(self.head.last_hash.clone());
            am.updated_at = Set(self.now);
            am.update(txn).await?;
        }
        Ok(self.appended)
    }
}

/// Ids of the subjects already sealed in an account's chain (a subquery).
pub(crate) fn sealed_subjects(account: AccountId, chain: Chain) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(entry::Column::SubjectId)
        .from(entry::Entity)
        .and_where(entry::Column::AccountId.eq(account.0))
        .and_where(entry::Column::Chain.eq(chain.as_str()))
        .to_owned()
}

/// The entry sealing `subject_id` in the account's chain, if it is sealed.
pub async fn entry_of(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    subject_id: Uuid,
) -> DomainResult<Option<entry::Model>> {
    Ok(entry::Entity::find()
        .filter(entry::Column::AccountId.eq(account.0))
        .filter(entry::Column::Chain.eq(chain.as_str()))
        .filter(entry::Column::SubjectId.eq(subject_id))
        .one(db)
        .await?)
}

/// The first problem verification met.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub sequence: i64,
    pub expected_hash: Option<String>,
    pub stored_hash: Option<String>,
    /// `missing_entry`, `broken_link`, `hash_mismatch`, `subject_changed`, `subject_deleted`
    /// or `truncated`.
    pub reason: &'static str,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub checked: u64,
    pub first_broken: Option<Broken>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// What a sealed entry's subject looks like now, for verification.
pub enum Subject {
    /// Its canonical form recomputed from the rows as they are now.
    Current(String),
    /// Its rows are gone.
    Deleted,
}

/// The subject of an entry as it is now: each chain knows where its subjects live.
async fn subject_now(db: &impl ConnectionTrait, account: AccountId, chain: Chain, id: Uuid) -> DomainResult<Subject> {
    let actor = system_actor(account);
    let found = match chain {
        Chain::Documents => match crate::documents::get(db, &actor, id).await {
            Ok(d) => Some(subjects::document_canonical(db, &actor, &d).await?),
            Err(DomainError::NotFound(_)) => None,
            Err(other) => return Err(other),
        },
        Chain::Payments => match crate::payments::get(db, &actor, id).await {
            Ok(p) => Some(subjects::payment_canonical(db, &actor, &p).await?),
            Err(DomainError::NotFound(_)) => None,
            Err(other) => return Err(other),
        },
        // A journal event is its own row: sealed as written, compared as it is now.
        Chain::Events => crate::journal::find(db, account, id).await?.map(|e| crate::journal::canonical(&e)),
        Chain::Closures => {
            crate::closures::find_in_account(db, account, id).await?.map(|c| crate::closures::canonical(&c))
        }
    };
    Ok(found.map(Subject::Current).unwrap_or(Subject::Deleted))
}

/// Which entries a verification covers: all by default, or `from..=to` (1-based).
#[derive(Clone, Copy, Debug, Default)]
pub struct Range {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

/// Recomputes an account's chain: sequences without gaps, each entry linked to the previous
/// hash (the genesis for the first), each hash recomputed from its canonical form, each
/// sealed subject unchanged, and — when the range reaches the end — the head matching the
/// last entry (which catches the newest entries being removed).
pub async fn verify(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    range: Range,
) -> DomainResult<Verification> {
    let Some(head) = head::Entity::find()
        .filter(head::Column::AccountId.eq(account.0))
        .filter(head::Column::Chain.eq(chain.as_str()))
        .one(db)
        .await?
    else {
        return Ok(Verification { checked: 0, first_broken: None });
    };
    let from = range.from.unwrap_or(1).max(1);
    let mut query = entry::Entity::find()
        .filter(entry::Column::AccountId.eq(account.0))
        .filter(entry::Column::Chain.eq(chain.as_str()))
        .filter(entry::Column::Sequence.gte(from - 1))
        .order_by_asc(entry::Column::Sequence);
    if let Some(to) = range.to {
        query = query.filter(entry::Column::Sequence.lte(to));
    }
    let mut entries = query.all(db).await?;
    let broken = |sequence, expected: Option<&str>, stored: Option<&str>, reason| Broken {
        sequence,
        expected_hash: expected.map(str::to_owned),
        stored_hash: stored.map(str::to_owned),
        reason,
    };
    // The link into the range: the genesis, or the hash of the entry just before it.
    let mut previous = if from == 1 {
        head.genesis.clone()
    } else {
        match entries.first() {
            Some(e) if e.sequence == from - 1 => entries.remove(0).hash,
            _ => {
                let b = broken(from - 1, None, None, "missing_entry");
                return Ok(Verification { checked: 0, first_broken: Some(b) });
            }
        }
    };
    let mut checked = 0;
    for (i, e) in entries.iter().enumerate() {
        let expected_sequence = from + i as i64;
        let found = if e.sequence != expected_sequence {
            Some(broken(expected_sequence, None, None, "missing_entry"))
        } else if e.previous_hash != previous {
            Some(broken(e.sequence, Some(&previous), Some(&e.previous_hash), "broken_link"))
        } else {
            let recomputed = chain_hash(&e.previous_hash, &e.canonical);
            if recomputed != e.hash {
                Some(broken(e.sequence, Some(&recomputed), Some(&e.hash), "hash_mismatch"))
            } else {
                match subject_now(db, account, chain, e.subject_id).await? {
                    Subject::Deleted => Some(broken(e.sequence, None, Some(&e.hash), "subject_deleted")),
                    Subject::Current(now) if chain_checks_subject(chain) && now != e.canonical => Some(broken(
                        e.sequence,
                        Some(&chain_hash(&e.previous_hash, &now)),
                        Some(&e.hash),
                        "subject_changed",
                    )),
                    Subject::Current(_) => None,
                }
            }
        };
        if found.is_some() {
            return Ok(Verification { checked, first_broken: found });
        }
        checked += 1;
        previous = e.hash.clone();
    }
    let last = entries.last().map(|e| e.sequence).unwrap_or(from - 1);
    let reaches_end = range.to.is_none_or(|to| to >= head.last_sequence);
    if reaches_end && (head.last_sequence != last || head.last_hash != previous) {
        let b = broken(last + 1, Some(&head.last_hash), entries.last().map(|e| e.hash.as_str()), "truncated");
        return Ok(Verification { checked, first_broken: Some(b) });
    }
    Ok(Verification { checked, first_broken: None })
}

/// Whether the chain's subjects live in rows of their own that verification compares
/// with the sealed form.
fn chain_checks_subject(chain: Chain) -> bool {
    matches!(chain, Chain::Documents | Chain::Payments | Chain::Closures | Chain::Events)
}

/// The account's documents chain, whole.
pub async fn verify_documents(db: &impl ConnectionTrait, account: AccountId) -> DomainResult<Verification> {
    verify(db, account, Chain::Documents, Range::default()).await
}
