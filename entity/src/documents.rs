//! Billing documents: drafts, issuing (numbering), freezing, reading and listing.
//!
//! A document is created as a **draft** (editable, no number) or issued at once. Issuing
//! takes the next number of its series (`number_series`) in the same transaction and
//! copies the seller's details from the department. An issued **fiscal** document
//! (`FISCAL_KINDS`) is frozen: it can be neither changed nor deleted (corrections are
//! credit notes). Non-fiscal kinds (estimates, proformas, orders, work orders) stay
//! editable. Amounts always come from the tax engine (`tax::compute`).

use crate::db::begin_write;
use crate::error::{ConflictKind, DomainError, DomainResult, FieldCode, FieldError};
use crate::numbering::{Pattern, default_pattern};
use crate::pagination::{Page, PageRequest};
use crate::tables::document::{ActiveModel, Column, Entity, Model};
use crate::tables::{client, department, document_position as pos, product};
use crate::tax::{self, CalculatingStrategy, DiscountKind, LineInput, LineKind, Price, PriceKind, Tax};
use crate::tenant::Actor;
use crate::validation::{MAX_LINE, MAX_TEXT, Validator, clean};
use chrono::{Datelike, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Every document kind of the seed.
pub const KINDS: [&str; 13] = [
    "vat",
    "proforma",
    "advance",
    "final",
    "correction",
    "receipt",
    "invoice_other",
    "estimate",
    "client_order",
    "maintenance_request",
    "payment_receipt",
    "kp",
    "kw",
];

/// Kinds that record a sale or a payment: once issued they are frozen and, later, sealed.
pub const FISCAL_KINDS: [&str; 9] =
    ["vat", "advance", "final", "correction", "receipt", "invoice_other", "payment_receipt", "kp", "kw"];

pub const DEFAULT_PAYMENT_DAYS: i64 = 5;

pub fn is_fiscal(kind: &str) -> bool {
    FISCAL_KINDS.contains(&kind)
}

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
    fn is_empty(&self) -> bool {
        [&self.name, &self.first_name, &self.last_name, &self.tax_no, &self.email]
            .iter()
            .all(|f| f.as_deref().map(str::trim).is_none_or(str::is_empty))
    }

    fn as_patch(&self) -> crate::clients::ClientPatch {
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
}

/// A new document, or a change to one. Absent fields are left as they are (an empty
/// string clears a text); `positions`, when given, replace all positions.
#[derive(Clone, Debug, Default)]
pub struct DocumentInput {
    pub kind: Option<String>,
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
}

fn field(i: usize, name: &str) -> String {
    format!("input.positions.{i}.{name}")
}

fn stored_strategy(m: &Model) -> CalculatingStrategy {
    CalculatingStrategy::from_names(&m.calc_position, &m.calc_sum, &m.calc_price_kind)
}

fn stored_discount_kind(m: &Model) -> Option<DiscountKind> {
    m.discount_kind.as_deref().and_then(DiscountKind::parse)
}

/// `YYYY-MM-DD`, `YYYY-MM` or `off` (the seed's sell date).
pub fn is_sell_date(s: &str) -> bool {
    s == "off"
        || NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        || NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok() && s.len() == 7
}

fn dec(s: &str) -> Decimal {
    crate::validation::parse_decimal(s).unwrap_or_default()
}

/// A line ready for the tax engine and for storage.
struct Line {
    input: LineInput,
    product_id: Option<Uuid>,
    name: String,
    description: Option<String>,
    code: Option<String>,
    quantity_unit: Option<String>,
    discount: Option<Decimal>,
    discount_percent: Option<Decimal>,
}

fn kind_of_line(k: Option<&str>) -> Option<LineKind> {
    match k.unwrap_or("normal") {
        "normal" => Some(LineKind::Normal),
        "text_separator" => Some(LineKind::TextSeparator),
        "subtotal" => Some(LineKind::Subtotal),
        _ => None,
    }
}

fn price_given_name(p: &Price) -> (&'static str, Decimal) {
    match *p {
        Price::UnitNet(d) => ("unit_net", d),
        Price::UnitGross(d) => ("unit_gross", d),
        Price::TotalNet(d) => ("total_net", d),
        Price::TotalGross(d) => ("total_gross", d),
    }
}

fn price_from_stored(given: &str, amount: Decimal) -> Price {
    match given {
        "unit_net" => Price::UnitNet(amount),
        "total_net" => Price::TotalNet(amount),
        "total_gross" => Price::TotalGross(amount),
        _ => Price::UnitGross(amount),
    }
}

/// Turns position inputs into engine lines: catalogue products fill what the line leaves
/// out (name, code, unit, tax, price — from the price list when asked), and every problem
/// is reported with its position.
#[allow(clippy::too_many_arguments)]
async fn resolve_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: &str,
    strategy: &CalculatingStrategy,
    discount_kind: Option<DiscountKind>,
    inputs: &[PositionInput],
    price_list: Option<Uuid>,
    default_tax: Option<&str>,
) -> DomainResult<Vec<Line>> {
    let mut v = Validator::new();
    let ids: Vec<Uuid> = inputs.iter().filter_map(|p| p.product_id).collect();
    let products: std::collections::HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::AccountId.eq(actor.account_id.0))
        .filter(product::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let listed: std::collections::HashMap<Uuid, crate::price_lists::ListedPrice> = match price_list {
        Some(list) if !ids.is_empty() => {
            let known: Vec<Uuid> = ids.iter().copied().filter(|id| products.contains_key(id)).collect();
            crate::price_lists::prices_for_products_in(db, actor, list, &known)
                .await?
                .into_iter()
                .filter(|p| p.from_price_list)
                .map(|p| (p.product_id, p))
                .collect()
        }
        _ => Default::default(),
    };
    let mut lines = Vec::with_capacity(inputs.len());
    for (i, p) in inputs.iter().enumerate() {
        let Some(line_kind) = kind_of_line(p.kind.as_deref()) else {
            v.push(
                &field(i, "kind"),
                FieldCode::NotOneOf { allowed: vec!["text_separator".into(), "subtotal".into()] },
            );
            continue;
        };
        let product = match p.product_id {
            Some(id) => match products.get(&id) {
                Some(prod) => Some(prod),
                None => {
                    v.push(&field(i, "productId"), FieldCode::Rule("unknown_product"));
                    continue;
                }
            },
            None => None,
        };
        let text = |given: &Option<String>, from_product: Option<&Option<String>>| {
            clean(given).or_else(|| from_product.and_then(|f| f.clone()))
        };
        let name = clean(&p.name).or_else(|| product.map(|x| x.name.clone()));
        if line_kind != LineKind::Normal {
            lines.push(Line {
                input: LineInput {
                    kind: line_kind,
                    quantity: Decimal::ZERO,
                    tax: Tax::Disabled,
                    price: Price::UnitNet(Decimal::ZERO),
                    discount: None,
                },
                product_id: None,
                name: name.unwrap_or_default(),
                description: clean(&p.description),
                code: None,
                quantity_unit: None,
                discount: None,
                discount_percent: None,
            });
            continue;
        }
        let Some(name) = name else {
            v.push(&field(i, "name"), FieldCode::Required);
            continue;
        };
        if name.chars().count() > MAX_LINE {
            v.push(&field(i, "name"), FieldCode::TooLong { max: MAX_LINE });
        }
        let quantity = p.quantity.unwrap_or(Decimal::ONE);
        // Only a credit note takes quantities back; elsewhere a quantity is positive.
        if kind != "correction" && quantity <= Decimal::ZERO {
            v.push(&field(i, "quantity"), FieldCode::Rule("positive_quantity"));
        }
        let listed_price = product.and_then(|prod| listed.get(&prod.id));
        // The tax of a listed price comes with it, unless the line gives one.
        let tax_text = p
            .tax
            .clone()
            .or_else(|| listed_price.map(|l| l.tax.clone()))
            .or_else(|| product.map(|x| x.tax.clone()))
            .or(default_tax.map(str::to_owned));
        let tax: Tax = match tax_text.as_deref().map(str::parse::<Tax>) {
            Some(Ok(t)) => t,
            Some(Err(_)) => {
                v.push(&field(i, "tax"), FieldCode::Rule("tax_value"));
                continue;
            }
            None => {
                v.push(&field(i, "tax"), FieldCode::Required);
                continue;
            }
        };
        let given: Vec<Price> = [
            p.total_price_gross.map(Price::TotalGross),
            p.price_gross.map(Price::UnitGross),
            p.total_price_net.map(Price::TotalNet),
            p.price_net.map(Price::UnitNet),
        ]
        .into_iter()
        .flatten()
        .collect();
        let price = match given.as_slice() {
            [one] => Some(*one),
            [] => product.and_then(|prod| {
                // A listed price first, then the catalogue price, on the document's price kind.
                let (net, gross) = match listed_price.and_then(|l| l.prices) {
                    Some(u) => (Some(u.net), Some(u.gross)),
                    None => (
                        prod.price_net.as_deref().and_then(crate::validation::parse_decimal),
                        prod.price_gross.as_deref().and_then(crate::validation::parse_decimal),
                    ),
                };
                match strategy.price_kind {
                    PriceKind::Gross => gross.map(Price::UnitGross).or(net.map(Price::UnitNet)),
                    PriceKind::Net => net.map(Price::UnitNet).or(gross.map(Price::UnitGross)),
                }
            }),
            _ => {
                v.push(&field(i, "priceGross"), FieldCode::Rule("one_price"));
                continue;
            }
        };
        let Some(price) = price else {
            v.push(&field(i, "priceGross"), FieldCode::Required);
            continue;
        };
        if matches!(price, Price::UnitNet(x) | Price::UnitGross(x) | Price::TotalNet(x) | Price::TotalGross(x) if x < Decimal::ZERO)
        {
            v.push(&field(i, "priceGross"), FieldCode::OutOfRange { min: 0, max: i64::MAX });
        }
        let discount_value = match discount_kind {
            Some(DiscountKind::Amount) => p.discount,
            Some(_) => p.discount_percent,
            None => None,
        };
        lines.push(Line {
            input: LineInput { kind: LineKind::Normal, quantity, tax, price, discount: discount_value },
            product_id: product.map(|x| x.id),
            name,
            description: text(&p.description, product.map(|x| &x.description)),
            code: text(&p.code, product.map(|x| &x.code)),
            quantity_unit: text(&p.quantity_unit, product.map(|x| &x.quantity_unit)),
            discount: p.discount,
            discount_percent: p.discount_percent,
        });
    }
    v.finish()?;
    Ok(lines)
}

fn engine_error(e: tax::TaxError) -> DomainError {
    let (i, name, code) = match e {
        tax::TaxError::InvalidTax => (0, "tax", FieldCode::Rule("tax_value")),
        tax::TaxError::TotalWithZeroQuantity { line } => (line, "quantity", FieldCode::Rule("positive_quantity")),
        tax::TaxError::DiscountOutOfRange { line } => (line, "discount", FieldCode::Rule("discount_range")),
        tax::TaxError::Overflow { line } => (line, "quantity", FieldCode::InvalidDecimal),
    };
    DomainError::Validation(vec![FieldError::new(field(i, name), code)])
}

/// Today in the account's time zone (a document's default issue date).
pub(crate) fn today(account: &crate::tables::account::Model) -> NaiveDate {
    let tz: chrono_tz::Tz = account.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    Utc::now().with_timezone(&tz).date_naive()
}

fn validate_scalars(input: &DocumentInput, v: &mut Validator) {
    if let Some(k) = &input.kind {
        v.one_of("input.kind", k, &KINDS);
    }
    if let Some(s) = clean(&input.sell_date)
        && !is_sell_date(&s)
    {
        v.push("input.sellDate", FieldCode::Rule("sell_date"));
    }
    if let Some(p) = clean(&input.payment_to_kind)
        && !crate::clients::is_payment_to_kind(&p)
    {
        v.push("input.paymentToKind", FieldCode::Rule("payment_to_kind"));
    }
    if let Some(c) = &input.currency
        && !crate::accounts::is_currency_code(c)
    {
        v.push("input.currency", FieldCode::Rule("currency_code"));
    }
    if let Some(l) = clean(&input.lang)
        && !crate::validation::is_lang_codes(&l)
    {
        v.push("input.lang", FieldCode::Rule("language_code"));
    }
    for (name, value, max) in [
        ("input.place", &input.place, MAX_LINE),
        ("input.paymentType", &input.payment_type, MAX_LINE),
        ("input.oid", &input.oid, MAX_LINE),
        ("input.description", &input.description, MAX_TEXT),
        ("input.internalNote", &input.internal_note, MAX_TEXT),
        ("input.buyerName", &input.buyer.name, MAX_LINE),
        ("input.buyerFirstName", &input.buyer.first_name, MAX_LINE),
        ("input.buyerLastName", &input.buyer.last_name, MAX_LINE),
        ("input.buyerTaxNo", &input.buyer.tax_no, MAX_LINE),
        ("input.buyerTaxNoKind", &input.buyer.tax_no_kind, MAX_LINE),
        ("input.buyerPostCode", &input.buyer.post_code, MAX_LINE),
        ("input.buyerCity", &input.buyer.city, MAX_LINE),
        ("input.buyerStreet", &input.buyer.street, MAX_LINE),
        ("input.buyerCountry", &input.buyer.country, MAX_LINE),
        ("input.buyerPhone", &input.buyer.phone, MAX_LINE),
    ] {
        if let Some(s) = value {
            v.max_len(name, s, max);
        }
    }
    if let Some(e) = clean(&input.buyer.email)
        && !crate::validation::is_email_list(&e)
    {
        v.push("input.buyerEmail", FieldCode::InvalidEmail);
    }
    for (i, p) in input.positions.iter().flatten().enumerate() {
        if let Some(d) = p.discount_percent
            && (d < Decimal::ZERO || d > Decimal::ONE_HUNDRED)
        {
            v.push(&field(i, "discountPercent"), FieldCode::OutOfRange { min: 0, max: 100 });
        }
        for (name, value, max) in [
            ("description", &p.description, MAX_TEXT),
            ("code", &p.code, MAX_LINE),
            ("quantityUnit", &p.quantity_unit, MAX_LINE),
        ] {
            if let Some(s) = value {
                v.max_len(&field(i, name), s, max);
            }
        }
    }
}

/// The buyer details a document shows, and the contact behind them.
struct Buyer {
    client_id: Option<Uuid>,
    fields: BuyerInput,
}

fn buyer_of(c: &client::Model) -> Buyer {
    Buyer {
        client_id: Some(c.id),
        fields: BuyerInput {
            name: Some(c.name.clone()),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: Some(c.company),
            tax_no: c.tax_no.clone(),
            tax_no_kind: c.tax_no_kind.clone(),
            post_code: c.post_code.clone(),
            city: c.city.clone(),
            street: c.street.clone(),
            country: c.country.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
        },
    }
}

/// The seed's buyer rules: `clientId` names the contact (its details show on the
/// document; with `buyerOverride` the given details show and update the contact);
/// `clientId: -1` creates a contact; otherwise the contact is recognised by tax number,
/// e-mail or name, and created when none matches.
async fn resolve_buyer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &DocumentInput,
) -> DomainResult<Option<(Buyer, Option<client::Model>)>> {
    let b = &input.buyer;
    let existing = match input.client {
        Some(BuyerRef::Existing(id)) => Some(crate::error::referenced(
            crate::clients::get(db, actor, id).await,
            "input.clientId",
            "unknown_client",
        )?),
        Some(BuyerRef::New) => None,
        None if b.is_empty() => return Ok(None),
        None => {
            crate::clients::recognise(db, actor, b.name.as_deref(), b.email.as_deref(), b.tax_no.as_deref()).await?
        }
    };
    let contact = match existing {
        // Override applies to the contact named by `clientId`, never to a recognised one.
        Some(c) if input.buyer_override && matches!(input.client, Some(BuyerRef::Existing(_))) && !b.is_empty() => {
            crate::clients::update_in(db, actor, c.id, b.as_patch()).await.map_err(prefix_buyer_errors)?
        }
        Some(c) => c,
        None => {
            if b.is_empty() {
                return Err(DomainError::field("input.buyerName", FieldCode::Required));
            }
            crate::clients::create_in(db, actor, b.as_patch()).await.map_err(prefix_buyer_errors)?
        }
    };
    Ok(Some((buyer_of(&contact), Some(contact))))
}

/// A contact created from a document reports its fields as the document's (`input.buyerName`).
fn prefix_buyer_errors(e: DomainError) -> DomainError {
    match e {
        DomainError::Validation(fields) => DomainError::Validation(
            fields
                .into_iter()
                .map(|f| {
                    let rest = f.field.trim_start_matches("input.");
                    let mut chars = rest.chars();
                    let cap: String = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
                    FieldError::new(format!("input.buyer{cap}"), f.code)
                })
                .collect(),
        ),
        other => other,
    }
}

fn set_buyer(am: &mut ActiveModel, b: &Buyer) {
    let f = &b.fields;
    am.client_id = Set(b.client_id);
    am.buyer_name = Set(f.name.clone());
    am.buyer_first_name = Set(f.first_name.clone());
    am.buyer_last_name = Set(f.last_name.clone());
    am.buyer_company = Set(f.company.unwrap_or(true));
    am.buyer_tax_no = Set(f.tax_no.clone());
    am.buyer_tax_no_kind = Set(f.tax_no_kind.clone());
    am.buyer_post_code = Set(f.post_code.clone());
    am.buyer_city = Set(f.city.clone());
    am.buyer_street = Set(f.street.clone());
    am.buyer_country = Set(f.country.clone());
    am.buyer_email = Set(f.email.clone());
    am.buyer_phone = Set(f.phone.clone());
}

fn set_seller(am: &mut ActiveModel, d: &department::Model) {
    am.department_id = Set(d.id);
    am.seller_name = Set(Some(d.name.clone()));
    am.seller_tax_no = Set(d.tax_no.clone());
    am.seller_tax_no_kind = Set(d.tax_no_kind.clone());
    am.seller_post_code = Set(d.post_code.clone());
    am.seller_city = Set(d.city.clone());
    am.seller_street = Set(d.street.clone());
    am.seller_country = Set(d.country.clone());
    am.seller_email = Set(d.email.clone());
    am.seller_phone = Set(d.phone.clone());
    am.seller_bank = Set(d.bank.clone());
    am.seller_bank_account = Set(d.bank_account.clone());
    am.seller_bank_swift = Set(d.bank_swift.clone());
    am.seller_person = Set(d.person.clone());
}

/// Writes a document from a validated input: `current` is None for a new one.
async fn write(
    db: &impl ConnectionTrait,
    actor: &Actor,
    current: Option<Model>,
    input: &DocumentInput,
) -> DomainResult<Model> {
    let mut v = Validator::new();
    validate_scalars(input, &mut v);
    v.finish()?;
    let account = crate::accounts::find_account(db, actor.account_id).await?;
    let now = Utc::now();
    let is_new = current.is_none();
    let mut am: ActiveModel = match &current {
        Some(m) => m.clone().into(),
        None => blank(actor, &account, now),
    };
    let kind = input.kind.clone().unwrap_or_else(|| current.as_ref().map(|m| m.kind.clone()).unwrap_or("vat".into()));
    am.kind = Set(kind.clone());

    let dept = match (input.department_id, &current) {
        (Some(id), _) => crate::departments::require_in_account(db, actor, id, "input.departmentId").await?,
        (None, Some(m)) => crate::departments::get(db, actor, m.department_id).await?,
        (None, None) => crate::departments::main_of(db, actor.account_id).await?,
    };
    set_seller(&mut am, &dept);

    let mut price_list = input.price_list_id;
    if (is_new || input.client.is_some() || !input.buyer.is_empty())
        && let Some((buyer, contact)) = resolve_buyer(db, actor, input).await?
    {
        set_buyer(&mut am, &buyer);
        if let Some(c) = contact {
            if price_list.is_none() && input.use_prices_from_price_lists {
                price_list = c.price_list_id;
            }
            if input.payment_type.is_none() && is_new {
                am.payment_type = Set(c.default_payment_type.clone());
            }
        }
    }
    if let Some(list) = price_list {
        crate::price_lists::require_in_account(db, actor, list, "input.priceListId").await?;
    }
    if !input.use_prices_from_price_lists {
        price_list = None;
    }

    // Dates: today in the account's time zone, due in 5 days unless told otherwise (seed).
    let issue_date = input.issue_date.or(current.as_ref().map(|m| m.issue_date)).unwrap_or_else(|| today(&account));
    am.issue_date = Set(issue_date);
    if let Some(s) = &input.sell_date {
        am.sell_date = Set(clean(&Some(s.clone())));
    } else if is_new {
        am.sell_date = Set(Some(issue_date.format("%Y-%m-%d").to_string()));
    }
    let kind_text = match (&input.payment_to, clean(&input.payment_to_kind)) {
        (Some(_), _) => Some("other_date".to_owned()),
        (None, Some(k)) => Some(k),
        (None, None) if is_new => Some(DEFAULT_PAYMENT_DAYS.to_string()),
        (None, None) => current.as_ref().and_then(|m| m.payment_to_kind.clone()),
    };
    let payment_to = match kind_text.as_deref() {
        Some("off") => None,
        Some("other_date") => input.payment_to.or(current.as_ref().and_then(|m| m.payment_to)),
        Some(days) => days.parse::<i64>().ok().map(|d| issue_date + Duration::days(d)),
        None => None,
    };
    if kind_text.as_deref() == Some("other_date") && payment_to.is_none() {
        return Err(DomainError::field("input.paymentTo", FieldCode::Required));
    }
    am.payment_to_kind = Set(kind_text);
    am.payment_to = Set(payment_to);

    for (dst, src) in [
        (&mut am.place, &input.place),
        (&mut am.payment_type, &input.payment_type),
        (&mut am.description, &input.description),
        (&mut am.internal_note, &input.internal_note),
        (&mut am.oid, &input.oid),
    ] {
        if src.is_some() {
            *dst = Set(clean(src));
        }
    }
    if let Some(c) = &input.currency {
        am.currency = Set(c.clone());
    }
    if let Some(l) = clean(&input.lang) {
        am.lang = Set(l);
    } else if is_new {
        am.lang = Set(dept.invoice_lang.clone().unwrap_or(account.language.clone()));
    }
    for (dst, src) in [
        (&mut am.income, input.income),
        (&mut am.test, input.test),
        (&mut am.show_discount, input.show_discount),
        (&mut am.reverse_charge, input.reverse_charge),
    ] {
        if let Some(b) = src {
            *dst = Set(b);
        }
    }
    if let Some(d) = input.discount_kind {
        am.discount_kind = Set(Some(d.as_str().to_owned()));
    }

    // Positions and amounts.
    let discount_kind = input.discount_kind.or(current.as_ref().and_then(stored_discount_kind));
    // Without a requested strategy, new positions typed gross only keep the gross amounts,
    // other new positions are computed from net; unchanged positions keep the stored one.
    let gross_only = |ps: &[PositionInput]| {
        ps.iter().any(|p| p.price_gross.is_some() || p.total_price_gross.is_some())
            && ps.iter().all(|p| p.price_net.is_none() && p.total_price_net.is_none())
    };
    let strategy = match (input.calculating_strategy, &current, &input.positions) {
        (Some(s), _, _) => s,
        (None, Some(m), None) => stored_strategy(m),
        (None, Some(m), Some(ps)) => {
            let stored = stored_strategy(m);
            // Only an inferred strategy is inferred again; a chosen one stays.
            if stored == CalculatingStrategy::GROSS || stored == CalculatingStrategy::default() {
                if gross_only(ps) { CalculatingStrategy::GROSS } else { CalculatingStrategy::default() }
            } else {
                stored
            }
        }
        (None, None, Some(ps)) if gross_only(ps) => CalculatingStrategy::GROSS,
        (None, None, _) => CalculatingStrategy::default(),
    };
    let (p, s, k) = strategy.names();
    am.calc_position = Set(p.into());
    am.calc_sum = Set(s.into());
    am.calc_price_kind = Set(k.into());
    let lines = match &input.positions {
        Some(inputs) => {
            resolve_lines(db, actor, &kind, &strategy, discount_kind, inputs, price_list, dept.default_tax.as_deref())
                .await?
        }
        None => match &current {
            Some(m) => stored_lines(db, actor, m.id, discount_kind).await?,
            None => Vec::new(),
        },
    };
    let engine: Vec<LineInput> = lines.iter().map(|l| l.input).collect();
    let amounts = tax::compute(&engine, &strategy, discount_kind).map_err(engine_error)?;
    am.price_net = Set(amounts.net.to_string());
    am.price_tax = Set(amounts.tax.to_string());
    am.price_gross = Set(amounts.gross.to_string());
    am.updated_at = Set(now);
    let saved = if is_new { am.insert(db).await? } else { am.update(db).await? };

    pos::Entity::delete_many()
        .filter(pos::Column::AccountId.eq(actor.account_id.0))
        .filter(pos::Column::DocumentId.eq(saved.id))
        .exec(db)
        .await?;
    for (i, (l, a)) in lines.iter().zip(&amounts.lines).enumerate() {
        let (given, amount) = price_given_name(&l.input.price);
        pos::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(actor.account_id.0),
            document_id: Set(saved.id),
            position: Set(i as i32),
            kind: Set(match l.input.kind {
                LineKind::Normal => "normal",
                LineKind::TextSeparator => "text_separator",
                LineKind::Subtotal => "subtotal",
            }
            .into()),
            product_id: Set(l.product_id),
            name: Set(l.name.clone()),
            quantity: Set(l.input.quantity.normalize().to_string()),
            tax: Set(l.input.tax.to_string()),
            price_given: Set(given.into()),
            price_given_amount: Set(amount.normalize().to_string()),
            price_net: Set(tax::price_text(a.unit_net)),
            price_gross: Set(tax::price_text(a.unit_gross)),
            total_price_net: Set(a.total_net.to_string()),
            total_price_tax: Set(a.total_tax.to_string()),
            total_price_gross: Set(a.total_gross.to_string()),
            discount_gross: Set(a.discount_gross.to_string()),
            code: Set(l.code.clone()),
            quantity_unit: Set(l.quantity_unit.clone()),
            discount: Set(l.discount.map(|d| d.normalize().to_string())),
            discount_percent: Set(l.discount_percent.map(|d| d.normalize().to_string())),
            description: Set(l.description.clone()),
        }
        .insert(db)
        .await?;
    }
    Ok(saved)
}

/// The stored lines of a document, as engine input (to recompute after a change that
/// leaves the positions alone, e.g. a new calculating strategy).
async fn stored_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    dk: Option<DiscountKind>,
) -> DomainResult<Vec<Line>> {
    Ok(positions(db, actor, id)
        .await?
        .into_iter()
        .map(|p| {
            let discount = match dk {
                Some(DiscountKind::Amount) => p.discount.as_deref().map(dec),
                Some(_) => p.discount_percent.as_deref().map(dec),
                None => None,
            };
            Line {
                input: LineInput {
                    kind: kind_of_line(Some(&p.kind)).unwrap_or_default(),
                    quantity: dec(&p.quantity),
                    tax: p.tax.parse().unwrap_or(Tax::Disabled),
                    price: price_from_stored(&p.price_given, dec(&p.price_given_amount)),
                    discount,
                },
                product_id: p.product_id,
                name: p.name,
                description: p.description,
                code: p.code,
                quantity_unit: p.quantity_unit,
                discount: p.discount.as_deref().map(dec),
                discount_percent: p.discount_percent.as_deref().map(dec),
            }
        })
        .collect())
}

fn blank(actor: &Actor, account: &crate::tables::account::Model, now: chrono::DateTime<Utc>) -> ActiveModel {
    let zero = tax::round2(Decimal::ZERO).to_string();
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        department_id: Set(Uuid::nil()),
        client_id: Set(None),
        kind: Set("vat".into()),
        income: Set(true),
        test: Set(false),
        state: Set("draft".into()),
        status: Set("draft".into()),
        number: Set(None),
        series_key: Set(None),
        number_counter: Set(None),
        issue_date: Set(now.date_naive()),
        payment_to: Set(None),
        buyer_company: Set(true),
        show_discount: Set(false),
        reverse_charge: Set(false),
        currency: Set(account.currency.clone()),
        lang: Set(account.language.clone()),
        calc_position: Set("default".into()),
        calc_sum: Set("sum".into()),
        calc_price_kind: Set("net".into()),
        price_net: Set(zero.clone()),
        price_tax: Set(zero.clone()),
        price_gross: Set(zero.clone()),
        paid: Set(zero),
        paid_date: Set(None),
        view_token: Set(crate::secret::generate("")),
        description: Set(None),
        internal_note: Set(None),
        sell_date: Set(None),
        payment_to_kind: Set(None),
        place: Set(None),
        payment_type: Set(None),
        oid: Set(None),
        discount_kind: Set(None),
        buyer_name: Set(None),
        buyer_first_name: Set(None),
        buyer_last_name: Set(None),
        buyer_tax_no: Set(None),
        buyer_tax_no_kind: Set(None),
        buyer_post_code: Set(None),
        buyer_city: Set(None),
        buyer_street: Set(None),
        buyer_country: Set(None),
        buyer_email: Set(None),
        buyer_phone: Set(None),
        seller_name: Set(None),
        seller_tax_no: Set(None),
        seller_tax_no_kind: Set(None),
        seller_post_code: Set(None),
        seller_city: Set(None),
        seller_street: Set(None),
        seller_country: Set(None),
        seller_email: Set(None),
        seller_phone: Set(None),
        seller_bank: Set(None),
        seller_bank_account: Set(None),
        seller_bank_swift: Set(None),
        seller_person: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        issued_at: Set(None),
    }
}

/// The series a document is numbered in: its kind, test documents apart.
fn series_of(m: &Model) -> (String, Pattern) {
    let base = default_pattern(&m.kind);
    if m.test {
        (format!("{}:test", m.kind), format!("TEST-{base}").parse().expect("valid default pattern"))
    } else {
        (m.kind.clone(), base.parse().expect("valid default pattern"))
    }
}

/// Numbers a draft: checks it can be issued, takes the next number of its series, copies
/// the seller's current details. Runs in the caller's write transaction.
async fn issue_in(txn: &sea_orm::DatabaseTransaction, actor: &Actor, m: Model) -> DomainResult<Model> {
    if m.state != "draft" {
        return Err(DomainError::conflict(ConflictKind::DocumentIssued, Some("id")));
    }
    let mut v = Validator::new();
    if is_fiscal(&m.kind) && m.buyer_name.as_deref().is_none_or(|n| n.trim().is_empty()) {
        v.push("input.buyerName", FieldCode::Required);
    }
    let lines = positions(txn, actor, m.id).await?;
    if !lines.iter().any(|p| p.kind == "normal") {
        v.push("input.positions", FieldCode::Required);
    }
    // Never issued in the future: a mistyped year would block the series until then,
    // since dates cannot go backwards in a series.
    let account = crate::accounts::find_account(txn, actor.account_id).await?;
    if m.issue_date > today(&account) {
        v.push("input.issueDate", FieldCode::Rule("issue_date_in_future"));
    }
    v.finish()?;
    let (series, pattern) = series_of(&m);
    let allocated = crate::number_series::allocate(txn, actor.account_id, &series, &pattern, m.issue_date).await?;
    let dept = crate::departments::get(txn, actor, m.department_id).await?;
    let mut am: ActiveModel = m.into();
    set_seller(&mut am, &dept);
    am.number = Set(Some(allocated.number));
    am.number_counter = Set(Some(allocated.counter));
    am.series_key = Set(Some(series));
    am.state = Set("issued".into());
    am.status = Set("issued".into());
    let now = Utc::now();
    am.issued_at = Set(Some(now));
    am.updated_at = Set(now);
    Ok(am.update(txn).await?)
}

/// Creates a document as a draft, or issued when `issue` is true.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: DocumentInput, issue: bool) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let mut doc = write(&txn, actor, None, &input).await?;
    if issue {
        doc = issue_in(&txn, actor, doc).await?;
    }
    txn.commit().await?;
    Ok(doc)
}

/// Issues a draft: it gets its number and, for fiscal kinds, is frozen from then on.
pub async fn issue(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let doc = get_for_update(&txn, actor, id).await?;
    let doc = issue_in(&txn, actor, doc).await?;
    txn.commit().await?;
    Ok(doc)
}

/// Changes a draft, or an issued non-fiscal document. An issued fiscal document is frozen.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, input: DocumentInput) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state == "issued" && is_fiscal(&current.kind) {
        return Err(DomainError::conflict(ConflictKind::DocumentIssued, Some("id")));
    }
    if current.state == "issued" {
        // An issued document keeps what its number stands on: kind, date, series, seller.
        let mut v = Validator::new();
        if input.kind.as_ref().is_some_and(|k| k != &current.kind) {
            v.push("input.kind", FieldCode::Rule("fixed_once_issued"));
        }
        if input.issue_date.is_some_and(|d| d != current.issue_date) {
            v.push("input.issueDate", FieldCode::Rule("fixed_once_issued"));
        }
        if input.test.is_some_and(|t| t != current.test) {
            v.push("input.test", FieldCode::Rule("fixed_once_issued"));
        }
        if input.department_id.is_some_and(|d| d != current.department_id) {
            v.push("input.departmentId", FieldCode::Rule("fixed_once_issued"));
        }
        v.finish()?;
    }
    let before = current.clone();
    let doc = write(&txn, actor, Some(current), &input).await?;
    let doc = crate::payments::after_document_update(&txn, actor, &before, doc).await?;
    txn.commit().await?;
    Ok(doc)
}

/// Statuses that can be set by hand once a document is issued (the seed's `change_status`);
/// `incomplete` belongs to the "invoice to complete" flow.
pub const SETTABLE_STATUSES: [&str; 6] = ["issued", "sent", "paid", "partial", "rejected", "accepted"];

/// Changes the status of an issued document. The status is not a fiscal field, so it may
/// change on a frozen document; a draft has no status until it is issued.
pub async fn change_status(db: &DatabaseConnection, actor: &Actor, id: Uuid, status: &str) -> DomainResult<Model> {
    actor.require_writer()?;
    let mut v = Validator::new();
    v.one_of("status", status, &SETTABLE_STATUSES);
    v.finish()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state != "issued" {
        return Err(DomainError::field("id", FieldCode::Rule("issue_first")));
    }
    let mut am: ActiveModel = current.into();
    am.status = Set(status.to_owned());
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a draft or a non-fiscal document. An issued fiscal document is never deleted:
/// it is corrected by a credit note.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state == "issued" && is_fiscal(&current.kind) {
        return Err(DomainError::conflict(ConflictKind::DocumentIssued, Some("id")));
    }
    crate::payments::refuse_if_paid(&txn, actor, id).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).filter(Column::AccountId.eq(actor.account_id.0)).exec(&txn).await?;
    txn.commit().await?;
    Ok(current)
}

/// `get` with the row locked until the transaction ends (`FOR UPDATE` on PostgreSQL; on
/// SQLite the write transaction of `db::begin_write` already excludes other writers), so
/// that issuing, changing and deleting one document never interleave.
async fn get_for_update(txn: &sea_orm::DatabaseTransaction, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id)
        .filter(Column::AccountId.eq(actor.account_id.0))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("document"))
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id)
        .filter(Column::AccountId.eq(actor.account_id.0))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("document"))
}

/// An issued document and its lines by its public view token (the link is the
/// credential: 256 random bits). Drafts are never shown.
pub async fn by_view_token(db: &DatabaseConnection, token: &str) -> DomainResult<Option<(Model, Vec<pos::Model>)>> {
    let Some(doc) =
        Entity::find().filter(Column::ViewToken.eq(token)).filter(Column::State.eq("issued")).one(db).await?
    else {
        return Ok(None);
    };
    let lines = pos::Entity::find()
        .filter(pos::Column::AccountId.eq(doc.account_id))
        .filter(pos::Column::DocumentId.eq(doc.id))
        .order_by_asc(pos::Column::Position)
        .all(db)
        .await?;
    Ok(Some((doc, lines)))
}

pub async fn positions(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Vec<pos::Model>> {
    Ok(pos::Entity::find()
        .filter(pos::Column::AccountId.eq(actor.account_id.0))
        .filter(pos::Column::DocumentId.eq(id))
        .order_by_asc(pos::Column::Position)
        .all(db)
        .await?)
}

/// The per-rate tax summary of a stored document, recomputed by the engine from its lines.
pub async fn tax_summary(db: &impl ConnectionTrait, actor: &Actor, m: &Model) -> DomainResult<Vec<tax::TaxSummaryRow>> {
    let dk = stored_discount_kind(m);
    let lines: Vec<LineInput> = stored_lines(db, actor, m.id, dk).await?.into_iter().map(|l| l.input).collect();
    Ok(tax::compute(&lines, &stored_strategy(m), dk).map_err(engine_error)?.tax_summary)
}

/// The seed's `period` values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Period {
    #[default]
    Last12Months,
    ThisMonth,
    Last30Days,
    LastMonth,
    ThisYear,
    LastYear,
    All,
    /// Between `date_from` and `date_to` (the seed's `more`).
    More,
}

#[derive(Clone, Debug, Default)]
pub struct DocumentFilter {
    pub period: Period,
    pub date_from: Option<NaiveDate>,
    pub date_to: Option<NaiveDate>,
    pub income: Option<bool>,
    pub ids: Option<Vec<Uuid>>,
    pub number: Option<String>,
    pub kind: Option<String>,
    pub kinds: Option<Vec<String>>,
    pub client_id: Option<Uuid>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DocumentOrder {
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

/// The inclusive date range of a period, for "today" in the account's time zone.
pub fn period_range(
    p: Period,
    today: NaiveDate,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let first_of_month = today.with_day(1).expect("day 1");
    let month_before = (first_of_month - Duration::days(1)).with_day(1).expect("day 1");
    let year_start = |y: i32| NaiveDate::from_ymd_opt(y, 1, 1).expect("valid");
    match p {
        Period::Last12Months => (Some(today - Duration::days(365)), Some(today)),
        Period::ThisMonth => (Some(first_of_month), Some(today)),
        Period::Last30Days => (Some(today - Duration::days(30)), Some(today)),
        Period::LastMonth => (Some(month_before), Some(first_of_month - Duration::days(1))),
        Period::ThisYear => (Some(year_start(today.year())), Some(today)),
        Period::LastYear => (Some(year_start(today.year() - 1)), Some(year_start(today.year()) - Duration::days(1))),
        Period::All => (None, None),
        Period::More => (from, to),
    }
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &DocumentFilter,
    order: DocumentOrder,
    page: PageRequest,
) -> DomainResult<Page<Model>> {
    let account = crate::accounts::find_account(db, actor.account_id).await?;
    let mut q = Entity::find().filter(Column::AccountId.eq(actor.account_id.0));
    let (from, to) = period_range(f.period, today(&account), f.date_from, f.date_to);
    if let Some(d) = from {
        q = q.filter(Column::IssueDate.gte(d));
    }
    if let Some(d) = to {
        q = q.filter(Column::IssueDate.lte(d));
    }
    if let Some(i) = f.income {
        q = q.filter(Column::Income.eq(i));
    }
    if let Some(ids) = &f.ids {
        q = q.filter(Column::Id.is_in(ids.clone()));
    }
    if let Some(n) = f.number.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        q = q.filter(Column::Number.eq(n));
    }
    match (&f.kind, &f.kinds) {
        (Some(k), _) => q = q.filter(Column::Kind.eq(k.clone())),
        (None, Some(ks)) => q = q.filter(Column::Kind.is_in(ks.clone())),
        (None, None) => {}
    }
    if let Some(c) = f.client_id {
        q = q.filter(Column::ClientId.eq(c));
    }
    let total_count = q.clone().count(db).await?;
    q = match order {
        DocumentOrder::IssueDate => q.order_by_asc(Column::IssueDate),
        DocumentOrder::IssueDateDesc => q.order_by_desc(Column::IssueDate),
        // Drafts (no number) last on both databases; numbers in numeric order: within a
        // series they follow issue dates, then the counter.
        DocumentOrder::Number => {
            q.order_by_asc(Column::Number.is_null()).order_by_asc(Column::IssueDate).order_by_asc(Column::NumberCounter)
        }
        DocumentOrder::NumberDesc => q
            .order_by_asc(Column::Number.is_null())
            .order_by_desc(Column::IssueDate)
            .order_by_desc(Column::NumberCounter),
        DocumentOrder::BuyerName => q.order_by_asc(Column::BuyerName),
        DocumentOrder::BuyerNameDesc => q.order_by_desc(Column::BuyerName),
        // Amounts are stored as text: ordering by them is done on the value, not the text.
        DocumentOrder::PriceGross | DocumentOrder::PriceGrossDesc => q,
        DocumentOrder::CreatedAt => q.order_by_asc(Column::CreatedAt),
        DocumentOrder::CreatedAtDesc => q.order_by_desc(Column::CreatedAt),
        DocumentOrder::UpdatedAt => q.order_by_asc(Column::UpdatedAt),
        DocumentOrder::UpdatedAtDesc => q.order_by_desc(Column::UpdatedAt),
    };
    let items = if matches!(order, DocumentOrder::PriceGross | DocumentOrder::PriceGrossDesc) {
        // Sort the matching rows by exact value, then page in memory (bounded by the period).
        let mut all = q.all(db).await?;
        all.sort_by(|a, b| dec(&a.price_gross).cmp(&dec(&b.price_gross)).then(a.id.cmp(&b.id)));
        if order == DocumentOrder::PriceGrossDesc {
            all.reverse();
        }
        all.into_iter().skip(page.offset() as usize).take(page.per_page as usize).collect()
    } else {
        q.order_by_desc(Column::Id).offset(page.offset()).limit(page.per_page).all(db).await?
    };
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn periods() {
        let today = d("2026-03-15");
        assert_eq!(period_range(Period::ThisMonth, today, None, None), (Some(d("2026-03-01")), Some(today)));
        assert_eq!(period_range(Period::LastMonth, today, None, None), (Some(d("2026-02-01")), Some(d("2026-02-28"))));
        assert_eq!(period_range(Period::LastYear, today, None, None), (Some(d("2025-01-01")), Some(d("2025-12-31"))));
        assert_eq!(period_range(Period::All, today, None, None), (None, None));
        assert_eq!(period_range(Period::More, today, Some(d("2020-01-01")), None), (Some(d("2020-01-01")), None));
        assert_eq!(
            period_range(Period::LastMonth, d("2026-01-10"), None, None),
            (Some(d("2025-12-01")), Some(d("2025-12-31")))
        );
    }

    #[test]
    fn sell_dates() {
        assert!(is_sell_date("2026-11-21"));
        assert!(is_sell_date("2026-11"));
        assert!(is_sell_date("off"));
        assert!(!is_sell_date("2026-13"));
        assert!(!is_sell_date("tomorrow"));
    }
}
