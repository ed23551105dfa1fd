//! Login sessions with rotating refresh tokens, API tokens, and failed-login throttling.
//! Secrets never reach the database: only their SHA-256 does (see `secret`).

use crate::db::begin_write;
use crate::error::{AuthFailure, DomainError, DomainResult};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::secret::{API_TOKEN_PREFIX, REFRESH_TOKEN_PREFIX, generate, sha256_hex};
use crate::tables::{api_token, login_throttle, refresh_token, session, user};
use crate::tenant::{AccountId, Actor, Credential, Role, UserId};
use crate::validation::{MAX_LINE, Validator};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// A session and the refresh token that was just issued for it (shown to the client once).
pub struct IssuedSession {
    pub session: session::Model,
    pub refresh_token: String,
}

async fn insert_refresh_token(
    db: &impl ConnectionTrait,
    session_id: Uuid,
    ttl: Duration,
    now: DateTime<Utc>,
) -> DomainResult<String> {
    let secret = generate(REFRESH_TOKEN_PREFIX);
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(sha256_hex(&secret)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

/// Opens a session for a user in one of their accounts (membership already checked).
pub async fn start_session(
    db: &DatabaseConnection,
    user: UserId,
    account: AccountId,
    refresh_ttl: Duration,
    ip: Option<std::net::IpAddr>,
) -> DomainResult<IssuedSession> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let session = session::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user.0),
        account_id: Set(account.0),
        created_at: Set(now),
        last_used_at: Set(now),
        revoked_at: Set(None),
        revoked_reason: Set(None),
    }
    .insert(&txn)
    .await?;
    let refresh_token = insert_refresh_token(&txn, session.id, refresh_ttl, now).await?;
    // Only a password opens a session here (sign-up or login): a LOGIN of the journal.
    let login = crate::journal::Event::Login { session: session.id };
    crate::journal::record(&txn, account, &crate::journal::Origin::password(user.0, ip), login);
    txn.commit().await?;
    Ok(IssuedSession { session, refresh_token })
}

/// Exchanges a refresh token for a new one in the same session.
///
/// A token can be exchanged once. Presenting an exchanged token again means it was
/// copied: the whole session is revoked, so neither the thief nor the owner keeps it.
///
/// Within `grace` of the first exchange, a second one is refused without revoking: two
/// tabs refreshing at once, or a retry after a lost response, must not log the user out.
/// It gets no tokens either, so a thief racing the owner gains nothing.
pub async fn rotate_refresh_token(
    db: &DatabaseConnection,
    presented: &str,
    ttl: Duration,
    grace: Duration,
) -> DomainResult<IssuedSession> {
    let now = Utc::now();
    let hash = sha256_hex(presented.trim());
    let txn = begin_write(db).await?;
    let Some(token) =
        refresh_token::Entity::find().filter(refresh_token::Column::TokenHash.eq(&hash)).one(&txn).await?
    else {
        return Err(DomainError::Unauthenticated(AuthFailure::InvalidToken));
    };
    let session = session::Entity::find_by_id(token.session_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::Unauthenticated(AuthFailure::InvalidToken))?;
    if session.revoked_at.is_some() {
        return Err(DomainError::Unauthenticated(AuthFailure::RevokedToken));
    }
    // What an access token is checked against is checked here too: no new pair for a user
    // disabled, removed from the account, or an account closed or suspended.
    current_role(&txn, UserId(session.user_id), AccountId(session.account_id), Some(session.id)).await?;
    // Mark used only if still unused: of two concurrent exchanges, exactly one wins.
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(token.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !claimed {
        let used_at = refresh_token::Entity::find_by_id(token.id).one(&txn).await?.and_then(|t| t.used_at);
        if used_at.is_some_and(|u| now - u <= grace) {
            return Err(DomainError::Unauthenticated(AuthFailure::RefreshTokenAlreadyUsed));
        }
        revoke_session_in(&txn, session.id, "refresh_token_reused", now).await?;
        txn.commit().await?;
        tracing::warn!(session = %session.id, "refresh token reused: session revoked");
        return Err(DomainError::Unauthenticated(AuthFailure::RefreshTokenReused));
    }
    if token.expires_at <= now {
        // Leave it marked as used; an expired token never works again either way.
        txn.commit().await?;
        return Err(DomainError::Unauthenticated(AuthFailure::ExpiredToken));
    }
    let refresh_token = insert_refresh_token(&txn, session.id, ttl, now).await?;
    let mut am: session::ActiveModel = session.into();
    am.last_used_at = Set(now);
    let session = am.update(&txn).await?;
    txn.commit().await?;
    Ok(IssuedSession { session, refresh_token })
}

/// Moves a session to another account of the same user, retiring its unused refresh
/// tokens (they were bound to the previous account) and issuing a new one.
pub async fn switch_session_account(
    db: &DatabaseConnection,
    session_id: Uuid,
    account: AccountId,
    ttl: Duration,
) -> DomainResult<IssuedSession> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    let session = session::Entity::find_by_id(session_id)
        .one(&txn)
        .await?
        .filter(|s| s.revoked_at.is_none())
        .ok_or(DomainError::Unauthenticated(AuthFailure::RevokedToken))?;
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::SessionId.eq(session.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    let mut am: session::ActiveModel = session.into();
    am.account_id = Set(account.0);
    am.last_used_at = Set(now);
    let session = am.update(&txn).await?;
    let refresh_token = insert_refresh_token(&txn, session.id, ttl, now).await?;
    txn.commit().await?;
    Ok(IssuedSession { session, refresh_token })
}

async fn revoke_session_in(db: &impl ConnectionTrait, id: Uuid, reason: &str, now: DateTime<Utc>) -> DomainResult<()> {
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(now))
        .col_expr(session::Column::RevokedReason, Expr::value(reason))
        .filter(session::Column::Id.eq(id))
        .filter(session::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Logout: the session's access and refresh tokens stop working at once.
pub async fn revoke_session(db: &DatabaseConnection, id: Uuid, reason: &str) -> DomainResult<()> {
    let txn = begin_write(db).await?;
    revoke_session_in(&txn, id, reason, Utc::now()).await?;
    txn.commit().await
}

/// Checks, in one query, everything about a credential's holder that may have changed
/// since the credential was issued: still a member of the account (and with which role),
/// not disabled, the account active, and — for an access token — its session not
/// revoked. Runs on every authenticated request, hence a single round-trip.
async fn current_role(
    db: &impl ConnectionTrait,
    user: UserId,
    account: AccountId,
    live_session: Option<Uuid>,
) -> DomainResult<Role> {
    use crate::tables::{account as acc, membership as mem};
    use sea_orm::sea_query::{Alias, ExprTrait as _, JoinType, Query};
    let mut q = Query::select();
    q.column((mem::Entity, mem::Column::Role))
        .column((user::Entity, user::Column::DisabledAt))
        .column((acc::Entity, acc::Column::Status))
        .from(mem::Entity)
        .inner_join(
            user::Entity,
            Expr::col((user::Entity, user::Column::Id)).equals((mem::Entity, mem::Column::UserId)),
        )
        .inner_join(
            acc::Entity,
            Expr::col((acc::Entity, acc::Column::Id)).equals((mem::Entity, mem::Column::AccountId)),
        )
        .and_where(Expr::col((mem::Entity, mem::Column::UserId)).eq(user.0))
        .and_where(Expr::col((mem::Entity, mem::Column::AccountId)).eq(account.0));
    if let Some(sid) = live_session {
        let s = Alias::new("s");
        q.join_as(
            JoinType::InnerJoin,
            session::Entity,
            s.clone(),
            Expr::col((s.clone(), session::Column::Id))
                .eq(sid)
                .and(Expr::col((s.clone(), session::Column::UserId)).equals((mem::Entity, mem::Column::UserId)))
                .and(Expr::col((s.clone(), session::Column::AccountId)).equals((mem::Entity, mem::Column::AccountId)))
                .and(Expr::col((s, session::Column::RevokedAt)).is_null()),
        );
    }
    // No row: the session is revoked or gone, or the user left the account.
    let row = db.query_one(&q).await?.ok_or(DomainError::Unauthenticated(AuthFailure::RevokedToken))?;
    let role: String = row.try_get("", "role")?;
    let disabled_at: Option<DateTime<Utc>> = row.try_get("", "disabled_at")?;
    let status: String = row.try_get("", "status")?;
    if disabled_at.is_some() {
        return Err(DomainError::Unauthenticated(AuthFailure::UserDisabled));
    }
    if status != crate::accounts::AccountStatus::Active.as_str() {
        return Err(DomainError::Unauthenticated(AuthFailure::AccountInactive));
    }
    Role::parse(&role).ok_or_else(|| DomainError::Internal(format!("bad role {role}")))
}

/// Builds the actor of a verified access token (see `current_role` for what is checked).
pub async fn actor_for_session(
    db: &DatabaseConnection,
    session_id: Uuid,
    user: UserId,
    account: AccountId,
) -> DomainResult<Actor> {
    let role = current_role(db, user, account, Some(session_id)).await?;
    Ok(Actor { user_id: user, account_id: account, role, credential: Credential::Session(session_id), client_ip: None })
}

// ---------------------------------------------------------------- API tokens

pub struct CreatedApiToken {
    pub token: api_token::Model,
    /// The secret, returned once and never again.
    pub secret: String,
}

pub async fn create_api_token(db: &DatabaseConnection, actor: &Actor, name: &str) -> DomainResult<CreatedApiToken> {
    actor.require_manager()?;
    let mut v = Validator::new();
    if let Some(n) = v.required("name", Some(name)) {
        v.max_len("name", n, MAX_LINE);
    }
    v.finish()?;
    let secret = generate(API_TOKEN_PREFIX);
    let txn = begin_write(db).await?;
    let token = api_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        created_by: Set(actor.user_id.0),
        name: Set(name.trim().to_owned()),
        token_hash: Set(sha256_hex(&secret)),
        token_prefix: Set(secret.chars().take(API_TOKEN_PREFIX.len() + 6).collect()),
        // A token acts with its creator's role, which a manager always has; it never
        // gets more than that even if the creator is promoted later.
        role: Set(actor.role.as_str().to_owned()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let created =
        crate::journal::Event::ApiTokenCreated { token: token.id, name: token.name.clone(), role: actor.role };
    crate::journal::record(&txn, actor.account_id, &crate::journal::Origin::of(actor), created);
    txn.commit().await?;
    Ok(CreatedApiToken { token, secret })
}

pub async fn list_api_tokens(
    db: &DatabaseConnection,
    actor: &Actor,
    page: PageRequest,
) -> DomainResult<Page<api_token::Model>> {
    actor.require_manager()?;
    let q = api_token::Entity::find_in(actor);
    let total_count = q.clone().count(db).await?;
    let items = q
        .order_by_desc(api_token::Column::CreatedAt)
        .order_by_desc(api_token::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}

pub async fn revoke_api_token(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<api_token::Model> {
    actor.require_manager()?;
    let txn = begin_write(db).await?;
    let token = api_token::Entity::find_by_id(id)
        .in_account(actor)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound("api_token"))?;
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    let revoked = crate::journal::Event::ApiTokenRevoked { token: token.id, name: token.name.clone() };
    let mut am: api_token::ActiveModel = token.into();
    am.revoked_at = Set(Some(Utc::now()));
    let token = am.update(&txn).await?;
    crate::journal::record(&txn, actor.account_id, &crate::journal::Origin::of(actor), revoked);
    txn.commit().await?;
    Ok(token)
}

/// Builds the actor of an API token secret.
pub async fn actor_for_api_token(db: &DatabaseConnection, secret: &str) -> DomainResult<Actor> {
    let token = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(secret)))
        .one(db)
        .await?
        .ok_or(DomainError::Unauthenticated(AuthFailure::InvalidToken))?;
    if token.revoked_at.is_some() {
        return Err(DomainError::Unauthenticated(AuthFailure::RevokedToken));
    }
    let granted = Role::parse(&token.role).ok_or_else(|| DomainError::Internal(format!("bad role {}", token.role)))?;
    // The token never outlives or outranks its creator: removed from the account or
    // disabled, their tokens stop; demoted, their tokens are demoted with them.
    let (creator, account) = (UserId(token.created_by), AccountId(token.account_id));
    let role = granted.capped_by(current_role(db, creator, account, None).await?);
    let now = Utc::now();
    // Record use at most once a minute: a busy integration should not turn reads into writes.
    if token.last_used_at.is_none_or(|t| now - t > Duration::minutes(1)) {
        let txn = begin_write(db).await?;
        api_token::Entity::update_many()
            .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
            .filter(api_token::Column::Id.eq(token.id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
    }
    Ok(Actor {
        user_id: creator,
        account_id: account,
        role,
        credential: Credential::ApiToken(token.id),
        client_ip: None,
    })
}

// ---------------------------------------------------------------- login throttling

/// After `max_failures` failed logins for one e-mail within `window`, logins for that
/// e-mail are refused for `lockout`, whatever the password.
#[derive(Clone, Copy, Debug)]
pub struct ThrottlePolicy {
    pub max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self { max_failures: 5, window: Duration::minutes(15), lockout: Duration::minutes(15) }
    }
}

/// Key of the throttling row of an e-mail: its SHA-256, so the table holds neither
/// e-mail addresses nor attacker-sized strings.
pub fn throttle_key(email: &str) -> String {
    sha256_hex(crate::validation::normalize_email(email))
}

/// Counts a login attempt for `key` *before* the password is checked, and refuses it if
/// the key is locked or has used up its attempts in the window.
///
/// Counting first, under a row lock (PostgreSQL) or a write transaction (SQLite), means
/// parallel attempts cannot all slip through before any failure is recorded: at most
/// `max_failures` passwords are tried per window. A successful login clears the count.
pub async fn begin_login_attempt(db: &DatabaseConnection, key: &str, policy: ThrottlePolicy) -> DomainResult<()> {
    let now = Utc::now();
    let txn = begin_write(db).await?;
    // The row is created once and then only updated (a successful login resets it), so a
    // concurrent attempt never finds it gone between its insert and its locking read; the
    // housekeeping purge of rows idle for a day is the only delete, hence the retries.
    let mut row = None;
    for _ in 0..3 {
        login_throttle::Entity::insert(login_throttle::ActiveModel {
            key: Set(key.to_owned()),
            failures: Set(0),
            window_started_at: Set(now),
            locked_until: Set(None),
        })
        .on_conflict_do_nothing_on([login_throttle::Column::Key])
        .exec_without_returning(&txn)
        .await?;
        row = login_throttle::Entity::find_by_id(key.to_owned()).lock_exclusive().one(&txn).await?;
        if row.is_some() {
            break;
        }
    }
    let row = row.ok_or_else(|| DomainError::Internal("throttle row vanished three times".into()))?;
    if let Some(until) = row.locked_until
        && until > now
    {
        return Err(DomainError::RateLimited { retry_after_secs: (until - now).num_seconds().max(1) });
    }
    let fresh_window = now - row.window_started_at > policy.window || row.locked_until.is_some();
    let attempts = if fresh_window { 1 } else { row.failures + 1 };
    let mut am: login_throttle::ActiveModel = row.into();
    if fresh_window {
        am.window_started_at = Set(now);
        am.locked_until = Set(None);
    }
    am.failures = Set(attempts);
    let refused = attempts > policy.max_failures;
    if refused {
        am.locked_until = Set(Some(now + policy.lockout));
    }
    am.update(&txn).await?;
    txn.commit().await?;
    if refused {
        return Err(DomainError::RateLimited { retry_after_secs: policy.lockout.num_seconds().max(1) });
    }
    Ok(())
}

/// A successful login resets the count (an update: deleting the row would let a
/// concurrent attempt lose it between its insert and its locking read).
pub async fn clear_login_failures(db: &DatabaseConnection, key: &str) -> DomainResult<()> {
    let txn = begin_write(db).await?;
    login_throttle::Entity::update_many()
        .col_expr(login_throttle::Column::Failures, Expr::value(0))
        .col_expr(login_throttle::Column::LockedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(Utc::now()))
        .filter(login_throttle::Column::Key.eq(key))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// The session a refresh token belongs to (for logout with the refresh token alone).
pub async fn session_of_refresh_token(db: &DatabaseConnection, presented: &str) -> DomainResult<Uuid> {
    refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(sha256_hex(presented.trim())))
        .one(db)
        .await?
        .map(|t| t.session_id)
        .ok_or(DomainError::Unauthenticated(AuthFailure::InvalidToken))
}

// ---------------------------------------------------------------- housekeeping

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub refresh_tokens: u64,
    pub sessions: u64,
    pub login_throttles: u64,
}

/// Deletes what can no longer authenticate anyone:
/// - refresh tokens past their expiry (a used one is kept until then, so that its reuse
///   is still detected and revokes its session);
/// - sessions revoked more than `keep_revoked` ago, and sessions idle longer than the
///   refresh-token lifetime (none of their tokens can still be valid);
/// - throttling rows whose lock and window are over.
///
/// Idempotent: running it twice, or in two processes at once, deletes the same rows once.
pub async fn purge_expired(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    refresh_ttl: Duration,
    keep_revoked: Duration,
) -> DomainResult<PurgeReport> {
    // Brings `.or()` on expressions; imported here only, as it also adds `.max()` to integers.
    use sea_orm::sea_query::ExprTrait as _;
    let mut report = PurgeReport::default();
    let txn = begin_write(db).await?;
    report.refresh_tokens += refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::ExpiresAt.lt(now))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    loop {
        let dead: Vec<Uuid> = session::Entity::find()
            .select_only()
            .column(session::Column::Id)
            .filter(
                session::Column::RevokedAt.lt(now - keep_revoked).or(session::Column::LastUsedAt.lt(now - refresh_ttl)),
            )
            .limit(500)
            .into_tuple()
            .all(db)
            .await?;
        if dead.is_empty() {
            break;
        }
        let txn = begin_write(db).await?;
        report.refresh_tokens += refresh_token::Entity::delete_many()
            .filter(refresh_token::Column::SessionId.is_in(dead.clone()))
            .exec(&txn)
            .await?
            .rows_affected;
        report.sessions +=
            session::Entity::delete_many().filter(session::Column::Id.is_in(dead)).exec(&txn).await?.rows_affected;
        txn.commit().await?;
    }
    let txn = begin_write(db).await?;
    report.login_throttles += login_throttle::Entity::delete_many()
        .filter(login_throttle::Column::LockedUntil.is_null().or(login_throttle::Column::LockedUntil.lt(now)))
        .filter(login_throttle::Column::WindowStartedAt.lt(now - Duration::days(1)))
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(report)
}
