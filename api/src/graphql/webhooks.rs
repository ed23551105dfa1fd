//! Webhooks over GraphQL: the endpoints (the seed's `kind`, `url`, `api_token`, `active`),
//! their secrets (shown once, when created or rotated), their delivery log, redelivery and
//! a test delivery (owners and admins). docs/api/webhooks.md is the contract.

use super::context::{CtxExt, ResultExt, maybe, parse_id};
use super::pagination::Page;
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::tables::{webhook, webhook_delivery as wd};
use entity::webhooks::WebhookInput as Patch;

/// An endpoint, without its secret.
#[derive(SimpleObject, Clone)]
pub struct Webhook {
    pub id: ID,
    /// What it is told of: `invoice:create`, `client:update`, `document:sealed`…
    pub kind: String,
    pub url: String,
    /// The endpoint's own token, sent in every delivery's body as `api_token`.
    pub api_token: Option<String>,
    pub active: bool,
    /// Set when Scelle disabled it after repeated failed deliveries (turn it on again
    /// with `active: true`).
    pub disabled_at: Option<DateTime<Utc>>,
    /// Deliveries failed for good in a row.
    pub consecutive_failures: i32,
    /// Until when the secret replaced by the last rotation still signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook::Model> for Webhook {
    fn from(m: webhook::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            kind: m.kind,
            url: m.url,
            api_token: m.api_token,
            active: m.active,
            disabled_at: m.disabled_at,
            consecutive_failures: m.consecutive_failures,
            previous_secret_until: m.previous_secret_until,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// An endpoint with its signing secret: the only time the secret is shown.
#[derive(SimpleObject)]
pub struct WebhookWithSecret {
    pub webhook: Webhook,
    /// `whsec_…`: verifies the `webhook-signature` header (Standard Webhooks).
    pub secret: String,
}

impl From<webhook::Model> for WebhookWithSecret {
    fn from(m: webhook::Model) -> Self {
        let secret = m.secret.clone();
        WebhookWithSecret { webhook: m.into(), secret }
    }
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::vocabulary::DeliveryStatus")]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Failed,
}

/// One delivery of one event to one endpoint, and how its attempts went.
#[derive(SimpleObject)]
pub struct WebhookDelivery {
    /// Sent as `webhook-id`, the same on every attempt.
    pub id: ID,
    pub webhook_id: ID,
    /// The domain event delivered (`domainEvents`); `null` for a test delivery.
    pub event_id: Option<ID>,
    pub kind: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When the next attempt is due (while pending).
    pub next_attempt_at: DateTime<Utc>,
    pub last_status_code: Option<i32>,
    pub last_error: Option<String>,
    /// The start of the endpoint's last answer (1024 characters at most).
    pub last_response: Option<String>,
    pub last_duration_ms: Option<i64>,
    /// The JSON body every attempt sends.
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<wd::Model> for WebhookDelivery {
    fn from(m: wd::Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            webhook_id: ID(m.webhook_id.to_string()),
            event_id: m.event_id.map(|e| ID(e.to_string())),
            kind: m.kind,
            status: m.status.into(),
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_status_code: m.last_status_code,
            last_error: m.last_error,
            last_response: m.last_response,
            last_duration_ms: m.last_duration_ms,
            body: m.body,
            created_at: m.created_at,
            delivered_at: m.delivered_at,
        }
    }
}

/// `kind` and `url` are required on creation; on update an absent field stays and a
/// `null` `apiToken` clears it.
#[derive(InputObject, Default)]
pub struct WebhookInput {
    pub kind: Option<String>,
    pub url: Option<String>,
    pub api_token: MaybeUndefined<String>,
    pub active: Option<bool>,
}

impl From<WebhookInput> for Patch {
    fn from(i: WebhookInput) -> Self {
        Patch { kind: i.kind, url: i.url, api_token: maybe(i.api_token, |t| t), active: i.active }
    }
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// The account's endpoints, oldest first (owners and admins).
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
    ) -> async_graphql::Result<Page<Webhook>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        Ok(Page::from_domain(entity::webhooks::list(&ctx.app().db, actor, page).await.gql(ctx)?))
    }

    async fn webhook(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Webhook> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::webhooks::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// An endpoint's deliveries, newest first.
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        webhook_id: ID,
        page: Option<i32>,
        per_page: Option<i32>,
    ) -> async_graphql::Result<Page<WebhookDelivery>> {
        let actor = ctx.actor()?;
        let id = parse_id("webhook_id", &webhook_id).gql(ctx)?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        Ok(Page::from_domain(entity::webhooks::deliveries(&ctx.app().db, actor, id, page).await.gql(ctx)?))
    }
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// A new endpoint, with its secret (shown this once).
    async fn create_webhook(&self, ctx: &Context<'_>, input: WebhookInput) -> async_graphql::Result<WebhookWithSecret> {
        let actor = ctx.actor()?;
        let allow = ctx.app().config.webhook_allow();
        Ok(entity::webhooks::create(&ctx.app().db, actor, input.into(), &allow).await.gql(ctx)?.into())
    }

    async fn update_webhook(&self, ctx: &Context<'_>, id: ID, input: WebhookInput) -> async_graphql::Result<Webhook> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let allow = ctx.app().config.webhook_allow();
        Ok(entity::webhooks::update(&ctx.app().db, actor, id, input.into(), &allow).await.gql(ctx)?.into())
    }

    /// Deletes an endpoint and its delivery log.
    async fn delete_webhook(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Webhook> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::webhooks::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// A new secret (shown this once); the replaced one still signs for 24 hours, each
    /// delivery then carrying both signatures.
    async fn rotate_webhook_secret(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<WebhookWithSecret> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::webhooks::rotate_secret(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// Sends a delivery again, from its first attempt, with the same id and body.
    async fn redeliver_webhook(&self, ctx: &Context<'_>, delivery_id: ID) -> async_graphql::Result<WebhookDelivery> {
        let actor = ctx.actor()?;
        let id = parse_id("delivery_id", &delivery_id).gql(ctx)?;
        Ok(entity::webhooks::delivery::redeliver(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }

    /// Sends the endpoint a test delivery (`webhook:test`).
    async fn send_test_webhook(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<WebhookDelivery> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::webhooks::delivery::send_test(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
