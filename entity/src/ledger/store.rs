//! Chains in the database: their heads (created with the account, signed at every move)
//! and the one appender every writer of a chain goes through. Appending is gapless
//! (sequence = head + 1, under the head's row lock) and each subject is sealed once (a
//! unique index); the head is re-signed with the installation's key in the same
//! transaction, so every committed head carries a signature the database cannot forge.

use super::keys::{self, Checkpoint};
use super::{canonical, chain_hash, genesis};
use crate::error::{DomainError, DomainResult};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::{ledger_entry as entry, ledger_head as head};
use crate::tenant::{AccountId, Actor, Credential, Role, UserId};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

/// The chains of an account, in the order a transaction locks their heads (documents,
/// payments, closures, events): every writer takes them in this order, so two
/// transactions never wait on each other's heads (PostgreSQL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Chain {
    Documents,
    Payments,
    Closures,
    Events,
}

impl Chain {
    pub const ALL: [Chain; 4] = [Chain::Documents, Chain::Payments, Chain::Closures, Chain::Events];

    pub fn as_str(self) -> &'static str {
        match self {
            Chain::Documents => "documents",
            Chain::Payments => "payments",
            Chain::Closures => "closures",
            Chain::Events => "events",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The server acting for an account (sealing reads the account's documents).
pub(crate) fn system_actor(account: AccountId) -> Actor {
    Actor {
        user_id: UserId(Uuid::nil()),
        account_id: account,
        role: Role::Owner,
        credential: Credential::System,
        client_ip: None,
    }
}

/// The checkpoint a head's signature vouches for.
pub fn head_checkpoint(h: &head::Model, signed_at: DateTime<Utc>) -> Checkpoint<'_> {
    Checkpoint { account: h.account_id, chain: &h.chain, sequence: h.last_sequence, hash: &h.last_hash, signed_at }
}

/// Signs a head's current state with the installed key (values to store on the row).
fn signed(am: &mut head::ActiveModel, h: &head::Model) -> DomainResult<()> {
    let ring = keys::installed()?;
    let at = keys::signing_time();
    am.signed_at = Set(Some(at));
    am.signature = Set(Some(ring.sign(&head_checkpoint(h, at))));
    am.signing_key = Set(Some(ring.key_id()));
    am.updated_at = Set(at);
    Ok(())
}

/// Creates the account's four chain heads, each with a random genesis and signed: done
/// once, with the account, so that a missing head is always tampering.
pub async fn create_heads(txn: &impl ConnectionTrait, account: AccountId) -> DomainResult<()> {
    for chain in Chain::ALL {
        let start = genesis();
        let h = head::Model {
            id: Uuid::now_v7(),
            account_id: account.0,
            chain: chain.as_str().into(),
            genesis: start.clone(),
            last_sequence: 0,
            last_hash: start,
            updated_at: Utc::now(),
            signed_at: None,
            signature: None,
            signing_key: None,
        };
        let mut am: head::ActiveModel = h.clone().into();
        signed(&mut am, &h)?;
        head::Entity::insert(am).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// A chain's head as stored (no lock).
pub async fn head_of(db: &impl ConnectionTrait, account: AccountId, chain: Chain) -> DomainResult<Option<head::Model>> {
    Ok(head::Entity::find_in(account).filter(head::Column::Chain.eq(chain.as_str())).one(db).await?)
}

/// The chain's head row, locked until the transaction ends (`FOR UPDATE` on PostgreSQL;
/// SQLite's write transaction excludes others), as it is: for adoption, which signs heads
/// that were never signed. Every other writer goes through `locked_head`.
pub(crate) async fn lock_unchecked(
    txn: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
) -> DomainResult<head::Model> {
    head::Entity::find_in(account)
        .filter(head::Column::Chain.eq(chain.as_str()))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| missing_head(account, chain))
}

/// A chain head that is not there: never re-created (see `locked_head`), always tampering.
fn missing_head(account: AccountId, chain: Chain) -> DomainError {
    DomainError::Integrity(format!("the {} chain head of account {} is missing", chain.as_str(), account.0))
}

/// The chain's newest entry: its sequence and hash (none for an empty chain).
pub async fn newest_entry(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
) -> DomainResult<Option<(i64, String)>> {
    Ok(entry::Entity::find()
        .select_only()
        .column(entry::Column::Sequence)
        .column(entry::Column::Hash)
        .in_account(account)
        .filter(entry::Column::Chain.eq(chain.as_str()))
        .order_by_desc(entry::Column::Sequence)
        .limit(1)
        .into_tuple()
        .one(db)
        .await?)
}

/// Whether the head names the chain's newest entry (the genesis, at 0, for an empty chain).
async fn names_the_tail(db: &impl ConnectionTrait, h: &head::Model, chain: Chain) -> DomainResult<bool> {
    Ok(names(h, newest_entry(db, AccountId(h.account_id), chain).await?))
}

/// Whether the head names `newest`, its chain's newest entry (sequence and hash).
fn names(h: &head::Model, newest: Option<(i64, String)>) -> bool {
    match newest {
        Some((sequence, hash)) => sequence == h.last_sequence && hash == h.last_hash,
        None => h.last_sequence == 0 && h.last_hash == h.genesis,
    }
}

/// The chain's head, locked until the transaction ends, and checked before anything is
/// written on it: signed by a key of the installation, and naming the chain's newest
/// entry. Otherwise the chain was altered outside Scelle and nothing is appended over it
/// (nor a closure made on it): appending would sign the altered state with the real key.
/// A missing head is never re-created: that would start a new chain over the old entries.
///
/// The newest entry is read on the `(account, chain, sequence)` index: constant time
/// whatever the chain's length. On SQLite, whose write transaction holds the database's
/// write lock from its start, it comes with the head in one statement (the hot path of
/// issuing). On PostgreSQL it is read after the head's lock is granted, by a statement of
/// its own: a statement that waited for the lock still sees the entries of its own start,
/// without the one the previous holder just appended.
pub async fn locked_head(txn: &impl ConnectionTrait, account: AccountId, chain: Chain) -> DomainResult<head::Model> {
    use sea_orm::sea_query::{Expr, Order};
    use sea_orm::{FromQueryResult, QueryTrait};
    if !crate::db::is_sqlite(txn) {
        let h = lock_unchecked(txn, account, chain).await?;
        let tail = newest_entry(txn, account, chain).await?;
        return checked(h, tail, chain);
    }
    let newest = |column: entry::Column| {
        Expr::SubQuery(
            None,
            Box::new(
                Query::select()
                    .column(column)
                    .from(entry::Entity)
                    .and_where(crate::scope::condition::<entry::Entity>(account))
                    .and_where(entry::Column::Chain.eq(chain.as_str()))
                    .order_by(entry::Column::Sequence, Order::Desc)
                    .limit(1)
                    .to_owned()
                    .into(),
            ),
        )
    };
    let statement = head::Entity::find_in(account)
        .filter(head::Column::Chain.eq(chain.as_str()))
        .expr_as(newest(entry::Column::Sequence), "tail_sequence")
        .expr_as(newest(entry::Column::Hash), "tail_hash")
        .lock_exclusive()
        .build(txn.get_database_backend());
    let row = txn.query_one_raw(statement).await?.ok_or_else(|| missing_head(account, chain))?;
    let h = head::Model::from_query_result(&row, "")?;
    let tail: Option<(i64, String)> =
        match (row.try_get::<Option<i64>>("", "tail_sequence")?, row.try_get::<Option<String>>("", "tail_hash")?) {
            (Some(sequence), Some(hash)) => Some((sequence, hash)),
            _ => None,
        };
    checked(h, tail, chain)
}

/// The locked head, if it holds its signature and names `tail`, its chain's newest entry.
fn checked(h: head::Model, tail: Option<(i64, String)>, chain: Chain) -> DomainResult<head::Model> {
    let account = AccountId(h.account_id);
    let trusted = keys::installed()?.trusted();
    let signed_at = h.signed_at.unwrap_or(h.updated_at);
    if let Err(fault) = trusted.check(h.signing_key.as_deref(), h.signature.as_deref(), &head_checkpoint(&h, signed_at))
    {
        return Err(DomainError::Integrity(format!(
            "the {} chain head of account {} does not hold its signature ({fault:?})",
            chain.as_str(),
            account.0
        )));
    }
    if !names(&h, tail) {
        return Err(DomainError::Integrity(format!(
            "the {} chain head of account {} does not name its newest entry",
            chain.as_str(),
            account.0
        )));
    }
    Ok(h)
}

/// Signs a head again as it stands (adoption of a database whose heads were unsigned),
/// provided it names the chain's newest entry.
pub async fn sign_head(txn: &impl ConnectionTrait, h: head::Model) -> DomainResult<()> {
    let chain =
        Chain::parse(&h.chain).ok_or_else(|| DomainError::Integrity(format!("a head of chain {:?}", h.chain)))?;
    if !names_the_tail(txn, &h, chain).await? {
        return Err(DomainError::Integrity(format!(
            "the {} chain head of account {} does not name its newest entry: not signed",
            chain.as_str(),
            h.account_id
        )));
    }
    let mut am: head::ActiveModel = h.clone().into();
    signed(&mut am, &h)?;
    am.update(txn).await?;
    Ok(())
}

/// Where a record entered its chain.
#[derive(Clone, Debug)]
pub struct Sealed {
    pub subject: Uuid,
    pub sequence: i64,
    pub hash: String,
    pub sealed_at: DateTime<Utc>,
}

/// An open append to one chain: the head locked in the caller's write transaction, entries
/// added one after the other, the head moved forward and signed once at the end.
pub struct Appender {
    head: head::Model,
    appended: usize,
    now: DateTime<Utc>,
}

impl Appender {
    /// Locks the chain's head. Every writer of a chain goes through here, so sequences are
    /// gapless and links unbroken whatever the number of concurrent writers.
    pub async fn open(txn: &impl ConnectionTrait, account: AccountId, chain: Chain) -> DomainResult<Self> {
        let head = locked_head(txn, account, chain).await?;
        // Taken under the lock: `sealed_at` grows with the sequence.
        Ok(Self { head, appended: 0, now: keys::signing_time() })
    }

    /// The hash the next entry will have with this canonical form.
    pub fn next_hash(&self, canonical: &str) -> String {
        chain_hash(&self.head.last_hash, canonical)
    }

    /// The next entry with this canonical form, the head moved past it (in memory: `push`
    /// and `push_all` write the entries, `finish` the head).
    fn advance(&mut self, subject_id: Uuid, canonical: String) -> DomainResult<entry::Model> {
        let hash = self.next_hash(&canonical);
        let e = entry::Model {
            id: Uuid::now_v7(),
            account_id: self.head.account_id,
            chain: self.head.chain.clone(),
            sequence: self.head.last_sequence + 1,
            subject_id,
            version: canonical::version_of(&canonical)?,
            canonical,
            previous_hash: std::mem::replace(&mut self.head.last_hash, hash.clone()),
            hash,
            sealed_at: self.now,
        };
        self.head.last_sequence += 1;
        self.appended += 1;
        Ok(e)
    }

    /// Appends the canonical form of `subject_id` as the next entry and returns it.
    pub async fn push(
        &mut self,
        txn: &impl ConnectionTrait,
        subject_id: Uuid,
        canonical: String,
    ) -> DomainResult<entry::Model> {
        let e = self.advance(subject_id, canonical)?;
        entry::Entity::insert(entry::ActiveModel::from(e.clone())).exec_without_returning(txn).await?;
        Ok(e)
    }

    /// Appends the canonical forms of several subjects, in order, as the next entries (in
    /// multi-row inserts).
    pub async fn push_all(
        &mut self,
        txn: &impl ConnectionTrait,
        forms: Vec<(Uuid, String)>,
    ) -> DomainResult<Vec<Sealed>> {
        let entries = forms
            .into_iter()
            .map(|(subject_id, canonical)| self.advance(subject_id, canonical))
            .collect::<DomainResult<Vec<_>>>()?;
        let sealed = entries
            .iter()
            .map(|e| Sealed {
                subject: e.subject_id,
                sequence: e.sequence,
                hash: e.hash.clone(),
                sealed_at: e.sealed_at,
            })
            .collect();
        let rows: Vec<entry::ActiveModel> = entries.into_iter().map(entry::ActiveModel::from).collect();
        // 10 columns a row: 100 rows stay far below either database's bound on parameters.
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(100).collect();
            entry::Entity::insert_many(chunk).exec_without_returning(txn).await?;
        }
        Ok(sealed)
    }

    /// The head as it will be once finished: last sequence and hash.
    pub fn head(&self) -> &head::Model {
        &self.head
    }

    /// The time stamped on this append's entries.
    pub fn sealed_at(&self) -> DateTime<Utc> {
        self.now
    }

    /// Moves the head row forward and signs it (when anything was appended). Returns how
    /// many entries were appended.
    pub async fn finish(self, txn: &impl ConnectionTrait) -> DomainResult<usize> {
        if self.appended > 0 {
            let mut am: head::ActiveModel = self.head.clone().into();
            am.last_sequence = Set(self.head.last_sequence);
            am.last_hash = Set(self.head.last_hash.clone());
            signed(&mut am, &self.head)?;
            // Without reading the row back (what it holds is `am`).
            head::Entity::update_many().set(am).filter(head::Column::Id.eq(self.head.id)).exec(txn).await?;
        }
        Ok(self.appended)
    }
}

/// Ids of the subjects already sealed in an account's chain (a subquery).
pub(crate) fn sealed_subjects(account: AccountId, chain: Chain) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(entry::Column::SubjectId)
        .from(entry::Entity)
        .and_where(crate::scope::condition::<entry::Entity>(account))
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
    Ok(entry::Entity::find_in(account)
        .filter(entry::Column::Chain.eq(chain.as_str()))
        .filter(entry::Column::SubjectId.eq(subject_id))
        .one(db)
        .await?)
}

/// The entries of the subjects `ids` in one chain of one account, by subject, in one
/// query per 500: the seals a page of documents or payments shows.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    ids: &[Uuid],
) -> DomainResult<std::collections::HashMap<Uuid, entry::Model>> {
    let mut entries = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let found = entry::Entity::find_in(account)
            .filter(entry::Column::Chain.eq(chain.as_str()))
            .filter(entry::Column::SubjectId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        entries.extend(found.into_iter().map(|e| (e.subject_id, e)));
    }
    Ok(entries)
}
