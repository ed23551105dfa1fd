use sea_orm::entity::prelude::*;

/// A contact of the account: a buyer, a supplier, or both (VosFactures "client").
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "clients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub name: String,
    /// Name, shortcut, first and last name folded for search and sort.
    pub search_name: String,
    /// A business (`true`, the default) or a private individual.
    pub company: bool,
    /// `buyer`, `seller` or `both`.
    pub kind: String,
    pub use_delivery_address: bool,
    pub disable_auto_reminders: bool,
    pub use_mass_payment: bool,
    pub sepa_b2b: bool,
    /// Default discount in percent, canonical decimal string.
    pub discount: Option<crate::money::Exact>,
    pub department_id: Option<Uuid>,
    pub category_id: Option<Uuid>,
    pub price_list_id: Option<Uuid>,
    pub birth_date: Option<Date>,
    /// JSON array of strings.
    pub tag_list: String,
    /// The tags folded for search (`tags::keys_json`).
    pub tag_keys: String,
    /// Finder keys: tax number without spaces or punctuation, folded shortcut, lower-case e-mail.
    pub tax_no_key: Option<String>,
    /// The name alone, folded: documents recognise their buyer by it.
    pub name_key: String,
    pub shortcut_key: Option<String>,
    pub email_key: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub shortcut: Option<String>,
    pub title: Option<String>,
    pub post_code: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub country: Option<String>,
    pub tax_no_kind: Option<String>,
    pub tax_no: Option<String>,
    pub external_id: Option<String>,
    pub phone: Option<String>,
    pub mobile_phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    pub email_for_reminders: Option<String>,
    pub www: Option<String>,
    pub bank: Option<String>,
    pub bank_account: Option<String>,
    pub payment_to_kind: Option<String>,
    pub default_tax: Option<String>,
    pub default_payment_type: Option<String>,
    pub person: Option<String>,
    pub mass_payment_code: Option<String>,
    pub accounting_id: Option<String>,
    pub accounting_id2: Option<String>,
    pub sepa_mandate_no: Option<String>,
    pub chorus_identifier_type: Option<String>,
    pub chorus_identifier: Option<String>,
    pub chorus_service_code: Option<String>,
    pub ingenico_id: Option<String>,
    pub birth_insee_country: Option<String>,
    pub birth_insee_department: Option<String>,
    pub birth_insee_community: Option<String>,
    pub birth_city: Option<String>,
    pub insee_country: Option<String>,
    pub insee_community: Option<String>,
    pub street_kind: Option<String>,
    pub urssaf_id: Option<String>,
    pub note: Option<String>,
    pub delivery_address: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
