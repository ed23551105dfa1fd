//! One connection path for SQLite and PostgreSQL, and the write transaction of the domain.

mod writer;

pub use writer::{WriteTxn, begin_write, shared_commits};

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, Statement,
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
        // Every statement with its duration, at `info` under `sqlx::query`, only when the
        // log filter asks for it (`SCELLE_LOG=info,sqlx::query=info`): for profiling.
        .sqlx_logging(std::env::var("SCELLE_LOG").is_ok_and(|f| f.contains("sqlx")))
        .sqlx_logging_level(log::LevelFilter::Info);
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

/// The file of a `sqlite://` URL (none for an in-memory database or another backend).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| std::path::PathBuf::from(path))
}

/// SQLite's files readable by the service's user only (0600, whatever the umask): the
/// database holds password hashes and every invoice. The database file is created so
/// before SQLite opens it (SQLite gives its `-wal` and `-shm` files the database's mode),
/// and existing files are set so at each start.
pub fn make_sqlite_private(url: &str) -> std::io::Result<()> {
    let Some(path) = sqlite_file(url) else { return Ok(()) };
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Writes everything in SQLite's write-ahead log into the database file and empties the
/// log (at shutdown: the database file alone is then complete). Nothing on PostgreSQL.
pub async fn checkpoint(db: &DatabaseConnection) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    Ok(())
}

/// A consistent copy of a running SQLite database at `path` (`VACUUM INTO`: a snapshot,
/// while writers go on), readable by its owner only. PostgreSQL has its own tools.
pub async fn backup_sqlite(db: &DatabaseConnection, path: &std::path::Path) -> crate::error::DomainResult<()> {
    use crate::error::DomainError;
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(DomainError::Internal(
            "backups of PostgreSQL are made with its own tools: pg_dump --format=custom (or a base backup)".into(),
        ));
    }
    if path.exists() {
        return Err(DomainError::Internal(format!("{} exists: a backup never overwrites a file", path.display())));
    }
    let target = path.to_str().ok_or_else(|| DomainError::Internal("the backup path is not UTF-8".into()))?;
    db.execute_raw(Statement::from_sql_and_values(DbBackend::Sqlite, "VACUUM INTO ?", [target.into()])).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| DomainError::Internal(format!("making {} private: {e}", path.display())))?;
    }
    Ok(())
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

/// Begins a read-only transaction that sees one moment of the database from its first
/// read to its end: `REPEATABLE READ READ ONLY` on PostgreSQL; on SQLite (WAL) a deferred
/// transaction, whose first read fixes what it sees. Verification reads a chain, its head
/// and what they seal in one such snapshot, so that writes committing meanwhile never
/// look like entries beyond the head.
pub async fn begin_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    db.begin_with_options(TransactionOptions {
        isolation_level: postgres.then_some(sea_orm::IsolationLevel::RepeatableRead),
        access_mode: postgres.then_some(sea_orm::AccessMode::ReadOnly),
        sqlite_transaction_mode: None,
    })
    .await
}
