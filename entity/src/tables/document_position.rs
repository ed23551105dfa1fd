use sea_orm::entity::prelude::*;

/// One line of a document, with the price it gave and the amounts the tax engine computed.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "document_positions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub document_id: Uuid,
    pub position: i32,
    /// `normal`, `text_separator`, `subtotal`, `correction` (a credit-note line, with its
    /// `correction_before` / `correction_after` child rows) or `advance_deduction`.
    pub kind: String,
    pub product_id: Option<Uuid>,
    pub name: String,
    pub quantity: crate::money::Exact,
    pub tax: String,
    /// `unit_net`, `unit_gross`, `total_net` or `total_gross`.
    pub price_given: String,
    pub price_given_amount: crate::money::Money,
    pub price_net: crate::money::Money,
    pub price_gross: crate::money::Money,
    pub total_price_net: crate::money::Money,
    pub total_price_tax: crate::money::Money,
    pub total_price_gross: crate::money::Money,
    pub discount_gross: crate::money::Money,
    pub code: Option<String>,
    pub quantity_unit: Option<String>,
    pub discount: Option<crate::money::Exact>,
    pub discount_percent: Option<crate::money::Exact>,
    pub description: Option<String>,
    /// Set on the `correction_before` / `correction_after` rows of a credit-note line.
    pub parent_id: Option<Uuid>,
    /// Content of the additional column (seed position `additional_info`).
    pub additional_info: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
