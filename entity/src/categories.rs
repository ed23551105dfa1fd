//! Categories of contacts, products and documents, scoped by the actor's account.

use crate::db::begin_write;
use crate::error::{DomainError, DomainResult};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::category::{ActiveModel, Column, Entity, Model};
use crate::tenant::Actor;
use crate::validation::{MAX_TEXT, Validator, clean, contains_text, search_key};
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

#[derive(Clone, Debug, Default)]
pub struct CategoryPatch {
    pub name: Option<String>,
    /// `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

impl CategoryPatch {
    fn validate(&self, creating: bool) -> DomainResult<()> {
        let mut v = Validator::new();
        v.name("input.name", self.name.as_deref(), creating);
        if let Some(Some(d)) = &self.description {
            v.max_len("input.description", d, MAX_TEXT);
        }
        v.finish()
    }

    fn apply(&self, am: &mut ActiveModel) {
        if let Some(n) = &self.name {
            am.name = Set(n.trim().to_owned());
            am.search_name = Set(search_key(n));
        }
        if let Some(d) = &self.description {
            am.description = Set(clean(d));
        }
    }
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("category"))
}

/// Refuses a category id that is not one of the actor's account (named as `field`).
pub async fn require_in_account(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    field: &str,
) -> DomainResult<Model> {
    crate::error::referenced(get(db, actor, id).await, field, "unknown_category")
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, patch: CategoryPatch) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let created = insert(&txn, actor, &patch).await?;
    txn.commit().await?;
    Ok(created)
}

/// A new category of the actor's account, from a patch that is checked here.
async fn insert(db: &impl ConnectionTrait, actor: &Actor, patch: &CategoryPatch) -> DomainResult<Model> {
    patch.validate(true)?;
    let now = Utc::now();
    let mut am = ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        name: Set(String::new()),
        search_name: Set(String::new()),
        description: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    };
    patch.apply(&mut am);
    Ok(am.insert(db).await?)
}

/// The seed's `category_id` given as a name: the account's category with that name
/// (case and accents ignored), created when there is none.
pub async fn find_or_create(db: &impl ConnectionTrait, actor: &Actor, name: &str) -> DomainResult<Model> {
    let key = search_key(name);
    if let Some(found) =
        Entity::find_in(actor).filter(Column::SearchName.eq(key)).order_by_asc(Column::CreatedAt).one(db).await?
    {
        return Ok(found);
    }
    insert(db, actor, &CategoryPatch { name: Some(name.to_owned()), description: None }).await
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: CategoryPatch) -> DomainResult<Model> {
    actor.require_writer()?;
    patch.validate(false)?;
    let mut am: ActiveModel = get(db, actor, id).await?.into();
    patch.apply(&mut am);
    am.updated_at = Set(Utc::now());
    let txn = begin_write(db).await?;
    let updated = am.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a category; the contacts and products in it keep existing, without category.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let current = get(db, actor, id).await?;
    let txn = begin_write(db).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).in_account(actor).exec(&txn).await?;
    txn.commit().await?;
    Ok(current)
}

/// Categories by name; `name` filters on a part of it, ignoring case and accents.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    name: Option<&str>,
    page: PageRequest,
) -> DomainResult<Page<Model>> {
    let mut q = Entity::find_in(actor);
    if let Some(term) = name.map(search_key).filter(|s| !s.is_empty()) {
        q = q.filter(contains_text(Column::SearchName, &term));
    }
    crate::pagination::fetch(db, q, |q| q.order_by_asc(Column::SearchName).order_by_asc(Column::Id), page).await
}
