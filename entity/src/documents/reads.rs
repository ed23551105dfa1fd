//! Reading documents back: one by id or public token, its lines, its relations, its tax summary.

use super::*;
use crate::scope::{InAccount, ScopedQuery};
use crate::tenant::AccountId;
use std::collections::HashMap;

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("document"))
}

/// An issued document and its lines by its public view token (the link is the
/// credential: 256 random bits). Drafts are never shown.
pub async fn by_view_token(db: &DatabaseConnection, token: &str) -> DomainResult<Option<(Model, Vec<pos::Model>)>> {
    let Some(doc) = Entity::find()
        .filter(Column::ViewToken.eq(token))
        .filter(Column::State.eq(crate::vocabulary::DocumentState::Issued))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let lines = pos::Entity::find()
        .in_account(crate::AccountId(doc.account_id))
        .filter(pos::Column::DocumentId.eq(doc.id))
        .order_by_asc(pos::Column::Position)
        .all(db)
        .await?;
    Ok(Some((doc, lines)))
}

/// Every stored row of a document in order: lines, each followed by its before/after
/// rows (credit notes).
pub async fn all_positions(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Vec<pos::Model>> {
    all_position_rows(db, actor.account_id.0, id).await
}

/// Every stored row of each of the documents `ids` of `account`, in order, in one query:
/// what a page of documents shows with their lines. A document without rows (or of
/// another account) has none.
pub async fn position_rows_of(
    db: &impl ConnectionTrait,
    account: AccountId,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, Vec<pos::Model>>> {
    let mut rows: HashMap<Uuid, Vec<pos::Model>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let found = pos::Entity::find_in(account)
            .filter(pos::Column::DocumentId.is_in(chunk.iter().copied()))
            .order_by_asc(pos::Column::DocumentId)
            .order_by_asc(pos::Column::Position)
            .all(db)
            .await?;
        for p in found {
            rows.entry(p.document_id).or_default().push(p);
        }
    }
    Ok(rows)
}

/// A document's lines in order (a credit-note line's before/after rows apart: see
/// `correction_rows`).
pub async fn positions(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Vec<pos::Model>> {
    Ok(lines_of(&all_position_rows(db, actor.account_id.0, id).await?).cloned().collect())
}

/// The lines among a document's stored rows (`position_rows_of`, `all_positions`): a
/// credit-note line's before/after rows are its children, not lines.
pub fn lines_of(rows: &[pos::Model]) -> impl Iterator<Item = &pos::Model> {
    rows.iter().filter(|p| p.parent_id.is_none())
}

/// The `correction_before` / `correction_after` rows of a credit-note line.
pub async fn correction_rows(
    db: &impl ConnectionTrait,
    actor: &Actor,
    line: &pos::Model,
) -> DomainResult<Vec<pos::Model>> {
    Ok(pos::Entity::find_in(actor)
        .filter(pos::Column::DocumentId.eq(line.document_id))
        .filter(pos::Column::ParentId.eq(line.id))
        .order_by_asc(pos::Column::Position)
        .all(db)
        .await?)
}

/// Documents functionally linked to `id`, both ways: what it points to (`invoiceId`), what
/// points to it (advances and credit notes), and the advances a final deducts or the final
/// that deducts an advance.
pub async fn related(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Vec<Model>> {
    use crate::tables::final_advance as fa;
    use sea_orm::sea_query::Query;
    let doc = get(db, actor, id).await?;
    let deducted = Query::select()
        .column(fa::Column::AdvanceId)
        .from(fa::Entity)
        .and_where(crate::scope::condition::<fa::Entity>(actor))
        .and_where(fa::Column::FinalId.eq(id))
        .to_owned();
    let deducting = Query::select()
        .column(fa::Column::FinalId)
        .from(fa::Entity)
        .and_where(crate::scope::condition::<fa::Entity>(actor))
        .and_where(fa::Column::AdvanceId.eq(id))
        .to_owned();
    let mut cond = sea_orm::Condition::any()
        .add(Column::InvoiceId.eq(id))
        .add(Column::Id.in_subquery(deducted))
        .add(Column::Id.in_subquery(deducting));
    if let Some(target) = doc.invoice_id {
        cond = cond.add(Column::Id.eq(target));
    }
    Ok(Entity::find_in(actor)
        .filter(cond)
        .order_by_asc(Column::IssueDate)
        .order_by_asc(Column::CreatedAt)
        .all(db)
        .await?)
}

/// What the issued credit notes of a document took back (zero or negative).
pub async fn credited_total(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Decimal> {
    flows::credited(db, actor, id).await
}

/// Documents created from `id` (copies, conversions, advances, finals, credit notes).
pub async fn created_from(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Vec<Model>> {
    Ok(Entity::find_in(actor).filter(Column::FromInvoiceId.eq(id)).order_by_asc(Column::CreatedAt).all(db).await?)
}

/// The per-rate tax summary of a stored document, recomputed by the engine from its lines.
pub async fn tax_summary(db: &impl ConnectionTrait, actor: &Actor, m: &Model) -> DomainResult<Vec<tax::TaxSummaryRow>> {
    Ok(positions_and_tax_summary(db, actor, m).await?.1)
}

/// A stored document's positions and its tax summary, from one read of its lines.
pub async fn positions_and_tax_summary(
    db: &impl ConnectionTrait,
    actor: &Actor,
    m: &Model,
) -> DomainResult<(Vec<pos::Model>, Vec<tax::TaxSummaryRow>)> {
    let rows = positions(db, actor, m.id).await?;
    let summary = tax_summary_of_rows(m, &rows)?;
    Ok((rows, summary))
}

/// The per-rate tax summary of a document from its stored rows (`all_positions`: the
/// before/after rows of credit-note lines are left out, as they bill nothing).
pub fn tax_summary_of_rows(m: &Model, rows: &[pos::Model]) -> DomainResult<Vec<tax::TaxSummaryRow>> {
    let dk = stored_discount_kind(m);
    let lines: Vec<LineInput> = rows
        .iter()
        .filter(|r| r.parent_id.is_none())
        .cloned()
        .map(|r| Ok(line_of_row(r, dk)?.input))
        .collect::<DomainResult<_>>()?;
    Ok(tax::compute(&lines, &stored_strategy(m), dk).map_err(engine_error)?.tax_summary)
}
