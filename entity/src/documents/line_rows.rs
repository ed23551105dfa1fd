//! Lines as stored rows: read back into engine lines (`line_of_row`, `stored_lines`),
//! and written, with their amounts, in multi-row inserts (`store_lines`).

use super::*;
use crate::scope::{InAccount, ScopedQuery};
use std::collections::HashMap;

pub(super) fn line_of_row(p: pos::Model, dk: Option<DiscountKind>) -> DomainResult<Line> {
    let discount = match dk {
        Some(DiscountKind::Amount) => p.discount.map(|v| v.value()),
        Some(_) => p.discount_percent.map(|v| v.value()),
        None => None,
    };
    let (kind, stored_kind) = stored_kind_of(&p.kind);
    let tax = p.tax.parse().map_err(|_| DomainError::Integrity(format!("stored tax {:?} is not a rate", p.tax)))?;
    Ok(Line {
        id: Some(p.id),
        input: LineInput {
            kind,
            quantity: p.quantity.value(),
            tax,
            price: price_from_stored(&p.price_given, p.price_given_amount.value()),
            discount,
        },
        stored_kind,
        product_id: p.product_id,
        name: p.name,
        description: p.description,
        code: p.code,
        quantity_unit: p.quantity_unit,
        discount: p.discount.map(|v| v.value()),
        discount_percent: p.discount_percent.map(|v| v.value()),
        additional_info: p.additional_info,
        children: Vec::new(),
    })
}

/// The stored lines of a document, as engine input (to recompute after a change that
/// leaves the positions alone, e.g. a new calculating strategy), children attached.
pub(super) async fn stored_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    dk: Option<DiscountKind>,
) -> DomainResult<Vec<Line>> {
    let rows = all_position_rows(db, actor.account_id.0, id).await?;
    let mut children: HashMap<Uuid, Vec<pos::Model>> = HashMap::new();
    let mut top = Vec::new();
    for r in rows {
        match r.parent_id {
            Some(parent) => children.entry(parent).or_default().push(r),
            None => top.push(r),
        }
    }
    top.into_iter()
        .map(|r| {
            let kids = children.remove(&r.id).unwrap_or_default();
            let mut line = line_of_row(r, dk)?;
            line.children = kids.into_iter().map(|k| line_of_row(k, dk)).collect::<DomainResult<_>>()?;
            Ok(line)
        })
        .collect()
}

/// Every position row of a document, children included, in order.
pub(super) async fn all_position_rows(
    db: &impl ConnectionTrait,
    account: Uuid,
    id: Uuid,
) -> DomainResult<Vec<pos::Model>> {
    Ok(pos::Entity::find()
        .in_account(crate::AccountId(account))
        .filter(pos::Column::DocumentId.eq(id))
        .order_by_asc(pos::Column::Position)
        .all(db)
        .await?)
}

/// Replaces a document's stored positions by `lines` with the engine's amounts (children
/// are computed on their own, with the document's strategy, for display). A `fresh`
/// document has no stored positions yet: nothing to read or delete first.
pub(super) async fn store_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    doc: &Model,
    fresh: bool,
    lines: &[Line],
    amounts: &[tax::LineAmounts],
) -> DomainResult<()> {
    // A line keeps its id only if it is one of this document's positions (a line copied
    // from another document is a new position).
    let own: std::collections::HashSet<Uuid> = if fresh {
        Default::default()
    } else {
        let own = all_position_rows(db, actor.account_id.0, doc.id).await?.into_iter().map(|p| p.id).collect();
        pos::Entity::delete_in(actor).filter(pos::Column::DocumentId.eq(doc.id)).exec(db).await?;
        own
    };
    let strategy = stored_strategy(doc);
    let dk = stored_discount_kind(doc);
    let mut rows = Vec::with_capacity(lines.len());
    for (l, a) in lines.iter().zip(amounts) {
        let id = l.id.filter(|id| own.contains(id)).unwrap_or_else(Uuid::now_v7);
        let place = Place { account: actor.account_id.0, document: doc.id, position: rows.len() as i32, parent: None };
        rows.push(row_of(place, l, id, a));
        for c in &l.children {
            let ca = tax::compute(std::slice::from_ref(&c.input), &strategy, dk).map_err(engine_error)?;
            let place =
                Place { account: actor.account_id.0, document: doc.id, position: rows.len() as i32, parent: Some(id) };
            rows.push(row_of(place, c, Uuid::now_v7(), &ca.lines[0]));
        }
    }
    // Several rows per statement, in chunks that stay under both databases' limits on bound
    // values (SQLite 32 766, PostgreSQL 65 535; a row binds 24).
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        pos::Entity::insert_many(rows.by_ref().take(POSITIONS_PER_INSERT)).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Position rows written per `INSERT` statement.
const POSITIONS_PER_INSERT: usize = 500;

/// Where a stored row goes: its document, its place, its parent line (before/after rows).
struct Place {
    account: Uuid,
    document: Uuid,
    position: i32,
    parent: Option<Uuid>,
}

fn row_of(at: Place, l: &Line, id: Uuid, a: &tax::LineAmounts) -> pos::ActiveModel {
    let (given, amount) = price_given_name(&l.input.price);
    pos::ActiveModel {
        id: Set(id),
        account_id: Set(at.account),
        document_id: Set(at.document),
        position: Set(at.position),
        kind: Set(l.stored_kind.into()),
        product_id: Set(l.product_id),
        name: Set(l.name.clone()),
        quantity: Set(l.input.quantity.normalize().into()),
        tax: Set(l.input.tax.to_string()),
        price_given: Set(given.into()),
        price_given_amount: Set(amount.normalize().into()),
        price_net: Set(tax::unit_price(a.unit_net)),
        price_gross: Set(tax::unit_price(a.unit_gross)),
        total_price_net: Set(a.total_net.into()),
        total_price_tax: Set(a.total_tax.into()),
        total_price_gross: Set(a.total_gross.into()),
        discount_gross: Set(a.discount_gross.into()),
        code: Set(l.code.clone()),
        quantity_unit: Set(l.quantity_unit.clone()),
        discount: Set(l.discount.map(|d| d.normalize().into())),
        discount_percent: Set(l.discount_percent.map(|d| d.normalize().into())),
        description: Set(l.description.clone()),
        parent_id: Set(at.parent),
        additional_info: Set(l.additional_info.clone()),
    }
}
