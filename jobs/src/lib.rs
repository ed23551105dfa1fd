//! Background work, run by an apalis monitor inside `scelle serve`.
//!
//! Hourly housekeeping of expired authentication rows, and the certification closures
//! with their e-mails (every 5 minutes by default). Later issues add the certification
//! queues here (see ARCHITECTURE.md, "Jobs").

pub mod closures;
pub mod housekeeping;

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

/// Builds the monitor with every worker. Fails on an invalid cron expression, so a
/// misconfiguration stops the start instead of silently never running.
pub fn monitor(db: DatabaseConnection, cfg: &JobsConfig) -> anyhow::Result<Monitor> {
    let schedule = cron::Schedule::from_str(&cfg.housekeeping_cron)
        .map_err(|e| anyhow::anyhow!("invalid housekeeping cron {:?}: {e}", cfg.housekeeping_cron))?;
    let policy = cfg.policy;
    let closures_schedule = cron::Schedule::from_str(&cfg.closures_cron)
        .map_err(|e| anyhow::anyhow!("invalid closures cron {:?}: {e}", cfg.closures_cron))?;
    let mailer = closures::Mailer::new(&cfg.mail)?;
    let closures_db = db.clone();
    Ok(Monitor::new()
        .register(move |_restarts| {
            WorkerBuilder::new(names::HOUSEKEEPING)
                .backend(CronScheduler::new(schedule.clone()))
                .data(db.clone())
                .data(policy)
                .build(housekeeping::on_tick)
        })
        .register(move |_restarts| {
            WorkerBuilder::new(names::CLOSURES)
                .backend(CronScheduler::new(closures_schedule.clone()))
                .data(closures_db.clone())
                .data(mailer.clone())
                .build(closures::on_tick)
        })
        .shutdown_timeout(Duration::from_secs(30)))
}
