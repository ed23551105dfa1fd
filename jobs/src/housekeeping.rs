//! Periodic purge of authentication rows that can no longer authenticate anyone.

use apalis::prelude::{BoxDynError, Data};
use apalis_cron::Tick;
use chrono::{Duration, Utc};
use sea_orm::DatabaseConnection;

#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Lifetime of refresh tokens: an idle session older than this is dead.
    pub refresh_ttl: Duration,
    /// How long revoked sessions stay visible before deletion.
    pub keep_revoked: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Self { refresh_ttl: Duration::days(30), keep_revoked: Duration::days(30) }
    }
}

/// One run. Idempotent, so several processes ticking at once is harmless.
pub async fn on_tick(_tick: Tick, db: Data<DatabaseConnection>, policy: Data<Policy>) -> Result<(), BoxDynError> {
    let report = entity::auth::purge_expired(&db, Utc::now(), policy.refresh_ttl, policy.keep_revoked).await?;
    if report != Default::default() {
        tracing::info!(?report, "housekeeping purged expired authentication rows");
    }
    Ok(())
}
