//! Billing documents over GraphQL: `createInvoice` (draft, or issued with `issue: true`),
//! `issueInvoice`, `updateInvoice`, `deleteInvoice`, `invoice`, `invoices`. Field names are
//! the seed's in camelCase; value lists are enums.

use super::context::{CtxExt, ResultExt, parse_id, parse_ids};
use super::pagination::Page;
use super::scalars::{Date, Decimal};
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::DomainError;
use entity::FieldCode;
use entity::documents::flows::{AdvanceInput, AdvanceMode};
use entity::documents::{BuyerInput, BuyerRef, DocumentFilter, DocumentInput, Flags, PositionInput, Texts};
use entity::tables::{document::Model, document_position};

mod filter;
mod input;
mod kinds;
mod object;

pub use filter::*;
pub use input::*;
pub use kinds::*;
pub use object::*;

#[derive(Default)]
pub struct DocumentQuery;

#[Object]
impl DocumentQuery {
    async fn invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// Documents of the current account, newest issue date first; `perPage` at most 100.
    async fn invoices(
        &self,
        ctx: &Context<'_>,
        filter: Option<InvoiceFilter>,
        page: Option<i32>,
        per_page: Option<i32>,
        order: Option<InvoiceOrder>,
        #[graphql(desc = "The id of the last document of the previous page: the page is the documents that follow \
                          it in this order and with these filters (keyset paging, as fast deep in a large account as \
                          at its start; `page` must then be absent or 1).")]
        after: Option<ID>,
    ) -> async_graphql::Result<Page<Invoice>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let after = opt_id("after", &after).gql(ctx)?;
        let f = filter.unwrap_or_default();
        let ids = f.ids.as_deref().map(|ids| parse_ids("filter.ids", ids)).transpose().gql(ctx)?;
        let filter = DocumentFilter {
            // Linked documents are found whatever their date unless a period is given.
            period: f.period.map(Into::into).unwrap_or(if f.invoice_id.is_some() || f.from_invoice_id.is_some() {
                entity::documents::Period::All
            } else {
                entity::documents::Period::default()
            }),
            date_from: f.date_from.map(|d| d.0),
            date_to: f.date_to.map(|d| d.0),
            income: f.income,
            ids,
            number: f.number,
            kind: f.kind.map(Into::into),
            kinds: f.kinds.map(|ks| ks.into_iter().map(Into::into).collect()),
            client_id: opt_id("filter.client_id", &f.client_id).gql(ctx)?,
            search_date_type: f.search_date_type.map(Into::into).unwrap_or_default(),
            invoice_id: opt_id("filter.invoice_id", &f.invoice_id).gql(ctx)?,
            from_invoice_id: opt_id("filter.from_invoice_id", &f.from_invoice_id).gql(ctx)?,
        };
        // Counted only when asked for: a count visits every matching document.
        let count = ctx.look_ahead().field("totalCount").exists();
        let result = entity::documents::list(
            &ctx.app().db,
            actor,
            &filter,
            order.unwrap_or_default().into(),
            page,
            after,
            count,
        )
        .await
        .gql(ctx)?;
        Ok(Page::from_domain(result))
    }
}

/// A cancelled document and the credit note that cancels it (fiscal kinds).
#[derive(SimpleObject)]
pub struct Cancellation {
    pub invoice: Invoice,
    pub credit_note: Option<Invoice>,
}

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Creates a document: a draft, or issued (numbered) when `issue` is true.
    async fn create_invoice(
        &self,
        ctx: &Context<'_>,
        input: InvoiceInput,
        #[graphql(default)] issue: bool,
    ) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let input = input.into_domain().gql(ctx)?;
        Ok(entity::documents::create(&ctx.app().db, actor, input, issue).await.gql(ctx)?.into())
    }

    /// Issues a draft: it gets the next number of its series; a fiscal document is then frozen.
    async fn issue_invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::issue(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// Changes a draft or a non-fiscal document (an issued fiscal one is frozen: CONFLICT).
    async fn update_invoice(&self, ctx: &Context<'_>, id: ID, input: InvoiceInput) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let input = input.into_domain().gql(ctx)?;
        Ok(entity::documents::update(&ctx.app().db, actor, id, input).await.gql(ctx)?.into())
    }

    /// Sets the status of an issued document (`ISSUED`, `SENT`, `PAID`, `PARTIAL`, `REJECTED`,
    /// `ACCEPTED`); allowed on frozen documents, since the status is not a fiscal field.
    async fn change_status(&self, ctx: &Context<'_>, id: ID, status: DocumentStatus) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::change_status(&ctx.app().db, actor, id, status.into()).await.gql(ctx)?.into())
    }

    /// Cancels an issued document (the seed's `cancel`): a fiscal one by a total credit
    /// note, issued at once and linked to it; the document gets status `CANCELLED` and the
    /// reason. Nothing is erased.
    async fn cancel_invoice(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Cancellation> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let (invoice, credit_note) = entity::documents::cancel(&ctx.app().db, actor, id, reason).await.gql(ctx)?;
        Ok(Cancellation { invoice: invoice.into(), credit_note: credit_note.map(Into::into) })
    }

    /// Deletes a draft or a non-fiscal document; an issued fiscal document is never deleted.
    async fn delete_invoice(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Invoice> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::documents::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
