//! Billing documents: drafts, issuing (numbering), freezing, reading and listing.
//!
//! A document is created as a **draft** (editable, no number) or issued at once. Issuing
//! takes the next number of its series (`number_series`) in the same transaction and
//! copies the seller's details from the department. An issued **fiscal** document
//! (`FISCAL_KINDS`) is frozen: it can be neither changed nor deleted (corrections are
//! credit notes). Non-fiscal kinds (estimates, proformas, orders, work orders) stay
//! editable. Amounts always come from the tax engine (`tax::compute`).

use crate::db::{begin_write, value_of};
use crate::domain_events::note_document;
use crate::error::{ConflictKind, DomainError, DomainResult, FieldCode, FieldError};
use crate::numbering::{Pattern, default_pattern};
use crate::pagination::{Page, PageRequest};
use crate::scope::ScopedQuery;
use crate::tables::document::{ActiveModel, Column, Entity, Model};
use crate::tables::{client, department, document_position as pos, product};
use crate::tax::{self, CalculatingStrategy, DiscountKind, LineInput, LineKind, Price, PriceKind, Tax};
use crate::tenant::Actor;
use crate::validation::{MAX_LINE, MAX_TEXT, Validator, clean};
use crate::vocabulary::EventCode;
use crate::vocabulary::{DocumentKind, DocumentState, DocumentStatus};
use chrono::{Datelike, Duration, NaiveDate, SubsecRound, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

pub const DEFAULT_PAYMENT_DAYS: i64 = 5;

/// The seed's `sum_recovery` values, `exchange_kind` values and the one forced `accounting_status`.
pub const SUM_RECOVERY: [&str; 2] = ["client_professionnel", "client_particulier"];
pub const EXCHANGE_KINDS: [&str; 7] = ["ecb", "nbp", "cbr", "nbu", "nbg", "nbt", "own"];
pub const ACCOUNTING_STATUSES: [&str; 1] = ["exported"];

fn field(i: usize, name: &str) -> String {
    format!("input.positions.{i}.{name}")
}

fn stored_strategy(m: &Model) -> CalculatingStrategy {
    CalculatingStrategy::from_names(&m.calc_position, &m.calc_sum, &m.calc_price_kind)
}

fn stored_discount_kind(m: &Model) -> Option<DiscountKind> {
    m.discount_kind.as_deref().and_then(DiscountKind::parse)
}

/// `YYYY-MM-DD`, `YYYY-MM` or `off` (the seed's sell date).
pub fn is_sell_date(s: &str) -> bool {
    s == "off"
        || NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        || NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok() && s.len() == 7
}

mod buyer;
mod catalogue;
pub mod completion;
pub mod flows;
mod line_rows;
mod lines;
mod listing;
pub mod printing;

use buyer::*;
use line_rows::*;
use lines::*;
pub use listing::*;

mod checks;
mod input;
mod issuing;
mod reads;
mod writing;

use checks::*;
pub use input::*;
use issuing::*;
pub use reads::*;
use writing::*;

/// Today in the account's time zone (a document's default issue date).
pub(crate) fn today(account: &crate::tables::account::Model) -> NaiveDate {
    Utc::now().with_timezone(&crate::closures::tz_of(account)).date_naive()
}

/// Creates a document in the caller's write transaction: flows first (copy, advance,
/// final, credit note), then the document, its links and limits, then its number.
async fn create_in(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    mut input: DocumentInput,
    issue: bool,
) -> DomainResult<Model> {
    // Each step boxed: a flow (a cancellation issuing its credit note) nests these, and
    // their states inline made debug builds overflow a server worker's 2 MiB stack.
    input.prepared.issue_now = issue;
    Box::pin(flows::prepare(txn, actor, &mut input)).await?;
    let written = Box::pin(write(txn, actor, None, &input)).await?;
    if let Some(advances) = &input.prepared.advances {
        Box::pin(flows::link_advances(txn, actor, written.doc.id, advances)).await?;
    }
    Box::pin(flows::check_limits(txn, actor, &written.doc)).await?;
    let doc = match issue {
        // Numbered as it was written (see `write`).
        true if written.doc.state == DocumentState::Issued => {
            Box::pin(after_issue(txn, actor, &written.doc)).await?;
            written.doc
        }
        true => Box::pin(issue_written(txn, actor, written)).await?,
        false => written.doc,
    };
    // Created as the transaction leaves it (issued and numbered when it was issued too).
    let payload = crate::domain_events::document_payload(&doc);
    crate::domain_events::note_created(txn, actor.account_id, EventCode::DocumentCreated, doc.id, payload);
    Ok(doc)
}

/// Creates a document as a draft, or issued when `issue` is true.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: DocumentInput, issue: bool) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let doc = create_in(&txn, actor, input, issue).await?;
    txn.commit().await?;
    Ok(doc)
}

/// Creates several documents in one write transaction, all or none, each exactly as
/// `create` would (flows, numbering, sealing when the transaction commits): one commit and
/// one move of each chain head for all of them. For the bench's data generator and for
/// imports; a request creates one document.
pub async fn create_all(
    db: &DatabaseConnection,
    actor: &Actor,
    inputs: Vec<DocumentInput>,
    issue: bool,
) -> DomainResult<usize> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let count = inputs.len();
    for input in inputs {
        create_in(&txn, actor, input, issue).await?;
    }
    txn.commit().await?;
    Ok(count)
}

/// Issues a draft: it gets its number and, for fiscal kinds, is frozen from then on.
pub async fn issue(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let doc = get_for_update(&txn, actor, id).await?;
    let doc = issue_in(&txn, actor, doc).await?;
    txn.commit().await?;
    Ok(doc)
}

/// Changes a draft, or an issued non-fiscal document. An issued fiscal document is frozen.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, input: DocumentInput) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state == DocumentState::Issued && current.kind.is_fiscal() {
        return Err(DomainError::Sealed(crate::SealedRecord::Document));
    }
    if current.status == DocumentStatus::Cancelled {
        return Err(DomainError::conflict(ConflictKind::DocumentCancelled, Some("id")));
    }
    // Flows happen when a document is created; its links never change afterwards.
    let mut v = Validator::new();
    for (given, name) in [
        (input.copy_from.is_some(), "input.copy_from"),
        (input.advance.is_some(), "input.advance_creation_mode"),
        (input.advance_ids.is_some(), "input.invoice_ids"),
        (input.total_correction.is_some(), "input.total_correction"),
        (input.invoice_id.is_some(), "input.invoice_id"),
        (input.from_invoice_id.is_some(), "input.from_invoice_id"),
        (input.status.is_some(), "input.status"),
        (input.oid_unique, "input.oid_unique"),
        (input.seller_name.is_some(), "input.seller_name"),
    ] {
        if given {
            v.push(name, FieldCode::Rule("creation_only"));
        }
    }
    // A linked document keeps the kind its link was checked for; an invoice to complete
    // stays an invoice.
    if input.kind.is_some_and(|k| k != current.kind)
        && (current.kind == DocumentKind::Final
            || input.kind == Some(DocumentKind::Final)
            || current.invoice_id.is_some()
            || current.status == DocumentStatus::Incomplete)
    {
        v.push("input.kind", FieldCode::Rule("kind_fixed"));
    }
    if input.currency.as_deref().is_some_and(|c| c != current.currency.as_str()) && current.invoice_id.is_some() {
        v.push("input.currency", FieldCode::Rule("currency_mismatch"));
    }
    v.finish()?;
    if current.state == DocumentState::Issued {
        // An issued document keeps what its number stands on: kind, date, series, seller.
        let mut v = Validator::new();
        if input.kind.is_some_and(|k| k != current.kind) {
            v.push("input.kind", FieldCode::Rule("fixed_once_issued"));
        }
        if input.issue_date.is_some_and(|d| d != current.issue_date) {
            v.push("input.issue_date", FieldCode::Rule("fixed_once_issued"));
        }
        if input.test.is_some_and(|t| t != current.test) {
            v.push("input.test", FieldCode::Rule("fixed_once_issued"));
        }
        if input.department_id.is_some_and(|d| d != current.department_id) {
            v.push("input.department_id", FieldCode::Rule("fixed_once_issued"));
        }
        v.finish()?;
    }
    let before = current.clone();
    let doc = write(&txn, actor, Some(current), &input).await?.doc;
    flows::check_advances_still_covered(&txn, actor, &doc).await?;
    flows::check_limits(&txn, actor, &doc).await?;
    let doc = crate::payments::after_document_update(&txn, actor, &before, doc).await?;
    note_document(&txn, actor, EventCode::DocumentUpdated, &doc);
    txn.commit().await?;
    Ok(doc)
}

/// Statuses that can be set by hand once a document is issued (the seed's `change_status`);
/// `incomplete` belongs to the "invoice to complete" flow.
pub const SETTABLE_STATUSES: [DocumentStatus; 6] = {
    use DocumentStatus::*;
    [Issued, Sent, Paid, Partial, Rejected, Accepted]
};

/// Changes the status of an issued document. The status is not a fiscal field, so it may
/// change on a frozen document; a draft has no status until it is issued.
pub async fn change_status(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: DocumentStatus,
) -> DomainResult<Model> {
    actor.require_writer()?;
    let mut v = Validator::new();
    v.one_of("status", status.as_str(), &SETTABLE_STATUSES.map(DocumentStatus::as_str));
    v.finish()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state != DocumentState::Issued {
        return Err(DomainError::field("id", FieldCode::Rule("issue_first")));
    }
    if current.status == DocumentStatus::Cancelled {
        return Err(DomainError::conflict(ConflictKind::DocumentCancelled, Some("id")));
    }
    let mut am: ActiveModel = current.into();
    am.status = Set(status);
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    note_document(&txn, actor, EventCode::DocumentUpdated, &updated);
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a draft or a non-fiscal document. An issued fiscal document is never deleted:
/// it is corrected by a credit note.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state == DocumentState::Issued && current.kind.is_fiscal() {
        return Err(DomainError::Sealed(crate::SealedRecord::Document));
    }
    crate::payments::refuse_if_paid(&txn, actor, id).await?;
    flows::refuse_if_linked(&txn, actor, id).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).in_account(actor).exec(&txn).await?;
    note_document(&txn, actor, EventCode::DocumentDeleted, &current);
    txn.commit().await?;
    Ok(current)
}

/// Cancels an issued document (the seed's `cancel`): a fiscal one by issuing a total
/// credit note for it, dated today, linked to it; either way it is marked `cancelled` with
/// the reason. Nothing is erased. Returns the cancelled document and the credit note.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: Option<String>,
) -> DomainResult<(Model, Option<Model>)> {
    actor.require_writer()?;
    if let Some(r) = &reason {
        let mut v = Validator::new();
        v.max_len("reason", r, MAX_LINE);
        v.finish()?;
    }
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state != DocumentState::Issued {
        return Err(DomainError::field("id", FieldCode::Rule("draft_delete_instead")));
    }
    if current.status == DocumentStatus::Cancelled {
        return Err(DomainError::conflict(ConflictKind::DocumentCancelled, Some("id")));
    }
    let credit_note = if current.kind.is_fiscal() {
        if !flows::CORRECTABLE.contains(&current.kind) {
            return Err(DomainError::field("id", FieldCode::Rule("not_cancellable")));
        }
        // A cancellation takes back the whole invoice: after partial credit notes it would
        // credit too much, so those invoices are corrected by a further credit note instead.
        if !flows::credited(&txn, actor, id).await?.is_zero() {
            return Err(DomainError::field("id", FieldCode::Rule("already_corrected")));
        }
        Box::pin(flows::release_before_cancel(&txn, actor, &current)).await?;
        let default_reason = crate::texts::Lang::of_document(&current.lang).cancellation_reason();
        let input = DocumentInput {
            kind: Some(DocumentKind::Correction),
            copy_from: Some(id),
            total_correction: Some(true),
            texts: Texts {
                correction_reason: Some(clean(&reason).unwrap_or(default_reason.into())),
                ..Default::default()
            },
            ..Default::default()
        };
        Some(Box::pin(create_in(&txn, actor, input, true)).await?)
    } else {
        None
    };
    let mut am: ActiveModel = current.into();
    am.status = Set(DocumentStatus::Cancelled);
    am.cancel_reason = Set(clean(&reason));
    am.cancelled_at = Set(Some(Utc::now()));
    am.updated_at = Set(Utc::now());
    let cancelled = am.update(&txn).await?;
    note_document(&txn, actor, EventCode::DocumentUpdated, &cancelled);
    txn.commit().await?;
    Ok((cancelled, credit_note))
}

/// `get` with the row locked until the transaction ends (`FOR UPDATE` on PostgreSQL; on
/// SQLite the write transaction of `db::begin_write` already excludes other writers), so
/// that issuing, changing and deleting one document never interleave.
async fn get_for_update(txn: &crate::db::WriteTxn, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id).in_account(actor).lock_exclusive().one(txn).await?.ok_or(DomainError::NotFound("document"))
}
