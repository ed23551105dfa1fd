//! What resolvers read from the request: the database, the actor, the language, the
//! client's address.

use super::error::to_graphql;
use crate::auth::AuthState;
use crate::graphql::AppContext;
use async_graphql::Context;
use entity::error::AuthFailure;
use entity::texts::Lang;
use entity::{Actor, DomainError, FieldCode};
use uuid::Uuid;

/// The peer address of the request (context data set by the HTTP layer).
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientIp(pub Option<std::net::IpAddr>);

pub trait CtxExt {
    fn app(&self) -> &AppContext;
    /// Where the request came from, for the journal of what has no actor yet (sign-up, login).
    fn client_ip(&self) -> Option<std::net::IpAddr>;
    fn lang(&self) -> Lang;
    /// The authenticated actor, or UNAUTHENTICATED with the reason the token was refused.
    fn actor(&self) -> async_graphql::Result<&Actor>;
    fn fail(&self, e: DomainError) -> async_graphql::Error;
    /// The schema's batched reads (see `graphql::loaders`).
    fn reads(&self) -> &async_graphql::dataloader::DataLoader<crate::graphql::loaders::Reads>;
}

impl CtxExt for Context<'_> {
    fn app(&self) -> &AppContext {
        self.data_unchecked::<AppContext>()
    }

    fn lang(&self) -> Lang {
        self.data_opt::<Lang>().copied().unwrap_or_default()
    }

    fn client_ip(&self) -> Option<std::net::IpAddr> {
        self.data_opt::<ClientIp>().and_then(|c| c.0)
    }

    fn actor(&self) -> async_graphql::Result<&Actor> {
        match self.data_opt::<AuthState>() {
            Some(AuthState::Authenticated(a)) => Ok(a),
            Some(AuthState::Failed(f)) => Err(self.fail(DomainError::Unauthenticated(*f))),
            _ => Err(self.fail(DomainError::Unauthenticated(AuthFailure::MissingToken))),
        }
    }

    fn fail(&self, e: DomainError) -> async_graphql::Error {
        to_graphql(e, self.lang())
    }

    fn reads(&self) -> &async_graphql::dataloader::DataLoader<crate::graphql::loaders::Reads> {
        self.data_unchecked()
    }
}

/// Parses a GraphQL `ID` that must be one of our UUIDs.
pub fn parse_id(field: &str, id: &async_graphql::ID) -> Result<Uuid, DomainError> {
    Uuid::parse_str(id.as_str()).map_err(|_| DomainError::field(field, FieldCode::InvalidId))
}

/// Parses a list of ids; a bad one is reported as `prefix.index`.
pub fn parse_ids(prefix: &str, ids: &[async_graphql::ID]) -> Result<Vec<Uuid>, DomainError> {
    ids.iter().enumerate().map(|(i, id)| parse_id(&format!("{prefix}.{i}"), id)).collect()
}

/// A patch field from an optional GraphQL input: absent → unchanged, `null` → cleared.
pub fn maybe<T, U>(v: async_graphql::MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match v {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(x) => Some(Some(f(x))),
    }
}

/// An optional id in a patch: absent, cleared, or one of our UUIDs.
pub fn maybe_id(
    field: &str,
    v: async_graphql::MaybeUndefined<async_graphql::ID>,
) -> Result<Option<Option<Uuid>>, DomainError> {
    maybe(v, |id| parse_id(field, &id)).map(|r| r.transpose()).transpose()
}

/// `result.map_err(|e| ctx.fail(e))` in one word.
pub trait ResultExt<T> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T>;
}

impl<T> ResultExt<T> for Result<T, DomainError> {
    fn gql(self, ctx: &Context<'_>) -> async_graphql::Result<T> {
        self.map_err(|e| ctx.fail(e))
    }
}
