//! Products over GraphQL: every field of VosFactures' "Champs fiche produit" in camelCase,
//! find and update by `code`, packages, the `disabled` filter.

use super::context::{CtxExt, ResultExt, maybe, maybe_id, parse_id};
use super::pagination::Page;
use super::scalars::Decimal;
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::products::{PackageComponent, ProductFilter, ProductKey, ProductPatch};
use entity::tables::product::Model;
use entity::{DomainError, FieldCode};

/// A component of a package.
#[derive(SimpleObject, Clone)]
pub struct PackageProduct {
    pub product_id: ID,
    pub quantity: Decimal,
}

#[derive(InputObject)]
pub struct PackageProductInput {
    pub product_id: ID,
    pub quantity: Decimal,
}

macro_rules! product_types {
    ($(($f:ident, $lim:ident)),*) => {
        /// A product or service of the catalogue. Unit prices: the gross one is primary,
        /// the net one is derived from it and the tax rate (or the reverse when only a net
        /// price was given), and `priceTax` is their difference.
        #[derive(SimpleObject, Clone)]
        #[graphql(complex)]
        pub struct Product {
            pub id: ID,
            pub name: String,
            /// `sell`, `buy` or `both`.
            pub kind: String,
            /// Sales tax: a rate in percent (`"20"`, `"5.5"`) or `disabled`, `np`, `zw`.
            pub tax: String,
            pub currency: String,
            pub price_net: Option<Decimal>,
            pub price_gross: Option<Decimal>,
            pub price_tax: Option<Decimal>,
            /// Purchase tax; the sales tax when unset.
            pub purchase_tax: Option<String>,
            pub purchase_price_net: Option<Decimal>,
            pub purchase_price_gross: Option<Decimal>,
            pub purchase_price_tax: Option<Decimal>,
            /// Inactive products are listed only with `filter: { disabled: true }`.
            pub disabled: bool,
            pub service: bool,
            /// The "quantity restriction" option.
            pub limited: bool,
            /// A package ("lot") made of other products (`packageProducts`).
            pub package: bool,
            /// Subject to OSS VAT (VosFactures' `use_moss`).
            pub use_oss: bool,
            /// The product is a delivery fee.
            pub is_delivery: bool,
            pub category_id: Option<ID>,
            pub department_id: Option<ID>,
            pub tag_list: Vec<String>,
            pub stock_level: Option<Decimal>,
            /// Default quantity sold.
            pub quantity: Option<Decimal>,
            pub weight: Option<Decimal>,
            pub size_height: Option<Decimal>,
            pub size_width: Option<Decimal>,
            /// Length.
            pub size: Option<Decimal>,
            $(pub $f: Option<String>,)*
            pub created_at: DateTime<Utc>,
            pub updated_at: DateTime<Utc>,
            #[graphql(skip)]
            pub uuid: uuid::Uuid,
        }

        impl From<Model> for Product {
            fn from(m: Model) -> Self {
                let tag_list = entity::products::tags_of(&m);
                Self {
                    id: ID(m.id.to_string()),
                    uuid: m.id,
                    name: m.name,
                    kind: m.kind,
                    tax: m.tax,
                    currency: m.currency.to_string(),
                    price_net: m.price_net.map(Into::into),
                    price_gross: m.price_gross.map(Into::into),
                    price_tax: m.price_tax.map(Into::into),
                    purchase_tax: m.purchase_tax,
                    purchase_price_net: m.purchase_price_net.map(Into::into),
                    purchase_price_gross: m.purchase_price_gross.map(Into::into),
                    purchase_price_tax: m.purchase_price_tax.map(Into::into),
                    disabled: m.disabled,
                    service: m.service,
                    limited: m.limited,
                    package: m.package,
                    use_oss: m.use_oss,
                    is_delivery: m.is_delivery,
                    category_id: m.category_id.map(|c| ID(c.to_string())),
                    department_id: m.department_id.map(|c| ID(c.to_string())),
                    tag_list,
                    stock_level: m.stock_level.map(Into::into),
                    quantity: m.quantity.map(Into::into),
                    weight: m.weight.map(Into::into),
                    size_height: m.size_height.map(Into::into),
                    size_width: m.size_width.map(Into::into),
                    size: m.size.map(Into::into),
                    $($f: m.$f,)*
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                }
            }
        }

        /// Fields of a product. On update an absent field stays and `null` clears it.
        /// `name` is required on creation; `tax` defaults to the main department's
        /// default tax. Give `priceGross` or `priceNet` (both only if they agree).
        #[derive(InputObject, Default)]
        pub struct ProductInput {
            pub name: Option<String>,
            /// `sell` (default), `buy` or `both`.
            pub kind: Option<String>,
            pub tax: Option<String>,
            /// Default: the account's currency.
            pub currency: Option<String>,
            pub price_net: MaybeUndefined<Decimal>,
            pub price_gross: MaybeUndefined<Decimal>,
            pub purchase_tax: MaybeUndefined<String>,
            pub purchase_price_net: MaybeUndefined<Decimal>,
            pub purchase_price_gross: MaybeUndefined<Decimal>,
            pub package: Option<bool>,
            /// The components of a package, replacing the previous ones.
            pub package_products: Option<Vec<PackageProductInput>>,
            pub category_id: MaybeUndefined<ID>,
            pub department_id: MaybeUndefined<ID>,
            /// Replaces the product's tags.
            pub tag_list: Option<Vec<String>>,
            pub disabled: Option<bool>,
            pub service: Option<bool>,
            pub limited: Option<bool>,
            pub use_oss: Option<bool>,
            pub is_delivery: Option<bool>,
            pub stock_level: MaybeUndefined<Decimal>,
            pub quantity: MaybeUndefined<Decimal>,
            pub weight: MaybeUndefined<Decimal>,
            pub size_height: MaybeUndefined<Decimal>,
            pub size_width: MaybeUndefined<Decimal>,
            pub size: MaybeUndefined<Decimal>,
            $(pub $f: MaybeUndefined<String>,)*
        }

        impl ProductInput {
            fn into_patch(self) -> Result<ProductPatch, DomainError> {
                let package_products = match self.package_products {
                    None => None,
                    Some(items) => Some(
                        items
                            .into_iter()
                            .enumerate()
                            .map(|(i, c)| {
                                Ok(PackageComponent {
                                    product_id: parse_id(&format!("input.package_products.{i}.product_id"), &c.product_id)?,
                                    quantity: c.quantity.0,
                                })
                            })
                            .collect::<Result<Vec<_>, DomainError>>()?,
                    ),
                };
                Ok(ProductPatch {
                    name: self.name,
                    kind: self.kind,
                    tax: self.tax,
                    currency: self.currency,
                    price_net: maybe(self.price_net, |d| d.0),
                    price_gross: maybe(self.price_gross, |d| d.0),
                    purchase_tax: maybe(self.purchase_tax, |s| s),
                    purchase_price_net: maybe(self.purchase_price_net, |d| d.0),
                    purchase_price_gross: maybe(self.purchase_price_gross, |d| d.0),
                    package: self.package,
                    package_products,
                    category_id: maybe_id("input.category_id", self.category_id)?,
                    department_id: maybe_id("input.department_id", self.department_id)?,
                    tag_list: self.tag_list,
                    disabled: self.disabled,
                    service: self.service,
                    limited: self.limited,
                    use_oss: self.use_oss,
                    is_delivery: self.is_delivery,
                    stock_level: maybe(self.stock_level, |d| d.0),
                    quantity: maybe(self.quantity, |d| d.0),
                    weight: maybe(self.weight, |d| d.0),
                    size_height: maybe(self.size_height, |d| d.0),
                    size_width: maybe(self.size_width, |d| d.0),
                    size: maybe(self.size, |d| d.0),
                    $($f: maybe(self.$f, |s| s),)*
                })
            }
        }
    };
}
entity::product_text_fields!(product_types);

#[ComplexObject]
impl Product {
    /// The components of a package, in order (empty for other products).
    async fn package_products(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PackageProduct>> {
        if !self.package {
            return Ok(Vec::new());
        }
        let actor = ctx.actor()?;
        let items = entity::products::components(&ctx.app().db, actor, self.uuid).await.gql(ctx)?;
        Ok(items
            .into_iter()
            .map(|c| PackageProduct { product_id: ID(c.product_id.to_string()), quantity: Decimal(c.quantity) })
            .collect())
    }
}

/// Exactly one of `id` and `code` names a product.
fn key(id: Option<ID>, code: Option<String>) -> Result<ProductKey, DomainError> {
    match (id, code) {
        (Some(id), None) => Ok(ProductKey::Id(parse_id("id", &id)?)),
        (None, Some(code)) if !code.trim().is_empty() => Ok(ProductKey::Code(code)),
        _ => Err(DomainError::field("id", FieldCode::Rule("id_or_code"))),
    }
}

#[derive(InputObject, Default)]
pub struct ProductFilterInput {
    /// Part of the name or code (case and accents ignored).
    pub name: Option<String>,
    /// Exact code.
    pub code: Option<String>,
    /// `false` (default): active products; `true`: inactive ones.
    pub disabled: Option<bool>,
    /// `sell` or `buy`; products of kind `both` match either.
    pub kind: Option<String>,
    pub category_id: Option<ID>,
    pub tag: Option<String>,
}

#[derive(Enum, Copy, Clone, Default, PartialEq, Eq)]
#[graphql(remote = "entity::products::ProductOrder")]
pub enum ProductOrderBy {
    #[default]
    Name,
    NameDesc,
    Code,
    CodeDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// Products of the current account; `perPage` at most 100.
    async fn products(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductFilterInput>,
        page: Option<i32>,
        per_page: Option<i32>,
        order: Option<ProductOrderBy>,
    ) -> async_graphql::Result<Page<Product>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let f = filter.unwrap_or_default();
        let category_id = match &f.category_id {
            Some(id) => Some(parse_id("filter.category_id", id).gql(ctx)?),
            None => None,
        };
        let filter =
            ProductFilter { name: f.name, code: f.code, disabled: f.disabled, kind: f.kind, category_id, tag: f.tag };
        let result = entity::products::list(&ctx.app().db, actor, &filter, order.unwrap_or_default().into(), page)
            .await
            .gql(ctx)?;
        Ok(Page::from_domain(result))
    }

    /// A product by `id` or by `code`.
    async fn product(&self, ctx: &Context<'_>, id: Option<ID>, code: Option<String>) -> async_graphql::Result<Product> {
        let actor = ctx.actor()?;
        let key = key(id, code).gql(ctx)?;
        Ok(entity::products::find(&ctx.app().db, actor, &key).await.gql(ctx)?.into())
    }
}

#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    async fn create_product(&self, ctx: &Context<'_>, input: ProductInput) -> async_graphql::Result<Product> {
        let actor = ctx.actor()?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::products::create(&ctx.app().db, actor, patch).await.gql(ctx)?.into())
    }

    /// Updates the product named by `id` or by `code` (VosFactures' `find_by: code`).
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        code: Option<String>,
        input: ProductInput,
    ) -> async_graphql::Result<Product> {
        let actor = ctx.actor()?;
        let key = key(id, code).gql(ctx)?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::products::update(&ctx.app().db, actor, key, patch).await.gql(ctx)?.into())
    }

    /// Deletes a product that is not part of a package. Returns the deleted product.
    async fn delete_product(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Product> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::products::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
