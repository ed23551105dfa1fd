//! What is sealed: the canonical form of documents and payments read from their rows, and
//! the sealing of whatever an account has pending into its chains. A document is pending
//! once issued (fiscal kinds only), a payment once paid; each is sealed exactly once (the
//! unique index on the subject), whatever the number of jobs delivering the request.

use super::canonical;
use super::store::{Appender, Chain, sealed_subjects, system_actor};
use crate::db::begin_write;
use crate::error::DomainResult;
use crate::tables::{document, payment};
use crate::tenant::{AccountId, Actor};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

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

/// The canonical form of a payment as it is now, with the numbers of the documents it pays.
pub async fn payment_canonical(
    db: &impl ConnectionTrait,
    actor: &Actor,
    p: &crate::payments::Payment,
) -> DomainResult<String> {
    let dec = |s: &str| crate::validation::parse_decimal(s).unwrap_or_default();
    let numbers: HashMap<Uuid, String> = document::Entity::find()
        .filter(document::Column::AccountId.eq(actor.account_id.0))
        .filter(document::Column::Id.is_in(p.allocations.iter().map(|a| a.document_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.number.unwrap_or_default()))
        .collect();
    Ok(canonical::payment(&canonical::Payment {
        recorded_at: p.model.created_at,
        paid_date: p.model.paid_date,
        paid: p.model.paid,
        price: dec(&p.model.price),
        currency: p.model.currency.clone(),
        kind: p.model.kind.clone(),
        name: p.model.name.clone(),
        allocations: p
            .allocations
            .iter()
            .map(|a| (numbers.get(&a.document_id).cloned().unwrap_or_default(), dec(&a.amount)))
            .collect(),
    }))
}

/// Seals the account's issued fiscal documents that are not sealed yet, oldest first, into
/// its documents chain. Returns how many were sealed (0 when nothing was pending: running
/// it twice seals nothing twice).
pub async fn seal_documents(db: &DatabaseConnection, account: AccountId) -> DomainResult<usize> {
    let actor = system_actor(account);
    let pending = || {
        document::Entity::find()
            .filter(document::Column::AccountId.eq(account.0))
            .filter(document::Column::State.eq("issued"))
            .filter(document::Column::Kind.is_in(crate::documents::FISCAL_KINDS))
            .filter(document::Column::Id.not_in_subquery(sealed_subjects(account, Chain::Documents)))
    };
    // Nothing pending (the common case for a repeated job): no write transaction at all.
    if pending().count(db).await? == 0 {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let mut chain = Appender::open(&txn, account, Chain::Documents).await?;
    // Read again under the head's lock: what another sealer sealed meanwhile is not pending.
    let pending =
        pending().order_by_asc(document::Column::IssuedAt).order_by_asc(document::Column::Id).all(&txn).await?;
    for d in &pending {
        let canonical = document_canonical(&txn, &actor, d).await?;
        chain.push(&txn, d.id, canonical).await?;
    }
    let sealed = chain.finish(&txn).await?;
    txn.commit().await?;
    Ok(sealed)
}

/// Seals the account's paid payments that are not sealed yet, oldest first, into its
/// payments chain. A payment not yet paid is a promise, not money received: it is sealed
/// when it becomes paid, and frozen from then on.
pub async fn seal_payments(db: &DatabaseConnection, account: AccountId) -> DomainResult<usize> {
    let actor = system_actor(account);
    let pending = || {
        payment::Entity::find()
            .filter(payment::Column::AccountId.eq(account.0))
            .filter(payment::Column::Paid.eq(true))
            .filter(payment::Column::Id.not_in_subquery(sealed_subjects(account, Chain::Payments)))
    };
    if pending().count(db).await? == 0 {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    let mut chain = Appender::open(&txn, account, Chain::Payments).await?;
    let pending =
        pending().order_by_asc(payment::Column::CreatedAt).order_by_asc(payment::Column::Id).all(&txn).await?;
    for p in pending {
        let p = crate::payments::get(&txn, &actor, p.id).await?;
        let canonical = payment_canonical(&txn, &actor, &p).await?;
        chain.push(&txn, p.model.id, canonical).await?;
    }
    let sealed = chain.finish(&txn).await?;
    txn.commit().await?;
    Ok(sealed)
}

/// Seals everything the account has pending, documents then payments.
pub async fn seal_account(db: &DatabaseConnection, account: AccountId) -> DomainResult<(usize, usize)> {
    Ok((seal_documents(db, account).await?, seal_payments(db, account).await?))
}

/// Accounts with something issued or paid but not sealed (for the sweeper), at most `limit`.
pub async fn accounts_with_pending(db: &impl ConnectionTrait, limit: u64) -> DomainResult<Vec<AccountId>> {
    use crate::tables::ledger_entry as entry;
    use sea_orm::sea_query::{Expr, ExprTrait, Query};
    // Correlated on (account, chain, subject): the unique index of entries answers it.
    let sealed = |chain: Chain, account: Expr, id: Expr| {
        Query::select()
            .expr(Expr::val(1))
            .from(entry::Entity)
            .and_where(Expr::col((entry::Entity, entry::Column::AccountId)).eq(account))
            .and_where(Expr::col((entry::Entity, entry::Column::SubjectId)).eq(id))
            .and_where(entry::Column::Chain.eq(chain.as_str()))
            .to_owned()
    };
    let mut accounts: Vec<Uuid> = document::Entity::find()
        .select_only()
        .column(document::Column::AccountId)
        .distinct()
        .filter(document::Column::State.eq("issued"))
        .filter(document::Column::Kind.is_in(crate::documents::FISCAL_KINDS))
        .filter(
            Expr::exists(sealed(
                Chain::Documents,
                Expr::col((document::Entity, document::Column::AccountId)),
                Expr::col((document::Entity, document::Column::Id)),
            ))
            .not(),
        )
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let payments: Vec<Uuid> = payment::Entity::find()
        .select_only()
        .column(payment::Column::AccountId)
        .distinct()
        .filter(payment::Column::Paid.eq(true))
        .filter(
            Expr::exists(sealed(
                Chain::Payments,
                Expr::col((payment::Entity, payment::Column::AccountId)),
                Expr::col((payment::Entity, payment::Column::Id)),
            ))
            .not(),
        )
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    for a in payments {
        if !accounts.contains(&a) {
            accounts.push(a);
        }
    }
    Ok(accounts.into_iter().map(AccountId).collect())
}
