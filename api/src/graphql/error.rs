//! Domain errors → GraphQL errors: a stable `extensions.code` from a fixed set, per-field
//! details, and a message in the request's language. Internal errors are logged, never shown.

use async_graphql::{ErrorExtensionValues, Value};
use entity::DomainError;
use entity::texts::Lang;

/// The fixed set of error codes clients can rely on.
pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const VALIDATION_FAILED: &str = "VALIDATION_FAILED";
    pub const CONFLICT: &str = "CONFLICT";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const INTERNAL: &str = "INTERNAL";
    /// An issued fiscal document: frozen and sealed; corrections are credit notes.
    pub const DOCUMENT_SEALED: &str = "DOCUMENT_SEALED";
    /// A paid payment, sealed: it never changes and is never deleted.
    pub const PAYMENT_SEALED: &str = "PAYMENT_SEALED";
    /// The account's certification records were altered outside Scelle: nothing is
    /// written over them nor served as intact (run `scelle verify`).
    pub const INTEGRITY_FAILED: &str = "INTEGRITY_FAILED";
}

/// A domain field path (`input.positions.0.price_net`: the domain's own names, which are
/// the seed's) in GraphQL's spelling (`input.positions.0.priceNet`): each name camel-cased,
/// as async-graphql names the fields. The API layer's own paths (ids it parses) are
/// written in the domain's spelling too, so that every path is converted here, once.
pub fn graphql_path(domain: &str) -> String {
    debug_assert!(!domain.bytes().any(|b| b.is_ascii_uppercase()), "a field path in GraphQL's spelling: {domain}");
    domain.split('.').map(camel_case).collect::<Vec<_>>().join(".")
}

/// `tax_no_kind` → `taxNoKind`.
fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

pub fn to_graphql(e: DomainError, lang: Lang) -> async_graphql::Error {
    let mut ext = ErrorExtensionValues::default();
    let message = match &e {
        DomainError::NotFound(what) => {
            ext.set("code", code::NOT_FOUND);
            lang.not_found(what)
        }
        DomainError::Validation(fields) => {
            ext.set("code", code::VALIDATION_FAILED);
            let list: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let mut m = async_graphql::indexmap::IndexMap::new();
                    m.insert(async_graphql::Name::new("field"), Value::from(graphql_path(&f.field)));
                    m.insert(async_graphql::Name::new("code"), Value::from(Lang::field_code(&f.code)));
                    m.insert(async_graphql::Name::new("message"), Value::from(lang.field_message(&f.code)));
                    // Which rule, for programs: the message is for people.
                    if let entity::FieldCode::Rule(rule) = &f.code {
                        m.insert(async_graphql::Name::new("rule"), Value::from(*rule));
                    }
                    Value::Object(m)
                })
                .collect();
            ext.set("fields", Value::List(list));
            lang.validation_failed()
        }
        DomainError::Conflict { kind, field } => {
            ext.set("code", code::CONFLICT);
            ext.set("reason", format!("{kind:?}"));
            if let Some(f) = field {
                ext.set("field", graphql_path(f));
            }
            lang.conflict(*kind)
        }
        DomainError::Sealed(record) => {
            ext.set(
                "code",
                match record {
                    entity::SealedRecord::Document => code::DOCUMENT_SEALED,
                    entity::SealedRecord::Payment => code::PAYMENT_SEALED,
                },
            );
            ext.set("field", "id");
            lang.sealed(*record)
        }
        DomainError::Forbidden => {
            ext.set("code", code::FORBIDDEN);
            lang.forbidden()
        }
        DomainError::Unauthenticated(f) => {
            ext.set("code", code::UNAUTHENTICATED);
            ext.set("reason", format!("{f:?}"));
            lang.unauthenticated(*f)
        }
        DomainError::RateLimited { retry_after_secs } => {
            ext.set("code", code::RATE_LIMITED);
            ext.set("retryAfter", *retry_after_secs);
            lang.rate_limited(*retry_after_secs)
        }
        DomainError::Db(err) => {
            tracing::error!(error = %err, "database error");
            ext.set("code", code::INTERNAL);
            lang.internal()
        }
        DomainError::Internal(err) => {
            tracing::error!(error = %err, "internal error");
            ext.set("code", code::INTERNAL);
            lang.internal()
        }
        DomainError::Integrity(err) => {
            tracing::error!(error = %err, "certification records altered outside Scelle");
            ext.set("code", code::INTEGRITY_FAILED);
            lang.integrity_failed()
        }
    };
    async_graphql::Error { message, source: None, extensions: Some(ext) }
}

/// An unexpected failure (hashing, signing) reported as INTERNAL.
pub fn internal(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(e.to_string())
}
