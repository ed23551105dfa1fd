//! What creating or updating a document takes: the buyer, the lines, the fields, and the
//! prepared form the writer assembles from them.

use super::*;

/// Which contact a document is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuyerRef {
    Existing(Uuid),
    /// The seed's `client_id: -1`: create a contact from the buyer fields.
    New,
}

#[derive(Clone, Debug, Default)]
pub struct BuyerInput {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<bool>,
    pub tax_no: Option<String>,
    pub tax_no_kind: Option<String>,
    pub post_code: Option<String>,
    pub city: Option<String>,
    pub street: Option<String>,
    pub country: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

impl BuyerInput {
    /// Nothing that identifies a buyer (name, names, tax number, e-mail): there is none to
    /// recognise or create.
    pub(super) fn has_no_identity(&self) -> bool {
        [&self.name, &self.first_name, &self.last_name, &self.tax_no, &self.email]
            .iter()
            .all(|f| f.as_deref().map(str::trim).is_none_or(str::is_empty))
    }

    /// Whether any buyer field is given (an address alone is something to override with).
    pub(super) fn has_any(&self) -> bool {
        self.company.is_some()
            || [
                &self.name,
                &self.first_name,
                &self.last_name,
                &self.tax_no,
                &self.tax_no_kind,
                &self.post_code,
                &self.city,
                &self.street,
                &self.country,
                &self.email,
                &self.phone,
            ]
            .iter()
            .any(|f| f.as_deref().map(str::trim).is_some_and(|v| !v.is_empty()))
    }

    pub(super) fn as_patch(&self) -> crate::clients::ClientPatch {
        let some = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty()).map(Some);
        crate::clients::ClientPatch {
            name: self.name.clone().filter(|s| !s.trim().is_empty()),
            company: self.company,
            first_name: some(&self.first_name),
            last_name: some(&self.last_name),
            tax_no: some(&self.tax_no),
            tax_no_kind: some(&self.tax_no_kind),
            post_code: some(&self.post_code),
            city: some(&self.city),
            street: some(&self.street),
            country: some(&self.country),
            email: some(&self.email),
            phone: some(&self.phone),
            ..Default::default()
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct PositionInput {
    /// `text_separator` or `subtotal`; a product line when absent.
    pub kind: Option<String>,
    pub product_id: Option<Uuid>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub code: Option<String>,
    pub quantity: Option<Decimal>,
    pub quantity_unit: Option<String>,
    pub tax: Option<String>,
    pub price_net: Option<Decimal>,
    pub price_gross: Option<Decimal>,
    pub total_price_net: Option<Decimal>,
    pub total_price_gross: Option<Decimal>,
    /// A gross amount off the line (`discount_kind: amount`).
    pub discount: Option<Decimal>,
    /// A percentage off (the `percent_*` discount kinds).
    pub discount_percent: Option<Decimal>,
    /// On a credit-note line (`kind: correction`): the line as it was and as it becomes
    /// (seed `correction_before_attributes` / `correction_after_attributes`).
    pub correction_before: Option<Box<PositionInput>>,
    pub correction_after: Option<Box<PositionInput>>,
    /// Content of the additional column.
    pub additional_info: Option<String>,
    /// On update (the seed's position `id`): the stored position this one changes; with
    /// `destroy` it is removed. Positions without `id` are added after the others.
    pub id: Option<Uuid>,
    pub destroy: bool,
}

/// A new document, or a change to one. Absent fields are left as they are (an empty
/// string clears a text); `positions`, when given, replace all positions.
#[derive(Clone, Debug, Default)]
pub struct DocumentInput {
    pub kind: Option<crate::vocabulary::DocumentKind>,
    pub income: Option<bool>,
    pub test: Option<bool>,
    pub issue_date: Option<NaiveDate>,
    /// `YYYY-MM-DD`, `YYYY-MM`, or `off`.
    pub sell_date: Option<String>,
    pub payment_to: Option<NaiveDate>,
    /// A number of days, `other_date` or `off`.
    pub payment_to_kind: Option<String>,
    pub place: Option<String>,
    pub department_id: Option<Uuid>,
    pub client: Option<BuyerRef>,
    pub buyer: BuyerInput,
    /// Show the given buyer details and update the contact with them.
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
    pub use_prices_from_price_lists: bool,
    pub price_list_id: Option<Uuid>,
    pub positions: Option<Vec<PositionInput>>,
    /// The seed's `additional_fields` and other optional texts, by column name.
    pub texts: Texts,
    pub flags: Flags,
    /// The CEE bonus, gross, deducted from the amount to pay (`use_prime_cee`).
    pub prime_cee_value: Option<Decimal>,
    pub exchange_currency_rate: Option<Decimal>,
    /// Refuse a second document with the same `oid` (seed `oid_unique: yes`).
    pub oid_unique: bool,
    /// `Incomplete` creates an "invoice to complete" (the only status given at creation).
    pub status: Option<crate::vocabulary::DocumentStatus>,
    /// Copy the department's default "Informations spécifiques" (seed `fill_default_descriptions`).
    pub fill_default_descriptions: bool,
    /// Flows: the source document (`copy_invoice_from`), the functional link, the advance
    /// to create, the advances a final deducts, a total credit note.
    pub copy_from: Option<Uuid>,
    pub from_invoice_id: Option<Uuid>,
    pub invoice_id: Option<Uuid>,
    pub advance: Option<flows::AdvanceInput>,
    pub advance_ids: Option<Vec<Uuid>>,
    pub total_correction: Option<bool>,
    /// Without `department_id`, the department of this name (created for owners and
    /// admins when missing), with this tax number when created (seed `seller_name`).
    pub seller_name: Option<String>,
    pub seller_tax_no: Option<String>,
    /// The seed's `category_id`: an id, or a name (found or created; empty clears it).
    pub category_id: Option<Uuid>,
    pub category_name: Option<String>,
    /// Mark the document as an OSS sale when it is one (seed `identify_oss`).
    pub identify_oss: bool,
    /// Filled by the flows, never by callers.
    pub prepared: Prepared,
}

/// What a flow derives from the source document before the document is written.
#[derive(Clone, Debug, Default)]
pub struct Prepared {
    /// A copy's buyer details, shown as on the source.
    pub(crate) buyer_snapshot: Option<(Option<Uuid>, BuyerInput)>,
    /// The lines to write when the input gives no positions.
    pub(crate) lines: Option<Vec<Line>>,
    /// The advances a new final invoice deducts.
    pub(crate) advances: Option<Vec<Model>>,
    /// The document is issued as soon as it is created.
    pub(crate) issue_now: bool,
}

macro_rules! optional_columns {
    ($name:ident: $ty:ty { $($field:ident: $gql:literal, $max:expr;)* }) => {
        /// Optional document columns set from input as they are (absent: unchanged; empty: cleared).
        #[derive(Clone, Debug, Default)]
        pub struct $name { $(pub $field: Option<$ty>,)* }
        impl $name {
            /// (column value, GraphQL field, maximum length)
            pub(super) fn entries(&self) -> Vec<(&Option<$ty>, &'static str, usize)> {
                vec![$((&self.$field, $gql, $max),)*]
            }
            pub(super) fn apply(&self, am: &mut ActiveModel) {
                $(if let Some(v) = &self.$field { am.$field = Set(clean(&Some(v.clone()))); })*
            }
            pub(super) fn from_model(m: &Model) -> Self {
                Self { $($field: m.$field.clone(),)* }
            }
            /// Takes `other`'s value for every field this one leaves out.
            pub(super) fn fill_from(&mut self, other: &Self) {
                $(if self.$field.is_none() { self.$field = other.$field.clone(); })*
            }
        }
    };
}

optional_columns!(Texts: String {
    title: "input.title", MAX_LINE;
    buyer_title: "input.buyer_title", MAX_LINE;
    additional_invoice_field: "input.additional_invoice_field", MAX_TEXT;
    sum_recovery: "input.sum_recovery", MAX_LINE;
    interest_rate: "input.interest_rate", MAX_LINE;
    advanced_payment_discount: "input.advanced_payment_discount", MAX_LINE;
    conditional_notes: "input.conditional_notes", MAX_TEXT;
    description_long: "input.description_long", MAX_TEXT;
    buyer_note: "input.buyer_note", MAX_TEXT;
    buyer_mobile_phone: "input.buyer_mobile_phone", MAX_LINE;
    delivery_address: "input.delivery_address", MAX_TEXT;
    additional_info_desc: "input.additional_info_desc", MAX_TEXT;
    correction_reason: "input.correction_reason", MAX_LINE;
    corrected_content_before: "input.corrected_content_before", MAX_TEXT;
    corrected_content_after: "input.corrected_content_after", MAX_TEXT;
    exchange_currency: "input.exchange_currency", MAX_LINE;
    exchange_kind: "input.exchange_kind", MAX_LINE;
    accounting_status: "input.accounting_status", MAX_LINE;
        send_completion_to: "input.send_completion_to", MAX_TEXT;
    warehouse_id: "input.warehouse_id", MAX_LINE;
});

macro_rules! optional_flags {
    ($name:ident { $($field:ident,)* }) => {
        /// Optional document flags (absent: unchanged).
        #[derive(Clone, Copy, Debug, Default)]
        pub struct $name { $(pub $field: Option<bool>,)* }
        impl $name {
            pub(super) fn apply(&self, am: &mut ActiveModel) {
                $(if let Some(b) = self.$field { am.$field = Set(b); })*
            }
            pub(super) fn from_model(m: &Model) -> Self {
                Self { $($field: Some(m.$field),)* }
            }
            /// Takes `other`'s value for every flag this one leaves out.
            pub(super) fn fill_from(&mut self, other: &Self) {
                $(if self.$field.is_none() { self.$field = other.$field; })*
            }
        }
    };
}

optional_flags!(Flags {
    use_oss,
    use_prime_cee,
    hide_tax,
    use_delivery_address,
    additional_info,
    split_payment,
    paid_after_completion,
    send_after_completion,
    prevent_send_email_to_complete,
    show_attachments,
});
