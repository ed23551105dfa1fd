//! How a payment's amount is applied to its documents (the seed's order rule), and the
//! documents' paid amounts and statuses kept in step with their payments.

use super::*;
use crate::scope::{InAccount, ScopedQuery};
use crate::vocabulary::{DocumentState, DocumentStatus};

/// The seed's rule (L2247): the amount goes to the invoices in the order given, each one
/// receiving at most what it still has to be paid; what is left stays on the payment.
pub fn allocate(price: Decimal, outstanding: &[Decimal]) -> Vec<Decimal> {
    let mut remaining = price.max(Decimal::ZERO);
    outstanding
        .iter()
        .map(|o| {
            let part = remaining.min((*o).max(Decimal::ZERO));
            remaining -= part;
            round2(part)
        })
        .collect()
}

/// The status a document takes when its paid amount changes: `paid` once the gross amount
/// is paid, `partial` before, `issued` when nothing is paid (or `sent`, kept while nothing
/// is paid). A status set by hand that is not about payment stays.
pub fn status_for_paid(current: DocumentStatus, paid: Decimal, gross: Decimal) -> DocumentStatus {
    use DocumentStatus::*;
    if !STATUSES_FOLLOWING_PAYMENTS.contains(&current) {
        return current;
    }
    if paid <= Decimal::ZERO {
        if current == Sent { Sent } else { Issued }
    } else if paid >= gross {
        Paid
    } else {
        Partial
    }
}

/// Locks the account's documents among `ids` until the transaction ends (`FOR UPDATE` on
/// PostgreSQL; `begin_write` already excludes other writers on SQLite), in id order so
/// that two transactions locking overlapping sets never wait for each other in a cycle.
pub(super) async fn lock_documents(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    ids: &BTreeSet<Uuid>,
) -> DomainResult<HashMap<Uuid, document::Model>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = document::Entity::find_in(actor)
        .filter(document::Column::Id.is_in(ids.iter().copied()))
        .order_by_asc(document::Column::Id)
        .lock_exclusive()
        .all(txn)
        .await?;
    Ok(rows.into_iter().map(|d| (d.id, d)).collect())
}

/// Every named document must be an issued, payable document of the account, in the
/// payment's currency. Another account's document reads exactly like an unknown one.
pub(super) fn check_targets(
    v: &mut Validator,
    targets: &[Target],
    docs: &HashMap<Uuid, document::Model>,
    currency: crate::Currency,
    kept: &[Uuid],
) {
    for t in targets {
        let Some(d) = docs.get(&t.document_id) else {
            v.push(&t.field, FieldCode::Rule("unknown_document"));
            continue;
        };
        if !d.kind.is_payable() {
            v.push(&t.field, FieldCode::Rule("not_payable"));
        } else if d.state != DocumentState::Issued {
            v.push(&t.field, FieldCode::Rule("issue_first"));
        } else if d.status == DocumentStatus::Cancelled && !kept.contains(&d.id) {
            // A cancelled document takes no new payment; one it already had stays editable.
            v.push(&t.field, FieldCode::Rule("document_cancelled"));
        } else if d.currency != currency {
            v.push(&t.field, FieldCode::Rule("currency_mismatch"));
        }
    }
}

/// Contacts, departments and products named by a payment must be the account's.
pub(super) async fn check_references(db: &impl ConnectionTrait, actor: &Actor, p: &PaymentPatch) -> DomainResult<()> {
    if let Some(Some(id)) = p.department_id {
        // Held until the payment commits, so a concurrent deletion of the department waits
        // and then sees the payment (PostgreSQL; SQLite already serialises writers).
        let found = department::Entity::find_by_id(id)
            .in_account(actor)
            .lock(sea_orm::sea_query::LockType::KeyShare)
            .one(db)
            .await?;
        if found.is_none() {
            return Err(DomainError::field("input.department_id", FieldCode::Rule("unknown_department")));
        }
    }
    if let Some(Some(id)) = p.client_id {
        crate::error::referenced(crate::clients::get(db, actor, id).await, "input.client_id", "unknown_client")?;
    }
    if let Some(Some(id)) = p.product_id {
        let found = crate::products::find(db, actor, &crate::products::ProductKey::Id(id)).await;
        crate::error::referenced(found, "input.product_id", "unknown_product")?;
    }
    Ok(())
}

/// The allocations of some payments, each payment's in the order its invoices were given.
pub(super) async fn allocations_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    payment_ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<allocation::Model>>> {
    let mut by_payment: HashMap<Uuid, Vec<allocation::Model>> = HashMap::new();
    if payment_ids.is_empty() {
        return Ok(by_payment);
    }
    let rows = allocation::Entity::find_in(actor)
        .filter(allocation::Column::PaymentId.is_in(payment_ids.iter().copied()))
        .order_by_asc(allocation::Column::Position)
        .all(db)
        .await?;
    for a in rows {
        by_payment.entry(a.payment_id).or_default().push(a);
    }
    Ok(by_payment)
}

pub(super) async fn with_allocations(db: &impl ConnectionTrait, actor: &Actor, model: Model) -> DomainResult<Payment> {
    let allocations = allocations_of(db, actor, &[model.id]).await?.remove(&model.id).unwrap_or_default();
    Ok(Payment { model, allocations })
}

/// The allocations to some documents, from every payment.
pub(super) async fn allocations_to(
    db: &impl ConnectionTrait,
    actor: &Actor,
    document_ids: &BTreeSet<Uuid>,
) -> DomainResult<Vec<allocation::Model>> {
    Ok(allocation::Entity::find_in(actor)
        .filter(allocation::Column::DocumentId.is_in(document_ids.iter().copied()))
        .all(db)
        .await?)
}

/// What a document is owed in all: its gross amount less what its issued credit notes
/// took back (an invoice credited in full is owed nothing).
pub(super) async fn due(db: &impl ConnectionTrait, actor: &Actor, d: &document::Model) -> DomainResult<Decimal> {
    Ok(d.price_gross.value() + crate::documents::credited_total(db, actor, d.id).await?)
}

/// What each document still has to be paid: what it is owed less what payments gave it.
pub(super) async fn outstanding(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    docs: &HashMap<Uuid, document::Model>,
    targets: &[Target],
) -> DomainResult<Vec<Decimal>> {
    let ids: BTreeSet<Uuid> = targets.iter().map(|t| t.document_id).collect();
    let mut dues: HashMap<Uuid, Decimal> = HashMap::new();
    for d in docs.values() {
        dues.insert(d.id, due(txn, actor, d).await?);
    }
    let mut given: HashMap<Uuid, Decimal> = HashMap::new();
    for a in allocations_to(txn, actor, &ids).await? {
        *given.entry(a.document_id).or_default() += a.amount.value();
    }
    Ok(targets
        .iter()
        .map(|t| {
            let due = dues.get(&t.document_id).copied().unwrap_or_default();
            due - given.get(&t.document_id).copied().unwrap_or_default()
        })
        .collect())
}

/// Replaces a payment's allocations: its amount (nothing when unpaid) applied to the
/// targets in order, against what other payments left to pay.
pub(super) async fn apply(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    payment: &Model,
    targets: &[Target],
    docs: &HashMap<Uuid, document::Model>,
) -> DomainResult<Vec<allocation::Model>> {
    allocation::Entity::delete_in(actor).filter(allocation::Column::PaymentId.eq(payment.id)).exec(txn).await?;
    let amounts = if payment.paid {
        allocate(payment.price.value(), &outstanding(txn, actor, docs, targets).await?)
    } else {
        vec![round2(Decimal::ZERO); targets.len()]
    };
    let mut rows = Vec::with_capacity(targets.len());
    for (i, (t, part)) in targets.iter().zip(amounts).enumerate() {
        let row = allocation::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(actor.account_id.0),
            payment_id: Set(payment.id),
            document_id: Set(t.document_id),
            position: Set(i as i32),
            amount: Set(part.into()),
        }
        .insert(txn)
        .await?;
        rows.push(row);
    }
    Ok(rows)
}

/// Recomputes the paid amount, `paid_date` and status of locked documents from every
/// allocation to them. `force_status` re-derives the status even when the paid amount is
/// unchanged (the document's total changed).
pub(super) async fn refresh_documents(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    docs: impl IntoIterator<Item = document::Model>,
    force_status: bool,
) -> DomainResult<Vec<document::Model>> {
    let docs: Vec<document::Model> = docs.into_iter().collect();
    let ids: BTreeSet<Uuid> = docs.iter().map(|d| d.id).collect();
    let allocations = allocations_to(txn, actor, &ids).await?;
    let payment_ids: BTreeSet<Uuid> = allocations.iter().map(|a| a.payment_id).collect();
    let paid_dates: HashMap<Uuid, Option<NaiveDate>> = Entity::find_in(actor)
        .filter(Column::Id.is_in(payment_ids))
        .all(txn)
        .await?
        .into_iter()
        .map(|p| (p.id, p.paid_date))
        .collect();
    let mut refreshed = Vec::with_capacity(docs.len());
    for doc in docs {
        let mine: Vec<(Decimal, Uuid)> =
            allocations.iter().filter(|a| a.document_id == doc.id).map(|a| (a.amount.value(), a.payment_id)).collect();
        let paid = round2(mine.iter().map(|(given, _)| *given).sum());
        let gross = due(txn, actor, &doc).await?;
        let paid_date = if paid > Decimal::ZERO && paid >= gross {
            mine.iter()
                .filter(|(given, _)| *given > Decimal::ZERO)
                .filter_map(|(_, payment)| paid_dates.get(payment).copied().flatten())
                .max()
        } else {
            None
        };
        let paid_changed = paid != doc.paid.value();
        let status = if paid_changed || force_status { status_for_paid(doc.status, paid, gross) } else { doc.status };
        if !paid_changed && paid_date == doc.paid_date && status == doc.status {
            refreshed.push(doc);
            continue;
        }
        let mut am: document::ActiveModel = doc.into();
        am.paid = Set(paid.into());
        am.paid_date = Set(paid_date);
        am.status = Set(status);
        am.updated_at = Set(Utc::now());
        let updated = am.update(txn).await?;
        // What it was paid, and so its status, changed: a change of the document.
        crate::domain_events::note_document(txn, actor, crate::vocabulary::EventCode::DocumentUpdated, &updated);
        refreshed.push(updated);
    }
    Ok(refreshed)
}

/// After a credit note is issued, what its invoice is owed drops: its status follows
/// (an invoice paid 70 of 100, then credited 30, is paid).
pub(crate) async fn refresh_after_credit(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    document_id: Uuid,
) -> DomainResult<()> {
    let docs = lock_documents(txn, actor, &BTreeSet::from([document_id])).await?;
    // Only a status that follows payments is recomputed: one set by hand on an unpaid
    // document stays.
    let mut paid = Vec::new();
    for d in docs.into_values() {
        if d.paid.value() > Decimal::ZERO {
            paid.push(d);
        }
    }
    refresh_documents(txn, actor, paid, true).await?;
    Ok(())
}
