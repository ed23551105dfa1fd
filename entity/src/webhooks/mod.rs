//! Webhooks: an account's endpoints, each told of one kind of change (the seed's kinds,
//! `invoice:create`…, and Scelle's own `document:sealed`, `payment:create`,
//! `closure:done`). Deliveries follow the Standard Webhooks specification (`signing`);
//! the domain events are turned into deliveries by `delivery::dispatch`, one per endpoint
//! and event, and sent by the jobs' deliverer, with retries (`delivery`). URLs are
//! checked against SSRF (`target`). docs/api/webhooks.md is the contract.

pub mod delivery;
pub mod signing;
pub mod target;

use crate::db::begin_write;
use crate::error::{DomainError, DomainResult, FieldCode};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::webhook::{self, ActiveModel, Column, Entity, Model};
use crate::tables::webhook_delivery as wd;
use crate::tenant::Actor;
use crate::validation::{MAX_LINE, Validator, clean};
use crate::vocabulary::EventCode;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

/// Every kind an endpoint can listen to, with the domain event it follows.
pub const KINDS: [(&str, EventCode); 12] = [
    ("client:create", EventCode::ClientCreated),
    ("client:update", EventCode::ClientUpdated),
    ("client:destroy", EventCode::ClientDeleted),
    ("invoice:create", EventCode::DocumentCreated),
    ("invoice:update", EventCode::DocumentUpdated),
    ("invoice:destroy", EventCode::DocumentDeleted),
    ("product:create", EventCode::ProductCreated),
    ("product:update", EventCode::ProductUpdated),
    ("product:destroy", EventCode::ProductDeleted),
    ("document:sealed", EventCode::DocumentSealed),
    ("payment:create", EventCode::PaymentCreated),
    ("closure:done", EventCode::ClosureDone),
];

/// The webhook kind a domain event is delivered as, if any.
pub fn kind_of(code: EventCode) -> Option<&'static str> {
    KINDS.iter().find(|(_, c)| *c == code).map(|(k, _)| *k)
}

/// How long the replaced secret still signs after a rotation (both signatures are sent),
/// so that a receiver can switch secrets without losing a delivery.
pub const ROTATION_OVERLAP: chrono::Duration = chrono::Duration::hours(24);

/// What creating or changing an endpoint takes (the seed's fields); `None` keeps.
#[derive(Clone, Debug, Default)]
pub struct WebhookInput {
    pub kind: Option<String>,
    pub url: Option<String>,
    /// `Some(None)` clears it.
    pub api_token: Option<Option<String>>,
    pub active: Option<bool>,
}

impl WebhookInput {
    fn validate(&self, creating: bool, allow: &target::AllowList) -> DomainResult<()> {
        let mut v = Validator::new();
        match &self.kind {
            Some(k) => v.one_of("input.kind", k, &KINDS.map(|(k, _)| k)),
            None if creating => v.push("input.kind", FieldCode::Required),
            None => {}
        }
        match &self.url {
            Some(u) => {
                v.max_len("input.url", u, 2000);
                if let Err(why) = target::check_url(u, allow) {
                    v.push("input.url", FieldCode::Rule(why.rule()));
                }
            }
            None if creating => v.push("input.url", FieldCode::Required),
            None => {}
        }
        if let Some(Some(t)) = &self.api_token {
            v.max_len("input.api_token", t, MAX_LINE);
        }
        v.finish()
    }

    fn apply(&self, am: &mut ActiveModel) {
        if let Some(k) = &self.kind {
            am.kind = Set(k.clone());
        }
        if let Some(u) = &self.url {
            am.url = Set(u.trim().to_owned());
        }
        if let Some(t) = &self.api_token {
            am.api_token = Set(t.as_deref().and_then(|t| clean(&Some(t.to_owned()))));
        }
        if let Some(a) = self.active {
            am.active = Set(a);
            if a {
                // Turned on again by its owner: its failures start over.
                am.disabled_at = Set(None);
                am.consecutive_failures = Set(0);
            }
        }
    }
}

/// A new endpoint; its secret (`whsec_…`) is in the model, for the caller to show once.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: WebhookInput,
    allow: &target::AllowList,
) -> DomainResult<Model> {
    actor.require_manager()?;
    input.validate(true, allow)?;
    let now = Utc::now();
    let mut am = ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        kind: Set(String::new()),
        url: Set(String::new()),
        api_token: Set(None),
        active: Set(true),
        secret: Set(signing::new_secret()),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        consecutive_failures: Set(0),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    input.apply(&mut am);
    let txn = begin_write(db).await?;
    let created = am.insert(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    input: WebhookInput,
    allow: &target::AllowList,
) -> DomainResult<Model> {
    actor.require_manager()?;
    input.validate(false, allow)?;
    let txn = begin_write(db).await?;
    let mut am: ActiveModel = get(&txn, actor, id).await?.into();
    input.apply(&mut am);
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// A new secret; the one it replaces still signs for `ROTATION_OVERLAP`.
pub async fn rotate_secret(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_manager()?;
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    let now = Utc::now();
    let mut am: ActiveModel = current.clone().into();
    am.previous_secret = Set(Some(current.secret));
    am.previous_secret_until = Set(Some(now + ROTATION_OVERLAP));
    am.secret = Set(signing::new_secret());
    am.updated_at = Set(now);
    let rotated = am.update(&txn).await?;
    txn.commit().await?;
    Ok(rotated)
}

/// Deletes an endpoint and its delivery log.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_manager()?;
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    wd::Entity::delete_in(actor).filter(wd::Column::WebhookId.eq(id)).exec(&txn).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).in_account(actor).exec(&txn).await?;
    txn.commit().await?;
    Ok(current)
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_manager()?;
    Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("webhook"))
}

/// The account's endpoints, oldest first.
pub async fn list(db: &DatabaseConnection, actor: &Actor, page: PageRequest) -> DomainResult<Page<Model>> {
    actor.require_manager()?;
    let oldest_first = |q: sea_orm::Select<Entity>| q.order_by_asc(Column::CreatedAt).order_by_asc(Column::Id);
    crate::pagination::fetch(db, Entity::find_in(actor), oldest_first, page).await
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    db: &DatabaseConnection,
    actor: &Actor,
    webhook_id: Uuid,
    page: PageRequest,
) -> DomainResult<Page<wd::Model>> {
    get(db, actor, webhook_id).await?;
    let q = wd::Entity::find_in(actor).filter(wd::Column::WebhookId.eq(webhook_id));
    let newest_first =
        |q: sea_orm::Select<wd::Entity>| q.order_by_desc(wd::Column::CreatedAt).order_by_desc(wd::Column::Id);
    crate::pagination::fetch(db, q, newest_first, page).await
}

/// Which events of these accounts some live endpoint listens to now: (account, code).
pub(crate) async fn listened(
    db: &impl ConnectionTrait,
    accounts: std::collections::BTreeSet<Uuid>,
) -> DomainResult<std::collections::HashSet<(Uuid, EventCode)>> {
    let kinds: Vec<(Uuid, String)> = Entity::find()
        .select_only()
        .column(Column::AccountId)
        .column(Column::Kind)
        .filter(Column::AccountId.is_in(accounts))
        .filter(Column::Active.eq(true))
        .filter(Column::DisabledAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(kinds
        .into_iter()
        .flat_map(|(account, kind)| {
            KINDS.iter().filter(move |(k, _)| *k == kind).map(move |(_, code)| (account, *code))
        })
        .collect())
}

/// Whether an endpoint takes deliveries now.
pub fn is_live(w: &webhook::Model) -> bool {
    w.active && w.disabled_at.is_none()
}
