//! How `invoices` is filtered and ordered.

use super::*;

/// The seed's `period` values (default `LAST_12_MONTHS`); `MORE` uses `dateFrom`/`dateTo`.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::documents::Period")]
pub enum Period {
    Last12Months,
    ThisMonth,
    Last30Days,
    LastMonth,
    ThisYear,
    LastYear,
    All,
    More,
}

#[derive(InputObject, Default)]
pub struct InvoiceFilter {
    pub period: Option<Period>,
    pub date_from: Option<Date>,
    pub date_to: Option<Date>,
    pub income: Option<bool>,
    pub ids: Option<Vec<ID>>,
    /// Exact number.
    pub number: Option<String>,
    pub kind: Option<DocumentKind>,
    pub kinds: Option<Vec<DocumentKind>>,
    pub client_id: Option<ID>,
    /// Default `ISSUE_DATE`.
    pub search_date_type: Option<SearchDateType>,
    /// Documents functionally linked to this one, both ways.
    pub invoice_id: Option<ID>,
    /// Documents created from this one.
    pub from_invoice_id: Option<ID>,
}

#[derive(Enum, Copy, Clone, Debug, Default, PartialEq, Eq)]
#[graphql(remote = "entity::documents::DocumentOrder")]
pub enum InvoiceOrder {
    IssueDate,
    #[default]
    IssueDateDesc,
    Number,
    NumberDesc,
    BuyerName,
    BuyerNameDesc,
    PriceGross,
    PriceGrossDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
    PriceNet,
    PriceNetDesc,
    PriceTax,
    PriceTaxDesc,
    PaymentTo,
    PaymentToDesc,
    /// By the additional date (`sellDate`).
    TransactionDate,
    TransactionDateDesc,
    BuyerTaxNo,
    BuyerTaxNoDesc,
    SellerName,
    SellerNameDesc,
    Oid,
    OidDesc,
    /// By the date the document became fully paid.
    PaidDate,
    PaidDateDesc,
}

/// Which date `period` applies to (the seed's `search_date_type`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::documents::SearchDateType")]
// The seed's value names: `issue_date`, `sell_date`, `paid_date`.
#[allow(clippy::enum_variant_names)]
pub enum SearchDateType {
    IssueDate,
    /// The additional date; a month-only `sellDate` counts as the month's first day.
    SellDate,
    /// The date the document became fully paid.
    PaidDate,
}
