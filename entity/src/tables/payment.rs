use sea_orm::entity::prelude::*;

/// A payment received (or expected) by the account, applied to some of its documents
/// through `payment_allocation` rows.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub department_id: Option<Uuid>,
    /// The payer's contact id, kept as history (no foreign key).
    pub client_id: Option<Uuid>,
    /// The product behind a widget payment, kept as history (no foreign key).
    pub product_id: Option<Uuid>,
    /// Canonical decimal text with two decimals.
    pub price: crate::money::Money,
    /// `price` in cents, for sorting by value on both databases.
    pub price_cents: i64,
    pub currency: crate::vocabulary::Currency,
    pub paid_date: Option<Date>,
    pub paid: bool,
    /// The payment's origin; `api` when added through the API.
    pub kind: String,
    pub quantity: Option<crate::money::Exact>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub comment: Option<String>,
    pub oid: Option<String>,
    pub provider: Option<String>,
    pub provider_response: Option<String>,
    pub provider_status: Option<String>,
    pub provider_title: Option<String>,
    pub invoice_comment: Option<String>,
    pub promocode: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub street: Option<String>,
    pub city: Option<String>,
    pub post_code: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub invoice_name: Option<String>,
    pub invoice_street: Option<String>,
    pub invoice_city: Option<String>,
    pub invoice_post_code: Option<String>,
    pub invoice_country: Option<String>,
    pub invoice_tax_no: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
