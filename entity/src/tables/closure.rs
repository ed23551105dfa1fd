use sea_orm::entity::prelude::*;

/// A certification closure: one account's sealed documents over one day, month or year,
/// sealed itself in the account's closures chain. Only the e-mail columns ever change.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "closures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// `daily`, `monthly` or `yearly`.
    pub frequency: String,
    /// First and last day of the period in `time_zone`, inclusive.
    pub period_start: Date,
    pub period_end: Date,
    pub time_zone: String,
    /// The period in UTC, `[starts_at, ends_at)`.
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub document_count: i64,
    pub sales_count: i64,
    pub credit_count: i64,
    pub sales_net: crate::money::Money,
    pub sales_tax: crate::money::Money,
    pub sales_gross: crate::money::Money,
    pub credits_net: crate::money::Money,
    pub credits_tax: crate::money::Money,
    pub credits_gross: crate::money::Money,
    pub total_net: crate::money::Money,
    pub total_tax: crate::money::Money,
    pub total_gross: crate::money::Money,
    /// One line per VAT rate, see `closures::VatTotals`.
    pub vat_rows: String,
    pub perpetual_total: crate::money::Money,
    pub first_sequence: Option<i64>,
    pub last_sequence: Option<i64>,
    pub last_hash: String,
    pub csv: String,
    pub csv_sha256: String,
    pub created_at: DateTimeUtc,
    pub email_sent_at: Option<DateTimeUtc>,
    pub email_attempts: i32,
    pub email_last_error: Option<String>,
    pub email_claimed_at: Option<DateTimeUtc>,
    /// The heads of every chain when the closure was made, `chain|sequence|hash` per line
    /// (closures: the chain before this closure); empty on closures older than version 2.
    pub heads: String,
    /// The signature of the closure's block (its entry in the closures chain).
    pub signed_at: Option<DateTimeUtc>,
    pub signature: Option<String>,
    pub signing_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
