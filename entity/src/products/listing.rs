//! Listing the catalogue: filters (name or code ignoring case and accents, kind, category,
//! tag, disabled) and orders.

use super::*;

#[derive(Clone, Debug, Default)]
pub struct ProductFilter {
    /// Part of the name or code, ignoring case and accents.
    pub name: Option<String>,
    /// Exact code.
    pub code: Option<String>,
    /// `false` (default): active products; `true`: inactive ones (seed `filter=disabled`).
    pub disabled: Option<bool>,
    /// `sell` or `buy`; products of kind `both` match either.
    pub kind: Option<String>,
    pub category_id: Option<Uuid>,
    pub tag: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProductOrder {
    #[default]
    Name,
    NameDesc,
    Code,
    CodeDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &ProductFilter,
    order: ProductOrder,
    page: PageRequest,
) -> DomainResult<Page<Model>> {
    let term = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut q = Entity::find_in(actor).filter(Column::Disabled.eq(f.disabled.unwrap_or(false)));
    if let Some(x) = term(&f.name).map(|n| search_key(&n)) {
        q = q.filter(contains_text(Column::SearchName, &x));
    }
    if let Some(x) = term(&f.code) {
        q = q.filter(Column::Code.eq(x));
    }
    if let Some(k) = term(&f.kind) {
        q = q.filter(Column::Kind.is_in([k, "both".to_owned()]));
    }
    if let Some(c) = f.category_id {
        q = q.filter(Column::CategoryId.eq(c));
    }
    if let Some(t) = term(&f.tag) {
        q = q.filter(crate::tags::contains(Column::TagKeys, &t));
    }
    let total_count = q.clone().count(db).await?;
    q = match order {
        ProductOrder::Name => q.order_by_asc(Column::SearchName),
        ProductOrder::NameDesc => q.order_by_desc(Column::SearchName),
        // Products without a code last, on both databases (their NULL ordering differs).
        ProductOrder::Code => q.order_by_asc(Expr::col(Column::Code).is_null()).order_by_asc(Column::Code),
        ProductOrder::CodeDesc => q.order_by_asc(Expr::col(Column::Code).is_null()).order_by_desc(Column::Code),
        ProductOrder::CreatedAt => q.order_by_asc(Column::CreatedAt),
        ProductOrder::CreatedAtDesc => q.order_by_desc(Column::CreatedAt),
        ProductOrder::UpdatedAt => q.order_by_asc(Column::UpdatedAt),
        ProductOrder::UpdatedAtDesc => q.order_by_desc(Column::UpdatedAt),
    };
    let items = q.order_by_asc(Column::Id).offset(page.offset()).limit(page.per_page).all(db).await?;
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}
