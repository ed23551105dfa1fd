//! Where queued jobs live, and a handle to push them, the same for both databases.
//!
//! SQLite: a separate file, `<data_dir>/jobs.db`. apalis-sqlite's `setup()` turns
//! `synchronous` off and its vacuum rewrites the whole file: acceptable for a queue whose
//! every job the sealing sweeper can redo, never for the ledger's database. The pool is
//! opened with SQLite's update hook, so a job pushed by this process wakes its worker at
//! once; a slow poll catches retries and pushes from other processes.
//!
//! PostgreSQL: apalis' own schema (`apalis`) in the application's database, a small pool
//! of its own (its LISTEN connection and heartbeats never take the application's
//! connections), and LISTEN/NOTIFY to wake the workers.

use anyhow::Context as _;
use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use apalis_sqlite::callback::HookCallbackListener;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// The job storage of one process.
#[derive(Clone)]
pub enum JobStore {
    Sqlite { pool: apalis_sqlite::SqlitePool, hook: HookCallbackListener },
    Postgres(apalis_postgres::PgPool),
}

impl JobStore {
    /// Opens (and migrates) the job storage that goes with the application's database URL.
    pub async fn connect(database_url: &str, data_dir: &Path) -> anyhow::Result<Self> {
        if database_url.starts_with("postgres") {
            let pool = sqlx_pg_pool(database_url).await?;
            PostgresStorage::setup(&pool).await.context("setting up the job queue schema (apalis)")?;
            Ok(Self::Postgres(pool))
        } else {
            let path = data_dir.join("jobs.db");
            let url = format!("sqlite://{}?mode=rwc", path.display());
            let (pool, hook) = SqliteStorage::connect_with_callback(&url).context("opening the job queue")?;
            SqliteStorage::setup(&pool)
                .await
                .with_context(|| format!("setting up the job queue {}", path.display()))?;
            Ok(Self::Sqlite { pool, hook })
        }
    }

    /// A queue of jobs `T` under its stable name.
    pub fn queue<T>(&self, name: &str) -> Queue<T> {
        match self {
            JobStore::Sqlite { pool, .. } => {
                Queue::Sqlite(SqliteStorage::new(pool).with_config(apalis_sqlite::Config::default().queue(name)))
            }
            JobStore::Postgres(pool) => {
                Queue::Postgres(PostgresStorage::new(pool).with_config(apalis_postgres::Config::default().queue(name)))
            }
        }
    }

    /// Closes the pools (tests drop their database afterwards).
    pub async fn close(&self) {
        match self {
            JobStore::Sqlite { pool, .. } => pool.close().await,
            JobStore::Postgres(pool) => pool.close().await,
        }
    }
}

async fn sqlx_pg_pool(url: &str) -> anyhow::Result<apalis_postgres::PgPool> {
    use std::str::FromStr;
    let options = apalis_postgres::PgConnectOptions::from_str(url).context("job queue database URL")?;
    // Idle connections are closed so that a test can drop its database once done.
    sea_orm::sqlx::postgres::PgPoolOptions::new()
        .max_connections(4)
        .idle_timeout(Duration::from_secs(30))
        .connect_with(options)
        .await
        .context("connecting the job queue")
}

/// A handle to push jobs `T` (cheap to clone).
pub enum Queue<T> {
    Sqlite(SqliteStorage<T>),
    Postgres(PostgresStorage<T>),
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        match self {
            Queue::Sqlite(s) => Queue::Sqlite(s.clone()),
            Queue::Postgres(s) => Queue::Postgres(s.clone()),
        }
    }
}

/// How the push went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    Queued,
    /// A job with this idempotency key was queued before (keys are unique forever).
    AlreadyQueued,
}

impl<T> Queue<T>
where
    T: Serialize + for<'de> Deserialize<'de> + Send + Sync + Unpin + 'static,
{
    /// Pushes a job once per `key`. The backends differ on a repeated key: apalis-sqlite
    /// ignores it (`ON CONFLICT DO NOTHING`), apalis-postgres fails on its unique index;
    /// both answer `AlreadyQueued` here.
    pub async fn push_unique(&self, job: T, key: &str, max_attempts: usize) -> Result<Pushed, BoxDynError> {
        let task = TaskBuilder::new(job).idempotency_key(key).max_attempts(max_attempts).build();
        match self {
            Queue::Sqlite(s) => {
                s.clone().push_task(task).await?;
                Ok(Pushed::Queued)
            }
            Queue::Postgres(s) => match s.clone().push_task(task).await {
                Ok(()) => Ok(Pushed::Queued),
                Err(e) if e.to_string().contains("idx_jobs_idempotency_key") => Ok(Pushed::AlreadyQueued),
                Err(e) => Err(e.into()),
            },
        }
    }
}
