//! Billing documents over GraphQL: `createInvoice` (draft, or issued with `issue: true`),
//! `issueInvoice`, `updateInvoice`, `deleteInvoice`, `invoice`, `invoices`. Field names are
//! the seed's in camelCase; value lists are enums.

use super::context::{CtxExt, ResultExt, parse_id, parse_ids};
use super::pagination::Page;
use super::scalars::{Date, Decimal};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::DomainError;
use entity::FieldCode;
use entity::documents::flows::{AdvanceInput, AdvanceMode};
use entity::documents::{BuyerInput, BuyerRef, DocumentFilter, DocumentInput, Flags, PositionInput, Texts};
use entity::tables::{document::Model, document_position};

/// A GraphQL enum over the seed's value names: `as_str` gives the stored name, `parse` reads
/// it back. One table per enum instead of a hand-written match each way.
macro_rules! seed_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $name {
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }

            pub(crate) fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

seed_enum!(
    /// Document kinds (the seed's `kind`).
    DocumentKind {
        /// Invoice ("facture").
        Vat = "vat",
        Proforma = "proforma",
        /// Advance invoice ("facture d'acompte").
        Advance = "advance",
        /// Final invoice ("facture de solde").
        Final = "final",
        /// Credit note ("facture d'avoir").
        Correction = "correction",
        Receipt = "receipt",
        InvoiceOther = "invoice_other",
        /// Estimate ("devis").
        Estimate = "estimate",
        ClientOrder = "client_order",
        MaintenanceRequest = "maintenance_request",
        PaymentReceipt = "payment_receipt",
        /// Cash-in voucher.
        Kp = "kp",
        /// Cash-out voucher.
        Kw = "kw",
    }
);

seed_enum!(
    /// `DRAFT` until issued; then the seed's statuses.
    DocumentStatus {
        Draft = "draft",
        Issued = "issued",
        Sent = "sent",
        Paid = "paid",
        Partial = "partial",
        Rejected = "rejected",
        Accepted = "accepted",
        Incomplete = "incomplete",
        /// Cancelled (`cancelInvoice`); a fiscal document is cancelled by a credit note.
        Cancelled = "cancelled",
    }
);

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::DiscountKind")]
pub enum DiscountKind {
    /// % of the unit net price.
    PercentUnit,
    /// % of the unit gross price.
    PercentUnitGross,
    /// % of the line total.
    PercentTotal,
    /// A gross amount off the line.
    Amount,
}

seed_enum!(
    PositionKind {
        Normal = "normal",
        TextSeparator = "text_separator",
        Subtotal = "subtotal",
        /// A credit-note line (the difference), with `correctionBefore` / `correctionAfter`.
        Correction = "correction",
        /// The line as it was, on a credit-note line (output only).
        CorrectionBefore = "correction_before",
        /// The line as it becomes, on a credit-note line (output only).
        CorrectionAfter = "correction_after",
        /// An advance deducted by a final invoice (built by the server, output only).
        AdvanceDeduction = "advance_deduction",
    }
);

seed_enum!(
    /// The seed's `sum_recovery`: show the fixed recovery-cost indemnity mention or not.
    SumRecovery {
        ClientProfessionnel = "client_professionnel",
        ClientParticulier = "client_particulier",
    }
);

seed_enum!(
    /// Where a conversion rate comes from (the seed's `exchange_kind`). Only `OWN` (a rate
    /// you give in `exchangeCurrencyRate`) is computed today; the bank feeds are refused.
    ExchangeKind {
        Ecb = "ecb",
        Nbp = "nbp",
        Cbr = "cbr",
        Nbu = "nbu",
        Nbg = "nbg",
        Nbt = "nbt",
        Own = "own",
    }
);

/// How an advance is computed from its estimate (the seed's `advance_creation_mode`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AdvanceCreationMode {
    /// `advanceValue` percent of the estimate's total.
    Percent,
    /// `advanceValue` as a gross amount.
    Amount,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::PositionStrategy")]
pub enum PositionStrategy {
    /// Lines computed from their net amount.
    Default,
    /// Lines computed from their gross amount.
    KeepGross,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::SumStrategy")]
pub enum SumStrategy {
    Sum,
    KeepGross,
    KeepNet,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::PriceKind")]
pub enum PriceKind {
    Net,
    Gross,
}

/// How amounts are computed (see "Money and tax rules" in the README).
#[derive(SimpleObject, InputObject, Clone, Copy)]
#[graphql(input_name = "CalculatingStrategyInput")]
pub struct CalculatingStrategy {
    pub position: PositionStrategy,
    pub sum: SumStrategy,
    pub invoice_form_price_kind: PriceKind,
}

impl From<entity::tax::CalculatingStrategy> for CalculatingStrategy {
    fn from(s: entity::tax::CalculatingStrategy) -> Self {
        Self { position: s.position.into(), sum: s.sum.into(), invoice_form_price_kind: s.price_kind.into() }
    }
}

impl From<CalculatingStrategy> for entity::tax::CalculatingStrategy {
    fn from(s: CalculatingStrategy) -> Self {
        Self { position: s.position.into(), sum: s.sum.into(), price_kind: s.invoice_form_price_kind.into() }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct DocumentPosition {
    pub id: ID,
    pub kind: PositionKind,
    pub product_id: Option<ID>,
    pub name: String,
    pub description: Option<String>,
    pub code: Option<String>,
    pub quantity: Decimal,
    pub quantity_unit: Option<String>,
    /// A rate in percent or `disabled`, `np`, `zw`.
    pub tax: String,
    /// Unit prices before discount.
    pub price_net: Decimal,
    pub price_gross: Decimal,
    pub total_price_net: Decimal,
    pub total_price_tax: Decimal,
    pub total_price_gross: Decimal,
    /// The line's discount value as given (gross amount).
    pub discount: Option<Decimal>,
    pub discount_percent: Option<Decimal>,
    /// What the discount took off the line, gross.
    pub discount_amount: Decimal,
    pub additional_info: Option<String>,
    #[graphql(skip)]
    pub model: document_position::Model,
}

#[ComplexObject]
impl DocumentPosition {
    /// On a credit-note line: the line as it was.
    async fn correction_before(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DocumentPosition>> {
        self.correction_row(ctx, "correction_before").await
    }

    /// On a credit-note line: the line as it becomes.
    async fn correction_after(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DocumentPosition>> {
        self.correction_row(ctx, "correction_after").await
    }
}

impl DocumentPosition {
    async fn correction_row(&self, ctx: &Context<'_>, kind: &str) -> async_graphql::Result<Option<DocumentPosition>> {
        if self.model.kind != "correction" {
            return Ok(None);
        }
        let actor = ctx.actor()?;
        let rows = entity::documents::correction_rows(&ctx.app().db, actor, &self.model).await.gql(ctx)?;
        Ok(rows.into_iter().find(|r| r.kind == kind).map(DocumentPosition::from))
    }
}

impl From<document_position::Model> for DocumentPosition {
    fn from(p: document_position::Model) -> Self {
        let model = p.clone();
        Self {
            id: ID(p.id.to_string()),
            kind: PositionKind::parse(&p.kind).unwrap_or(PositionKind::Normal),
            product_id: p.product_id.map(|x| ID(x.to_string())),
            name: p.name,
            description: p.description,
            code: p.code,
            quantity: Decimal::stored_amount(&p.quantity),
            quantity_unit: p.quantity_unit,
            tax: p.tax,
            price_net: Decimal::stored_amount(&p.price_net),
            price_gross: Decimal::stored_amount(&p.price_gross),
            total_price_net: Decimal::stored_amount(&p.total_price_net),
            total_price_tax: Decimal::stored_amount(&p.total_price_tax),
            total_price_gross: Decimal::stored_amount(&p.total_price_gross),
            discount: Decimal::stored(&p.discount),
            discount_percent: Decimal::stored(&p.discount_percent),
            discount_amount: Decimal::stored_amount(&p.discount_gross),
            additional_info: p.additional_info,
            model,
        }
    }
}

/// One row of the per-rate tax summary (the seed's `tax_split`).
#[derive(SimpleObject, Clone)]
pub struct TaxSummaryRow {
    pub tax: String,
    pub net: Decimal,
    pub tax_amount: Decimal,
    pub gross: Decimal,
}

/// A billing document of any kind.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Invoice {
    pub id: ID,
    /// Given when the document is issued.
    pub number: Option<String>,
    pub kind: DocumentKind,
    pub status: DocumentStatus,
    /// Revenue (`true`) or expense.
    pub income: bool,
    /// A test document, numbered apart.
    pub test: bool,
    pub issue_date: Date,
    /// `YYYY-MM-DD`, `YYYY-MM` or `off`.
    pub sell_date: Option<String>,
    pub payment_to: Option<Date>,
    /// Days, `other_date` or `off`.
    pub payment_to_kind: Option<String>,
    pub place: Option<String>,
    pub department_id: ID,
    pub client_id: Option<ID>,
    pub buyer_name: Option<String>,
    pub buyer_first_name: Option<String>,
    pub buyer_last_name: Option<String>,
    pub buyer_company: bool,
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
    pub currency: String,
    pub lang: String,
    pub payment_type: Option<String>,
    pub description: Option<String>,
    pub internal_note: Option<String>,
    /// Order number of an external system.
    pub oid: Option<String>,
    pub calculating_strategy: CalculatingStrategy,
    pub discount_kind: Option<DiscountKind>,
    pub show_discount: bool,
    pub reverse_charge: bool,
    pub price_net: Decimal,
    pub price_tax: Decimal,
    pub price_gross: Decimal,
    pub paid: Decimal,
    /// Public link showing the document without login (issued documents only).
    pub view_url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub issued_at: Option<DateTime<Utc>>,
    pub title: Option<String>,
    pub buyer_title: Option<String>,
    pub additional_invoice_field: Option<String>,
    pub interest_rate: Option<String>,
    pub advanced_payment_discount: Option<String>,
    pub conditional_notes: Option<String>,
    pub description_long: Option<String>,
    pub buyer_note: Option<String>,
    pub buyer_mobile_phone: Option<String>,
    pub delivery_address: Option<String>,
    pub additional_info_desc: Option<String>,
    pub correction_reason: Option<String>,
    pub corrected_content_before: Option<String>,
    pub corrected_content_after: Option<String>,
    pub accounting_status: Option<String>,
    pub send_completion_to: Option<String>,
    pub seller_www: Option<String>,
    pub seller_fax: Option<String>,
    pub cancel_reason: Option<String>,
    pub exchange_currency: Option<String>,
    pub use_oss: bool,
    pub use_prime_cee: bool,
    pub hide_tax: bool,
    pub use_delivery_address: bool,
    pub additional_info: bool,
    pub split_payment: bool,
    pub paid_after_completion: bool,
    pub send_after_completion: bool,
    pub prevent_send_email_to_complete: bool,
    pub sum_recovery: Option<SumRecovery>,
    /// The CEE bonus (gross), deducted from `amountToPay`.
    pub prime_cee_value: Option<Decimal>,
    pub exchange_kind: Option<ExchangeKind>,
    pub exchange_currency_rate: Option<Decimal>,
    /// Totals converted into `exchangeCurrency` at `exchangeCurrencyRate` (each rounded
    /// to the cent), when a conversion is asked.
    pub exchange: Option<ExchangeAmounts>,
    /// What the buyer has to pay: the gross total less the CEE bonus.
    pub amount_to_pay: Decimal,
    /// The document this one was created from (copy, conversion, flow).
    pub from_invoice_id: Option<ID>,
    /// The functional link: an advance's or a final's estimate, a credit note's invoice.
    pub invoice_id: Option<ID>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    /// For an invoice to complete: the public link its buyer completes it through.
    pub completion_url: Option<String>,
    pub category_id: Option<ID>,
    /// The user who created it.
    pub user_id: Option<ID>,
    /// The seed's `warehouse_id`, kept as given.
    pub warehouse_id: Option<String>,
    /// Attachments visible to the buyer.
    pub show_attachments: bool,
    #[graphql(skip)]
    pub model: Model,
}

/// A document's totals in another currency.
#[derive(SimpleObject, Clone)]
pub struct ExchangeAmounts {
    pub currency: String,
    pub rate: Decimal,
    pub price_net: Decimal,
    pub price_tax: Decimal,
    pub price_gross: Decimal,
}

fn exchange_of(m: &Model) -> Option<ExchangeAmounts> {
    let currency = m.exchange_currency.clone()?;
    let rate = entity::validation::parse_decimal(m.exchange_currency_rate.as_deref()?)?;
    let convert = |amount: &str| {
        Decimal(entity::tax::round2(entity::validation::parse_decimal(amount).unwrap_or_default() * rate))
    };
    Some(ExchangeAmounts {
        currency,
        rate: Decimal(rate),
        price_net: convert(&m.price_net),
        price_tax: convert(&m.price_tax),
        price_gross: convert(&m.price_gross),
    })
}

fn amount_to_pay(m: &Model) -> Decimal {
    let gross = entity::validation::parse_decimal(&m.price_gross).unwrap_or_default();
    let bonus = match (m.use_prime_cee, m.prime_cee_value.as_deref()) {
        (true, Some(v)) => entity::validation::parse_decimal(v).unwrap_or_default(),
        _ => rust_decimal::Decimal::ZERO,
    };
    Decimal(entity::tax::round2(gross - bonus))
}

impl From<Model> for Invoice {
    fn from(m: Model) -> Self {
        let strategy =
            entity::tax::CalculatingStrategy::from_names(&m.calc_position, &m.calc_sum, &m.calc_price_kind).into();
        Self {
            id: ID(m.id.to_string()),
            number: m.number.clone(),
            kind: DocumentKind::parse(&m.kind).unwrap_or(DocumentKind::Vat),
            status: DocumentStatus::parse(&m.status).unwrap_or(DocumentStatus::Draft),
            income: m.income,
            test: m.test,
            issue_date: Date(m.issue_date),
            sell_date: m.sell_date.clone(),
            payment_to: m.payment_to.map(Date),
            payment_to_kind: m.payment_to_kind.clone(),
            place: m.place.clone(),
            department_id: ID(m.department_id.to_string()),
            client_id: m.client_id.map(|c| ID(c.to_string())),
            buyer_name: m.buyer_name.clone(),
            buyer_first_name: m.buyer_first_name.clone(),
            buyer_last_name: m.buyer_last_name.clone(),
            buyer_company: m.buyer_company,
            buyer_tax_no: m.buyer_tax_no.clone(),
            buyer_tax_no_kind: m.buyer_tax_no_kind.clone(),
            buyer_post_code: m.buyer_post_code.clone(),
            buyer_city: m.buyer_city.clone(),
            buyer_street: m.buyer_street.clone(),
            buyer_country: m.buyer_country.clone(),
            buyer_email: m.buyer_email.clone(),
            buyer_phone: m.buyer_phone.clone(),
            seller_name: m.seller_name.clone(),
            seller_tax_no: m.seller_tax_no.clone(),
            seller_tax_no_kind: m.seller_tax_no_kind.clone(),
            seller_post_code: m.seller_post_code.clone(),
            seller_city: m.seller_city.clone(),
            seller_street: m.seller_street.clone(),
            seller_country: m.seller_country.clone(),
            seller_email: m.seller_email.clone(),
            seller_phone: m.seller_phone.clone(),
            seller_bank: m.seller_bank.clone(),
            seller_bank_account: m.seller_bank_account.clone(),
            seller_bank_swift: m.seller_bank_swift.clone(),
            seller_person: m.seller_person.clone(),
            currency: m.currency.clone(),
            lang: m.lang.clone(),
            payment_type: m.payment_type.clone(),
            description: m.description.clone(),
            internal_note: m.internal_note.clone(),
            oid: m.oid.clone(),
            calculating_strategy: strategy,
            discount_kind: m.discount_kind.as_deref().and_then(entity::tax::DiscountKind::parse).map(Into::into),
            show_discount: m.show_discount,
            reverse_charge: m.reverse_charge,
            price_net: Decimal::stored_amount(&m.price_net),
            price_tax: Decimal::stored_amount(&m.price_tax),
            price_gross: Decimal::stored_amount(&m.price_gross),
            paid: Decimal::stored_amount(&m.paid),
            view_url: format!("/view/{}", m.view_token),
            created_at: m.created_at,
            updated_at: m.updated_at,
            issued_at: m.issued_at,
            title: m.title.clone(),
            buyer_title: m.buyer_title.clone(),
            additional_invoice_field: m.additional_invoice_field.clone(),
            interest_rate: m.interest_rate.clone(),
            advanced_payment_discount: m.advanced_payment_discount.clone(),
            conditional_notes: m.conditional_notes.clone(),
            description_long: m.description_long.clone(),
            buyer_note: m.buyer_note.clone(),
            buyer_mobile_phone: m.buyer_mobile_phone.clone(),
            delivery_address: m.delivery_address.clone(),
            additional_info_desc: m.additional_info_desc.clone(),
            correction_reason: m.correction_reason.clone(),
            corrected_content_before: m.corrected_content_before.clone(),
            corrected_content_after: m.corrected_content_after.clone(),
            accounting_status: m.accounting_status.clone(),
            send_completion_to: m.send_completion_to.clone(),
            seller_www: m.seller_www.clone(),
            seller_fax: m.seller_fax.clone(),
            cancel_reason: m.cancel_reason.clone(),
            exchange_currency: m.exchange_currency.clone(),
            use_oss: m.use_oss,
            use_prime_cee: m.use_prime_cee,
            hide_tax: m.hide_tax,
            use_delivery_address: m.use_delivery_address,
            additional_info: m.additional_info,
            split_payment: m.split_payment,
            paid_after_completion: m.paid_after_completion,
            send_after_completion: m.send_after_completion,
            prevent_send_email_to_complete: m.prevent_send_email_to_complete,
            sum_recovery: m.sum_recovery.as_deref().and_then(SumRecovery::parse),
            prime_cee_value: Decimal::stored(&m.prime_cee_value),
            exchange_kind: m.exchange_kind.as_deref().and_then(ExchangeKind::parse),
            exchange_currency_rate: Decimal::stored(&m.exchange_currency_rate),
            exchange: exchange_of(&m),
            amount_to_pay: amount_to_pay(&m),
            from_invoice_id: m.from_invoice_id.map(|x| ID(x.to_string())),
            invoice_id: m.invoice_id.map(|x| ID(x.to_string())),
            cancelled_at: m.cancelled_at,
            completed_at: m.completed_at,
            completion_url: (m.status == "incomplete").then(|| format!("/complete/{}", m.view_token)),
            category_id: m.category_id.map(|x| ID(x.to_string())),
            user_id: m.user_id.map(|x| ID(x.to_string())),
            warehouse_id: m.warehouse_id.clone(),
            show_attachments: m.show_attachments,
            model: m,
        }
    }
}

#[ComplexObject]
impl Invoice {
    /// The document's seal in the account's documents chain; null for drafts and for
    /// documents that are not fiscal (estimates, proformas, orders…), which are never sealed.
    async fn certification(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::certification::Certification>> {
        if self.model.state != "issued" || !entity::documents::is_fiscal(&self.model.kind) {
            return Ok(None);
        }
        let chain = entity::ledger::store::Chain::Documents;
        super::certification::of(ctx, chain, self.model.id).await.map(Some)
    }

    /// Duplicates printed, sent or downloaded after the original (see `printInvoice`).
    async fn duplicate_count(&self) -> i64 {
        (i64::from(self.model.print_count) - 1).max(0)
    }

    async fn positions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DocumentPosition>> {
        let actor = ctx.actor()?;
        let rows = entity::documents::positions(&ctx.app().db, actor, self.model.id).await.gql(ctx)?;
        Ok(rows.into_iter().map(DocumentPosition::from).collect())
    }

    /// Documents functionally linked to this one, both ways (the seed's `invoice_id=ID`):
    /// its estimate or corrected invoice, its advances and credit notes, the advances a
    /// final deducts or the final deducting an advance.
    async fn related_documents(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Invoice>> {
        let actor = ctx.actor()?;
        let docs = entity::documents::related(&ctx.app().db, actor, self.model.id).await.gql(ctx)?;
        Ok(docs.into_iter().map(Invoice::from).collect())
    }

    /// Documents created from this one (the seed's `from_invoice_id=ID`).
    async fn derived_documents(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Invoice>> {
        let actor = ctx.actor()?;
        let docs = entity::documents::created_from(&ctx.app().db, actor, self.model.id).await.gql(ctx)?;
        Ok(docs.into_iter().map(Invoice::from).collect())
    }

    /// Net, tax and gross per tax rate (the seed's `tax_split`).
    async fn tax_summary(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaxSummaryRow>> {
        let actor = ctx.actor()?;
        let rows = entity::documents::tax_summary(&ctx.app().db, actor, &self.model).await.gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|r| TaxSummaryRow {
                tax: r.tax.to_string(),
                net: Decimal(r.net),
                tax_amount: Decimal(r.tax_amount),
                gross: Decimal(r.gross),
            })
            .collect())
    }

    /// When the document became fully paid: the latest date of the payments applied to it.
    async fn paid_date(&self) -> Option<Date> {
        self.model.paid_date.map(Date)
    }

    /// The payments applied to the document (the seed's `connected_payments`), oldest first.
    async fn payments(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::payments::PaymentAllocation>> {
        super::payments::of_invoice(ctx, self.model.id).await
    }
}

/// A line of a document. Give a `productId` (its name, code, tax and price apply unless
/// given here), or a `name`, a `tax` and one price: `priceNet`, `priceGross`,
/// `totalPriceNet` or `totalPriceGross` (prices before discount).
#[derive(InputObject, Default)]
pub struct DocumentPositionInput {
    pub kind: Option<PositionKind>,
    pub product_id: Option<ID>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub code: Option<String>,
    /// Default 1; negative only on credit notes.
    pub quantity: Option<Decimal>,
    pub quantity_unit: Option<String>,
    pub tax: Option<String>,
    pub price_net: Option<Decimal>,
    pub price_gross: Option<Decimal>,
    pub total_price_net: Option<Decimal>,
    pub total_price_gross: Option<Decimal>,
    /// Gross amount off the line (`discountKind: AMOUNT`).
    pub discount: Option<Decimal>,
    /// Percent off (the `PERCENT_*` discount kinds).
    pub discount_percent: Option<Decimal>,
    /// On a `CORRECTION` line: the line as it was. With `correctionAfter` and no price
    /// here, the line is their difference (same tax, total prices).
    pub correction_before: Option<Box<DocumentPositionInput>>,
    /// On a `CORRECTION` line: the line as it becomes.
    pub correction_after: Option<Box<DocumentPositionInput>>,
    /// Content of the additional column.
    pub additional_info: Option<String>,
    /// On update: the position to change (the seed's position `id`). When any position
    /// names an `id`, the others are kept and positions without `id` are added last.
    pub id: Option<ID>,
    /// With `id`: remove that position (the seed's `_destroy: 1`).
    #[graphql(default)]
    pub destroy: bool,
}

impl DocumentPositionInput {
    fn into_domain(self, field: &str) -> Result<PositionInput, DomainError> {
        let child = |c: Option<Box<DocumentPositionInput>>, name: &str| {
            c.map(|c| c.into_domain(&format!("{field}.{name}")).map(Box::new)).transpose()
        };
        Ok(PositionInput {
            kind: self.kind.map(|k| k.as_str().to_owned()),
            product_id: opt_id(&format!("{field}.productId"), &self.product_id)?,
            name: self.name,
            description: self.description,
            code: self.code,
            quantity: self.quantity.map(|d| d.0),
            quantity_unit: self.quantity_unit,
            tax: self.tax,
            price_net: self.price_net.map(|d| d.0),
            price_gross: self.price_gross.map(|d| d.0),
            total_price_net: self.total_price_net.map(|d| d.0),
            total_price_gross: self.total_price_gross.map(|d| d.0),
            discount: self.discount.map(|d| d.0),
            discount_percent: self.discount_percent.map(|d| d.0),
            correction_before: child(self.correction_before, "correctionBefore")?,
            correction_after: child(self.correction_after, "correctionAfter")?,
            additional_info: self.additional_info,
            id: opt_id(&format!("{field}.id"), &self.id)?,
            destroy: self.destroy,
        })
    }
}

/// A document to create or change. On update, absent fields stay (an empty string clears
/// a text) and `positions`, when given, replace all positions. With only a product, a
/// buyer and nothing else, the document is dated today and due in 5 days (seed).
#[derive(InputObject, Default)]
pub struct InvoiceInput {
    /// Default `VAT`.
    pub kind: Option<DocumentKind>,
    pub income: Option<bool>,
    pub test: Option<bool>,
    /// Default: today in the account's time zone.
    pub issue_date: Option<Date>,
    pub sell_date: Option<String>,
    pub payment_to: Option<Date>,
    /// Days (default 5), `other_date` (with `paymentTo`) or `off`.
    pub payment_to_kind: Option<String>,
    pub place: Option<String>,
    /// Default: the main department.
    pub department_id: Option<ID>,
    /// A contact of the account, or `-1` to create one from the buyer fields. Without it
    /// the buyer is recognised by tax number, e-mail or name, or created.
    pub client_id: Option<ID>,
    pub buyer_name: Option<String>,
    pub buyer_first_name: Option<String>,
    pub buyer_last_name: Option<String>,
    pub buyer_company: Option<bool>,
    pub buyer_tax_no: Option<String>,
    pub buyer_tax_no_kind: Option<String>,
    pub buyer_post_code: Option<String>,
    pub buyer_city: Option<String>,
    pub buyer_street: Option<String>,
    pub buyer_country: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_phone: Option<String>,
    /// With `clientId`: show these buyer details and update the contact with them.
    #[graphql(default)]
    pub buyer_override: bool,
    pub currency: Option<String>,
    pub lang: Option<String>,
    pub payment_type: Option<String>,
    pub description: Option<String>,
    pub internal_note: Option<String>,
    pub oid: Option<String>,
    pub calculating_strategy: Option<CalculatingStrategy>,
    pub discount_kind: Option<DiscountKind>,
    pub show_discount: Option<bool>,
    pub reverse_charge: Option<bool>,
    /// Take product prices from `priceListId`, or from the contact's price list.
    #[graphql(default)]
    pub use_prices_from_price_lists: bool,
    pub price_list_id: Option<ID>,
    pub positions: Option<Vec<DocumentPositionInput>>,
    /// "Objet" (the seed's `additional_fields.title`).
    pub title: Option<String>,
    /// The buyer's civility, e.g. "Mme".
    pub buyer_title: Option<String>,
    pub additional_invoice_field: Option<String>,
    pub sum_recovery: Option<SumRecovery>,
    /// Late-payment penalty rate, e.g. "10%".
    pub interest_rate: Option<String>,
    /// Early-payment discount in percent ("escompte").
    pub advanced_payment_discount: Option<String>,
    /// "Mentions spécifiques".
    pub conditional_notes: Option<String>,
    /// "Texte additionnel", printed on the next page.
    pub description_long: Option<String>,
    pub buyer_note: Option<String>,
    pub buyer_mobile_phone: Option<String>,
    pub delivery_address: Option<String>,
    pub use_delivery_address: Option<bool>,
    /// Show the additional column, and its content.
    pub additional_info: Option<bool>,
    pub additional_info_desc: Option<String>,
    pub hide_tax: Option<bool>,
    pub split_payment: Option<bool>,
    /// An OSS sale (EU B2C at the destination country's VAT).
    pub use_oss: Option<bool>,
    pub use_prime_cee: Option<bool>,
    /// The CEE bonus, gross, deducted from the amount to pay.
    pub prime_cee_value: Option<Decimal>,
    /// Convert the totals into this currency…
    pub exchange_currency: Option<String>,
    /// …at this rate source (only `OWN` today)…
    pub exchange_kind: Option<ExchangeKind>,
    /// …and this rate (units of `exchangeCurrency` per unit of `currency`).
    pub exchange_currency_rate: Option<Decimal>,
    /// `exported` forces the accounting-export state.
    pub accounting_status: Option<String>,
    /// Refuse the document if another one has the same `oid`.
    #[graphql(default)]
    pub oid_unique: bool,
    /// `INCOMPLETE` creates an invoice to complete by its buyer (creation only).
    pub status: Option<DocumentStatus>,
    /// Copy the department's default "Informations spécifiques" into `description`.
    #[graphql(default)]
    pub fill_default_descriptions: bool,
    /// Invoice to complete: mark it paid once the buyer validates.
    pub paid_after_completion: Option<bool>,
    /// Invoice to complete: e-mail it to the buyer once validated.
    pub send_after_completion: Option<bool>,
    /// Invoice to complete: do not e-mail the buyer the completion link.
    pub prevent_send_email_to_complete: Option<bool>,
    pub send_completion_to: Option<String>,
    /// Create from this document (the seed's `copy_invoice_from`): a similar document,
    /// an invoice from an estimate or proforma, an advance, a final, a credit note.
    pub copy_from: Option<ID>,
    /// "Created from", without a functional link.
    pub from_invoice_id: Option<ID>,
    /// The functional link: a credit note's corrected invoice (creation only).
    pub invoice_id: Option<ID>,
    /// A credit note's reason (e.g. "erreur de quantité").
    pub correction_reason: Option<String>,
    /// "Contenu à corriger" / "Contenu corrigé" of a credit note.
    pub corrected_content_before: Option<String>,
    pub corrected_content_after: Option<String>,
    pub advance_creation_mode: Option<AdvanceCreationMode>,
    /// Percent (0–100] or gross amount, per `advanceCreationMode`.
    pub advance_value: Option<Decimal>,
    /// The name of the advance's line (default: "Acompte de 30% sur devis n° …").
    pub position_name: Option<String>,
    /// A final invoice's advances to deduct (default: all of its estimate's not yet deducted).
    pub invoice_ids: Option<Vec<ID>>,
    /// A credit note copied from an invoice: take everything back (default `true`) or
    /// nothing (same lines before and after).
    pub total_correction: Option<bool>,
    /// Without `departmentId`: the department of this name (case and accents ignored),
    /// created with `sellerTaxNo` when missing (owners and admins), as in the seed.
    pub seller_name: Option<String>,
    pub seller_tax_no: Option<String>,
    /// A category of the account…
    pub category_id: Option<ID>,
    /// …or its name: found, or created (the seed's `category_id` given as a name).
    pub category_name: Option<String>,
    /// Set `useOss` when the sale is one: a buyer in another EU country than the seller's,
    /// not VAT-registered (the seed's `identify_oss`). Destination VAT rates are not applied
    /// for you (the seed's `oss_force_tax` is not supported): give them on the lines.
    #[graphql(default)]
    pub identify_oss: bool,
    /// The seed's `warehouse_id`, kept as given (stock management is not built yet).
    pub warehouse_id: Option<String>,
    /// Make the attachments visible to the buyer.
    pub show_attachments: Option<bool>,
    /// Accepted for compatibility with the seed; a position's `name` always applies.
    #[graphql(default)]
    pub update_product_name: bool,
}

fn opt_id(field: &str, id: &Option<ID>) -> Result<Option<uuid::Uuid>, DomainError> {
    id.as_ref().map(|i| parse_id(field, i)).transpose()
}

impl InvoiceInput {
    fn into_domain(self) -> Result<DocumentInput, DomainError> {
        let client = match &self.client_id {
            Some(id) if id.as_str().trim() == "-1" => Some(BuyerRef::New),
            Some(id) => Some(BuyerRef::Existing(parse_id("input.clientId", id)?)),
            None => None,
        };
        let positions = match self.positions {
            None => None,
            Some(ps) => Some(
                ps.into_iter()
                    .enumerate()
                    .map(|(i, p)| p.into_domain(&format!("input.positions.{i}")))
                    .collect::<Result<Vec<_>, DomainError>>()?,
            ),
        };
        let advance = match (self.advance_creation_mode, self.advance_value) {
            (Some(mode), Some(value)) => Some(AdvanceInput {
                mode: match mode {
                    AdvanceCreationMode::Percent => AdvanceMode::Percent,
                    AdvanceCreationMode::Amount => AdvanceMode::Amount,
                },
                value: value.0,
                position_name: self.position_name,
            }),
            (Some(_), None) => return Err(DomainError::field("input.advanceValue", FieldCode::Required)),
            (None, Some(_)) => return Err(DomainError::field("input.advanceCreationMode", FieldCode::Required)),
            (None, None) => None,
        };
        let status = match self.status {
            None => None,
            Some(DocumentStatus::Incomplete) => Some("incomplete".to_owned()),
            Some(_) => return Err(DomainError::field("input.status", FieldCode::Rule("incomplete_only"))),
        };
        Ok(DocumentInput {
            kind: self.kind.map(|k| k.as_str().to_owned()),
            income: self.income,
            test: self.test,
            issue_date: self.issue_date.map(|d| d.0),
            sell_date: self.sell_date,
            payment_to: self.payment_to.map(|d| d.0),
            payment_to_kind: self.payment_to_kind,
            place: self.place,
            department_id: opt_id("input.departmentId", &self.department_id)?,
            client,
            buyer: BuyerInput {
                name: self.buyer_name,
                first_name: self.buyer_first_name,
                last_name: self.buyer_last_name,
                company: self.buyer_company,
                tax_no: self.buyer_tax_no,
                tax_no_kind: self.buyer_tax_no_kind,
                post_code: self.buyer_post_code,
                city: self.buyer_city,
                street: self.buyer_street,
                country: self.buyer_country,
                email: self.buyer_email,
                phone: self.buyer_phone,
            },
            buyer_override: self.buyer_override,
            currency: self.currency,
            lang: self.lang,
            payment_type: self.payment_type,
            description: self.description,
            internal_note: self.internal_note,
            oid: self.oid,
            calculating_strategy: self.calculating_strategy.map(Into::into),
            discount_kind: self.discount_kind.map(Into::into),
            show_discount: self.show_discount,
            reverse_charge: self.reverse_charge,
            use_prices_from_price_lists: self.use_prices_from_price_lists,
            price_list_id: opt_id("input.priceListId", &self.price_list_id)?,
            positions,
            texts: Texts {
                title: self.title,
                buyer_title: self.buyer_title,
                additional_invoice_field: self.additional_invoice_field,
                sum_recovery: self.sum_recovery.map(|r| r.as_str().to_owned()),
                interest_rate: self.interest_rate,
                advanced_payment_discount: self.advanced_payment_discount,
                conditional_notes: self.conditional_notes,
                description_long: self.description_long,
                buyer_note: self.buyer_note,
                buyer_mobile_phone: self.buyer_mobile_phone,
                delivery_address: self.delivery_address,
                additional_info_desc: self.additional_info_desc,
                correction_reason: self.correction_reason,
                corrected_content_before: self.corrected_content_before,
                corrected_content_after: self.corrected_content_after,
                exchange_currency: self.exchange_currency,
                exchange_kind: self.exchange_kind.map(|k| k.as_str().to_owned()),
                accounting_status: self.accounting_status,
                send_completion_to: self.send_completion_to,
                warehouse_id: self.warehouse_id,
            },
            flags: Flags {
                use_oss: self.use_oss,
                use_prime_cee: self.use_prime_cee,
                hide_tax: self.hide_tax,
                use_delivery_address: self.use_delivery_address,
                additional_info: self.additional_info,
                split_payment: self.split_payment,
                paid_after_completion: self.paid_after_completion,
                send_after_completion: self.send_after_completion,
                prevent_send_email_to_complete: self.prevent_send_email_to_complete,
                show_attachments: self.show_attachments,
            },
            prime_cee_value: self.prime_cee_value.map(|d| d.0),
            exchange_currency_rate: self.exchange_currency_rate.map(|d| d.0),
            oid_unique: self.oid_unique,
            status,
            fill_default_descriptions: self.fill_default_descriptions,
            copy_from: opt_id("input.copyFrom", &self.copy_from)?,
            from_invoice_id: opt_id("input.fromInvoiceId", &self.from_invoice_id)?,
            invoice_id: opt_id("input.invoiceId", &self.invoice_id)?,
            advance,
            advance_ids: self.invoice_ids.as_deref().map(|ids| parse_ids("input.invoiceIds", ids)).transpose()?,
            total_correction: self.total_correction,
            seller_name: self.seller_name,
            seller_tax_no: self.seller_tax_no,
            identify_oss: self.identify_oss,
            category_id: opt_id("input.categoryId", &self.category_id)?,
            category_name: self.category_name,
            ..Default::default()
        })
    }
}

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

#[derive(Default)]
pub struct DocumentQuery;

#[Object]
impl DocumentQuery {
    async fn invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// Documents of the current account, newest issue date first; `perPage` at most 100.
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        filter: Option<InvoiceFilter>,
        page: Option<i32>,
        per_page: Option<i32>,
        order: Option<InvoiceOrder>,
    ) -> async_graphql::Result<Page<Invoice>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let f = filter.unwrap_or_default();
        let ids = f.ids.as_deref().map(|ids| parse_ids("filter.ids", ids)).transpose().gql(ctx)?;
        let filter = DocumentFilter {
            // Linked documents are found whatever their date unless a period is given.
            period: f.period.map(Into::into).unwrap_or(if f.invoice_id.is_some() || f.from_invoice_id.is_some() {
                entity::documents::Period::All
            } else {
                entity::documents::Period::default()
            }),
            date_from: f.date_from.map(|d| d.0),
            date_to: f.date_to.map(|d| d.0),
            income: f.income,
            ids,
            number: f.number,
            kind: f.kind.map(|k| k.as_str().to_owned()),
            kinds: f.kinds.map(|ks| ks.into_iter().map(|k| k.as_str().to_owned()).collect()),
            client_id: opt_id("filter.clientId", &f.client_id).gql(ctx)?,
            search_date_type: f.search_date_type.map(Into::into).unwrap_or_default(),
            invoice_id: opt_id("filter.invoiceId", &f.invoice_id).gql(ctx)?,
            from_invoice_id: opt_id("filter.fromInvoiceId", &f.from_invoice_id).gql(ctx)?,
        };
        let result = entity::documents::list(&ctx.app().db, actor, &filter, order.unwrap_or_default().into(), page)
            .await
            .gql(ctx)?;
        Ok(Page::from_domain(result))
    }
}

/// A cancelled document and the credit note that cancels it (fiscal kinds).
#[derive(SimpleObject)]
pub struct Cancellation {
    pub invoice: Invoice,
    pub credit_note: Option<Invoice>,
}

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Creates a document: a draft, or issued (numbered) when `issue` is true.
    async fn create_invoice(
        &self,
        ctx: &Context<'_>,
        input: InvoiceInput,
        #[graphql(default)] issue: bool,
    ) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let input = input.into_domain().gql(ctx)?;
        Ok(entity::documents::create(&ctx.app().db, actor, input, issue).await.gql(ctx)?.into())
    }

    /// Issues a draft: it gets the next number of its series; a fiscal document is then frozen.
    async fn issue_invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::issue(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// Changes a draft or a non-fiscal document (an issued fiscal one is frozen: CONFLICT).
    async fn update_invoice(&self, ctx: &Context<'_>, id: ID, input: InvoiceInput) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let input = input.into_domain().gql(ctx)?;
        Ok(entity::documents::update(&ctx.app().db, actor, id, input).await.gql(ctx)?.into())
    }

    /// Sets the status of an issued document (`ISSUED`, `SENT`, `PAID`, `PARTIAL`, `REJECTED`,
    /// `ACCEPTED`); allowed on frozen documents, since the status is not a fiscal field.
    async fn change_status(&self, ctx: &Context<'_>, id: ID, status: DocumentStatus) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let status = status.as_str();
        Ok(entity::documents::change_status(&ctx.app().db, actor, id, status).await.gql(ctx)?.into())
    }

    /// Cancels an issued document (the seed's `cancel`): a fiscal one by a total credit
    /// note, issued at once and linked to it; the document gets status `CANCELLED` and the
    /// reason. Nothing is erased.
    async fn cancel_invoice(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Cancellation> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let (invoice, credit_note) = entity::documents::cancel(&ctx.app().db, actor, id, reason).await.gql(ctx)?;
        Ok(Cancellation { invoice: invoice.into(), credit_note: credit_note.map(Into::into) })
    }

    /// Deletes a draft or a non-fiscal document; an issued fiscal document is never deleted.
    async fn delete_invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
