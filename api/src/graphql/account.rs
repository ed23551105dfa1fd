//! Users, accounts and memberships as GraphQL types, and the `me` / `account` queries.

use super::context::{CtxExt, ResultExt};
use crate::auth::AuthState;
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::tables::{account, user};
use entity::tenant::Credential;
use entity::{Role, UserId};

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Role", remote = "entity::Role")]
pub enum RoleGql {
    /// Everything, including the account's users.
    Owner,
    /// Everything but ownership.
    Admin,
    /// Day-to-day invoicing; no settings, departments or tokens.
    Member,
    /// Reads everything; changes nothing.
    Accountant,
}

/// A tenant: the company (or person) whose invoices Scelle keeps.
#[derive(SimpleObject, Clone)]
pub struct Account {
    pub id: ID,
    pub name: String,
    /// Unique URL-safe handle of the account.
    pub prefix: String,
    /// Default language of documents and e-mails (`fr` or `en`).
    pub language: String,
    /// IANA time zone closures and dates are computed in.
    pub time_zone: String,
    /// Default currency (ISO 4217).
    pub currency: String,
    /// `active`, `suspended` or `closed`.
    pub status: String,
    /// New products named on documents join the catalogue (default `true`).
    pub add_products_to_catalogue: bool,
    pub created_at: DateTime<Utc>,
}

/// Account settings to change (owners and admins); absent fields stay.
#[derive(InputObject, Default)]
pub struct AccountSettingsInput {
    pub name: Option<String>,
    /// `fr` or `en`.
    pub language: Option<String>,
    /// IANA name, e.g. `Europe/Paris`.
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub add_products_to_catalogue: Option<bool>,
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Changes the current account's settings (owners and admins).
    async fn update_account(&self, ctx: &Context<'_>, input: AccountSettingsInput) -> async_graphql::Result<Account> {
        let actor = ctx.actor()?;
        let settings = entity::accounts::AccountSettings {
            name: input.name,
            language: input.language,
            time_zone: input.time_zone,
            currency: input.currency,
            add_products_to_catalogue: input.add_products_to_catalogue,
        };
        Ok(entity::accounts::update_settings(&ctx.app().db, actor, settings).await.gql(ctx)?.into())
    }

    /// Closes the current account (owners only): sign-in and every token stop working at
    /// once; nothing is deleted (sealed records are kept at least six years, as the law
    /// asks). There is no account deletion.
    async fn close_account(&self, ctx: &Context<'_>) -> async_graphql::Result<Account> {
        let actor = ctx.actor()?;
        Ok(entity::accounts::close(&ctx.app().db, actor).await.gql(ctx)?.into())
    }
}

impl From<account::Model> for Account {
    fn from(a: account::Model) -> Self {
        Self {
            id: ID(a.id.to_string()),
            name: a.name,
            prefix: a.prefix,
            language: a.language,
            time_zone: a.time_zone,
            currency: a.currency.to_string(),
            status: a.status,
            add_products_to_catalogue: a.add_products_to_catalogue,
            created_at: a.created_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: Option<String>,
    pub language: String,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub user_id: UserId,
}

impl From<user::Model> for User {
    fn from(u: user::Model) -> Self {
        Self {
            id: ID(u.id.to_string()),
            email: u.email,
            name: u.name,
            language: u.language,
            created_at: u.created_at,
            user_id: UserId(u.id),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct Membership {
    pub role: RoleGql,
    pub account: Account,
    pub created_at: DateTime<Utc>,
}

#[ComplexObject]
impl User {
    /// The accounts this user belongs to, with their role in each.
    async fn memberships(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Membership>> {
        let rows = entity::accounts::memberships_of(&ctx.app().db, self.user_id).await.gql(ctx)?;
        // An API token is scoped to one account: it must not reveal the creator's others.
        let only = match ctx.data_opt::<AuthState>() {
            Some(AuthState::Authenticated(a)) if matches!(a.credential, Credential::ApiToken(_)) => {
                Some(a.account_id.0)
            }
            _ => None,
        };
        Ok(rows
            .into_iter()
            .filter(|(m, _)| only.is_none_or(|acc| m.account_id == acc))
            .filter_map(|(m, a)| {
                Some(Membership { role: Role::parse(&m.role)?.into(), account: a.into(), created_at: m.created_at })
            })
            .collect())
    }
}

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The authenticated user (for an API token: the user who created it).
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let actor = ctx.actor()?;
        Ok(entity::accounts::find_user(&ctx.app().db, actor.user_id).await.gql(ctx)?.into())
    }

    /// The account the request acts for.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<Account> {
        let actor = ctx.actor()?;
        Ok(entity::accounts::find_account(&ctx.app().db, actor.account_id).await.gql(ctx)?.into())
    }

    /// The caller's role in the current account.
    async fn role(&self, ctx: &Context<'_>) -> async_graphql::Result<RoleGql> {
        Ok(ctx.actor()?.role.into())
    }
}
