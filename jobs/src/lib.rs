//! Background work, run by an apalis monitor inside `scelle serve`.
//!
//! Sealing of issued documents and paid payments (a queue, `ledger.seal`, and a sweeper),
//! the certification closures with their e-mails (every 5 minutes by default), and hourly
//! housekeeping of expired authentication rows (see ARCHITECTURE.md, "Jobs").

pub mod closures;
pub mod housekeeping;
pub mod queue;
pub mod sealing;

pub use queue::JobStore;
pub use sealing::Sealer;

use apalis::prelude::*;
use apalis_cron::CronScheduler;
use sea_orm::DatabaseConnection;
use std::str::FromStr;
use std::time::Duration;

/// Worker names are explicit and stable: apalis identifies workers (and, for queued
/// jobs, queues) by name, and a default derived from a Rust type path would change
/// when code moves.
pub mod names {
    pub const HOUSEKEEPING: &str = "auth.housekeeping";
    pub const SEALER: &str = "ledger.sealer";
    pub const SEAL_SWEEPER: &str = "ledger.sweeper";
    pub const CLOSURES: &str = "ledger.closures";
}

#[derive(Clone, Debug)]
pub struct JobsConfig {
    /// Cron expression (with seconds) of the housekeeping run; default hourly at :17.
    pub housekeeping_cron: String,
    pub policy: housekeeping::Policy,
    /// Cron expression (with seconds) of the sealing sweeper; default every 30 seconds.
    pub seal_sweep_cron: String,
    /// Cron expression (with seconds) of the closures run; default every 5 minutes.
    pub closures_cron: String,
    pub mail: closures::MailConfig,
}

/// Builds the monitor with every worker. Fails on an invalid cron expression, so a
/// misconfiguration stops the start instead of silently never running.
pub fn monitor(db: DatabaseConnection, store: &JobStore, cfg: &JobsConfig) -> anyhow::Result<Monitor> {
    let parse = |what: &str, expr: &str| {
        cron::Schedule::from_str(expr).map_err(|e| anyhow::anyhow!("invalid {what} cron {expr:?}: {e}"))
    };
    let housekeeping = parse("housekeeping", &cfg.housekeeping_cron)?;
    let sweeper = parse("sealing sweeper", &cfg.seal_sweep_cron)?;
    let policy = cfg.policy;
    let closures_schedule = cron::Schedule::from_str(&cfg.closures_cron)
        .map_err(|e| anyhow::anyhow!("invalid closures cron {:?}: {e}", cfg.closures_cron))?;
    let mailer = closures::Mailer::new(&cfg.mail)?;
    let monitor = Monitor::new()
        .register({
            let db = db.clone();
            move |_restarts| {
                WorkerBuilder::new(names::CLOSURES)
                    .backend(CronScheduler::new(closures_schedule.clone()))
                    .data(db.clone())
                    .data(mailer.clone())
                    .build(closures::on_tick)
            }
        })
        .register({
            let db = db.clone();
            move |_restarts| {
                WorkerBuilder::new(names::HOUSEKEEPING)
                    .backend(CronScheduler::new(housekeeping.clone()))
                    .data(db.clone())
                    .data(policy)
                    .build(housekeeping::on_tick)
            }
        })
        .register({
            let db = db.clone();
            move |_restarts| {
                WorkerBuilder::new(names::SEAL_SWEEPER)
                    .backend(CronScheduler::new(sweeper.clone()))
                    .data(db.clone())
                    .build(sealing::sweep)
            }
        });
    // The storages' types differ, the worker does not.
    macro_rules! sealer {
        ($backend:expr) => {{
            let backend = $backend;
            monitor.register(move |_restarts| {
                WorkerBuilder::new(names::SEALER)
                    .backend(backend.clone())
                    .catch_panic()
                    .timeout(Duration::from_secs(120))
                    .data(db.clone())
                    .build(sealing::seal)
            })
        }};
    }
    let config = |name| apalis_sqlite::Config::default().queue(name);
    let monitor = match store {
        JobStore::Sqlite { pool, hook } => sealer!(
            apalis_sqlite::SqliteStorage::<sealing::SealAccount>::new(pool)
                .with_config(config(sealing::QUEUE))
                .poll_with_strategy(
                    Strategy::new()
                        .stream(hook.clone())
                        .interval_with_backoff(Duration::from_millis(500), BackoffConfig::new(Duration::from_secs(5)))
                )
        ),
        JobStore::Postgres(pool) => sealer!(
            apalis_postgres::PostgresStorage::<sealing::SealAccount>::new(pool)
                .with_config(apalis_postgres::Config::default().queue(sealing::QUEUE))
                .with_pubsub()
        ),
    };
    Ok(monitor.shutdown_timeout(Duration::from_secs(30)))
}
