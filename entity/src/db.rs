//! One connection path for SQLite and PostgreSQL, and the write-transaction rule.

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, SqliteTransactionMode,
    TransactionOptions, TransactionTrait,
};
use std::time::Duration;

/// Connects to `sqlite://…` (created if missing, WAL, `synchronous=NORMAL`, foreign keys on)
/// or `postgres://…`.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    let mut opt = ConnectOptions::new(url.to_owned());
    let sqlite = url.starts_with("sqlite:");
    opt.max_connections(if sqlite { 8 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false);
    opt.map_sqlx_sqlite_opts(|o| {
        o.create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            // Durable across a crash of the process; FULL would also survive power loss
            // at 3-4x the commit cost (measured in the research notes).
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
    });
    Database::connect(opt).await
}

/// The value an active-model field holds (set or loaded); the type's default when unset.
pub fn value_of<T: Clone + Default + Into<sea_orm::Value>>(v: &sea_orm::ActiveValue<T>) -> T {
    match v {
        sea_orm::ActiveValue::Set(x) | sea_orm::ActiveValue::Unchanged(x) => x.clone(),
        sea_orm::ActiveValue::NotSet => T::default(),
    }
}

pub fn is_sqlite(db: &impl sea_orm::ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Sqlite
}

/// Begins a transaction that will write after reading.
///
/// SQLite ignores `SELECT … FOR UPDATE`: a deferred transaction that reads then writes can
/// fail with SQLITE_BUSY when two of them race. `BEGIN IMMEDIATE` takes the write lock up
/// front so such transactions queue instead (up to the busy timeout). On PostgreSQL this
/// is a plain `BEGIN`; callers lock rows where they need to.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        isolation_level: None,
        access_mode: None,
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
    })
    .await
}
