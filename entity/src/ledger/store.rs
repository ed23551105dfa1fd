//! Chains in the database: sealing what is pending into an account's chain, under its
//! head row's lock, and verifying a chain end to end. Sealing is idempotent (a subject is
//! sealed once: unique index), gapless (sequence = head + 1, under the lock) and ordered by
//! issue time. Verification recomputes every link and compares every sealed record with
//! its subject as it is now.

use super::{canonical, chain_hash, genesis};
use crate::db::begin_write;
use crate::error::{DomainError, DomainResult};
use crate::tables::{document, ledger_entry as entry, ledger_head as head};
use crate::tenant::{AccountId, Actor, Credential, Role, UserId};
use chrono::Utc;
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
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
fn system_actor(account: AccountId) -> Actor {
    Actor { user_id: UserId(Uuid::nil()), account_id: account, role: Role::Owner, credential: Credential::System }
}

/// The chain's head, created with a random genesis on first use, locked until the
/// transaction ends (`FOR UPDATE` on PostgreSQL; SQLite's write transaction excludes others).
async fn locked_head(txn: &impl ConnectionTrait, account: AccountId, chain: Chain) -> DomainResult<head::Model> {
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

/// The canonical form of a document as it is now.
pub async fn document_canonical(db: &impl ConnectionTrait, actor: &Actor, d: &document::Model) -> DomainResult<String> {
    let dec = |s: &str| crate::validation::parse_decimal(s).unwrap_or_default();
    let (lines, vat) = crate::documents::positions_and_tax_summary(db, actor, d).await?;
    let corrects = match (d.kind.as_str(), d.invoice_id) {
        ("correction", Some(id)) => crate::documents::get(db, actor, id).await.ok().and_then(|c| c.number),
        _ => None,
    };
    let party = |name: &Option<String>, tax_no: &Option<String>, post_code: &Option<String>| canonical::Party {
        name: name.clone(),
        tax_no: tax_no.clone(),
        post_code: post_code.clone(),
    };
    Ok(canonical::document(&canonical::Document {
        kind: d.kind.clone(),
        number: d.number.clone().unwrap_or_default(),
        issue_date: d.issue_date,
        sell_date: d.sell_date.clone(),
        issued_at: d.issued_at.unwrap_or(d.created_at),
        currency: d.currency.clone(),
        seller: party(&d.seller_name, &d.seller_tax_no, &d.seller_post_code),
        buyer: party(&d.buyer_name, &d.buyer_tax_no, &d.buyer_post_code),
        net: dec(&d.price_net),
        tax: dec(&d.price_tax),
        gross: dec(&d.price_gross),
        vat: vat
            .into_iter()
            .map(|r| canonical::VatRow { tax: r.tax.to_string(), net: r.net, tax_amount: r.tax_amount, gross: r.gross })
            .collect(),
        lines: lines
            .into_iter()
            .map(|l| canonical::Line {
                kind: l.kind,
                name: l.name,
                quantity: dec(&l.quantity),
                tax: l.tax,
                total_net: dec(&l.total_price_net),
                total_gross: dec(&l.total_price_gross),
            })
            .collect(),
        corrects,
    }))
}

/// Seals the account's issued fiscal documents that are not sealed yet, oldest first, into
/// its documents chain. Returns how many were sealed (0 when nothing was pending: running
/// it twice seals nothing twice).
pub async fn seal_documents(db: &DatabaseConnection, account: AccountId) -> DomainResult<usize> {
    let actor = system_actor(account);
    let txn = begin_write(db).await?;
    let chain = Chain::Documents;
    let mut head = locked_head(&txn, account, chain).await?;
    let sealed = Query::select()
        .column(entry::Column::SubjectId)
        .from(entry::Entity)
        .and_where(entry::Column::AccountId.eq(account.0))
        .and_where(entry::Column::Chain.eq(chain.as_str()))
        .to_owned();
    let pending = document::Entity::find()
        .filter(document::Column::AccountId.eq(account.0))
        .filter(document::Column::State.eq("issued"))
        .filter(document::Column::Kind.is_in(crate::documents::FISCAL_KINDS))
        .filter(document::Column::Id.not_in_subquery(sealed))
        .order_by_asc(document::Column::IssuedAt)
        .order_by_asc(document::Column::Id)
        .all(&txn)
        .await?;
    let now = Utc::now();
    for d in &pending {
        let canonical = document_canonical(&txn, &actor, d).await?;
        let hash = chain_hash(&head.last_hash, &canonical);
        entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(account.0),
            chain: Set(chain.as_str().into()),
            sequence: Set(head.last_sequence + 1),
            subject_id: Set(d.id),
            version: Set(canonical::VERSION as i32),
            canonical: Set(canonical),
            previous_hash: Set(head.last_hash.clone()),
            hash: Set(hash.clone()),
            sealed_at: Set(now),
        }
        .insert(&txn)
        .await?;
        head.last_sequence += 1;
        head.last_hash = hash;
    }
    if !pending.is_empty() {
        let mut am: head::ActiveModel = head.clone().into();
        am.last_sequence = Set(head.last_sequence);
        am.last_hash = Set(head.last_hash.clone());
        am.updated_at = Set(now);
        am.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(pending.len())
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

/// Recomputes the account's documents chain from its genesis: sequences without gaps,
/// each entry linked to the previous hash, each hash recomputed from its canonical form,
/// each sealed document unchanged, and the head matching the last entry.
pub async fn verify_documents(db: &impl ConnectionTrait, account: AccountId) -> DomainResult<Verification> {
    let actor = system_actor(account);
    let chain = Chain::Documents;
    let Some(head) = head::Entity::find()
        .filter(head::Column::AccountId.eq(account.0))
        .filter(head::Column::Chain.eq(chain.as_str()))
        .one(db)
        .await?
    else {
        return Ok(Verification { checked: 0, first_broken: None });
    };
    let entries = entry::Entity::find()
        .filter(entry::Column::AccountId.eq(account.0))
        .filter(entry::Column::Chain.eq(chain.as_str()))
        .order_by_asc(entry::Column::Sequence)
        .all(db)
        .await?;
    let mut previous = head.genesis.clone();
    let mut checked = 0;
    let broken = |sequence, expected: Option<&str>, stored: Option<&str>, reason| Broken {
        sequence,
        expected_hash: expected.map(str::to_owned),
        stored_hash: stored.map(str::to_owned),
        reason,
    };
    for (i, e) in entries.iter().enumerate() {
        let expected_sequence = i as i64 + 1;
        let found = if e.sequence != expected_sequence {
            Some(broken(expected_sequence, None, None, "missing_entry"))
        } else if e.previous_hash != previous {
            Some(broken(e.sequence, Some(&previous), Some(&e.previous_hash), "broken_link"))
        } else {
            let recomputed = chain_hash(&e.previous_hash, &e.canonical);
            if recomputed != e.hash {
                Some(broken(e.sequence, Some(&recomputed), Some(&e.hash), "hash_mismatch"))
            } else {
                match crate::documents::get(db, &actor, e.subject_id).await {
                    Err(DomainError::NotFound(_)) => Some(broken(e.sequence, None, Some(&e.hash), "subject_deleted")),
                    Err(other) => return Err(other),
                    Ok(d) => {
                        let now = document_canonical(db, &actor, &d).await?;
                        (now != e.canonical).then(|| {
                            broken(
                                e.sequence,
                                Some(&chain_hash(&e.previous_hash, &now)),
                                Some(&e.hash),
                                "subject_changed",
                            )
                        })
                    }
                }
            }
        };
        if found.is_some() {
            return Ok(Verification { checked, first_broken: found });
        }
        checked += 1;
        previous = e.hash.clone();
    }
    let last = entries.last().map(|e| e.sequence).unwrap_or(0);
    if head.last_sequence != last || head.last_hash != previous {
        let b = broken(last + 1, Some(&head.last_hash), entries.last().map(|e| e.hash.as_str()), "truncated");
        return Ok(Verification { checked, first_broken: Some(b) });
    }
    Ok(Verification { checked, first_broken: None })
}
