//! Listing payments: filters and order.

use super::*;
use crate::scope::InAccount;

#[derive(Clone, Debug, Default)]
pub struct PaymentFilter {
    /// On the payment date; none: every payment, dated or not.
    pub period: Option<Period>,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub client_id: Option<Uuid>,
    /// Payments applied to this document.
    pub invoice_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub paid: Option<bool>,
    pub kind: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PaymentOrder {
    PaidDate,
    #[default]
    PaidDateDesc,
    Price,
    PriceDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &PaymentFilter,
    order: PaymentOrder,
    page: PageRequest,
) -> DomainResult<Page<Payment>> {
    if f.kind.as_deref().is_some_and(crate::validation::has_control_characters) {
        return Err(DomainError::field("filter.kind", FieldCode::Rule("control_characters")));
    }
    let mut q = Entity::find_in(actor);
    let (from, to) = match f.period {
        Some(p) => {
            let account = crate::accounts::find_account(db, actor.account_id).await?;
            crate::documents::period_range(p, crate::documents::today(&account), f.date_from, f.date_to)
        }
        None => (f.date_from, f.date_to),
    };
    if let Some(d) = from {
        q = q.filter(Column::PaidDate.gte(d));
    }
    if let Some(d) = to {
        q = q.filter(Column::PaidDate.lte(d));
    }
    if let Some(c) = f.client_id {
        q = q.filter(Column::ClientId.eq(c));
    }
    if let Some(d) = f.department_id {
        q = q.filter(Column::DepartmentId.eq(d));
    }
    if let Some(p) = f.paid {
        q = q.filter(Column::Paid.eq(p));
    }
    if let Some(k) = f.kind.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        q = q.filter(Column::Kind.eq(k));
    }
    if let Some(doc) = f.invoice_id {
        q = q.filter(
            Column::Id.in_subquery(
                Query::select()
                    .column(allocation::Column::PaymentId)
                    .from(allocation::Entity)
                    .and_where(crate::scope::condition::<allocation::Entity>(actor))
                    .and_where(allocation::Column::DocumentId.eq(doc))
                    .to_owned(),
            ),
        );
    }
    let total_count = q.clone().count(db).await?;
    // Undated payments last in both directions, on both databases (they disagree on NULLs).
    let undated_last = Expr::col(Column::PaidDate).is_null();
    q = match order {
        PaymentOrder::PaidDate => q.order_by_asc(undated_last).order_by_asc(Column::PaidDate),
        PaymentOrder::PaidDateDesc => q.order_by_asc(undated_last).order_by_desc(Column::PaidDate),
        PaymentOrder::Price => q.order_by_asc(Column::PriceCents),
        PaymentOrder::PriceDesc => q.order_by_desc(Column::PriceCents),
        PaymentOrder::CreatedAt => q.order_by_asc(Column::CreatedAt),
        PaymentOrder::CreatedAtDesc => q.order_by_desc(Column::CreatedAt),
        PaymentOrder::UpdatedAt => q.order_by_asc(Column::UpdatedAt),
        PaymentOrder::UpdatedAtDesc => q.order_by_desc(Column::UpdatedAt),
    };
    let models = q.order_by_desc(Column::Id).offset(page.offset()).limit(page.per_page).all(db).await?;
    let ids: Vec<Uuid> = models.iter().map(|m| m.id).collect();
    let mut allocations = allocations_of(db, actor, &ids).await?;
    let items = models
        .into_iter()
        .map(|model| {
            let allocations = allocations.remove(&model.id).unwrap_or_default();
            Payment { model, allocations }
        })
        .collect();
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}
