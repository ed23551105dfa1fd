//! Background work, run by an apalis monitor inside `scelle serve`: the certification
//! closures with their e-mails (every 5 minutes by default) and hourly housekeeping of
//! expired authentication rows (see ARCHITECTURE.md, "Jobs"). Sealing is not background
//! work: documents and payments are sealed in the transaction that issues or pays them.

pub mod closures;
pub mod housekeeping;

use apalis::prelude::*;
use apalis_cron::CronScheduler;
use sea_orm::DatabaseConnection;
use std::str::FromStr;
use std::time::Duration;

/// Worker names are explicit and stable: apalis identifies workers by name, and a default
/// derived from a Rust type path would change when code moves.
pub mod names {
    pub const HOUSEKEEPING: &str = "auth.housekeeping";
    pub const CLOSURES: &str = "ledger.closures";
}

#[derive(Clone, Debug)]
pub struct JobsConfig {
    /// Cron expression (with seconds) of the housekeeping run; default hourly at :17.
    pub housekeeping_cron: String,
    pub policy: housekeeping::Policy,
    /// Cron expression (with seconds) of the closures run; default every 5 minutes.
    pub closures_cron: String,
    pub mail: closures::MailConfig,
}

/// A worker whose future ends (its backend failed, it panicked) is started again, and the
/// log says which and why: a background duty never silently stops for the life of the
/// process. The restart count is in the log too, so a worker failing in a loop shows.
fn restart_always(worker: &WorkerContext, error: &WorkerError) -> bool {
    tracing::error!(worker = worker.name(), restarts = worker.restarts(), error = %error, "worker stopped; restarting it");
    true
}

/// Builds the monitor with every worker. Fails on an invalid cron expression, so a
/// misconfiguration stops the start instead of silently never running.
pub fn monitor(db: DatabaseConnection, cfg: &JobsConfig) -> anyhow::Result<Monitor> {
    let parse = |what: &str, expr: &str| {
        cron::Schedule::from_str(expr).map_err(|e| anyhow::anyhow!("invalid {what} cron {expr:?}: {e}"))
    };
    let housekeeping = parse("housekeeping", &cfg.housekeeping_cron)?;
    let closures_schedule = parse("closures", &cfg.closures_cron)?;
    let policy = cfg.policy;
    let mailer = closures::Mailer::new(&cfg.mail)?;
    let monitor = Monitor::new()
        .should_restart(restart_always)
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
        .register(move |_restarts| {
            WorkerBuilder::new(names::HOUSEKEEPING)
                .backend(CronScheduler::new(housekeeping.clone()))
                .data(db.clone())
                .data(policy)
                .build(housekeeping::on_tick)
        });
    Ok(monitor.shutdown_timeout(Duration::from_secs(30)))
}
