//! Background work, run by an apalis monitor inside `scelle serve`: the certification
//! closures with their e-mails (every 5 minutes by default), hourly housekeeping of
//! expired authentication rows, and webhook deliveries from the outbox of domain events
//! (every second; see docs/architecture.md, "Background jobs"). Sealing is not background
//! work: documents and payments are sealed in the transaction that issues or pays them.

pub mod closures;
pub mod housekeeping;
pub mod webhooks;

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
    pub const WEBHOOKS: &str = "webhooks.deliveries";
}

#[derive(Clone, Debug)]
pub struct JobsConfig {
    /// Cron expression (with seconds) of the housekeeping run; default hourly at :17.
    pub housekeeping_cron: String,
    pub policy: housekeeping::Policy,
    /// Cron expression (with seconds) of the closures run; default every 5 minutes.
    pub closures_cron: String,
    pub mail: closures::MailConfig,
    pub webhooks: webhooks::WebhookConfig,
}

/// A worker whose future ends (its backend failed, it panicked) is started again, and the
/// log says which and why: a background duty never silently stops for the life of the
/// process. The restart count is in the log too, so a worker failing in a loop shows.
fn restart_always(worker: &WorkerContext, error: &WorkerError) -> bool {
    tracing::error!(worker = worker.name(), restarts = worker.restarts(), error = %error, "worker stopped; restarting it");
    true
}

/// The monitor every worker runs under (see `restart_always`).
fn supervisor() -> Monitor {
    Monitor::new().should_restart(restart_always)
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
    let webhooks_schedule = parse("webhooks", &cfg.webhooks.cron)?;
    let deliverer = webhooks::Deliverer::new(&cfg.webhooks)?;
    let monitor = supervisor()
        .register({
            let db = db.clone();
            move |_restarts| {
                WorkerBuilder::new(names::WEBHOOKS)
                    .backend(CronScheduler::new(webhooks_schedule.clone()))
                    .data(db.clone())
                    .data(deliverer.clone())
                    .build(webhooks::on_tick)
            }
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A worker that panics on its first tick ends; the supervisor starts it again and the
    /// next ticks run.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_worker_whose_future_ends_is_started_again() {
        let (ticks, starts) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let every_second = cron::Schedule::from_str("* * * * * *").unwrap();
        let monitor = supervisor().register({
            let (ticks, starts) = (ticks.clone(), starts.clone());
            move |_restarts| {
                starts.fetch_add(1, Ordering::SeqCst);
                WorkerBuilder::new("test.flaky")
                    .backend(CronScheduler::new(every_second.clone()))
                    .data(ticks.clone())
                    .build(|_: apalis_cron::Tick, ticks: Data<Arc<AtomicUsize>>| async move {
                        if ticks.fetch_add(1, Ordering::SeqCst) == 0 {
                            panic!("first tick fails");
                        }
                        Ok::<(), BoxDynError>(())
                    })
            }
        });
        let stop = tokio::time::sleep(Duration::from_millis(3500));
        monitor
            .run_with_signal(async move {
                stop.await;
                Ok(())
            })
            .await
            .ok();
        assert!(starts.load(Ordering::SeqCst) >= 2, "restarted: {starts:?}");
        assert!(ticks.load(Ordering::SeqCst) >= 2, "ticks went on after the panic: {ticks:?}");
    }
}
