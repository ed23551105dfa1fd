//! Sign-up, login, refresh, logout and account switching.

use super::account::{Account, User};
use super::context::{CtxExt, ResultExt, parse_id};
use super::error::internal;
use crate::auth::password;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use entity::auth::IssuedSession;
use entity::error::{AuthFailure, ConflictKind};
use entity::tenant::Credential;
use entity::{AccountId, DomainError, Role, UserId};

#[derive(InputObject)]
pub struct SignUpInput {
    pub email: String,
    /// At least 10 characters.
    pub password: String,
    /// Name of the account (the company) to create.
    pub account_name: String,
    /// `fr` (default) or `en`: language of documents and e-mails.
    pub language: Option<String>,
    /// IANA time zone; default Europe/Paris.
    pub time_zone: Option<String>,
    /// ISO 4217 currency; default EUR.
    pub currency: Option<String>,
}

#[derive(InputObject)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
    /// Account to open the session in; default: the user's oldest membership.
    pub account_id: Option<ID>,
}

/// Tokens for a session: a short-lived access token (JWT) to send as
/// `Authorization: Bearer …`, and a refresh token that can be exchanged once.
#[derive(SimpleObject)]
pub struct AuthPayload {
    pub access_token: String,
    pub access_token_expires_at: DateTime<Utc>,
    pub refresh_token: String,
    pub user: User,
    pub account: Account,
}

#[derive(Default)]
pub struct SessionMutation;

async fn payload(ctx: &Context<'_>, issued: IssuedSession) -> async_graphql::Result<AuthPayload> {
    let app = ctx.app();
    let (user_id, account_id) = (UserId(issued.session.user_id), AccountId(issued.session.account_id));
    let user = entity::accounts::find_user(&app.db, user_id).await.gql(ctx)?;
    let account = entity::accounts::find_account(&app.db, account_id).await.gql(ctx)?;
    let role = entity::accounts::role_in(&app.db, user_id, account_id)
        .await
        .gql(ctx)?
        .ok_or_else(|| ctx.fail(DomainError::Unauthenticated(AuthFailure::RevokedToken)))?;
    let (access_token, exp) =
        app.jwt.issue(user.id, account.id, role, issued.session.id).map_err(|e| ctx.fail(internal(e)))?;
    Ok(AuthPayload {
        access_token,
        access_token_expires_at: DateTime::from_timestamp(exp, 0).unwrap_or_else(Utc::now),
        refresh_token: issued.refresh_token,
        user: user.into(),
        account: account.into(),
    })
}

fn refresh_ttl(ctx: &Context<'_>) -> Duration {
    Duration::days(ctx.app().config.refresh_token_ttl_days)
}

#[Object]
impl SessionMutation {
    /// Creates a user, their account, its main department and the owner membership,
    /// and opens a session.
    async fn sign_up(&self, ctx: &Context<'_>, input: SignUpInput) -> async_graphql::Result<AuthPayload> {
        let app = ctx.app();
        if !app.config.sign_up_enabled {
            return Err(ctx.fail(DomainError::conflict(ConflictKind::SignUpDisabled, None)));
        }
        let form = entity::accounts::SignUpForm {
            email: &input.email,
            password: &input.password,
            account_name: &input.account_name,
            language: input.language.as_deref(),
            time_zone: input.time_zone.as_deref(),
            currency: input.currency.as_deref(),
            ip: ctx.client_ip(),
        };
        entity::accounts::validate_sign_up(&form).gql(ctx)?;
        let hash = password::hash(input.password.clone()).await.map_err(|e| ctx.fail(internal(e)))?;
        let created = entity::accounts::sign_up(&app.db, &form, hash).await.gql(ctx)?;
        let issued = entity::auth::start_session(
            &app.db,
            UserId(created.user.id),
            AccountId(created.account.id),
            refresh_ttl(ctx),
            ctx.client_ip(),
        )
        .await
        .gql(ctx)?;
        payload(ctx, issued).await
    }

    /// Opens a session. Wrong e-mail and wrong password give the same error; repeated
    /// failures for one e-mail lock it for a while (RATE_LIMITED).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> async_graphql::Result<AuthPayload> {
        let app = ctx.app();
        if input.email.chars().count() > entity::validation::MAX_LINE {
            let too_long = entity::FieldCode::TooLong { max: entity::validation::MAX_LINE };
            return Err(ctx.fail(DomainError::field("input.email", too_long)));
        }
        let key = entity::auth::throttle_key(&input.email);
        entity::auth::begin_login_attempt(&app.db, &key, app.config.throttle_policy()).await.gql(ctx)?;
        let user = entity::accounts::find_user_by_email(&app.db, &input.email).await.gql(ctx)?;
        let verified = match &user {
            Some(u) if u.disabled_at.is_none() => {
                password::verify(input.password.clone(), u.password_hash.clone()).await
            }
            _ => {
                password::burn_time(input.password.clone()).await;
                false
            }
        };
        if let Some(u) = user.as_ref().filter(|_| !verified) {
            let reason = if u.disabled_at.is_some() { "user_disabled" } else { "wrong_password" };
            entity::journal::login_failed(&app.db, u.id, &u.email, reason, ctx.client_ip()).await.gql(ctx)?;
        }
        let Some(user) = user.filter(|_| verified) else {
            tracing::info!("failed login");
            return Err(ctx.fail(DomainError::Unauthenticated(AuthFailure::InvalidCredentials)));
        };
        entity::auth::clear_login_failures(&app.db, &key).await.gql(ctx)?;

        let memberships = entity::accounts::memberships_of(&app.db, UserId(user.id)).await.gql(ctx)?;
        let wanted = match &input.account_id {
            Some(id) => Some(parse_id("input.account_id", id).gql(ctx)?),
            None => None,
        };
        let account = memberships
            .iter()
            .map(|(_, a)| a)
            .filter(|a| entity::accounts::is_active(a))
            .find(|a| wanted.is_none_or(|w| w == a.id))
            .ok_or_else(|| ctx.fail(DomainError::Unauthenticated(AuthFailure::AccountInactive)))?;
        let issued = entity::auth::start_session(
            &app.db,
            UserId(user.id),
            AccountId(account.id),
            refresh_ttl(ctx),
            ctx.client_ip(),
        )
        .await
        .gql(ctx)?;
        payload(ctx, issued).await
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once:
    /// presenting a used one closes the session, except within a few seconds of its
    /// exchange (concurrent tabs, retries), when it is only refused.
    async fn refresh_token(&self, ctx: &Context<'_>, refresh_token: String) -> async_graphql::Result<AuthPayload> {
        let grace = Duration::seconds(ctx.app().config.refresh_reuse_grace_secs);
        let issued = entity::auth::rotate_refresh_token(&ctx.app().db, &refresh_token, refresh_ttl(ctx), grace)
            .await
            .gql(ctx)?;
        payload(ctx, issued).await
    }

    /// Closes the session of the access token (or of `refreshToken` when given, which
    /// works without an access token). Its tokens stop working at once.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: Option<String>) -> async_graphql::Result<bool> {
        let db = &ctx.app().db;
        if let Some(rt) = refresh_token {
            let session = entity::auth::session_of_refresh_token(db, &rt).await.gql(ctx)?;
            entity::auth::revoke_session(db, session, "logout").await.gql(ctx)?;
            return Ok(true);
        }
        match ctx.actor()?.credential {
            Credential::Session(sid) => {
                entity::auth::revoke_session(db, sid, "logout").await.gql(ctx)?;
                Ok(true)
            }
            // An API token is not a session: revoke it with `revokeApiToken`.
            Credential::ApiToken(_) | Credential::PublicLink(_) | Credential::System => {
                Err(ctx.fail(DomainError::Forbidden))
            }
        }
    }

    /// Moves the session to another account the user is a member of and returns
    /// tokens for it.
    async fn switch_account(&self, ctx: &Context<'_>, account_id: ID) -> async_graphql::Result<AuthPayload> {
        let actor = *ctx.actor()?;
        let Credential::Session(sid) = actor.credential else {
            return Err(ctx.fail(DomainError::Forbidden));
        };
        let db = &ctx.app().db;
        let target = AccountId(parse_id("account_id", &account_id).gql(ctx)?);
        let role: Option<Role> = entity::accounts::role_in(db, actor.user_id, target).await.gql(ctx)?;
        let account = match role {
            Some(_) => Some(entity::accounts::find_account(db, target).await.gql(ctx)?),
            None => None,
        };
        // Not a member (or no such account): the same answer, so ids of other tenants leak nothing.
        let Some(account) = account else {
            return Err(ctx.fail(DomainError::NotFound("account")));
        };
        if !entity::accounts::is_active(&account) {
            return Err(ctx.fail(DomainError::Unauthenticated(AuthFailure::AccountInactive)));
        }
        let issued = entity::auth::switch_session_account(db, sid, target, refresh_ttl(ctx)).await.gql(ctx)?;
        payload(ctx, issued).await
    }
}
