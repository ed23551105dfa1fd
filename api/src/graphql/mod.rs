//! The GraphQL API: schema assembly, limits, and the SDL export checked into
//! `schema.graphql`.

pub mod context;
pub mod error;
pub mod scalars;

mod account;
mod api_tokens;
mod categories;
mod certification;
mod clients;
mod closures;
mod completion;
mod departments;
mod documents;
mod domain_events;
mod journal;
mod limits;
mod loaders;
mod pagination;
mod payments;
mod price_lists;
mod products;
mod session;
mod webhooks;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use async_graphql::{EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

/// Long-lived state shared by every request (pools are reference-counted inside).
#[derive(Clone)]
pub struct AppContext {
    pub db: DatabaseConnection,
    pub jwt: JwtKeys,
    pub config: Config,
}

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    account::AccountQuery,
    departments::DepartmentQuery,
    api_tokens::ApiTokenQuery,
    clients::ClientQuery,
    categories::CategoryQuery,
    products::ProductQuery,
    price_lists::PriceListQuery,
    documents::DocumentQuery,
    completion::CompletionQuery,
    payments::PaymentQuery,
    certification::CertificationQuery,
    journal::JournalQuery,
    closures::ClosureQuery,
    domain_events::DomainEventQuery,
    webhooks::WebhookQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    session::SessionMutation,
    account::AccountMutation,
    departments::DepartmentMutation,
    api_tokens::ApiTokenMutation,
    clients::ClientMutation,
    categories::CategoryMutation,
    products::ProductMutation,
    price_lists::PriceListMutation,
    documents::DocumentMutation,
    completion::CompletionMutation,
    payments::PaymentMutation,
    certification::CertificationMutation,
    journal::JournalMutation,
    webhooks::WebhookMutation,
);

pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, EmptySubscription> {
    Schema::build(QueryRoot::default(), MutationRoot::default(), EmptySubscription)
}

pub fn build_schema(app: AppContext) -> AppSchema {
    let (depth, complexity) = (app.config.graphql_max_depth, app.config.graphql_max_complexity);
    let max_fields = app.config.graphql_max_fields;
    builder()
        .extension(limits::RequestLimits { max_fields })
        .data(loaders::reads(app.db.clone()))
        .data(app)
        .limit_depth(depth)
        .limit_complexity(complexity)
        .limit_recursive_depth(32)
        .limit_directives(16)
        .finish()
}

/// The schema for introspection-only operations (`__schema`, `__type`): the standard
/// introspection query of GraphQL tools is 15 levels deep, more than data queries may be,
/// and its complexity is fixed by the schema, not by the client.
pub fn build_introspection_schema(app: AppContext) -> AppSchema {
    builder()
        .data(app)
        .limit_depth(64)
        .limit_complexity(100_000)
        .limit_recursive_depth(64)
        .limit_directives(16)
        .finish()
}

/// The schema as sorted SDL: the content of `schema.graphql`.
pub fn sdl() -> String {
    builder()
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}
