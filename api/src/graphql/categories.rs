//! Categories of contacts, products and documents.

use super::context::{CtxExt, ResultExt, maybe, parse_id};
use super::pagination::Page;
use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::categories::CategoryPatch;
use entity::tables::category::Model;

#[derive(SimpleObject, Clone)]
pub struct Category {
    pub id: ID,
    pub name: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Model> for Category {
    fn from(m: Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            name: m.name,
            description: m.description,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// `name` is required on creation; on update an absent field stays and `null` clears.
#[derive(InputObject, Default)]
pub struct CategoryInput {
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
}

impl From<CategoryInput> for CategoryPatch {
    fn from(i: CategoryInput) -> Self {
        CategoryPatch { name: i.name, description: maybe(i.description, |d| d) }
    }
}

#[derive(InputObject, Default)]
pub struct CategoryFilterInput {
    /// Part of the name, ignoring case and accents.
    pub name: Option<String>,
}

#[derive(Default)]
pub struct CategoryQuery;

#[Object]
impl CategoryQuery {
    /// Categories of the current account, by name; `perPage` at most 100.
    async fn categories(
        &self,
        ctx: &Context<'_>,
        filter: Option<CategoryFilterInput>,
        page: Option<i32>,
        per_page: Option<i32>,
    ) -> async_graphql::Result<Page<Category>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let name = filter.and_then(|f| f.name);
        Ok(Page::from_domain(entity::categories::list(&ctx.app().db, actor, name.as_deref(), page).await.gql(ctx)?))
    }

    async fn category(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Category> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::categories::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}

#[derive(Default)]
pub struct CategoryMutation;

#[Object]
impl CategoryMutation {
    async fn create_category(&self, ctx: &Context<'_>, input: CategoryInput) -> async_graphql::Result<Category> {
        let actor = ctx.actor()?;
        Ok(entity::categories::create(&ctx.app().db, actor, input.into()).await.gql(ctx)?.into())
    }

    async fn update_category(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: CategoryInput,
    ) -> async_graphql::Result<Category> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::categories::update(&ctx.app().db, actor, id, input.into()).await.gql(ctx)?.into())
    }

    /// Deletes a category; its contacts and products stay, without category.
    async fn delete_category(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Category> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::categories::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
