use sea_orm::entity::prelude::*;

/// A billing document of any kind (invoice, credit note, estimate…). Buyer and seller
/// details are copied onto it, so later changes to contacts or departments never change it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "documents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub department_id: Uuid,
    pub client_id: Option<Uuid>,
    pub kind: String,
    pub income: bool,
    pub test: bool,
    /// `draft` or `issued`.
    pub state: String,
    pub status: String,
    pub number: Option<String>,
    pub series_key: Option<String>,
    pub number_counter: Option<i64>,
    pub issue_date: Date,
    pub payment_to: Option<Date>,
    pub buyer_company: bool,
    pub show_discount: bool,
    pub reverse_charge: bool,
    pub currency: String,
    pub lang: String,
    pub calc_position: String,
    pub calc_sum: String,
    pub calc_price_kind: String,
    pub price_net: String,
    pub price_tax: String,
    pub price_gross: String,
    pub paid: String,
    /// When the document became fully paid: the latest date of the payments applied to it.
    pub paid_date: Option<Date>,
    pub view_token: String,
    pub description: Option<String>,
    pub internal_note: Option<String>,
    pub sell_date: Option<String>,
    pub payment_to_kind: Option<String>,
    pub place: Option<String>,
    pub payment_type: Option<String>,
    pub oid: Option<String>,
    pub discount_kind: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_first_name: Option<String>,
    pub buyer_last_name: Option<String>,
    pub buyer_tax_no: Option<String>,
    pub buyer_tax_no_kind: Option<String>,
    pub buyer_post_code: Option<String>,
    pub buyer_city: Option<String>,
    pub buyer_street: Option<String>,
    pub buyer_country: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_phone: Option<String>,
    pub seller_name: Option<String>,
    pub seller_tax_no: Option<String>,
    pub seller_tax_no_kind: Option<String>,
    pub seller_post_code: Option<String>,
    pub seller_city: Option<String>,
    pub seller_street: Option<String>,
    pub seller_country: Option<String>,
    pub seller_email: Option<String>,
    pub seller_phone: Option<String>,
    pub seller_bank: Option<String>,
    pub seller_bank_account: Option<String>,
    pub seller_bank_swift: Option<String>,
    pub seller_person: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub issued_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
