//! API tokens for integrations: shown once, stored hashed, scoped to one account.

use super::account::RoleGql;
use super::context::{CtxExt, ResultExt, parse_id};
use super::pagination::Page;
use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::Role;
use entity::pagination::PageRequest;
use entity::tables::api_token::Model;

/// An API token, without its secret.
#[derive(SimpleObject)]
pub struct ApiToken {
    pub id: ID,
    pub name: String,
    /// First characters of the secret, to recognise it.
    pub prefix: String,
    pub role: RoleGql,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<Model> for ApiToken {
    fn from(m: Model) -> Self {
        Self {
            id: ID(m.id.to_string()),
            name: m.name,
            prefix: m.token_prefix,
            role: Role::parse(&m.role).unwrap_or(Role::Member).into(),
            created_at: m.created_at,
            last_used_at: m.last_used_at,
            revoked_at: m.revoked_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct CreatedApiToken {
    /// The secret: send it as `Authorization: Bearer <token>`. It is shown only now.
    pub token: String,
    pub api_token: ApiToken,
}

#[derive(Default)]
pub struct ApiTokenQuery;

#[Object]
impl ApiTokenQuery {
    /// The account's API tokens, newest first (owners and admins).
    async fn api_tokens(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
    ) -> async_graphql::Result<Page<ApiToken>> {
        let actor = ctx.actor()?;
        let page = PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        Ok(Page::from_domain(entity::auth::list_api_tokens(&ctx.app().db, actor, page).await.gql(ctx)?))
    }
}

#[derive(Default)]
pub struct ApiTokenMutation;

#[Object]
impl ApiTokenMutation {
    /// Creates a token acting in the current account with the caller's role.
    async fn create_api_token(&self, ctx: &Context<'_>, name: String) -> async_graphql::Result<CreatedApiToken> {
        let actor = ctx.actor()?;
        let created = entity::auth::create_api_token(&ctx.app().db, actor, &name).await.gql(ctx)?;
        Ok(CreatedApiToken { token: created.secret, api_token: created.token.into() })
    }

    /// Revokes a token: requests with it fail from now on. Revoking twice is harmless.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApiToken> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::auth::revoke_api_token(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
