//! Payments ("Paiements") over GraphQL: `createPayment`, `updatePayment`, `deletePayment`,
//! `payment`, `payments`. Field names are the seed's in camelCase; `invoices` is the seed's
//! `include=invoices`, and `Invoice.payments` its `connected_payments`.

use super::context::{CtxExt, ResultExt, maybe, maybe_id, parse_id, parse_ids};
use super::documents::{Invoice, Period};
use super::pagination::Page;
use super::scalars::{Date, Decimal};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::DomainError;
use entity::payments::{PaymentFilter, PaymentPatch};
use entity::tables::payment_allocation;

/// The part of a payment applied to one document.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct PaymentAllocation {
    pub payment_id: ID,
    pub invoice_id: ID,
    /// What the payment gave to the document (zero while the payment is not paid).
    pub amount: Decimal,
    #[graphql(skip)]
    pub row: payment_allocation::Model,
}

impl From<payment_allocation::Model> for PaymentAllocation {
    fn from(a: payment_allocation::Model) -> Self {
        Self {
            payment_id: ID(a.payment_id.to_string()),
            invoice_id: ID(a.document_id.to_string()),
            amount: a.amount.into(),
            row: a,
        }
    }
}

#[ComplexObject]
impl PaymentAllocation {
    async fn invoice(&self, ctx: &Context<'_>) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        Ok(entity::documents::get(&ctx.app().db, actor, self.row.document_id).await.gql(ctx)?.into())
    }

    async fn payment(&self, ctx: &Context<'_>) -> async_graphql::Result<Payment> {
        let actor = ctx.actor()?;
        Ok(entity::payments::get(&ctx.app().db, actor, self.row.payment_id).await.gql(ctx)?.into())
    }
}

/// The payments applied to a document, oldest first (`Invoice.payments`).
pub async fn of_invoice(ctx: &Context<'_>, document_id: uuid::Uuid) -> async_graphql::Result<Vec<PaymentAllocation>> {
    let actor = ctx.actor()?;
    let rows = entity::payments::allocations_to_document(&ctx.app().db, actor, document_id).await.gql(ctx)?;
    Ok(rows.into_iter().map(PaymentAllocation::from).collect())
}

macro_rules! payment_types {
    ($(($f:ident, $lim:ident)),*) => {
        /// Money received (or expected, `paid: false`) and the documents it pays.
        #[derive(SimpleObject, Clone)]
        #[graphql(complex)]
        pub struct Payment {
            pub id: ID,
            pub price: Decimal,
            pub currency: String,
            /// When the money was received.
            pub paid_date: Option<Date>,
            pub paid: bool,
            /// The payment's origin (`api` when added through the API).
            pub kind: String,
            pub department_id: Option<ID>,
            /// The payer's contact.
            pub client_id: Option<ID>,
            /// The product behind a payment-widget payment.
            pub product_id: Option<ID>,
            pub quantity: Option<Decimal>,
            $(pub $f: Option<String>,)*
            /// What is left of `price` after its invoices were paid.
            pub unallocated: Decimal,
            /// The documents the payment is applied to, in the order they were given.
            pub invoices: Vec<PaymentAllocation>,
            pub created_at: DateTime<Utc>,
            pub updated_at: DateTime<Utc>,
        }

        impl From<entity::payments::Payment> for Payment {
            fn from(p: entity::payments::Payment) -> Self {
                let unallocated = Decimal(p.unallocated());
                let m = p.model;
                Self {
                    id: ID(m.id.to_string()),
                    price: m.price.into(),
                    currency: m.currency.to_string(),
                    paid_date: m.paid_date.map(Date),
                    paid: m.paid,
                    kind: m.kind,
                    department_id: m.department_id.map(|d| ID(d.to_string())),
                    client_id: m.client_id.map(|d| ID(d.to_string())),
                    product_id: m.product_id.map(|d| ID(d.to_string())),
                    quantity: m.quantity.map(Into::into),
                    $($f: m.$f,)*
                    unallocated,
                    invoices: p.allocations.into_iter().map(PaymentAllocation::from).collect(),
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                }
            }
        }

        /// A payment to record or change. On update, an absent field is left as it is and
        /// `null` clears it; naming invoices replaces the payment's invoices, and the
        /// payment is applied again either way.
        #[derive(InputObject, Default)]
        pub struct PaymentInput {
            /// Required on creation: positive, at most two decimals.
            pub price: Option<Decimal>,
            /// Default: the first invoice's currency, else the account's.
            pub currency: Option<String>,
            /// Default `true`.
            pub paid: Option<bool>,
            /// Default, when paid: today in the account's time zone.
            pub paid_date: MaybeUndefined<Date>,
            /// Default `api`.
            pub kind: Option<String>,
            /// The invoice that receives the payment (`null` unlinks every invoice).
            pub invoice_id: MaybeUndefined<ID>,
            /// Several invoices: the amount is applied to them in this order.
            #[graphql(validator(max_items = 100))]
            pub invoice_ids: Option<Vec<ID>>,
            /// Default: the first invoice's department.
            pub department_id: MaybeUndefined<ID>,
            /// Default: the first invoice's contact.
            pub client_id: MaybeUndefined<ID>,
            pub product_id: MaybeUndefined<ID>,
            pub quantity: MaybeUndefined<Decimal>,
            $(pub $f: MaybeUndefined<String>,)*
        }

        impl PaymentInput {
            fn into_patch(self) -> Result<PaymentPatch, DomainError> {
                let invoice_ids = self.invoice_ids.as_deref().map(|ids| parse_ids("input.invoice_ids", ids)).transpose()?;
                Ok(PaymentPatch {
                    price: self.price.map(|d| d.0),
                    currency: self.currency,
                    paid: self.paid,
                    paid_date: maybe(self.paid_date, |d| d.0),
                    kind: self.kind,
                    invoice_id: maybe_id("input.invoice_id", self.invoice_id)?,
                    invoice_ids,
                    department_id: maybe_id("input.department_id", self.department_id)?,
                    client_id: maybe_id("input.client_id", self.client_id)?,
                    product_id: maybe_id("input.product_id", self.product_id)?,
                    quantity: maybe(self.quantity, |d| d.0),
                    $($f: maybe(self.$f, |s| s),)*
                })
            }
        }
    };
}
entity::payment_text_fields!(payment_types);

#[derive(InputObject, Default)]
#[graphql(name = "PaymentFilter")]
pub struct PaymentFilterInput {
    /// On the payment date. Without it (and without dates) every payment is listed, dated or not.
    pub period: Option<Period>,
    /// With `period: MORE`, or alone.
    pub date_from: Option<Date>,
    pub date_to: Option<Date>,
    pub client_id: Option<ID>,
    /// Payments applied to this document.
    pub invoice_id: Option<ID>,
    pub department_id: Option<ID>,
    pub paid: Option<bool>,
    pub kind: Option<String>,
}

impl PaymentFilterInput {
    fn into_domain(self) -> Result<PaymentFilter, DomainError> {
        let id = |field: &str, v: Option<ID>| v.map(|i| parse_id(field, &i)).transpose();
        Ok(PaymentFilter {
            period: self.period.map(Into::into),
            date_from: self.date_from.map(|d| d.0),
            date_to: self.date_to.map(|d| d.0),
            client_id: id("filter.client_id", self.client_id)?,
            invoice_id: id("filter.invoice_id", self.invoice_id)?,
            department_id: id("filter.department_id", self.department_id)?,
            paid: self.paid,
            kind: self.kind,
        })
    }
}

/// Newest payment date first by default; undated payments come last either way.
#[derive(Enum, Copy, Clone, Debug, Default, PartialEq, Eq)]
#[graphql(remote = "entity::payments::PaymentOrder")]
pub enum PaymentOrder {
    PaidDate,
    #[default]
    PaidDateDesc,
    Price,
    PriceDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

#[derive(Default)]
pub struct PaymentQuery;

#[Object]
impl PaymentQuery {
    async fn payment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Payment> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::payments::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// Payments of the current account; `perPage` at most 100.
    async fn payments(
        &self,
        ctx: &Context<'_>,
        filter: Option<PaymentFilterInput>,
        page: Option<i32>,
        per_page: Option<i32>,
        order: Option<PaymentOrder>,
    ) -> async_graphql::Result<Page<Payment>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let filter = filter.unwrap_or_default().into_domain().gql(ctx)?;
        let result = entity::payments::list(&ctx.app().db, actor, &filter, order.unwrap_or_default().into(), page)
            .await
            .gql(ctx)?;
        Ok(Page::from_domain(result))
    }
}

#[derive(Default)]
pub struct PaymentMutation;

#[ComplexObject]
impl Payment {
    /// The payment's seal in the account's payments chain, once paid (money received is
    /// sealed and frozen); null while it is not paid.
    async fn certification(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<super::certification::Certification>> {
        if !self.paid {
            return Ok(None);
        }
        let id = super::context::parse_id("id", &self.id).gql(ctx)?;
        super::certification::of(ctx, entity::ledger::store::Chain::Payments, id).await.map(Some)
    }
}

#[Object]
impl PaymentMutation {
    /// Records a payment and applies it to its invoices in order.
    async fn create_payment(&self, ctx: &Context<'_>, input: PaymentInput) -> async_graphql::Result<Payment> {
        let actor = ctx.actor()?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::payments::create(&ctx.app().db, actor, patch).await.gql(ctx)?.into())
    }

    /// Changes a payment and applies it again; invoices it no longer pays are recomputed.
    async fn update_payment(&self, ctx: &Context<'_>, id: ID, input: PaymentInput) -> async_graphql::Result<Payment> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::payments::update(&ctx.app().db, actor, id, patch).await.gql(ctx)?.into())
    }

    /// Deletes a payment; what it paid is taken back from its invoices.
    async fn delete_payment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Payment> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::payments::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
