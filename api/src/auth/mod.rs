//! Credentials: passwords (argon2id), access tokens (JWT), and turning a bearer token
//! into the request's `Actor`.

pub mod jwt;
pub mod password;

use entity::error::AuthFailure;
use entity::secret::API_TOKEN_PREFIX;
use entity::{AccountId, Actor, DomainError, UserId};
use sea_orm::DatabaseConnection;

/// What the request's `Authorization` header proved.
#[derive(Clone, Debug)]
pub enum AuthState {
    Anonymous,
    Authenticated(Actor),
    /// A token was sent but refused; resolvers that need an actor report why.
    Failed(AuthFailure),
}

/// Resolves `Authorization: Bearer <JWT | API token>`. Database errors are returned as
/// such (the request fails as INTERNAL) rather than silently treated as anonymous.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &jwt::JwtKeys,
    header: Option<&str>,
) -> Result<AuthState, DomainError> {
    let Some(header) = header else {
        return Ok(AuthState::Anonymous);
    };
    let Some(token) = header.strip_prefix("Bearer ").or_else(|| header.strip_prefix("bearer ")).map(str::trim) else {
        return Ok(AuthState::Failed(AuthFailure::InvalidToken));
    };
    let outcome = if token.starts_with(API_TOKEN_PREFIX) {
        entity::auth::actor_for_api_token(db, token).await
    } else {
        match keys.verify(token) {
            Ok(claims) => {
                entity::auth::actor_for_session(db, claims.sid, UserId(claims.sub), AccountId(claims.acc)).await
            }
            Err(failure) => Err(DomainError::Unauthenticated(failure)),
        }
    };
    match outcome {
        Ok(actor) => Ok(AuthState::Authenticated(actor)),
        Err(DomainError::Unauthenticated(f)) => Ok(AuthState::Failed(f)),
        Err(DomainError::NotFound(_)) => Ok(AuthState::Failed(AuthFailure::InvalidToken)),
        Err(e) => Err(e),
    }
}
