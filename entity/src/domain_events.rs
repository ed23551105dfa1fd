//! The transactional outbox: what happened in an account (`EventCode`: a document issued, a
//! payment paid, a client created…), noted by the domain as it writes and inserted by the
//! write transaction's commit (`db::WriteTxn::commit`, after the seals, in the same
//! transaction), so that an event row exists exactly when its change was committed and
//! no request pays an extra commit for it. Resolvers decide nothing: consumers (webhooks,
//! later e-mails, PDFs and connectors) read these rows, and mark each `dispatched_at`
//! once its consumers' jobs are queued (`undispatched`, `mark_dispatched`).
//!
//! A payload is a compact snapshot of the subject as the change left it (the seed's field
//! names, amounts as exact decimal text), so a consumer running later still sends what
//! happened, not what the row became since. docs/api/events.md lists the codes and payloads.

use crate::error::DomainResult;
use crate::pagination::{Page, PageRequest};
use crate::scope::InAccount;
use crate::tables::{client, closure, document, domain_event as de, payment, product};
use crate::tenant::{AccountId, Actor};
use crate::vocabulary::EventCode;
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

/// An event noted by a write transaction, inserted at its commit.
#[derive(Clone, Debug)]
pub(crate) struct Occurred {
    pub account: AccountId,
    pub code: EventCode,
    pub subject: Uuid,
    pub payload: Value,
    pub at: DateTime<Utc>,
}

impl Occurred {
    pub(crate) fn new(account: AccountId, code: EventCode, subject: Uuid, payload: Value) -> Self {
        Occurred { account, code, subject, payload, at: Utc::now() }
    }
}

/// Notes an event in the write transaction: inserted when it commits, never otherwise.
pub(crate) fn note(txn: &crate::db::WriteTxn, account: AccountId, code: EventCode, subject: Uuid, payload: Value) {
    txn.pending().occurred(account, code, subject, payload);
}

/// Notes the creation of a subject, before the events noted for it while it was made.
pub(crate) fn note_created(
    txn: &crate::db::WriteTxn,
    account: AccountId,
    code: EventCode,
    subject: Uuid,
    payload: Value,
) {
    txn.pending().occurred_first(account, code, subject, payload);
}

/// Notes a document event with the document as it stands.
pub(crate) fn note_document(txn: &crate::db::WriteTxn, actor: &Actor, code: EventCode, d: &document::Model) {
    note(txn, actor.account_id, code, d.id, document_payload(d));
}

/// Inserts the noted events, in the order noted (their ids are UUID v7, so that order is
/// also theirs), a hundred rows a statement. An event no consumer listens to as the
/// transaction commits (no live webhook of its kind in its account) is written already
/// dispatched: the dispatcher never has to touch it, so an account without consumers
/// pays one insert per event and nothing after.
pub(crate) async fn insert(txn: &impl ConnectionTrait, events: Vec<Occurred>) -> DomainResult<()> {
    if events.is_empty() {
        return Ok(());
    }
    let accounts: std::collections::BTreeSet<Uuid> = events.iter().map(|e| e.account.0).collect();
    let listened = crate::webhooks::listened(txn, accounts).await?;
    let mut rows = events.into_iter().map(|e| de::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(e.account.0),
        code: Set(e.code),
        subject_id: Set(e.subject),
        payload: Set(e.payload.to_string()),
        occurred_at: Set(e.at),
        dispatched_at: Set((!listened.contains(&(e.account.0, e.code))).then_some(e.at)),
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(100).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        de::Entity::insert_many(chunk).exec_without_returning(txn).await?;
    }
}

/// The account's events, newest first, optionally of one code.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    code: Option<EventCode>,
    page: PageRequest,
) -> DomainResult<Page<de::Model>> {
    // What happened to every record of the account: for those who answer for its books
    // and its integrations (owners, admins, accountants), as the journal is.
    actor.require_auditor()?;
    let mut q = de::Entity::find_in(actor);
    if let Some(c) = code {
        q = q.filter(de::Column::Code.eq(c));
    }
    crate::pagination::fetch(db, q, |q| q.order_by_desc(de::Column::Id), page).await
}

/// Events no dispatcher has handled yet, oldest first (every account: the dispatcher is
/// the server's own).
pub async fn undispatched(db: &impl ConnectionTrait, limit: u64) -> DomainResult<Vec<de::Model>> {
    Ok(de::Entity::find()
        .filter(de::Column::DispatchedAt.is_null())
        .order_by_asc(de::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

/// Marks events dispatched (their jobs are queued).
pub async fn mark_dispatched(db: &impl ConnectionTrait, ids: &[Uuid]) -> DomainResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    de::Entity::update_many()
        .col_expr(de::Column::DispatchedAt, sea_orm::sea_query::Expr::value(Utc::now()))
        .filter(de::Column::Id.is_in(ids.iter().copied()))
        .exec(db)
        .await?;
    Ok(())
}

/// What a document event carries.
pub fn document_payload(d: &document::Model) -> Value {
    json!({
        "id": d.id,
        "kind": d.kind.as_str(),
        "number": d.number,
        "state": d.state.as_str(),
        "status": d.status.as_str(),
        "issue_date": d.issue_date,
        "payment_to": d.payment_to,
        "department_id": d.department_id,
        "client_id": d.client_id,
        "buyer_name": d.buyer_name,
        "buyer_tax_no": d.buyer_tax_no,
        "currency": d.currency.as_str(),
        "price_net": d.price_net.to_string(),
        "price_tax": d.price_tax.to_string(),
        "price_gross": d.price_gross.to_string(),
        "paid": d.paid.to_string(),
        "invoice_id": d.invoice_id,
        "test": d.test,
    })
}

/// What a payment event carries (`invoice_ids`: the documents it pays).
pub fn payment_payload(p: &payment::Model, invoice_ids: &[Uuid]) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "price": p.price.to_string(),
        "currency": p.currency.as_str(),
        "paid": p.paid,
        "paid_date": p.paid_date,
        "client_id": p.client_id,
        "invoice_ids": invoice_ids,
    })
}

/// What a client event carries.
pub fn client_payload(c: &client::Model) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "tax_no": c.tax_no,
        "email": c.email,
        "external_id": c.external_id,
        "country": c.country,
    })
}

/// What a product event carries.
pub fn product_payload(p: &product::Model) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "code": p.code,
        "tax": p.tax,
        "currency": p.currency.as_str(),
        "price_net": p.price_net.map(|m| m.to_string()),
        "price_gross": p.price_gross.map(|m| m.to_string()),
        "disabled": p.disabled,
    })
}

/// What a closure event carries: the period, its totals and the hash that seals it.
pub fn closure_payload(c: &closure::Model, hash: &str) -> Value {
    json!({
        "id": c.id,
        "frequency": c.frequency,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "document_count": c.document_count,
        "total_net": c.total_net.to_string(),
        "total_tax": c.total_tax.to_string(),
        "total_gross": c.total_gross.to_string(),
        "perpetual_total": c.perpetual_total.to_string(),
        "hash": hash,
    })
}

/// What a sealed-record event carries: where it stands in its chain.
pub fn sealed_payload(subject: Uuid, chain: &str, sequence: i64, hash: &str, sealed_at: DateTime<Utc>) -> Value {
    json!({ "id": subject, "chain": chain, "sequence": sequence, "hash": hash, "sealed_at": sealed_at })
}
