//! Payments ("Paiements"): money received (or expected) and the documents it pays.
//!
//! A payment names its invoices in order (`invoice_id`, or `invoice_ids`). Its amount is
//! applied in that order (the seed's rule, L2247): each invoice receives what it still has
//! to be paid — its gross amount less what other payments already gave it — until the
//! amount runs out; what is left stays unallocated on the payment. A payment not yet paid
//! (`paid: false`) keeps its links with a zero amount.
//!
//! A document's `paid` amount, `paid_date` and status follow from the allocations, in the
//! transaction that changes them, with the documents locked so that concurrent payments
//! never pay the same amount twice. None of these is a fiscal field: they change on issued
//! (frozen) documents too. An allocation is fixed when its payment is written: deleting or
//! reducing another payment does not move money to it (updating it applies it again).

use crate::db::begin_write;
use crate::documents::Period;
use crate::error::{ConflictKind, DomainError, DomainResult, FieldCode};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::payment::{ActiveModel, Column, Entity, Model};
use crate::tables::{account, department, document, payment_allocation as allocation};
use crate::tax::round2;
use crate::tenant::Actor;
use crate::validation::{MAX_LINE, MAX_TEXT, Validator, clean, is_plausible_email};
use crate::vocabulary::DocumentStatus;
use crate::vocabulary::EventCode;
use chrono::{NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use std::collections::{BTreeSet, HashMap};
use uuid::Uuid;

mod applying;
mod listing;

pub use applying::*;
pub use listing::*;

/// Statuses that follow the amount paid. Others (`rejected`, `accepted`, `incomplete`) were
/// set by hand for reasons payments know nothing about, and stay.
const STATUSES_FOLLOWING_PAYMENTS: [DocumentStatus; 4] =
    [DocumentStatus::Issued, DocumentStatus::Sent, DocumentStatus::Partial, DocumentStatus::Paid];

/// A payment's origin when the input does not say (the seed: "api" when added through the API).
pub const DEFAULT_KIND: &str = "api";

/// The seed's optional text fields of a payment with their length limit, listed once (the
/// API layer builds its GraphQL types from the same list).
#[macro_export]
macro_rules! payment_text_fields {
    ($cb:ident) => {
        $cb! {
            (name, LINE), (description, TEXT), (comment, TEXT), (oid, LINE), (provider, LINE),
            (provider_response, TEXT), (provider_status, LINE), (provider_title, LINE),
            (invoice_comment, TEXT), (promocode, LINE), (first_name, LINE), (last_name, LINE),
            (street, LINE), (city, LINE), (post_code, LINE), (country, LINE), (phone, LINE), (email, LINE),
            (invoice_name, LINE), (invoice_street, LINE), (invoice_city, LINE), (invoice_post_code, LINE),
            (invoice_country, LINE), (invoice_tax_no, LINE)
        }
    };
}

const LINE: usize = MAX_LINE;
const TEXT: usize = MAX_TEXT;

macro_rules! patch_struct {
    ($(($f:ident, $lim:ident)),*) => {
        /// A new payment, or a change to one. `None` leaves a field as it is; `Some(None)`
        /// clears it. Naming invoices (`invoice_id` or `invoice_ids`) replaces the links.
        #[derive(Clone, Debug, Default)]
        pub struct PaymentPatch {
            /// Required on creation.
            pub price: Option<Decimal>,
            pub currency: Option<String>,
            pub paid: Option<bool>,
            pub paid_date: Option<Option<NaiveDate>>,
            pub kind: Option<String>,
            /// One invoice; `Some(None)` unlinks every invoice.
            pub invoice_id: Option<Option<Uuid>>,
            /// Several invoices, in the order the amount is applied to them.
            pub invoice_ids: Option<Vec<Uuid>>,
            pub department_id: Option<Option<Uuid>>,
            pub client_id: Option<Option<Uuid>>,
            pub product_id: Option<Option<Uuid>>,
            pub quantity: Option<Option<Decimal>>,
            $(pub $f: Option<Option<String>>,)*
        }

        impl PaymentPatch {
            fn check_texts(&self, v: &mut Validator) {
                $(if let Some(Some(s)) = &self.$f { v.max_len(&format!("input.{}", stringify!($f)), s, $lim); })*
            }

            fn apply_texts(&self, am: &mut ActiveModel) {
                $(if let Some(value) = &self.$f { am.$f = Set(clean(value)); })*
            }
        }
    };
}
payment_text_fields!(patch_struct);

/// A document a payment is to be applied to, and the input field that a problem with it
/// is reported on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Target {
    document_id: Uuid,
    field: String,
}

impl PaymentPatch {
    fn validate(&self, creating: bool) -> DomainResult<()> {
        let mut v = Validator::new();
        match self.price {
            Some(p) => check_amount(&mut v, p),
            None if creating => v.push("input.price", FieldCode::Required),
            None => {}
        }
        if let Some(c) = &self.currency
            && !crate::accounts::is_currency_code(c)
        {
            v.push("input.currency", FieldCode::Rule("currency_code"));
        }
        if let Some(k) = &self.kind
            && let Some(k) = v.required("input.kind", Some(k))
        {
            v.max_len("input.kind", k, MAX_LINE);
        }
        if matches!(self.invoice_id, Some(Some(_))) && self.invoice_ids.is_some() {
            v.push("input.invoice_ids", FieldCode::Rule("invoice_id_or_ids"));
        }
        for (i, id) in self.invoice_ids.iter().flatten().enumerate() {
            if self.invoice_ids.iter().flatten().take(i).any(|earlier| earlier == id) {
                v.push(&format!("input.invoice_ids.{i}"), FieldCode::Rule("duplicate_invoice"));
            }
        }
        if let Some(Some(q)) = self.quantity
            && q <= Decimal::ZERO
        {
            v.push("input.quantity", FieldCode::Rule("positive_quantity"));
        }
        self.check_texts(&mut v);
        if let Some(e) = self.email.as_ref().and_then(clean)
            && !is_plausible_email(&e)
        {
            v.push("input.email", FieldCode::InvalidEmail);
        }
        v.finish()
    }

    /// The invoices this patch names, in order; `None` when it leaves the links alone.
    fn targets(&self) -> Option<Vec<Target>> {
        match (&self.invoice_id, &self.invoice_ids) {
            (Some(Some(id)), _) => Some(vec![Target { document_id: *id, field: "input.invoice_id".into() }]),
            (_, Some(ids)) => Some(
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| Target { document_id: *id, field: format!("input.invoice_ids.{i}") })
                    .collect(),
            ),
            (Some(None), None) => Some(Vec::new()),
            (None, None) => None,
        }
    }
}

/// A payment's amount: positive, in cents (the Decimal scalar already bounds its size).
fn check_amount(v: &mut Validator, price: Decimal) {
    if price <= Decimal::ZERO {
        v.push("input.price", FieldCode::Rule("positive_amount"));
    } else if price.normalize().scale() > 2 {
        // Refused rather than rounded: a payment is what was received, to the cent.
        v.push("input.price", FieldCode::Rule("cents"));
    }
}

/// A payment with its allocations, in the order its invoices were given.
#[derive(Clone, Debug)]
pub struct Payment {
    pub model: Model,
    pub allocations: Vec<allocation::Model>,
}

impl Payment {
    /// What the payment gave to its invoices.
    pub fn allocated(&self) -> Decimal {
        self.allocations.iter().map(|a| a.amount.value()).sum()
    }

    /// What is left of the amount after its invoices were paid.
    pub fn unallocated(&self) -> Decimal {
        round2(self.model.price.value() - self.allocated())
    }
}
fn blank(actor: &Actor, account: &account::Model) -> ActiveModel {
    let now = Utc::now();
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        department_id: Set(None),
        client_id: Set(None),
        product_id: Set(None),
        price: Set(round2(Decimal::ZERO).into()),
        price_cents: Set(0),
        currency: Set(account.currency),
        paid_date: Set(None),
        paid: Set(true),
        kind: Set(DEFAULT_KIND.into()),
        quantity: Set(None),
        name: Set(None),
        description: Set(None),
        comment: Set(None),
        oid: Set(None),
        provider: Set(None),
        provider_response: Set(None),
        provider_status: Set(None),
        provider_title: Set(None),
        invoice_comment: Set(None),
        promocode: Set(None),
        first_name: Set(None),
        last_name: Set(None),
        street: Set(None),
        city: Set(None),
        post_code: Set(None),
        country: Set(None),
        phone: Set(None),
        email: Set(None),
        invoice_name: Set(None),
        invoice_street: Set(None),
        invoice_city: Set(None),
        invoice_post_code: Set(None),
        invoice_country: Set(None),
        invoice_tax_no: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn set_price(am: &mut ActiveModel, price: Decimal) -> DomainResult<()> {
    let price = round2(price);
    // Within the Decimal scalar's bounds (< 10^15) the cents always fit an i64.
    let cents = crate::tax::cents(price).ok_or_else(|| DomainError::field("input.price", FieldCode::InvalidDecimal))?;
    am.price = Set(price.into());
    am.price_cents = Set(cents);
    Ok(())
}

/// The documents a payment is to be applied to: those the patch names, else the ones it
/// already pays, in their order.
fn targets_of(patch: &PaymentPatch, current: Option<&Payment>) -> Vec<Target> {
    patch.targets().unwrap_or_else(|| {
        // Kept links can only conflict through a new currency: reported there.
        let kept = current.map(|c| c.allocations.as_slice()).unwrap_or_default();
        kept.iter().map(|a| Target { document_id: a.document_id, field: "input.currency".into() }).collect()
    })
}

/// Sets what the patch gives on a payment row. `first_invoice` (on creation only) gives
/// the payer and the department when the patch does not.
fn fill(
    am: &mut ActiveModel,
    patch: &PaymentPatch,
    first_invoice: Option<&document::Model>,
    account: &account::Model,
) -> DomainResult<()> {
    if let Some(p) = patch.price {
        set_price(am, p)?;
    }
    if let Some(k) = &patch.kind {
        am.kind = Set(k.trim().to_owned());
    }
    if let Some(p) = patch.paid {
        am.paid = Set(p);
    }
    match (patch.client_id, first_invoice) {
        (Some(c), _) => am.client_id = Set(c),
        (None, Some(d)) => am.client_id = Set(d.client_id),
        (None, None) => {}
    }
    match (patch.department_id, first_invoice) {
        (Some(dep), _) => am.department_id = Set(dep),
        (None, Some(d)) => am.department_id = Set(Some(d.department_id)),
        (None, None) => {}
    }
    if let Some(p) = patch.product_id {
        am.product_id = Set(p);
    }
    if let Some(q) = patch.quantity {
        am.quantity = Set(q.map(|q| q.normalize().into()));
    }
    patch.apply_texts(am);
    // An unpaid payment has no payment date, unless the same change gives one.
    if patch.paid == Some(false) && patch.paid_date.is_none() {
        am.paid_date = Set(None);
    }
    if let Some(d) = patch.paid_date {
        am.paid_date = Set(d);
    }
    // A paid payment is dated: today in the account's time zone unless told otherwise.
    if crate::db::value_of(&am.paid) && crate::db::value_of(&am.paid_date).is_none() {
        am.paid_date = Set(Some(crate::documents::today(account)));
    }
    am.updated_at = Set(Utc::now());
    Ok(())
}

/// Writes a payment (new when `current` is None) and applies it again: its old and new
/// invoices are locked, checked, and recomputed in the caller's transaction.
async fn save(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    current: Option<Payment>,
    patch: &PaymentPatch,
) -> DomainResult<Payment> {
    let account = crate::accounts::find_account(txn, actor.account_id).await?;
    let targets = targets_of(patch, current.as_ref());
    let kept = current.as_ref().map(|c| c.allocations.as_slice()).unwrap_or_default();
    let to_lock: BTreeSet<Uuid> =
        targets.iter().map(|t| t.document_id).chain(kept.iter().map(|a| a.document_id)).collect();
    let docs = lock_documents(txn, actor, &to_lock).await?;

    let first = targets.first().and_then(|t| docs.get(&t.document_id));
    let currency = match &patch.currency {
        Some(c) => crate::Currency::given("input.currency", c)?,
        None => current.as_ref().map(|c| c.model.currency).or(first.map(|d| d.currency)).unwrap_or(account.currency),
    };
    let mut v = Validator::new();
    let kept_ids: Vec<Uuid> = kept.iter().map(|a| a.document_id).collect();
    check_targets(&mut v, &targets, &docs, currency, &kept_ids);
    v.finish()?;
    check_references(txn, actor, patch).await?;

    let mut am: ActiveModel = match &current {
        Some(c) => c.model.clone().into(),
        None => blank(actor, &account),
    };
    am.currency = Set(currency);
    fill(&mut am, patch, first.filter(|_| current.is_none()), &account)?;
    let saved = if current.is_none() { am.insert(txn).await? } else { am.update(txn).await? };

    let allocations = apply(txn, actor, &saved, &targets, &docs).await?;
    refresh_documents(txn, actor, docs.into_values(), false).await?;
    let invoices: Vec<Uuid> = allocations.iter().map(|a| a.document_id).collect();
    let payload = crate::domain_events::payment_payload(&saved, &invoices);
    let code = if current.is_none() { EventCode::PaymentCreated } else { EventCode::PaymentUpdated };
    crate::domain_events::note(txn, actor.account_id, code, saved.id, payload.clone());
    // Money received is sealed when this transaction commits (see `db::WriteTxn`). A paid
    // payment never changes, so a paid one here was paid by this write.
    if saved.paid {
        txn.pending().payment(actor.account_id, saved.id);
        crate::domain_events::note(txn, actor.account_id, EventCode::PaymentPaid, saved.id, payload);
    }
    Ok(Payment { model: saved, allocations })
}

/// Records a payment and applies it to its invoices.
pub async fn create(db: &DatabaseConnection, actor: &Actor, patch: PaymentPatch) -> DomainResult<Payment> {
    actor.require_writer()?;
    patch.validate(true)?;
    let txn = begin_write(db).await?;
    let created = save(&txn, actor, None, &patch).await?;
    txn.commit().await?;
    Ok(created)
}

/// Records a payment in the caller's write transaction (a flow that pays an invoice,
/// e.g. an invoice to complete validated with `paidAfterCompletion`).
pub(crate) async fn record_in(txn: &crate::db::WriteTxn, actor: &Actor, patch: PaymentPatch) -> DomainResult<Payment> {
    patch.validate(true)?;
    save(txn, actor, None, &patch).await
}

/// Changes a payment and applies it again, to its new invoices when it names them; the
/// invoices it leaves are recomputed too.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: PaymentPatch) -> DomainResult<Payment> {
    actor.require_writer()?;
    patch.validate(false)?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    refuse_if_paid_already(&current)?;
    let updated = save(&txn, actor, Some(current), &patch).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a payment; what it paid is taken back from its invoices.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Payment> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    refuse_if_paid_already(&current)?;
    let ids: BTreeSet<Uuid> = current.allocations.iter().map(|a| a.document_id).collect();
    let docs = lock_documents(&txn, actor, &ids).await?;
    allocation::Entity::delete_in(actor).filter(allocation::Column::PaymentId.eq(id)).exec(&txn).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).in_account(actor).exec(&txn).await?;
    refresh_documents(&txn, actor, docs.into_values(), false).await?;
    let invoices: Vec<Uuid> = current.allocations.iter().map(|a| a.document_id).collect();
    let payload = crate::domain_events::payment_payload(&current.model, &invoices);
    crate::domain_events::note(&txn, actor.account_id, EventCode::PaymentDeleted, id, payload);
    txn.commit().await?;
    Ok(current)
}

/// Money received is sealed into the account's payments chain and never changes: a paid
/// payment is frozen from the moment it is paid (like an issued fiscal document from its
/// issue), not from the moment the sealing job gets to it, so that what the API accepts
/// never depends on a job's timing. A payment not yet paid stays editable.
fn refuse_if_paid_already(current: &Payment) -> DomainResult<()> {
    if current.model.paid { Err(DomainError::Sealed(crate::SealedRecord::Payment)) } else { Ok(()) }
}

/// `get` with the payment locked until the transaction ends, so that two changes to one
/// payment never interleave.
async fn get_for_update(txn: &crate::db::WriteTxn, actor: &Actor, id: Uuid) -> DomainResult<Payment> {
    let model = Entity::find_by_id(id)
        .in_account(actor)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("payment"))?;
    with_allocations(txn, actor, model).await
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Payment> {
    let model = Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("payment"))?;
    with_allocations(db, actor, model).await
}

/// The payments applied to a document (the seed's `connected_payments`), oldest first.
pub async fn allocations_to_document(
    db: &impl ConnectionTrait,
    actor: &Actor,
    document_id: Uuid,
) -> DomainResult<Vec<allocation::Model>> {
    let mut rows =
        allocation::Entity::find_in(actor).filter(allocation::Column::DocumentId.eq(document_id)).all(db).await?;
    // Oldest payment first: allocation rows are rewritten when their payment changes.
    let created: HashMap<Uuid, chrono::DateTime<Utc>> = Entity::find_in(actor)
        .filter(Column::Id.is_in(rows.iter().map(|a| a.payment_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.created_at))
        .collect();
    rows.sort_by_key(|a| (created.get(&a.payment_id).copied(), a.payment_id));
    Ok(rows)
}

/// Refuses to delete a document that payments are applied to (even unpaid ones): the
/// payments would lose what they paid. Called by `documents::delete`.
pub(crate) async fn refuse_if_paid(txn: &crate::db::WriteTxn, actor: &Actor, document_id: Uuid) -> DomainResult<()> {
    if allocations_to_document(txn, actor, document_id).await?.is_empty() {
        Ok(())
    } else {
        Err(DomainError::conflict(ConflictKind::DocumentHasPayments, Some("id")))
    }
}

/// After a change to an issued document that stays editable (a proforma): a new currency
/// is refused while payments are applied to it, and its status follows its new total.
/// Payments keep their amounts: a document whose total drops below them shows more paid
/// than its total. Called by `documents::update` with the document locked.
pub(crate) async fn after_document_update(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    before: &document::Model,
    after: document::Model,
) -> DomainResult<document::Model> {
    if allocations_to_document(txn, actor, after.id).await?.is_empty() {
        return Ok(after);
    }
    if after.currency != before.currency {
        return Err(DomainError::field("input.currency", FieldCode::Rule("has_payments")));
    }
    let force_status = after.price_gross != before.price_gross;
    let mut refreshed = refresh_documents(txn, actor, [after], force_status).await?;
    refreshed.pop().ok_or_else(|| DomainError::Internal("refreshed document missing".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn seed_example_applies_in_order() {
        // 200 on invoices of 100 and 150: the first is paid, the second gets 100.
        assert_eq!(allocate(d("200"), &[d("100"), d("150")]), [d("100.00"), d("100.00")]);
        // The order matters.
        assert_eq!(allocate(d("200"), &[d("150"), d("100")]), [d("150.00"), d("50.00")]);
    }

    #[test]
    fn remainders_and_paid_invoices() {
        assert_eq!(allocate(d("300"), &[d("100"), d("150")]), [d("100.00"), d("150.00")]);
        // An invoice already paid (or overpaid) receives nothing.
        assert_eq!(allocate(d("50"), &[d("0"), d("-20"), d("30")]), [d("0.00"), d("0.00"), d("30.00")]);
        assert!(allocate(d("10"), &[]).is_empty());
    }

    #[test]
    fn statuses_follow_the_paid_amount() {
        assert_eq!(status_for_paid(DocumentStatus::Issued, d("100"), d("100")), DocumentStatus::Paid);
        assert_eq!(status_for_paid(DocumentStatus::Sent, d("40"), d("100")), DocumentStatus::Partial);
        assert_eq!(status_for_paid(DocumentStatus::Paid, d("0"), d("100")), DocumentStatus::Issued);
        assert_eq!(status_for_paid(DocumentStatus::Sent, d("0"), d("100")), DocumentStatus::Sent);
        assert_eq!(status_for_paid(DocumentStatus::Partial, d("120"), d("100")), DocumentStatus::Paid);
        assert_eq!(status_for_paid(DocumentStatus::Rejected, d("100"), d("100")), DocumentStatus::Rejected);
        assert_eq!(status_for_paid(DocumentStatus::Accepted, d("0"), d("100")), DocumentStatus::Accepted);
    }

    #[test]
    fn amounts_are_positive_cents() {
        let check = |s: &str| {
            let mut v = Validator::new();
            check_amount(&mut v, d(s));
            v.finish().err().map(|e| format!("{e:?}"))
        };
        assert!(check("0.01").is_none());
        assert!(check("150.50").is_none());
        assert!(check("150.500000").is_none(), "trailing zeros are not cents");
        assert!(check("0").unwrap().contains("positive_amount"));
        assert!(check("-5").unwrap().contains("positive_amount"));
        assert!(check("1.005").unwrap().contains("cents"));
    }

    #[test]
    fn invoice_id_and_ids_exclude_each_other() {
        let id = Uuid::now_v7();
        let p = PaymentPatch { invoice_id: Some(Some(id)), invoice_ids: Some(vec![id]), ..Default::default() };
        let Err(DomainError::Validation(errs)) = p.validate(false) else { panic!("expected errors") };
        assert_eq!(errs[0].field, "input.invoice_ids");
        let p = PaymentPatch { invoice_ids: Some(vec![id, id]), price: Some(d("1")), ..Default::default() };
        let Err(DomainError::Validation(errs)) = p.validate(true) else { panic!("expected errors") };
        assert_eq!(
            (errs[0].field.as_str(), &errs[0].code),
            ("input.invoice_ids.1", &FieldCode::Rule("duplicate_invoice"))
        );
        // The seed's full example sends `invoice_id: null` beside other fields.
        let p = PaymentPatch { invoice_id: Some(None), invoice_ids: Some(vec![id]), ..Default::default() };
        assert!(p.validate(false).is_ok());
        assert_eq!(p.targets().unwrap()[0].field, "input.invoice_ids.0");
    }
}
