use sea_orm::entity::prelude::*;

/// A product or service of the catalogue (VosFactures "Champs fiche produit").
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    /// Name and code folded for search and sort.
    pub search_name: String,
    /// `sell`, `buy` or `both`.
    pub kind: String,
    /// Sales tax: a rate in percent or a keyword (`tax::Tax`).
    pub tax: String,
    pub currency: crate::vocabulary::Currency,
    pub price_net: Option<crate::money::Money>,
    pub price_gross: Option<crate::money::Money>,
    pub price_tax: Option<crate::money::Money>,
    pub purchase_tax: Option<String>,
    pub purchase_price_net: Option<crate::money::Money>,
    pub purchase_price_gross: Option<crate::money::Money>,
    pub purchase_price_tax: Option<crate::money::Money>,
    /// `net` or `gross`: which price was entered (the other is derived from it).
    pub price_kind: Option<String>,
    pub purchase_price_kind: Option<String>,
    pub disabled: bool,
    pub service: bool,
    pub limited: bool,
    pub package: bool,
    pub use_oss: bool,
    pub is_delivery: bool,
    pub category_id: Option<Uuid>,
    pub department_id: Option<Uuid>,
    pub tag_list: String,
    /// The tags folded for search (`tags::keys_json`).
    pub tag_keys: String,
    pub stock_level: Option<crate::money::Exact>,
    pub quantity: Option<crate::money::Exact>,
    pub weight: Option<crate::money::Exact>,
    pub size_height: Option<crate::money::Exact>,
    pub size_width: Option<crate::money::Exact>,
    pub size: Option<crate::money::Exact>,
    pub code: Option<String>,
    pub quantity_unit: Option<String>,
    pub ean_code: Option<String>,
    pub weight_unit: Option<String>,
    pub size_unit: Option<String>,
    pub supplier_code: Option<String>,
    pub additional_info: Option<String>,
    pub accounting_id: Option<String>,
    pub accounting_id2: Option<String>,
    pub accounting_tax_code: Option<String>,
    pub accounting_tax_code_exp: Option<String>,
    pub accounting_activity_code: Option<String>,
    pub accounting_sheet_code: Option<String>,
    pub description: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
