use sea_orm::entity::prelude::*;

/// A seller company ("département vendeur") of an account. Field names follow the
/// VosFactures department fields (seed 002, "Département vendeur").
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "departments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub main: bool,
    pub name: String,
    /// Name and shortcut folded for search and sort (`validation::search_key`).
    pub search_name: String,
    pub shortcut: Option<String>,
    /// Legal form ("SARL", "SAS"…), `kind` in VosFactures.
    pub kind: Option<String>,
    pub tax_no_kind: Option<String>,
    pub tax_no: Option<String>,
    pub post_code: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub country: Option<String>,
    pub person: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub www: Option<String>,
    pub fax: Option<String>,
    pub bank: Option<String>,
    pub bank_account: Option<String>,
    pub bank_swift: Option<String>,
    pub bank_account_currency: Option<String>,
    pub bank_accountancy_account: Option<String>,
    pub invoice_lang: Option<String>,
    pub invoice_description: Option<String>,
    pub default_tax: Option<String>,
    pub invoice_template_id: Option<String>,
    /// Canonical decimal string (see `departments::parse_decimal`).
    pub cash_init_state: Option<crate::money::Money>,
    pub footer_content: Option<String>,
    pub footer_kind: Option<String>,
    pub own_email_settings: bool,
    pub email_from: Option<String>,
    pub email_cc: Option<String>,
    pub email_subject: Option<String>,
    pub email_template: Option<String>,
    pub email_template_kind: Option<String>,
    pub email_pdf: bool,
    pub own_overdue_email_settings: bool,
    pub overdue_email_subject: Option<String>,
    pub overdue_email_template: Option<String>,
    pub overdue_email_template_kind: Option<String>,
    pub overdue_email_pdf: bool,
    pub restrict_warehouses: bool,
    pub warehouse_id: Option<String>,
    /// Numbering of its own (seed `use_pattern`), with the patterns in `department_patterns`.
    pub use_pattern: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
