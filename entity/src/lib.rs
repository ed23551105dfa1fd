//! Scelle's model: the SeaORM tables (`tables`, plain data, one file per table) and the
//! domain modules that act on them. Domain operations take a connection and the
//! authenticated account; they never take a tenant id from user input.

pub mod accounts;
pub mod archive;
pub mod auth;
pub mod categories;
pub mod clients;
pub mod closures;
pub mod db;
pub mod departments;
pub mod documents;
pub mod domain_events;
pub mod error;
pub mod journal;
pub mod ledger;
pub mod money;
pub mod number_series;
pub mod numbering;
pub mod pagination;
pub mod payments;
pub mod price_lists;
pub mod products;
pub mod scope;
pub mod secret;
pub mod tables;
pub mod tags;
pub mod tax;
pub mod tenant;
pub mod texts;
pub mod validation;
pub mod vocabulary;
pub mod webhooks;

pub use error::{DomainError, DomainResult, FieldCode, FieldError, SealedRecord};
pub use tenant::{AccountId, Actor, Role, UserId};
pub use vocabulary::{Currency, DocumentKind, DocumentState, DocumentStatus, EventCode};
