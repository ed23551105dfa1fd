//! What a document and its lines read as: `Invoice`, `DocumentPosition`, tax summary and
//! exchange amounts.

use super::*;

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
            quantity: p.quantity.into(),
            quantity_unit: p.quantity_unit,
            tax: p.tax,
            price_net: p.price_net.into(),
            price_gross: p.price_gross.into(),
            total_price_net: p.total_price_net.into(),
            total_price_tax: p.total_price_tax.into(),
            total_price_gross: p.total_price_gross.into(),
            discount: p.discount.map(Into::into),
            discount_percent: p.discount_percent.map(Into::into),
            discount_amount: p.discount_gross.into(),
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

impl From<Model> for Invoice {
    fn from(m: Model) -> Self {
        let strategy =
            entity::tax::CalculatingStrategy::from_names(&m.calc_position, &m.calc_sum, &m.calc_price_kind).into();
        Self {
            id: ID(m.id.to_string()),
            number: m.number.clone(),
            kind: m.kind.into(),
            status: m.status.into(),
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
            currency: m.currency.to_string(),
            lang: m.lang.clone(),
            payment_type: m.payment_type.clone(),
            description: m.description.clone(),
            internal_note: m.internal_note.clone(),
            oid: m.oid.clone(),
            calculating_strategy: strategy,
            discount_kind: m.discount_kind.as_deref().and_then(entity::tax::DiscountKind::parse).map(Into::into),
            show_discount: m.show_discount,
            reverse_charge: m.reverse_charge,
            price_net: m.price_net.into(),
            price_tax: m.price_tax.into(),
            price_gross: m.price_gross.into(),
            paid: m.paid.into(),
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
            prime_cee_value: m.prime_cee_value.map(Into::into),
            exchange_kind: m.exchange_kind.as_deref().and_then(ExchangeKind::parse),
            exchange_currency_rate: m.exchange_currency_rate.map(Into::into),
            from_invoice_id: m.from_invoice_id.map(|x| ID(x.to_string())),
            invoice_id: m.invoice_id.map(|x| ID(x.to_string())),
            cancelled_at: m.cancelled_at,
            completed_at: m.completed_at,
            completion_url: (m.status == entity::DocumentStatus::Incomplete)
                .then(|| format!("/complete/{}", m.view_token)),
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
    /// Totals converted into `exchangeCurrency` at `exchangeCurrencyRate` (each rounded
    /// to the cent), when a conversion is asked.
    async fn exchange(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ExchangeAmounts>> {
        let exchanged = entity::money::exchanged(&self.model).gql(ctx)?;
        Ok(exchanged.map(|e| ExchangeAmounts {
            currency: e.currency,
            rate: Decimal(e.rate),
            price_net: Decimal(e.net),
            price_tax: Decimal(e.tax),
            price_gross: Decimal(e.gross),
        }))
    }

    /// What the buyer has to pay: the gross total less the CEE bonus.
    async fn amount_to_pay(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(Decimal(entity::money::amount_to_pay(&self.model).gql(ctx)?))
    }

    /// The document's seal in the account's documents chain; null for drafts and for
    /// documents that are not fiscal (estimates, proformas, orders…), which are never sealed.
    async fn certification(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::certification::Certification>> {
        if self.model.state != entity::DocumentState::Issued || !self.model.kind.is_fiscal() {
            return Ok(None);
        }
        let chain = entity::ledger::store::Chain::Documents;
        crate::graphql::certification::of(ctx, chain, self.model.id).await.map(Some)
    }

    /// Duplicates printed, sent or downloaded after the original (see `printInvoice`).
    async fn duplicate_count(&self) -> i64 {
        (i64::from(self.model.print_count) - 1).max(0)
    }

    async fn positions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<DocumentPosition>> {
        let actor = ctx.actor()?;
        // Batched with the other documents of the response (see `graphql::loaders`).
        let key = crate::graphql::loaders::PositionRowsOf(actor.account_id, self.model.id);
        let rows = ctx.reads().load_one(key).await.map_err(crate::graphql::loaders::failed).gql(ctx)?;
        let rows = rows.as_deref().map_or(&[][..], Vec::as_slice);
        Ok(entity::documents::lines_of(rows).cloned().map(DocumentPosition::from).collect())
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
    async fn payments(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<crate::graphql::payments::PaymentAllocation>> {
        crate::graphql::payments::of_invoice(ctx, self.model.id).await
    }
}
