//! Scelle's server: configuration, authentication, the GraphQL API and the HTTP layer.
//! `app::Application` is what both `scelle serve` and the tests start.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod graphql;
pub mod http;
pub mod verify_cli;
