//! Domain errors as types. The API layer turns them into stable GraphQL error codes
//! and localised messages; nothing here is user-facing text.

use sea_orm::DbErr;

pub type DomainResult<T> = Result<T, DomainError>;

/// Why a field was refused. Each variant has one message per language in the API layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldCode {
    Required,
    TooLong {
        max: usize,
    },
    TooShort {
        min: usize,
    },
    InvalidEmail,
    InvalidDecimal,
    InvalidId,
    /// The value is not one of the accepted ones (listed).
    NotOneOf {
        allowed: Vec<String>,
    },
    OutOfRange {
        min: i64,
        max: i64,
    },
    /// Free-form rule name for rare cases, e.g. "main_department_required".
    Rule(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's path in the domain's own names (the seed's, snake case): `input.email`,
    /// `input.positions.0.price_net`, `filter.number`, `page`. Each transport spells it
    /// its own way (GraphQL: `input.positions.0.priceNet`).
    pub field: String,
    pub code: FieldCode,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: FieldCode) -> Self {
        Self { field: field.into(), code }
    }
}

/// Why authentication failed. Kept apart so that logs can tell, while the client
/// sees one generic message for wrong credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    MissingToken,
    InvalidCredentials,
    InvalidToken,
    ExpiredToken,
    RevokedToken,
    /// A rotated refresh token was presented again: the whole session is revoked.
    RefreshTokenReused,
    /// A refresh token exchanged a moment ago by another request (two tabs, a retry):
    /// refused without closing the session; use the tokens that request received.
    RefreshTokenAlreadyUsed,
    AccountInactive,
    UserDisabled,
}

/// What conflicted, for a stable error message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    EmailTaken,
    PrefixTaken,
    MainDepartmentDeletion,
    SignUpDisabled,
    /// An issued fiscal document is frozen: corrections are credit notes.
    DocumentIssued,
    /// The department has documents.
    DepartmentInUse,
    /// Another product of the account has this code.
    CodeTaken,
    /// The product is a component of a package.
    ProductInPackage,
    /// Payments are applied to the document.
    DocumentHasPayments,
    /// Another request changed the same thing at the same moment; retrying is safe.
    ConcurrentModification,
    /// Another document has this order number and `oidUnique` was asked.
    OidTaken,
    /// The document is cancelled: it no longer changes.
    DocumentCancelled,
    /// The invoice to complete was already completed by its buyer.
    AlreadyCompleted,
}

/// A record in its account's hash chain (an issued fiscal document is sealed in the
/// transaction that issues it, a paid payment in the one that pays it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedRecord {
    Document,
    Payment,
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The record is sealed: it never changes and is never deleted; corrections are new
    /// records (a credit note, a further payment).
    #[error("sealed {0:?}")]
    Sealed(SealedRecord),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("validation failed: {0:?}")]
    Validation(Vec<FieldError>),
    #[error("conflict: {kind:?}")]
    Conflict { kind: ConflictKind, field: Option<String> },
    #[error("forbidden")]
    Forbidden,
    #[error("unauthenticated: {0:?}")]
    Unauthenticated(AuthFailure),
    #[error("rate limited for {retry_after_secs}s")]
    RateLimited { retry_after_secs: i64 },
    #[error("database error: {0}")]
    Db(DbErr),
    #[error("internal error: {0}")]
    Internal(String),
    /// The certification records were altered outside Scelle (a chain head missing, a
    /// sealed file that no longer matches its hash…): nothing is written on top of them
    /// and nothing is served as if they were intact. The text says what, for the logs.
    #[error("integrity: {0}")]
    Integrity(String),
}

impl DomainError {
    pub fn field(field: impl Into<String>, code: FieldCode) -> Self {
        Self::Validation(vec![FieldError::new(field, code)])
    }

    pub fn conflict(kind: ConflictKind, field: Option<&str>) -> Self {
        Self::Conflict { kind, field: field.map(str::to_owned) }
    }

    /// A record written on behalf of a document reports its fields as the document's:
    /// `input.name` of a contact becomes `input.buyer_name` with the prefix `buyer`.
    pub fn prefixed(self, prefix: &str) -> Self {
        match self {
            DomainError::Validation(fields) => DomainError::Validation(
                fields
                    .into_iter()
                    .map(|f| {
                        let rest = f.field.trim_start_matches("input.");
                        FieldError::new(format!("input.{prefix}_{rest}"), f.code)
                    })
                    .collect(),
            ),
            other => other,
        }
    }
}

/// For an id given in input that names another row: "not found" becomes an error on that
/// field (`rule`), so another account's id reads exactly like an unknown one.
pub fn referenced<T>(r: DomainResult<T>, field: &str, rule: &'static str) -> DomainResult<T> {
    match r {
        Err(DomainError::NotFound(_)) => Err(DomainError::field(field, FieldCode::Rule(rule))),
        other => other,
    }
}

/// Whether a database error is a unique-constraint violation (both backends).
pub fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// A value the code cannot read back from its column (a kind that does not exist, text in
/// a date column on SQLite, whose columns take any type): the row was changed behind the
/// code's back, which verification names, where the database failing stops it.
pub fn is_undecodable(e: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr, sqlx};
    match e {
        DbErr::Type(_) | DbErr::TryIntoErr { .. } | DbErr::Json(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) => {
            matches!(&**e, sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_))
        }
        _ => false,
    }
}

/// The database's constraints are the last guard of what the domain checks (numbers
/// unique in a series, a department in use not deleted): a write that one of them
/// refuses becomes the domain error the caller names, here and nowhere else. SQLite does
/// not name the constraint it enforced, so the caller names the meaning per write.
pub trait OnConstraint<T> {
    /// A unique index refused the write.
    fn on_unique(self, then: impl FnOnce() -> DomainError) -> DomainResult<T>;
    /// A foreign key refused it (a row still referenced, with `Restrict`).
    fn on_foreign_key(self, then: impl FnOnce() -> DomainError) -> DomainResult<T>;
}

/// A database error as the domain sees it: a row that does not read back (an amount
/// `"0120.50"`, a kind that does not exist) was altered outside Scelle, an integrity
/// failure, named as such everywhere it surfaces; anything else is the database failing.
impl From<DbErr> for DomainError {
    fn from(e: DbErr) -> Self {
        if is_undecodable(&e) {
            DomainError::Integrity(format!("a stored value does not read back: {e}"))
        } else {
            DomainError::Db(e)
        }
    }
}

impl<T> OnConstraint<T> for Result<T, DbErr> {
    fn on_unique(self, then: impl FnOnce() -> DomainError) -> DomainResult<T> {
        self.map_err(|e| if is_unique_violation(&e) { then() } else { e.into() })
    }

    fn on_foreign_key(self, then: impl FnOnce() -> DomainError) -> DomainResult<T> {
        self.map_err(|e| if is_foreign_key_violation(&e) { then() } else { e.into() })
    }
}

/// Whether a database error is a foreign key refusing the write (both backends). SQLite
/// reports a `RESTRICT` action as a trigger constraint (extended code 1811, which SeaORM
/// does not classify), with the foreign key's own message; Scelle's own triggers raise
/// other messages.
fn is_foreign_key_violation(e: &DbErr) -> bool {
    use sea_orm::{RuntimeErr, sqlx};
    if matches!(e.sql_err(), Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_))) {
        return true;
    }
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(x)) | DbErr::Query(RuntimeErr::SqlxError(x)) => {
            matches!(&**x, sqlx::Error::Database(d) if d.message() == "FOREIGN KEY constraint failed")
        }
        _ => false,
    }
}
