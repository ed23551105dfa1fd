//! Price lists ("Tarifs") over GraphQL, and `pricesForProducts`.

use super::context::{CtxExt, ResultExt, maybe, parse_id, parse_ids};
use super::pagination::Page;
use super::scalars::Decimal;
use async_graphql::{ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::DomainError;
use entity::price_lists::{PositionInput, PriceListPatch};
use entity::tables::{price_list::Model, price_list_position};

/// A price list: per-product prices replacing catalogue prices for the contacts and
/// documents that use it.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct PriceList {
    pub id: ID,
    pub name: String,
    pub description: Option<String>,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub uuid: uuid::Uuid,
}

impl From<Model> for PriceList {
    fn from(m: Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            uuid: m.id,
            name: m.name,
            description: m.description,
            currency: m.currency.to_string(),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One product's price in a list: fixed (`priceNet`/`priceGross`/`priceTax`), or a
/// `percentage` change of its catalogue gross price (−10 = 10 % off).
#[derive(SimpleObject, Clone)]
pub struct PriceListPosition {
    pub id: ID,
    pub product_id: ID,
    pub use_percentage: bool,
    pub percentage: Option<Decimal>,
    pub price_net: Option<Decimal>,
    pub price_gross: Option<Decimal>,
    pub price_tax: Option<Decimal>,
    /// `false`: no tax (net = gross).
    pub use_tax: bool,
    /// The position's own tax; the product's when unset.
    pub tax: Option<String>,
}

impl From<price_list_position::Model> for PriceListPosition {
    fn from(m: price_list_position::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            product_id: ID(m.product_id.to_string()),
            use_percentage: m.use_percentage,
            percentage: m.percentage.map(Into::into),
            price_net: m.price_net.map(Into::into),
            price_gross: m.price_gross.map(Into::into),
            price_tax: m.price_tax.map(Into::into),
            use_tax: m.use_tax,
            tax: m.tax,
        }
    }
}

#[ComplexObject]
impl PriceList {
    async fn positions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PriceListPosition>> {
        let actor = ctx.actor()?;
        let rows = entity::price_lists::positions(&ctx.app().db, actor, self.uuid).await.gql(ctx)?;
        Ok(rows.into_iter().map(PriceListPosition::from).collect())
    }
}

#[derive(InputObject)]
pub struct PriceListPositionInput {
    pub product_id: ID,
    /// `true`: the price is `percentage` % more (or less, when negative) than the
    /// product's catalogue price.
    #[graphql(default)]
    pub use_percentage: bool,
    pub percentage: Option<Decimal>,
    /// A fixed price: give `priceGross` or `priceNet` (both only if they agree).
    pub price_net: Option<Decimal>,
    pub price_gross: Option<Decimal>,
    /// Default `true`.
    pub use_tax: Option<bool>,
    /// Default: the product's tax.
    pub tax: Option<String>,
}

/// `name` is required on creation. `positions`, when given, replace all positions.
#[derive(InputObject, Default)]
pub struct PriceListInput {
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
    /// Default: the account's currency.
    pub currency: Option<String>,
    pub positions: Option<Vec<PriceListPositionInput>>,
}

impl PriceListInput {
    fn into_patch(self) -> Result<PriceListPatch, DomainError> {
        let positions = match self.positions {
            None => None,
            Some(items) => Some(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| {
                        Ok(PositionInput {
                            product_id: parse_id(&format!("input.positions.{i}.product_id"), &p.product_id)?,
                            use_percentage: p.use_percentage,
                            percentage: p.percentage.map(|d| d.0),
                            price_net: p.price_net.map(|d| d.0),
                            price_gross: p.price_gross.map(|d| d.0),
                            use_tax: p.use_tax,
                            tax: p.tax,
                        })
                    })
                    .collect::<Result<Vec<_>, DomainError>>()?,
            ),
        };
        Ok(PriceListPatch {
            name: self.name,
            description: maybe(self.description, |d| d),
            currency: self.currency,
            positions,
        })
    }
}

#[derive(InputObject, Default)]
pub struct PriceListFilterInput {
    pub ids: Option<Vec<ID>>,
    /// Part of the name, ignoring case and accents.
    pub name: Option<String>,
}

/// A product's price in a list (`fromPriceList: false`: the list does not name the
/// product and its catalogue price applies).
#[derive(SimpleObject)]
pub struct ProductPrice {
    pub product_id: ID,
    pub price_net: Option<Decimal>,
    pub price_gross: Option<Decimal>,
    pub price_tax: Option<Decimal>,
    pub tax: String,
    pub currency: String,
    pub category_id: Option<ID>,
    pub from_price_list: bool,
}

#[derive(Default)]
pub struct PriceListQuery;

#[Object]
impl PriceListQuery {
    /// Price lists of the current account, by name; `perPage` at most 100.
    async fn price_lists(
        &self,
        ctx: &Context<'_>,
        filter: Option<PriceListFilterInput>,
        page: Option<i32>,
        per_page: Option<i32>,
    ) -> async_graphql::Result<Page<PriceList>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let f = filter.unwrap_or_default();
        let ids = f.ids.as_deref().map(|ids| parse_ids("filter.ids", ids)).transpose().gql(ctx)?;
        let result =
            entity::price_lists::list(&ctx.app().db, actor, ids.as_deref(), f.name.as_deref(), page).await.gql(ctx)?;
        Ok(Page::from_domain(result))
    }

    async fn price_list(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PriceList> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::price_lists::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// The prices of some products in a price list (at most 100 products).
    async fn prices_for_products(
        &self,
        ctx: &Context<'_>,
        price_list_id: ID,
        #[graphql(validator(max_items = 100))] product_ids: Vec<ID>,
    ) -> async_graphql::Result<Vec<ProductPrice>> {
        let actor = ctx.actor()?;
        let list = parse_id("price_list_id", &price_list_id).gql(ctx)?;
        let ids = parse_ids("product_ids", &product_ids).gql(ctx)?;
        let prices = entity::price_lists::prices_for_products(&ctx.app().db, actor, list, &ids).await.gql(ctx)?;
        Ok(prices
            .into_iter()
            .map(|p| ProductPrice {
                product_id: ID(p.product_id.to_string()),
                price_net: p.prices.map(|u| Decimal(u.net)),
                price_gross: p.prices.map(|u| Decimal(u.gross)),
                price_tax: p.prices.map(|u| Decimal(u.tax)),
                tax: p.tax,
                currency: p.currency.to_string(),
                category_id: p.category_id.map(|c| ID(c.to_string())),
                from_price_list: p.from_price_list,
            })
            .collect())
    }
}

#[derive(Default)]
pub struct PriceListMutation;

#[Object]
impl PriceListMutation {
    async fn create_price_list(&self, ctx: &Context<'_>, input: PriceListInput) -> async_graphql::Result<PriceList> {
        let actor = ctx.actor()?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::price_lists::create(&ctx.app().db, actor, patch).await.gql(ctx)?.into())
    }

    async fn update_price_list(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PriceListInput,
    ) -> async_graphql::Result<PriceList> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::price_lists::update(&ctx.app().db, actor, id, patch).await.gql(ctx)?.into())
    }

    /// Deletes a price list; its contacts stay, without price list.
    async fn delete_price_list(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<PriceList> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::price_lists::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
