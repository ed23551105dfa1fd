//! What `createInvoice` and `updateInvoice` take, and its translation into the domain's input.

use super::*;

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
            product_id: opt_id(&format!("{field}.product_id"), &self.product_id)?,
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
            correction_before: child(self.correction_before, "correction_before")?,
            correction_after: child(self.correction_after, "correction_after")?,
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

pub(super) fn opt_id(field: &str, id: &Option<ID>) -> Result<Option<uuid::Uuid>, DomainError> {
    id.as_ref().map(|i| parse_id(field, i)).transpose()
}

impl InvoiceInput {
    pub(super) fn into_domain(self) -> Result<DocumentInput, DomainError> {
        let client = match &self.client_id {
            Some(id) if id.as_str().trim() == "-1" => Some(BuyerRef::New),
            Some(id) => Some(BuyerRef::Existing(parse_id("input.client_id", id)?)),
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
            (Some(_), None) => return Err(DomainError::field("input.advance_value", FieldCode::Required)),
            (None, Some(_)) => return Err(DomainError::field("input.advance_creation_mode", FieldCode::Required)),
            (None, None) => None,
        };
        Ok(DocumentInput {
            kind: self.kind.map(Into::into),
            income: self.income,
            test: self.test,
            issue_date: self.issue_date.map(|d| d.0),
            sell_date: self.sell_date,
            payment_to: self.payment_to.map(|d| d.0),
            payment_to_kind: self.payment_to_kind,
            place: self.place,
            department_id: opt_id("input.department_id", &self.department_id)?,
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
            price_list_id: opt_id("input.price_list_id", &self.price_list_id)?,
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
            status: self.status.map(Into::into),
            fill_default_descriptions: self.fill_default_descriptions,
            copy_from: opt_id("input.copy_from", &self.copy_from)?,
            from_invoice_id: opt_id("input.from_invoice_id", &self.from_invoice_id)?,
            invoice_id: opt_id("input.invoice_id", &self.invoice_id)?,
            advance,
            advance_ids: self.invoice_ids.as_deref().map(|ids| parse_ids("input.invoice_ids", ids)).transpose()?,
            total_correction: self.total_correction,
            seller_name: self.seller_name,
            seller_tax_no: self.seller_tax_no,
            identify_oss: self.identify_oss,
            category_id: opt_id("input.category_id", &self.category_id)?,
            category_name: self.category_name,
            ..Default::default()
        })
    }
}
