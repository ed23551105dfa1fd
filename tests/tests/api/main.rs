#![recursion_limit = "256"]
//! End-to-end tests over HTTP, each on SQLite and (when SCELLE_TEST_POSTGRES_URL is set)
//! on PostgreSQL. One test binary keeps link time low.

mod api_tokens;
mod archives;
mod auth_flow;
mod bad_input;
mod browser;
mod categories;
mod clients;
mod closures;
mod departments;
mod doc_links;
mod documents;
mod domain_events;
mod flows;
mod housekeeping;
mod http_surface;
mod isolation;
mod journal;
mod ledger;
mod numbering;
mod operations;
mod pages;
mod payments;
mod price_lists;
mod products;
mod properties;
mod schema;
mod sealing;
mod webhooks;
