//! The product catalogue of an account: create, update (by id or by code), find, delete,
//! packages. Prices are split by `tax::unit_prices` (the one place for tax math).

use crate::db::begin_write;
use crate::error::{ConflictKind, DomainError, DomainResult, FieldCode, OnConstraint};
use crate::money::Money;
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::product::{ActiveModel, Column, Entity, Model};
use crate::tables::product_package_item as item;
use crate::tax::{Tax, UnitPrice, UnitPrices, unit_price, unit_prices};
use crate::tenant::Actor;
use crate::validation::{MAX_LINE, MAX_TEXT, Validator, clean, contains_text, search_key};
use crate::vocabulary::EventCode;
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

mod listing;
mod packages;

pub use listing::*;
pub use packages::*;

/// The optional text fields of a product with their length limit, listed once (the API
/// layer builds its GraphQL types from the same list).
#[macro_export]
macro_rules! product_text_fields {
    ($cb:ident) => {
        $cb! {
            (code, LINE), (quantity_unit, LINE), (ean_code, LINE), (weight_unit, LINE), (size_unit, LINE),
            (supplier_code, LINE), (additional_info, LINE), (accounting_id, LINE), (accounting_id2, LINE),
            (accounting_tax_code, LINE), (accounting_tax_code_exp, LINE), (accounting_activity_code, LINE),
            (accounting_sheet_code, LINE), (description, TEXT)
        }
    };
}

/// The optional decimal fields (quantities and sizes), listed once.
#[macro_export]
macro_rules! product_decimal_fields {
    ($cb:ident) => {
        $cb! { stock_level, quantity, weight, size_height, size_width, size }
    };
}

/// The boolean fields (`package` apart: it has its own rules).
#[macro_export]
macro_rules! product_bool_fields {
    ($cb:ident) => {
        $cb! { disabled, service, limited, use_oss, is_delivery }
    };
}

const LINE: usize = MAX_LINE;
const TEXT: usize = MAX_TEXT;

pub const KINDS: [&str; 3] = ["sell", "buy", "both"];
pub const WEIGHT_UNITS: [&str; 2] = ["kg", "g"];
pub const SIZE_UNITS: [&str; 2] = ["m", "cm"];

macro_rules! patch_struct {
    ($(($f:ident, $lim:ident)),*) => {
        /// A change to a product. `None` leaves a field as it is; `Some(None)` clears it.
        #[derive(Clone, Debug, Default)]
        pub struct ProductPatch {
            pub name: Option<String>,
            pub kind: Option<String>,
            pub tax: Option<String>,
            pub currency: Option<String>,
            pub price_net: Option<Option<Decimal>>,
            pub price_gross: Option<Option<Decimal>>,
            pub purchase_tax: Option<Option<String>>,
            pub purchase_price_net: Option<Option<Decimal>>,
            pub purchase_price_gross: Option<Option<Decimal>>,
            pub package: Option<bool>,
            /// Replaces the components of a package.
            pub package_products: Option<Vec<PackageComponent>>,
            pub category_id: Option<Option<Uuid>>,
            pub department_id: Option<Option<Uuid>>,
            pub tag_list: Option<Vec<String>>,
            pub disabled: Option<bool>,
            pub service: Option<bool>,
            pub limited: Option<bool>,
            pub use_oss: Option<bool>,
            pub is_delivery: Option<bool>,
            pub stock_level: Option<Option<Decimal>>,
            pub quantity: Option<Option<Decimal>>,
            pub weight: Option<Option<Decimal>>,
            pub size_height: Option<Option<Decimal>>,
            pub size_width: Option<Option<Decimal>>,
            pub size: Option<Option<Decimal>>,
            $(pub $f: Option<Option<String>>,)*
        }

        impl ProductPatch {
            fn check_texts(&self, v: &mut Validator) {
                $(if let Some(Some(s)) = &self.$f { v.max_len(&format!("input.{}", stringify!($f)), s, $lim); })*
            }

            fn apply_texts(&self, am: &mut ActiveModel) {
                $(if let Some(value) = &self.$f { am.$f = Set(clean(value)); })*
            }
        }
    };
}
product_text_fields!(patch_struct);

macro_rules! apply_decimals {
    ($($f:ident),*) => {
        fn apply_decimals(p: &ProductPatch, am: &mut ActiveModel) {
            $(if let Some(d) = p.$f { am.$f = Set(d.map(|d| d.normalize().into())); })*
        }

        fn check_decimals(p: &ProductPatch, v: &mut Validator) {
            // Quantities and sizes cannot be negative; a stock level can (back orders).
            $(if stringify!($f) != "stock_level" && p.$f.flatten().is_some_and(|d| d < Decimal::ZERO) {
                v.push(&format!("input.{}", stringify!($f)), FieldCode::OutOfRange { min: 0, max: i64::MAX });
            })*
        }
    };
}
product_decimal_fields!(apply_decimals);

macro_rules! apply_bools {
    ($($f:ident),*) => {
        fn apply_bools(p: &ProductPatch, am: &mut ActiveModel) {
            $(if let Some(b) = p.$f { am.$f = Set(b); })*
        }
    };
}
product_bool_fields!(apply_bools);

use crate::db::value_of;

/// GS1 check digit of an EAN-8, UPC-A, EAN-13 or GTIN-14 code.
pub fn is_valid_ean(code: &str) -> bool {
    let digits: Vec<u32> = code.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != code.len() || ![8, 12, 13, 14].contains(&digits.len()) {
        return false;
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    let sum: u32 = body.iter().rev().enumerate().map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d }).sum();
    (10 - sum % 10) % 10 == check[0]
}

/// The price that was entered, as stored: the amount and whether it was net or gross.
type Entered = Option<UnitPrice>;

fn entered(kind: &Option<String>, net: &Option<Money>, gross: &Option<Money>) -> Entered {
    match kind.as_deref() {
        Some("net") => net.map(Decimal::from).map(UnitPrice::Net),
        _ => gross.map(Decimal::from).map(UnitPrice::Gross).or_else(|| net.map(Decimal::from).map(UnitPrice::Net)),
    }
}

fn kind_of(p: &UnitPrice) -> &'static str {
    match p {
        UnitPrice::Net(_) => "net",
        UnitPrice::Gross(_) => "gross",
    }
}

/// The unit prices after a change, with the price they derive from.
///
/// The gross price is the primary one when given (the seed: "the net price is computed
/// from the gross price and the tax rate"); a net price alone is accepted too, and both at
/// once must agree. Without a price in the change, the price entered earlier is kept and
/// the other one re-derived (the tax may have changed).
fn resolve_prices(
    field_prefix: &str,
    tax: Tax,
    net_in: Option<Option<Decimal>>,
    gross_in: Option<Option<Decimal>>,
    stored: Entered,
) -> Result<Option<(UnitPrice, UnitPrices)>, DomainError> {
    let given = match (net_in, gross_in) {
        (_, Some(Some(g))) => Some(UnitPrice::Gross(g)),
        (Some(Some(n)), _) => Some(UnitPrice::Net(n)),
        (Some(None), Some(None)) | (Some(None), None) | (None, Some(None)) => None,
        (None, None) => stored,
    };
    let Some(given) = given else { return Ok(None) };
    let overflow = || {
        DomainError::field(
            format!("input.{field_prefix}{}", if kind_of(&given) == "net" { "_net" } else { "_gross" }),
            FieldCode::InvalidDecimal,
        )
    };
    let p = unit_prices(tax, given).map_err(|_| overflow())?;
    if let (Some(Some(n)), Some(Some(_))) = (net_in, gross_in)
        && n != p.net
    {
        return Err(DomainError::field(format!("input.{field_prefix}_net"), FieldCode::Rule("inconsistent_prices")));
    }
    Ok(Some((given, p)))
}

impl ProductPatch {
    fn validate(&self, creating: bool) -> DomainResult<()> {
        let mut v = Validator::new();
        v.name("input.name", self.name.as_deref(), creating);
        self.check_texts(&mut v);
        check_decimals(self, &mut v);
        if let Some(k) = &self.kind {
            v.one_of("input.kind", k, &KINDS);
        }
        for (field, value) in
            [("input.tax", self.tax.as_deref()), ("input.purchase_tax", self.purchase_tax.clone().flatten().as_deref())]
        {
            if let Some(t) = value
                && t.parse::<Tax>().is_err()
            {
                v.push(field, FieldCode::Rule("tax_value"));
            }
        }
        if let Some(c) = &self.currency
            && !crate::accounts::is_currency_code(c)
        {
            v.push("input.currency", FieldCode::Rule("currency_code"));
        }
        if let Some(Some(u)) = &self.weight_unit {
            v.one_of("input.weight_unit", u, &WEIGHT_UNITS);
        }
        if let Some(Some(u)) = &self.size_unit {
            v.one_of("input.size_unit", u, &SIZE_UNITS);
        }
        if let Some(Some(e)) = &self.ean_code
            && !e.trim().is_empty()
            && !is_valid_ean(e.trim())
        {
            v.push("input.ean_code", FieldCode::Rule("ean_code"));
        }
        for (field, value) in [
            ("input.price_net", self.price_net),
            ("input.price_gross", self.price_gross),
            ("input.purchase_price_net", self.purchase_price_net),
            ("input.purchase_price_gross", self.purchase_price_gross),
        ] {
            if value.flatten().is_some_and(|d| d < Decimal::ZERO) {
                v.push(field, FieldCode::OutOfRange { min: 0, max: i64::MAX });
            }
        }
        if let Some(items) = &self.package_products {
            for (i, c) in items.iter().enumerate() {
                if c.quantity <= Decimal::ZERO {
                    v.push(&format!("input.package_products.{i}.quantity"), FieldCode::Rule("positive_quantity"));
                }
            }
        }
        if let Some(tags) = &self.tag_list {
            crate::tags::validate(&mut v, "input.tag_list", tags);
        }
        v.finish()
    }
}

/// Applies a validated patch: fields, then prices from the resulting tax.
fn apply(p: &ProductPatch, am: &mut ActiveModel) -> DomainResult<()> {
    p.apply_texts(am);
    apply_decimals(p, am);
    apply_bools(p, am);
    if let Some(n) = &p.name {
        am.name = Set(n.trim().to_owned());
    }
    if let Some(k) = &p.kind {
        am.kind = Set(k.clone());
    }
    if let Some(t) = &p.tax {
        am.tax = Set(t.trim().parse::<Tax>().map(|t| t.to_string()).unwrap_or_default());
    }
    if let Some(c) = &p.currency {
        am.currency = Set(crate::Currency::given("input.currency", c)?);
    }
    if let Some(t) = &p.purchase_tax {
        am.purchase_tax = Set(clean(t).and_then(|t| t.parse::<Tax>().ok()).map(|t| t.to_string()));
    }
    if let Some(c) = p.category_id {
        am.category_id = Set(c);
    }
    if let Some(d) = p.department_id {
        am.department_id = Set(d);
    }
    if let Some(b) = p.package {
        am.package = Set(b);
    }
    if let Some(tags) = &p.tag_list {
        am.tag_list = Set(crate::tags::to_json(tags));
        am.tag_keys = Set(crate::tags::keys_json(tags));
    }
    let tax: Tax = value_of(&am.tax).parse().map_err(|_| DomainError::field("input.tax", FieldCode::Required))?;
    let stored = entered(&value_of(&am.price_kind), &value_of(&am.price_net), &value_of(&am.price_gross));
    let sale = resolve_prices("price", tax, p.price_net, p.price_gross, stored)?;
    am.price_kind = Set(sale.map(|(g, _)| kind_of(&g).to_owned()));
    am.price_net = Set(sale.map(|(_, u)| unit_price(u.net)));
    am.price_tax = Set(sale.map(|(_, u)| unit_price(u.tax)));
    am.price_gross = Set(sale.map(|(_, u)| unit_price(u.gross)));
    // The purchase tax defaults to the sales tax.
    let purchase_tax = value_of(&am.purchase_tax).and_then(|t| t.parse().ok()).unwrap_or(tax);
    let stored = entered(
        &value_of(&am.purchase_price_kind),
        &value_of(&am.purchase_price_net),
        &value_of(&am.purchase_price_gross),
    );
    let purchase =
        resolve_prices("purchase_price", purchase_tax, p.purchase_price_net, p.purchase_price_gross, stored)?;
    am.purchase_price_kind = Set(purchase.map(|(g, _)| kind_of(&g).to_owned()));
    am.purchase_price_net = Set(purchase.map(|(_, u)| unit_price(u.net)));
    am.purchase_price_tax = Set(purchase.map(|(_, u)| unit_price(u.tax)));
    am.purchase_price_gross = Set(purchase.map(|(_, u)| unit_price(u.gross)));
    let code = value_of(&am.code).unwrap_or_default();
    am.search_name = Set(search_key(&format!("{} {code}", value_of(&am.name))));
    Ok(())
}

fn code_taken() -> DomainError {
    DomainError::conflict(ConflictKind::CodeTaken, Some("input.code"))
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, patch: ProductPatch) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let created = create_in(&txn, actor, patch).await?;
    txn.commit().await?;
    Ok(created)
}

/// Creates a product in the caller's transaction (also used for the products that
/// documents add to the catalogue).
pub async fn create_in(txn: &crate::db::WriteTxn, actor: &Actor, mut patch: ProductPatch) -> DomainResult<Model> {
    patch.validate(true)?;
    if patch.tax.is_none() {
        // Default tax: the main department's, as VosFactures' account default.
        let main = crate::departments::main_of(txn, actor.account_id).await?;
        patch.tax = Some(main.default_tax.ok_or_else(|| DomainError::field("input.tax", FieldCode::Required))?);
    }
    let is_package = patch.package == Some(true);
    check_references(txn, actor, &patch, None, is_package).await?;
    let account = crate::accounts::find_account(txn, actor.account_id).await?;
    let now = Utc::now();
    let mut am = blank(actor, account.currency, now);
    apply(&patch, &mut am)?;
    let created = am.insert(txn).await.on_unique(code_taken)?;
    if let (true, Some(items)) = (is_package, &patch.package_products) {
        replace_components(txn, actor, created.id, items).await?;
    }
    note(txn, actor, EventCode::ProductCreated, &created);
    Ok(created)
}

fn note(txn: &crate::db::WriteTxn, actor: &Actor, code: EventCode, p: &Model) {
    crate::domain_events::note(txn, actor.account_id, code, p.id, crate::domain_events::product_payload(p));
}

/// Updates the product with id `id`, or with code `code` (VosFactures' `find_by: code`).
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    key: ProductKey,
    patch: ProductPatch,
) -> DomainResult<Model> {
    actor.require_writer()?;
    patch.validate(false)?;
    let txn = begin_write(db).await?;
    let current = find(&txn, actor, &key).await?;
    let is_package = patch.package.unwrap_or(current.package);
    check_references(&txn, actor, &patch, Some(current.id), is_package).await?;
    if is_package && !current.package && patch.package_products.is_none() {
        return Err(DomainError::field("input.package_products", FieldCode::Required));
    }
    let id = current.id;
    let mut am: ActiveModel = current.into();
    apply(&patch, &mut am)?;
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await.on_unique(code_taken)?;
    match (is_package, &patch.package_products) {
        (true, Some(items)) => replace_components(&txn, actor, id, items).await?,
        (false, _) => replace_components(&txn, actor, id, &[]).await?,
        (true, None) => {}
    }
    note(&txn, actor, EventCode::ProductUpdated, &updated);
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a product. A product that is part of a package cannot be deleted.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = find(&txn, actor, &ProductKey::Id(id)).await?;
    let in_package = item::Entity::find_in(actor).filter(item::Column::ProductId.eq(id)).count(&txn).await?;
    if in_package > 0 {
        return Err(DomainError::conflict(ConflictKind::ProductInPackage, Some("id")));
    }
    Entity::delete_many().filter(Column::Id.eq(id)).in_account(actor).exec(&txn).await?;
    note(&txn, actor, EventCode::ProductDeleted, &current);
    txn.commit().await?;
    Ok(current)
}

/// How a product is named in a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProductKey {
    Id(Uuid),
    Code(String),
}

pub async fn find(db: &impl ConnectionTrait, actor: &Actor, key: &ProductKey) -> DomainResult<Model> {
    let q = Entity::find_in(actor);
    let q = match key {
        ProductKey::Id(id) => q.filter(Column::Id.eq(*id)),
        ProductKey::Code(code) => q.filter(Column::Code.eq(code.trim())),
    };
    q.one(db).await?.ok_or(DomainError::NotFound("product"))
}

pub fn tags_of(m: &Model) -> Vec<String> {
    crate::tags::from_json(&m.tag_list)
}

fn blank(actor: &Actor, currency: crate::Currency, now: chrono::DateTime<Utc>) -> ActiveModel {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        name: Set(String::new()),
        search_name: Set(String::new()),
        kind: Set("sell".into()),
        tax: Set(String::new()),
        currency: Set(currency),
        price_net: Set(None),
        price_gross: Set(None),
        price_tax: Set(None),
        purchase_tax: Set(None),
        purchase_price_net: Set(None),
        purchase_price_gross: Set(None),
        purchase_price_tax: Set(None),
        price_kind: Set(None),
        purchase_price_kind: Set(None),
        disabled: Set(false),
        service: Set(false),
        limited: Set(false),
        package: Set(false),
        use_oss: Set(false),
        is_delivery: Set(false),
        category_id: Set(None),
        department_id: Set(None),
        tag_list: Set("[]".into()),
        tag_keys: Set("[]".into()),
        stock_level: Set(None),
        quantity: Set(None),
        weight: Set(None),
        size_height: Set(None),
        size_width: Set(None),
        size: Set(None),
        code: Set(None),
        quantity_unit: Set(None),
        ean_code: Set(None),
        weight_unit: Set(None),
        size_unit: Set(None),
        supplier_code: Set(None),
        additional_info: Set(None),
        accounting_id: Set(None),
        accounting_id2: Set(None),
        accounting_tax_code: Set(None),
        accounting_tax_code_exp: Set(None),
        accounting_activity_code: Set(None),
        accounting_sheet_code: Set(None),
        description: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ean_check_digits() {
        assert!(is_valid_ean("4006381333931"));
        assert!(is_valid_ean("73513537"));
        assert!(!is_valid_ean("4006381333932"));
        assert!(!is_valid_ean("40063813339"));
        assert!(!is_valid_ean("400638133393a"));
    }

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn prices_derive_from_gross_or_net_and_must_agree() {
        let t: Tax = "20".parse().unwrap();
        let split = |n: &str, tx: &str, g: &str| UnitPrices { net: d(n), tax: d(tx), gross: d(g) };
        let (_, p) = resolve_prices("price", t, None, Some(Some(d("100"))), None).unwrap().unwrap();
        assert_eq!(p, split("83.33", "16.67", "100"));
        let (given, p) = resolve_prices("price", t, Some(Some(d("100"))), None, None).unwrap().unwrap();
        assert_eq!((kind_of(&given), p), ("net", split("100", "20.00", "120.00")));
        assert!(resolve_prices("price", t, Some(Some(d("80"))), Some(Some(d("100"))), None).is_err());
        assert!(resolve_prices("price", t, Some(Some(d("83.33"))), Some(Some(d("100"))), None).is_ok());
        // Tax changed, no price given: the price entered earlier is kept.
        let t10: Tax = "10".parse().unwrap();
        let (_, p) = resolve_prices("price", t10, None, None, Some(UnitPrice::Gross(d("100")))).unwrap().unwrap();
        assert_eq!(p.net, d("90.91"));
        let (_, p) = resolve_prices("price", t10, None, None, Some(UnitPrice::Net(d("100")))).unwrap().unwrap();
        assert_eq!((p.net, p.gross), (d("100"), d("110.00")));
        assert_eq!(resolve_prices("price", t, Some(None), Some(None), Some(UnitPrice::Net(d("1")))).unwrap(), None);
    }
}
