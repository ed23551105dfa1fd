//! Document flows: similar documents and conversions (`copyFrom`), advance invoices from
//! an estimate, final invoices deducting advances, credit notes (total, or line by line
//! with before/after), and cancellation.
//!
//! Rules (docs/api/documents.md, "Document flows"):
//! * A copy takes every field of its source that the input leaves out, except the
//!   number, the dates (today, due date recomputed) and the status; the buyer is shown
//!   as on the source. It records the source as `fromInvoiceId`.
//! * An advance comes from an issued estimate, order or proforma: by percent of its
//!   total or by amount, split over the source's VAT rates in proportion, never more
//!   than what earlier issued advances left.
//! * A final invoice repeats the estimate and deducts the chosen advances (all of the
//!   estimate's issued advances not deducted yet, by default) as negative lines per VAT
//!   rate, so its totals and VAT are what is left to invoice. An advance is deducted once.
//! * A credit note names the corrected invoice (`invoiceId`, the functional link); the
//!   issued credit notes of an invoice never credit more than its total.
//! * Cancelling an issued invoice issues a total credit note for it and marks it
//!   `cancelled` with the reason; nothing is erased.

use super::*;
use crate::error::OnConstraint;
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::final_advance;
use crate::texts::Lang;
use crate::vocabulary::{DocumentKind, DocumentState, DocumentStatus};

mod advances;

use advances::*;
pub(super) use advances::{deducted_advances, deduction_lines, link_advances};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdvanceMode {
    Percent,
    Amount,
}

#[derive(Clone, Debug)]
pub struct AdvanceInput {
    pub mode: AdvanceMode,
    pub value: Decimal,
    pub position_name: Option<String>,
}

/// Kinds an advance (and its final invoice) can come from.
const ADVANCE_SOURCES: [DocumentKind; 3] = [DocumentKind::Estimate, DocumentKind::ClientOrder, DocumentKind::Proforma];
/// Kinds a credit note can correct (and a cancellation can cancel by a credit note).
pub(super) const CORRECTABLE: [DocumentKind; 5] =
    [DocumentKind::Vat, DocumentKind::Advance, DocumentKind::Final, DocumentKind::Receipt, DocumentKind::InvoiceOther];

/// Reads an id the input names, as one of the account's documents.
async fn referenced_document(db: &impl ConnectionTrait, actor: &Actor, id: Uuid, field: &str) -> DomainResult<Model> {
    crate::error::referenced(get(db, actor, id).await, field, "unknown_document")
}

/// Checks the flow fields of a new document and fills `input` from its source: fields,
/// lines (copied, or built for an advance, a final or a credit note) and links.
pub(super) async fn prepare(db: &impl ConnectionTrait, actor: &Actor, input: &mut DocumentInput) -> DomainResult<()> {
    let source = match input.copy_from {
        Some(id) => Some(referenced_document(db, actor, id, "input.copy_from").await?),
        None => None,
    };
    let kind = input.kind.or_else(|| source.as_ref().map(|s| s.kind)).unwrap_or(DocumentKind::Vat);
    input.kind = Some(kind);
    let mut v = Validator::new();
    if input.advance.is_some() && kind != DocumentKind::Advance {
        v.push("input.advance_creation_mode", FieldCode::Rule("advance_kind_only"));
    }
    if input.advance_ids.is_some() && kind != DocumentKind::Final {
        v.push("input.invoice_ids", FieldCode::Rule("final_kind_only"));
    }
    if input.total_correction.is_some() && kind != DocumentKind::Correction {
        v.push("input.total_correction", FieldCode::Rule("correction_kind_only"));
    }
    if kind == DocumentKind::Advance && input.advance.is_some() && source.is_none() {
        v.push("input.copy_from", FieldCode::Required);
    }
    if input.status.is_some() && input.prepared.issue_now {
        // An invoice to complete waits for its buyer: it is issued when they validate.
        v.push("input.status", FieldCode::Rule("incomplete_not_issued"));
    }
    v.finish()?;
    if let Some(id) = input.from_invoice_id {
        referenced_document(db, actor, id, "input.from_invoice_id").await?;
    }

    if let Some(id) = input.invoice_id {
        let target = referenced_document(db, actor, id, "input.invoice_id").await?;
        check_link(kind, &target, "input.invoice_id")?;
        // A credit note written line by line is for the corrected invoice's buyer, seller
        // and currency unless it says otherwise.
        if source.is_none() {
            if input.client.is_none() && input.buyer.has_no_identity() {
                input.prepared.buyer_snapshot = Some((target.client_id, shown_buyer(&target)));
            }
            input.department_id = input.department_id.or(Some(target.department_id));
        }
        same_currency(input, &target)?;
    }
    if let Some(src) = &source {
        // The advance's amounts are gross amounts, kept exactly, unless a strategy is asked.
        let asked_strategy = input.calculating_strategy;
        fill_from(input, src)?;
        let mut lines = stored_lines(db, actor, src.id, stored_discount_kind(src)).await?;
        // The copy's lines are new positions: the source keeps its own ids.
        for l in &mut lines {
            l.id = None;
            for c in &mut l.children {
                c.id = None;
            }
        }
        match kind {
            DocumentKind::Advance => {
                check_link(kind, src, "input.copy_from")?;
                let Some(adv) = input.advance.clone() else {
                    return Err(DomainError::field("input.advance_creation_mode", FieldCode::Required));
                };
                let lang = input.lang.clone().unwrap_or(src.lang.clone());
                lines = advance_lines(db, actor, src, &adv, &lang).await?;
                input.invoice_id = Some(src.id);
                input.calculating_strategy = Some(asked_strategy.unwrap_or(CalculatingStrategy::GROSS));
                input.discount_kind = None;
            }
            DocumentKind::Final => {
                check_link(kind, src, "input.copy_from")?;
                check_no_other_final(db, actor, src.id, None, "input.copy_from").await?;
                input.invoice_id = Some(src.id);
            }
            DocumentKind::Correction => {
                check_link(kind, src, "input.copy_from")?;
                // A final's deductions are taken back too: the credit note mirrors it whole.
                lines = credit_lines(lines, input.total_correction.unwrap_or(true));
                input.invoice_id = Some(src.id);
            }
            _ => {
                // A deduction belongs to its final; a credit-note line copied into another
                // kind is its difference line.
                lines.retain(|l| l.stored_kind != "advance_deduction");
                for l in &mut lines {
                    if l.stored_kind == "correction" {
                        l.stored_kind = "normal";
                        l.children.clear();
                    }
                }
            }
        }
        same_currency(input, src)?;
        input.prepared.lines = Some(lines);
    }
    if kind == DocumentKind::Final {
        input.prepared.advances =
            Some(advances_to_deduct(db, actor, input.advance_ids.as_deref(), input.invoice_id).await?);
    }
    Ok(())
}

/// A linked document (advance, final, credit note) is in its source's currency: the
/// limits between them compare amounts.
fn same_currency(input: &mut DocumentInput, target: &Model) -> DomainResult<()> {
    match &input.currency {
        Some(c) if c != target.currency.as_str() => {
            Err(DomainError::field("input.currency", FieldCode::Rule("currency_mismatch")))
        }
        _ => {
            input.currency = Some(target.currency.to_string());
            Ok(())
        }
    }
}

/// An estimate is balanced by one final invoice: another one is refused while an issued,
/// uncancelled final exists (cancel it first: its advances are then free again).
async fn check_no_other_final(
    db: &impl ConnectionTrait,
    actor: &Actor,
    estimate: Uuid,
    this: Option<Uuid>,
    field: &str,
) -> DomainResult<()> {
    let mut q = standing_linked(actor, estimate, DocumentKind::Final);
    if let Some(id) = this {
        q = q.filter(Column::Id.ne(id));
    }
    if q.count(db).await? > 0 { Err(DomainError::field(field, FieldCode::Rule("estimate_has_final"))) } else { Ok(()) }
}

/// Which documents a functional link may point to.
fn check_link(kind: DocumentKind, target: &Model, field: &str) -> DomainResult<()> {
    let ok_kind = match kind {
        DocumentKind::Advance | DocumentKind::Final => ADVANCE_SOURCES.contains(&target.kind),
        DocumentKind::Correction => CORRECTABLE.contains(&target.kind),
        _ => return Err(DomainError::field(field, FieldCode::Rule("link_kind"))),
    };
    if !ok_kind {
        return Err(DomainError::field(field, FieldCode::Rule("link_kind")));
    }
    if target.state != DocumentState::Issued {
        return Err(DomainError::field(field, FieldCode::Rule("source_not_issued")));
    }
    if target.status == DocumentStatus::Cancelled {
        return Err(DomainError::field(field, FieldCode::Rule("source_cancelled")));
    }
    Ok(())
}

/// Every field of `src` that `input` leaves out, except number, dates and status.
fn fill_from(input: &mut DocumentInput, src: &Model) -> DomainResult<()> {
    macro_rules! or_src {
        ($($f:ident),*) => { $( if input.$f.is_none() { input.$f = src.$f.clone().into(); } )* };
    }
    or_src!(place, payment_type, description, internal_note, oid);
    if input.income.is_none() {
        input.income = Some(src.income);
    }
    if input.test.is_none() {
        input.test = Some(src.test);
    }
    if input.department_id.is_none() {
        input.department_id = Some(src.department_id);
    }
    if input.currency.is_none() {
        input.currency = Some(src.currency.to_string());
    }
    if input.lang.is_none() {
        input.lang = Some(src.lang.clone());
    }
    // The due date follows the new issue date, unless the source had a fixed date.
    if input.payment_to.is_none() && input.payment_to_kind.is_none() {
        input.payment_to_kind = src.payment_to_kind.clone().filter(|k| k != "other_date");
    }
    if input.calculating_strategy.is_none() {
        input.calculating_strategy = Some(stored_strategy(src));
    }
    if input.discount_kind.is_none() {
        input.discount_kind = stored_discount_kind(src);
    }
    if input.show_discount.is_none() {
        input.show_discount = Some(src.show_discount);
    }
    if input.reverse_charge.is_none() {
        input.reverse_charge = Some(src.reverse_charge);
    }
    // What belongs to the source's own life is not copied: its export state, its
    // correction details, its completion options.
    let mut texts = Texts::from_model(src);
    texts.accounting_status = None;
    texts.correction_reason = None;
    texts.corrected_content_before = None;
    texts.corrected_content_after = None;
    texts.send_completion_to = None;
    input.texts.fill_from(&texts);
    let mut flags = Flags::from_model(src);
    flags.paid_after_completion = None;
    flags.send_after_completion = None;
    flags.prevent_send_email_to_complete = None;
    input.flags.fill_from(&flags);
    if input.prime_cee_value.is_none() {
        input.prime_cee_value = src.prime_cee_value.map(|v| v.value());
    }
    if input.exchange_currency_rate.is_none() {
        input.exchange_currency_rate = src.exchange_currency_rate.map(|v| v.value());
    }
    if input.client.is_none() && input.buyer.has_no_identity() {
        input.prepared.buyer_snapshot = Some((src.client_id, shown_buyer(src)));
    }
    Ok(())
}

/// A credit note's lines for a whole invoice: each line taken back (`total`), or kept as
/// it was (a credit note of zero, the seed's `total_correction: 0`), before/after attached.
fn credit_lines(lines: Vec<Line>, total: bool) -> Vec<Line> {
    lines
        .into_iter()
        .map(|l| {
            if l.input.kind != LineKind::Normal {
                return l;
            }
            let before = Line { stored_kind: "correction_before", children: Vec::new(), ..l.clone() };
            let mut after = Line { stored_kind: "correction_after", children: Vec::new(), ..l.clone() };
            let mut diff = Line { stored_kind: "correction", children: Vec::new(), ..l.clone() };
            if total {
                after.input.quantity = Decimal::ZERO;
                after.input.price = zero_total(l.input.price);
                without_discount(&mut after);
                diff.input.quantity = -l.input.quantity;
                diff.input.price = negate_total(l.input.price);
            } else {
                diff.input.quantity = Decimal::ZERO;
                diff.input.price = zero_total(l.input.price);
                without_discount(&mut diff);
            }
            diff.children = vec![before, after];
            diff
        })
        .collect()
}

/// A line of zero quantity has nothing to discount.
fn without_discount(l: &mut Line) {
    l.input.discount = None;
    l.discount = None;
    l.discount_percent = None;
}

/// A total price follows its quantity's sign; a unit price stays as it is.
fn negate_total(p: Price) -> Price {
    match p {
        Price::TotalNet(x) => Price::TotalNet(-x),
        Price::TotalGross(x) => Price::TotalGross(-x),
        unit => unit,
    }
}

fn zero_total(p: Price) -> Price {
    match p {
        Price::TotalNet(_) => Price::TotalNet(Decimal::ZERO),
        Price::TotalGross(_) => Price::TotalGross(Decimal::ZERO),
        unit => unit,
    }
}

/// The account's issued, uncancelled documents of `kind` whose functional link is
/// `target` (an estimate's advances or final, an invoice's credit notes): the documents
/// every limit and default of the flows counts.
fn standing_linked(actor: &Actor, target: Uuid, kind: DocumentKind) -> sea_orm::Select<Entity> {
    Entity::find_in(actor)
        .filter(Column::InvoiceId.eq(target))
        .filter(Column::Kind.eq(kind))
        .filter(Column::State.eq(crate::vocabulary::DocumentState::Issued))
        .filter(Column::Status.ne(crate::vocabulary::DocumentStatus::Cancelled))
}

/// Gross of the issued documents of `kind` linked to `target`, other than `except`.
async fn linked_issued_gross(
    db: &impl ConnectionTrait,
    actor: &Actor,
    target: Uuid,
    kind: DocumentKind,
    except: Option<Uuid>,
) -> DomainResult<Decimal> {
    let mut q = standing_linked(actor, target, kind);
    if let Some(id) = except {
        q = q.filter(Column::Id.ne(id));
    }
    Ok(q.all(db).await?.iter().map(|d| d.price_gross.value()).sum())
}

/// What the issued credit notes of a document credit (zero or negative).
pub(super) async fn credited(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Decimal> {
    linked_issued_gross(db, actor, id, DocumentKind::Correction, None).await
}

/// Limits checked when a linked document is written and again when it is issued, with
/// the linked document locked so that two issuings cannot both pass: credit notes never
/// credit more than their invoice, advances never exceed their estimate.
pub(super) async fn check_limits(txn: &impl ConnectionTrait, actor: &Actor, m: &Model) -> DomainResult<()> {
    if m.kind == DocumentKind::Final && m.price_gross.value() < Decimal::ZERO {
        return Err(DomainError::field("input.positions", FieldCode::Rule("final_negative")));
    }
    let Some(target_id) = m.invoice_id else { return Ok(()) };
    let target = Entity::find_by_id(target_id)
        .in_account(actor)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("document"))?;
    let own = m.price_gross.value();
    match m.kind {
        DocumentKind::Correction => {
            let credited =
                linked_issued_gross(txn, actor, target.id, DocumentKind::Correction, Some(m.id)).await? + own;
            if -credited > target.price_gross.value() {
                return Err(DomainError::field("input.positions", FieldCode::Rule("exceeds_invoice")));
            }
        }
        DocumentKind::Advance => {
            let advanced = linked_issued_gross(txn, actor, target.id, DocumentKind::Advance, Some(m.id)).await? + own;
            if advanced > target.price_gross.value() {
                return Err(DomainError::field("input.advance_value", FieldCode::Rule("advance_exceeds_estimate")));
            }
        }
        // Issuing a final: still the estimate's only final, and its advances still stand.
        DocumentKind::Final if m.state == DocumentState::Draft => {
            check_no_other_final(txn, actor, target.id, Some(m.id), "id").await?;
            if deducted_advances(txn, actor, m.id)
                .await?
                .iter()
                .any(|a| a.state != DocumentState::Issued || a.status == DocumentStatus::Cancelled)
            {
                return Err(DomainError::field("input.invoice_ids", FieldCode::Rule("source_not_issued")));
            }
        }
        _ => {}
    }
    Ok(())
}

/// A document other documents link to (an estimate with advances or a final, an invoice
/// with credit notes, a deducted advance) is never deleted: the links would point nowhere.
pub(super) async fn refuse_if_linked(txn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<()> {
    let pointing = Entity::find_in(actor).filter(Column::InvoiceId.eq(id)).count(txn).await?;
    let deducted =
        final_advance::Entity::find_in(actor).filter(final_advance::Column::AdvanceId.eq(id)).count(txn).await?;
    if pointing + deducted > 0 {
        Err(DomainError::field("id", FieldCode::Rule("has_linked_documents")))
    } else {
        Ok(())
    }
}

/// An estimate (or order, proforma) changed after advances were issued on it keeps a
/// total at least equal to them.
pub(super) async fn check_advances_still_covered(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    m: &Model,
) -> DomainResult<()> {
    if !ADVANCE_SOURCES.contains(&m.kind) {
        return Ok(());
    }
    let advanced = linked_issued_gross(txn, actor, m.id, DocumentKind::Advance, None).await?;
    if advanced > m.price_gross.value() {
        return Err(DomainError::field("input.positions", FieldCode::Rule("below_advances")));
    }
    Ok(())
}

/// Before a fiscal document is cancelled: an advance deducted by an issued final stays
/// (cancel the final first); deducted by a draft final, it is taken off that final, whose
/// lines are rebuilt. A cancelled final frees its advances for a replacement final.
pub(super) async fn release_before_cancel(txn: &crate::db::WriteTxn, actor: &Actor, m: &Model) -> DomainResult<()> {
    let links = |column: final_advance::Column| final_advance::Entity::find_in(actor).filter(column.eq(m.id));
    match m.kind {
        DocumentKind::Advance => {
            for link in links(final_advance::Column::AdvanceId).all(txn).await? {
                let fin = get(txn, actor, link.final_id).await?;
                if fin.state == DocumentState::Issued && fin.status != DocumentStatus::Cancelled {
                    return Err(DomainError::field("id", FieldCode::Rule("advance_deducted_by_final")));
                }
                final_advance::Entity::delete_by_id(link.id).exec(txn).await?;
                if fin.state == DocumentState::Draft {
                    write(txn, actor, Some(fin), &DocumentInput::default()).await?;
                }
            }
        }
        DocumentKind::Final => {
            final_advance::Entity::delete_in(actor).filter(final_advance::Column::FinalId.eq(m.id)).exec(txn).await?;
        }
        _ => {}
    }
    Ok(())
}
