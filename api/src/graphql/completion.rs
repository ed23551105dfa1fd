//! "Invoice to complete" for its buyer, without login: the public link's token is the
//! credential (256 random bits). `invoiceToComplete(token)` shows the invoice waiting for
//! the buyer's details; `completeInvoice(token, input)` validates them, which issues the
//! invoice. Only what the buyer needs is exposed.

use super::context::{CtxExt, ResultExt};
use super::scalars::{Date, Decimal};
use async_graphql::{Context, InputObject, Object, SimpleObject};
use entity::documents::BuyerInput;
use entity::tables::{document, document_position};

#[derive(SimpleObject)]
pub struct PublicPosition {
    pub name: String,
    pub description: Option<String>,
    pub quantity: Decimal,
    pub quantity_unit: Option<String>,
    pub tax: String,
    pub price_net: Decimal,
    pub price_gross: Decimal,
    pub total_price_net: Decimal,
    pub total_price_gross: Decimal,
}

/// An invoice as its buyer sees it through the public link.
#[derive(SimpleObject)]
pub struct PublicInvoice {
    /// Given once the buyer has validated (the invoice is then issued).
    pub number: Option<String>,
    pub completed: bool,
    pub issue_date: Date,
    pub currency: String,
    pub lang: String,
    pub seller_name: Option<String>,
    pub seller_tax_no: Option<String>,
    pub seller_street: Option<String>,
    pub seller_post_code: Option<String>,
    pub seller_city: Option<String>,
    pub seller_country: Option<String>,
    pub buyer_name: Option<String>,
    pub buyer_first_name: Option<String>,
    pub buyer_last_name: Option<String>,
    pub buyer_company: bool,
    pub buyer_tax_no: Option<String>,
    pub buyer_street: Option<String>,
    pub buyer_post_code: Option<String>,
    pub buyer_city: Option<String>,
    pub buyer_country: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_phone: Option<String>,
    pub price_net: Decimal,
    pub price_tax: Decimal,
    pub price_gross: Decimal,
    pub positions: Vec<PublicPosition>,
    /// The invoice's public page, once issued.
    pub view_url: String,
}

fn public(m: document::Model, lines: Vec<document_position::Model>) -> PublicInvoice {
    PublicInvoice {
        number: m.number.clone(),
        completed: m.completed_at.is_some(),
        issue_date: Date(m.issue_date),
        currency: m.currency.to_string(),
        lang: m.lang.clone(),
        seller_name: m.seller_name.clone(),
        seller_tax_no: m.seller_tax_no.clone(),
        seller_street: m.seller_street.clone(),
        seller_post_code: m.seller_post_code.clone(),
        seller_city: m.seller_city.clone(),
        seller_country: m.seller_country.clone(),
        buyer_name: m.buyer_name.clone(),
        buyer_first_name: m.buyer_first_name.clone(),
        buyer_last_name: m.buyer_last_name.clone(),
        buyer_company: m.buyer_company,
        buyer_tax_no: m.buyer_tax_no.clone(),
        buyer_street: m.buyer_street.clone(),
        buyer_post_code: m.buyer_post_code.clone(),
        buyer_city: m.buyer_city.clone(),
        buyer_country: m.buyer_country.clone(),
        buyer_email: m.buyer_email.clone(),
        buyer_phone: m.buyer_phone.clone(),
        price_net: m.price_net.into(),
        price_tax: m.price_tax.into(),
        price_gross: m.price_gross.into(),
        positions: lines
            .into_iter()
            .map(|p| PublicPosition {
                name: p.name,
                description: p.description,
                quantity: p.quantity.into(),
                quantity_unit: p.quantity_unit,
                tax: p.tax,
                price_net: p.price_net.into(),
                price_gross: p.price_gross.into(),
                total_price_net: p.total_price_net.into(),
                total_price_gross: p.total_price_gross.into(),
            })
            .collect(),
        view_url: format!("/view/{}", m.view_token),
    }
}

/// The buyer's details, as they validate them.
#[derive(InputObject)]
pub struct CompletionInput {
    pub buyer_name: Option<String>,
    pub buyer_first_name: Option<String>,
    pub buyer_last_name: Option<String>,
    /// A business (default) or a private individual.
    pub buyer_company: Option<bool>,
    pub buyer_tax_no: Option<String>,
    pub buyer_tax_no_kind: Option<String>,
    pub buyer_street: Option<String>,
    pub buyer_post_code: Option<String>,
    pub buyer_city: Option<String>,
    pub buyer_country: Option<String>,
    pub buyer_email: Option<String>,
    pub buyer_phone: Option<String>,
}

#[derive(Default)]
pub struct CompletionQuery;

#[Object]
impl CompletionQuery {
    /// The invoice waiting for its buyer behind this public link (no login).
    async fn invoice_to_complete(&self, ctx: &Context<'_>, token: String) -> async_graphql::Result<PublicInvoice> {
        let (doc, lines) = entity::documents::completion::to_complete(&ctx.app().db, &token).await.gql(ctx)?;
        Ok(public(doc, lines))
    }
}

#[derive(Default)]
pub struct CompletionMutation;

#[Object]
impl CompletionMutation {
    /// The buyer validates their details (no login): the invoice is issued with them and
    /// can no longer change; with `paidAfterCompletion` it is marked paid.
    async fn complete_invoice(
        &self,
        ctx: &Context<'_>,
        token: String,
        input: CompletionInput,
    ) -> async_graphql::Result<PublicInvoice> {
        let db = &ctx.app().db;
        let buyer = BuyerInput {
            name: input.buyer_name,
            first_name: input.buyer_first_name,
            last_name: input.buyer_last_name,
            company: input.buyer_company,
            tax_no: input.buyer_tax_no,
            tax_no_kind: input.buyer_tax_no_kind,
            post_code: input.buyer_post_code,
            city: input.buyer_city,
            street: input.buyer_street,
            country: input.buyer_country,
            email: input.buyer_email,
            phone: input.buyer_phone,
        };
        // Issued and sealed in one transaction, with its payment when `paidAfterCompletion`.
        let doc = entity::documents::completion::complete(db, &token, buyer, ctx.client_ip()).await.gql(ctx)?;
        let lines = entity::documents::completion::lines_of(db, &doc).await.gql(ctx)?;
        Ok(public(doc, lines))
    }
}
