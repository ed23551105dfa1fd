//! Price lists ("Tarifs"): per-product prices that replace catalogue prices for the
//! contacts and documents that use them.
//!
//! A position is either a **fixed price** — `priceGross` or `priceNet` with its own tax
//! (`useTax: false` means no tax: net = gross) — or a **percentage** of the product's
//! catalogue gross price: `percentage` −10 means 10 % off, 5 means 5 % more. The seed
//! leaves the sign undefined; this is the reading where the number says what happens to
//! the price. Either way the three amounts come from `tax::unit_prices`.

use crate::db::begin_write;
use crate::error::{DomainError, DomainResult, FieldCode};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::price_list::{ActiveModel, Column, Entity, Model};
use crate::tables::{price_list_position as pos, product};
use crate::tax::{Tax, UnitPrice, UnitPrices, round2, unit_price, unit_prices};
use crate::tenant::Actor;
use crate::validation::{MAX_TEXT, Validator, clean, contains_text, search_key};
use chrono::Utc;
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use std::collections::HashMap;
use uuid::Uuid;

/// One product's price in a list, as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PositionInput {
    pub product_id: Uuid,
    pub use_percentage: bool,
    pub percentage: Option<Decimal>,
    pub price_net: Option<Decimal>,
    pub price_gross: Option<Decimal>,
    /// Default true: the position's tax (or the product's) applies.
    pub use_tax: Option<bool>,
    /// Default: the product's tax.
    pub tax: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct PriceListPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub currency: Option<String>,
    /// Replaces every position of the list.
    pub positions: Option<Vec<PositionInput>>,
}

impl PriceListPatch {
    fn validate(&self, creating: bool) -> DomainResult<()> {
        let mut v = Validator::new();
        v.name("input.name", self.name.as_deref(), creating);
        if let Some(Some(d)) = &self.description {
            v.max_len("input.description", d, MAX_TEXT);
        }
        if let Some(c) = &self.currency
            && !crate::accounts::is_currency_code(c)
        {
            v.push("input.currency", FieldCode::Rule("currency_code"));
        }
        for (i, p) in self.positions.iter().flatten().enumerate() {
            let f = |name: &str| format!("input.positions.{i}.{name}");
            if p.use_percentage {
                match p.percentage {
                    None => v.push(&f("percentage"), FieldCode::Required),
                    Some(x) if x < -Decimal::ONE_HUNDRED || x > Decimal::from(1000) => {
                        v.push(&f("percentage"), FieldCode::OutOfRange { min: -100, max: 1000 })
                    }
                    _ => {}
                }
            } else if p.price_net.is_none() && p.price_gross.is_none() {
                v.push(&f("price_gross"), FieldCode::Required);
            }
            for (name, price) in [("price_net", p.price_net), ("price_gross", p.price_gross)] {
                if price.is_some_and(|x| x < Decimal::ZERO) {
                    v.push(&f(name), FieldCode::OutOfRange { min: 0, max: i64::MAX });
                }
            }
            if let Some(t) = &p.tax
                && t.parse::<Tax>().is_err()
            {
                v.push(&f("tax"), FieldCode::Rule("tax_value"));
            }
            if self.positions.iter().flatten().take(i).any(|q| q.product_id == p.product_id) {
                v.push(&f("product_id"), FieldCode::Rule("duplicate_product"));
            }
        }
        v.finish()
    }
}

/// The tax a fixed-price position applies.
fn position_tax(use_tax: bool, tax: Option<&str>, product: &product::Model) -> Tax {
    if !use_tax {
        return Tax::Disabled;
    }
    tax.or(Some(product.tax.as_str())).and_then(|t| t.parse().ok()).unwrap_or(Tax::Disabled)
}

/// The product's price through a stored position.
fn price_through(p: &pos::Model, product: &product::Model) -> Option<UnitPrices> {
    let product_tax: Tax = product.tax.parse().ok()?;
    if p.use_percentage {
        let base = product.price_gross.map(Decimal::from)?;
        let factor = Decimal::ONE + p.percentage.map(Decimal::from)?.checked_div(Decimal::ONE_HUNDRED)?;
        return unit_prices(product_tax, UnitPrice::Gross(round2(base.checked_mul(factor)?))).ok();
    }
    Some(UnitPrices {
        net: p.price_net.map(Decimal::from)?,
        tax: p.price_tax.map(Decimal::from)?,
        gross: p.price_gross.map(Decimal::from)?,
    })
}

async fn products_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: &[Uuid],
) -> DomainResult<HashMap<Uuid, product::Model>> {
    let rows = product::Entity::find_in(actor).filter(product::Column::Id.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|p| (p.id, p)).collect())
}

async fn replace_positions(
    db: &impl ConnectionTrait,
    actor: &Actor,
    list: Uuid,
    items: &[PositionInput],
) -> DomainResult<()> {
    let ids: Vec<Uuid> = items.iter().map(|p| p.product_id).collect();
    let products = products_of(db, actor, &ids).await?;
    let mut v = Validator::new();
    for (i, p) in items.iter().enumerate() {
        if !products.contains_key(&p.product_id) {
            v.push(&format!("input.positions.{i}.product_id"), FieldCode::Rule("unknown_product"));
        }
    }
    v.finish()?;
    pos::Entity::delete_in(actor).filter(pos::Column::PriceListId.eq(list)).exec(db).await?;
    for (i, p) in items.iter().enumerate() {
        let product = &products[&p.product_id];
        let use_tax = p.use_tax.unwrap_or(true);
        let fixed = if p.use_percentage {
            None
        } else {
            let tax = position_tax(use_tax, p.tax.as_deref(), product);
            let given = match (p.price_gross, p.price_net) {
                (Some(g), _) => UnitPrice::Gross(g),
                (None, Some(n)) => UnitPrice::Net(n),
                (None, None) => unreachable!("validated: a fixed position has a price"),
            };
            let split = unit_prices(tax, given).map_err(|_| {
                DomainError::field(format!("input.positions.{i}.price_gross"), FieldCode::InvalidDecimal)
            })?;
            if let (Some(n), Some(_)) = (p.price_net, p.price_gross)
                && n != split.net
            {
                return Err(DomainError::field(
                    format!("input.positions.{i}.price_net"),
                    FieldCode::Rule("inconsistent_prices"),
                ));
            }
            Some(split)
        };
        pos::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(actor.account_id.0),
            price_list_id: Set(list),
            product_id: Set(p.product_id),
            use_percentage: Set(p.use_percentage),
            percentage: Set(p.percentage.filter(|_| p.use_percentage).map(|d| d.normalize().into())),
            price_net: Set(fixed.map(|u| unit_price(u.net))),
            price_gross: Set(fixed.map(|u| unit_price(u.gross))),
            price_tax: Set(fixed.map(|u| unit_price(u.tax))),
            use_tax: Set(use_tax),
            tax: Set(p.tax.as_deref().and_then(|t| t.parse::<Tax>().ok()).map(|t| t.to_string())),
            position: Set(i as i32),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("price_list"))
}

/// Refuses a price list id that is not one of the actor's account (named as `field`).
pub async fn require_in_account(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    field: &str,
) -> DomainResult<Model> {
    crate::error::referenced(get(db, actor, id).await, field, "unknown_price_list")
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, patch: PriceListPatch) -> DomainResult<Model> {
    actor.require_writer()?;
    patch.validate(true)?;
    let txn = begin_write(db).await?;
    let account = crate::accounts::find_account(&txn, actor.account_id).await?;
    let now = Utc::now();
    let name = patch.name.clone().unwrap_or_default();
    let list = ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        name: Set(name.trim().to_owned()),
        search_name: Set(search_key(&name)),
        description: Set(patch.description.clone().and_then(|d| clean(&d))),
        currency: Set(match &patch.currency {
            Some(c) => crate::Currency::given("input.currency", c)?,
            None => account.currency,
        }),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    replace_positions(&txn, actor, list.id, patch.positions.as_deref().unwrap_or_default()).await?;
    txn.commit().await?;
    Ok(list)
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: PriceListPatch) -> DomainResult<Model> {
    actor.require_writer()?;
    patch.validate(false)?;
    let txn = begin_write(db).await?;
    let mut am: ActiveModel = get(&txn, actor, id).await?.into();
    if let Some(n) = &patch.name {
        am.name = Set(n.trim().to_owned());
        am.search_name = Set(search_key(n));
    }
    if let Some(d) = &patch.description {
        am.description = Set(clean(d));
    }
    if let Some(c) = &patch.currency {
        am.currency = Set(crate::Currency::given("input.currency", c)?);
    }
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    if let Some(items) = &patch.positions {
        replace_positions(&txn, actor, id, items).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a price list; its contacts keep existing, without price list.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let current = get(db, actor, id).await?;
    let txn = begin_write(db).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).in_account(actor).exec(&txn).await?;
    txn.commit().await?;
    Ok(current)
}

/// Price lists by name; `ids` and `name` (a part, ignoring case and accents) filter them.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    ids: Option<&[Uuid]>,
    name: Option<&str>,
    page: PageRequest,
) -> DomainResult<Page<Model>> {
    let mut q = Entity::find_in(actor);
    if let Some(ids) = ids {
        q = q.filter(Column::Id.is_in(ids.iter().copied()));
    }
    if let Some(term) = name.map(search_key).filter(|s| !s.is_empty()) {
        q = q.filter(contains_text(Column::SearchName, &term));
    }
    crate::pagination::fetch(db, q, |q| q.order_by_asc(Column::SearchName).order_by_asc(Column::Id), page).await
}

pub async fn positions(db: &impl ConnectionTrait, actor: &Actor, list: Uuid) -> DomainResult<Vec<pos::Model>> {
    Ok(pos::Entity::find_in(actor)
        .filter(pos::Column::PriceListId.eq(list))
        .order_by_asc(pos::Column::Position)
        .all(db)
        .await?)
}

/// A product's price as a price list gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedPrice {
    pub product_id: Uuid,
    pub prices: Option<UnitPrices>,
    pub tax: String,
    pub currency: crate::Currency,
    pub category_id: Option<Uuid>,
    /// False when the list has no position for the product: its catalogue price applies.
    pub from_price_list: bool,
}

/// The seed's `prices_for_products`: each product's price in the list, or its catalogue
/// price when the list does not name it. Products of other accounts are not found.
pub async fn prices_for_products(
    db: &DatabaseConnection,
    actor: &Actor,
    list: Uuid,
    product_ids: &[Uuid],
) -> DomainResult<Vec<ListedPrice>> {
    prices_for_products_in(db, actor, list, product_ids).await
}

/// `prices_for_products` on any connection (a document's transaction).
pub async fn prices_for_products_in(
    db: &impl ConnectionTrait,
    actor: &Actor,
    list: Uuid,
    product_ids: &[Uuid],
) -> DomainResult<Vec<ListedPrice>> {
    let price_list = get(db, actor, list).await?;
    let products = products_of(db, actor, product_ids).await?;
    let positions: HashMap<Uuid, pos::Model> =
        positions(db, actor, list).await?.into_iter().map(|p| (p.product_id, p)).collect();
    let mut out = Vec::new();
    for (i, id) in product_ids.iter().enumerate() {
        let product = products
            .get(id)
            .ok_or_else(|| DomainError::field(format!("product_ids.{i}"), FieldCode::Rule("unknown_product")))?;
        let listed = positions.get(id);
        let (prices, tax) = match listed {
            Some(p) => {
                let tax = if p.use_percentage {
                    product.tax.clone()
                } else {
                    position_tax(p.use_tax, p.tax.as_deref(), product).to_string()
                };
                (price_through(p, product), tax)
            }
            None => {
                let catalogue = match (
                    product.price_net.map(Decimal::from),
                    product.price_tax.map(Decimal::from),
                    product.price_gross.map(Decimal::from),
                ) {
                    (Some(net), Some(tax), Some(gross)) => Some(UnitPrices { net, tax, gross }),
                    _ => None,
                };
                (catalogue, product.tax.clone())
            }
        };
        // A fixed price is in the list's currency; a percentage derives from the catalogue
        // price, so it is in the product's.
        let fixed = listed.is_some_and(|p| !p.use_percentage);
        out.push(ListedPrice {
            product_id: *id,
            prices,
            tax,
            currency: if fixed { price_list.currency } else { product.currency },
            category_id: product.category_id,
            from_price_list: listed.is_some(),
        });
    }
    Ok(out)
}
