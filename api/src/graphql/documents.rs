//! Billing documents over GraphQL: `createInvoice` (draft, or issued with `issue: true`),
//! `issueInvoice`, `updateInvoice`, `deleteInvoice`, `invoice`, `invoices`. Field names are
//! the seed's in camelCase; value lists are enums.

use super::context::{CtxExt, ResultExt, parse_id, parse_ids};
use super::pagination::Page;
use super::scalars::{Date, Decimal};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::DomainError;
use entity::documents::{BuyerInput, BuyerRef, DocumentFilter, DocumentInput, PositionInput};
use entity::tables::{document::Model, document_position};

/// Document kinds (the seed's `kind`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DocumentKind {
    /// Invoice ("facture").
    Vat,
    Proforma,
    /// Advance invoice ("facture d'acompte").
    Advance,
    /// Final invoice ("facture de solde").
    Final,
    /// Credit note ("facture d'avoir").
    Correction,
    Receipt,
    InvoiceOther,
    /// Estimate ("devis").
    Estimate,
    ClientOrder,
    MaintenanceRequest,
    PaymentReceipt,
    /// Cash-in voucher.
    Kp,
    /// Cash-out voucher.
    Kw,
}

impl DocumentKind {
    const ALL: [(DocumentKind, &'static str); 13] = [
        (DocumentKind::Vat, "vat"),
        (DocumentKind::Proforma, "proforma"),
        (DocumentKind::Advance, "advance"),
        (DocumentKind::Final, "final"),
        (DocumentKind::Correction, "correction"),
        (DocumentKind::Receipt, "receipt"),
        (DocumentKind::InvoiceOther, "invoice_other"),
        (DocumentKind::Estimate, "estimate"),
        (DocumentKind::ClientOrder, "client_order"),
        (DocumentKind::MaintenanceRequest, "maintenance_request"),
        (DocumentKind::PaymentReceipt, "payment_receipt"),
        (DocumentKind::Kp, "kp"),
        (DocumentKind::Kw, "kw"),
    ];

    fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(k, _)| *k == self).map(|(_, s)| *s).unwrap_or("vat")
    }

    fn parse(s: &str) -> DocumentKind {
        Self::ALL.iter().find(|(_, t)| *t == s).map(|(k, _)| *k).unwrap_or(DocumentKind::Vat)
    }
}

/// `DRAFT` until issued; then the seed's statuses.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum DocumentStatus {
    Draft,
    Issued,
    Sent,
    Paid,
    Partial,
    Rejected,
    Accepted,
    Incomplete,
}

impl DocumentStatus {
    fn parse(s: &str) -> DocumentStatus {
        match s {
            "issued" => Self::Issued,
            "sent" => Self::Sent,
            "paid" => Self::Paid,
            "partial" => Self::Partial,
            "rejected" => Self::Rejected,
            "accepted" => Self::Accepted,
            "incomplete" => Self::Incomplete,
            _ => Self::Draft,
        }
    }
}

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

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PositionKind {
    Normal,
    TextSeparator,
    Subtotal,
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
}

impl From<document_position::Model> for DocumentPosition {
    fn from(p: document_position::Model) -> Self {
        Self {
            id: ID(p.id.to_string()),
            kind: match p.kind.as_str() {
                "text_separator" => PositionKind::TextSeparator,
                "subtotal" => PositionKind::Subtotal,
                _ => PositionKind::Normal,
            },
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
    #[graphql(skip)]
    pub model: Model,
}

impl From<Model> for Invoice {
    fn from(m: Model) -> Self {
        let strategy =
            entity::tax::CalculatingStrategy::from_names(&m.calc_position, &m.calc_sum, &m.calc_price_kind).into();
        Self {
            id: ID(m.id.to_string()),
            number: m.number.clone(),
            kind: DocumentKind::parse(&m.kind),
            status: DocumentStatus::parse(&m.status),
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
            model: m,
        }
    }
}

#[ComplexObject]
impl Invoice {
    async fn positions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DocumentPosition>> {
        let actor = ctx.actor()?;
        let rows = entity::documents::positions(&ctx.app().db, actor, self.model.id).await.gql(ctx)?;
        Ok(rows.into_iter().map(DocumentPosition::from).collect())
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
                    .map(|(i, p)| {
                        Ok(PositionInput {
                            kind: p.kind.map(|k| {
                                match k {
                                    PositionKind::Normal => "normal",
                                    PositionKind::TextSeparator => "text_separator",
                                    PositionKind::Subtotal => "subtotal",
                                }
                                .to_owned()
                            }),
                            product_id: opt_id(&format!("input.positions.{i}.productId"), &p.product_id)?,
                            name: p.name,
                            description: p.description,
                            code: p.code,
                            quantity: p.quantity.map(|d| d.0),
                            quantity_unit: p.quantity_unit,
                            tax: p.tax,
                            price_net: p.price_net.map(|d| d.0),
                            price_gross: p.price_gross.map(|d| d.0),
                            total_price_net: p.total_price_net.map(|d| d.0),
                            total_price_gross: p.total_price_gross.map(|d| d.0),
                            discount: p.discount.map(|d| d.0),
                            discount_percent: p.discount_percent.map(|d| d.0),
                        })
                    })
                    .collect::<Result<Vec<_>, DomainError>>()?,
            ),
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
        page: Option<i64>,
        per_page: Option<i64>,
        order: Option<InvoiceOrder>,
    ) -> async_graphql::Result<Page<Invoice>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page, per_page).gql(ctx)?;
        let f = filter.unwrap_or_default();
        let ids = f.ids.as_deref().map(|ids| parse_ids("filter.ids", ids)).transpose().gql(ctx)?;
        let filter = DocumentFilter {
            period: f.period.map(Into::into).unwrap_or_default(),
            date_from: f.date_from.map(|d| d.0),
            date_to: f.date_to.map(|d| d.0),
            income: f.income,
            ids,
            number: f.number,
            kind: f.kind.map(|k| k.as_str().to_owned()),
            kinds: f.kinds.map(|ks| ks.into_iter().map(|k| k.as_str().to_owned()).collect()),
            client_id: opt_id("filter.clientId", &f.client_id).gql(ctx)?,
        };
        let result = entity::documents::list(&ctx.app().db, actor, &filter, order.unwrap_or_default().into(), page)
            .await
            .gql(ctx)?;
        Ok(Page::from_domain(result))
    }
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
        let status = match status {
            DocumentStatus::Issued => "issued",
            DocumentStatus::Sent => "sent",
            DocumentStatus::Paid => "paid",
            DocumentStatus::Partial => "partial",
            DocumentStatus::Rejected => "rejected",
            DocumentStatus::Accepted => "accepted",
            DocumentStatus::Draft => "draft",
            DocumentStatus::Incomplete => "incomplete",
        };
        Ok(entity::documents::change_status(&ctx.app().db, actor, id, status).await.gql(ctx)?.into())
    }

    /// Deletes a draft or a non-fiscal document; an issued fiscal document is never deleted.
    async fn delete_invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
