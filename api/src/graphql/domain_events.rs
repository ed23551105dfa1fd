//! `domainEvents`: what happened in the account (the outbox that webhooks and other
//! consumers read), newest first. docs/api/events.md lists the codes and their payloads.

use super::context::{CtxExt, ResultExt};
use super::pagination::Page;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::pagination::PageRequest;

/// What happened (`document.issued` is `DOCUMENT_ISSUED`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::EventCode")]
pub enum DomainEventCode {
    DocumentCreated,
    DocumentUpdated,
    DocumentDeleted,
    /// A document got its number.
    DocumentIssued,
    /// An issued fiscal document entered the documents chain.
    DocumentSealed,
    PaymentCreated,
    PaymentUpdated,
    PaymentDeleted,
    /// A payment was recorded as received.
    PaymentPaid,
    /// A paid payment entered the payments chain.
    PaymentSealed,
    ClientCreated,
    ClientUpdated,
    ClientDeleted,
    ProductCreated,
    ProductUpdated,
    ProductDeleted,
    /// A period was closed.
    ClosureDone,
}

/// Something that happened in the account, written in the same transaction as the change.
#[derive(SimpleObject)]
pub struct DomainEvent {
    pub id: ID,
    pub code: DomainEventCode,
    /// The stable code as webhooks send it (`document.issued`).
    pub type_name: String,
    /// The record it is about (a document, payment, client, product or closure).
    pub subject_id: ID,
    /// Compact JSON: the record as the change left it (docs/api/events.md).
    pub payload: String,
    pub occurred_at: DateTime<Utc>,
    /// When its consumers' jobs were queued; `null` until then.
    pub dispatched_at: Option<DateTime<Utc>>,
}

impl From<entity::tables::domain_event::Model> for DomainEvent {
    fn from(e: entity::tables::domain_event::Model) -> Self {
        DomainEvent {
            id: ID(e.id.to_string()),
            code: e.code.into(),
            type_name: e.code.as_str().to_owned(),
            subject_id: ID(e.subject_id.to_string()),
            payload: e.payload,
            occurred_at: e.occurred_at,
            dispatched_at: e.dispatched_at,
        }
    }
}

#[derive(Default)]
pub struct DomainEventQuery;

#[Object]
impl DomainEventQuery {
    /// What happened in the account, newest first (owners, admins and accountants),
    /// optionally of one code.
    async fn domain_events(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        code: Option<DomainEventCode>,
    ) -> async_graphql::Result<Page<DomainEvent>> {
        let actor = ctx.actor()?;
        let page = PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let listed = entity::domain_events::list(&ctx.app().db, actor, code.map(Into::into), page).await.gql(ctx)?;
        Ok(Page::from_domain(listed))
    }
}
