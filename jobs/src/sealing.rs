//! Sealing: the job that seals what an account issued or was paid, its producer handle,
//! and the sweeper.
//!
//! At least once, exactly once in effect: the job seals *everything* pending in the
//! account (documents, then payments), under each chain's head lock, and a subject is
//! sealed once (unique index) — so a job delivered twice, two jobs for one account, or a
//! job racing the sweeper all leave one entry per subject. The job is pushed after the
//! write commits (apalis cannot share the application's transaction); a push that never
//! happens (crash between commit and push, queue unavailable) is caught by the sweeper,
//! which seals every account with something pending on a short schedule and at start.

use crate::queue::{JobStore, Pushed, Queue};
use apalis::prelude::*;
use apalis_cron::Tick;
use entity::AccountId;
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The queue's stable name (apalis' default, a Rust type path, would move with the code).
pub const QUEUE: &str = "ledger.seal";

/// Attempts before a job is left to the sweeper.
const MAX_ATTEMPTS: usize = 5;

/// Accounts handled by one sweep, at most.
const SWEEP_BATCH: u64 = 500;

/// Seal what account `account_id` has pending. `subject_id` (the document or payment that
/// asked) only names the job: it is the idempotency key, so one request is queued once.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SealAccount {
    pub account_id: Uuid,
    pub subject_id: Uuid,
}

/// The job handler.
pub async fn seal(job: SealAccount, db: Data<DatabaseConnection>) -> Result<(), BoxDynError> {
    let (documents, payments) = entity::ledger::subjects::seal_account(&db, AccountId(job.account_id)).await?;
    if documents + payments > 0 {
        tracing::debug!(account = %job.account_id, documents, payments, "sealed");
    }
    Ok(())
}

/// The sweeper's tick: seals every account that has something issued or paid but not sealed.
pub async fn sweep(_tick: Tick, db: Data<DatabaseConnection>) -> Result<(), BoxDynError> {
    sweep_now(&db).await
}

/// One sweep (also run once when the service starts).
pub async fn sweep_now(db: &DatabaseConnection) -> Result<(), BoxDynError> {
    for account in entity::ledger::subjects::accounts_with_pending(db, SWEEP_BATCH).await? {
        match entity::ledger::subjects::seal_account(db, account).await {
            Ok((d, p)) if d + p > 0 => {
                tracing::warn!(account = %account.0, documents = d, payments = p, "sweeper sealed what no job had")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(account = %account.0, error = %e, "sweeper could not seal"),
        }
    }
    Ok(())
}

/// What the API holds to ask for sealing after a write.
#[derive(Clone)]
pub struct Sealer {
    queue: Queue<SealAccount>,
}

impl Sealer {
    pub fn new(store: &JobStore) -> Self {
        Self { queue: store.queue(QUEUE) }
    }

    /// Asks for the account to be sealed soon. Never fails the caller: the write it follows
    /// is committed, and what a lost push leaves pending the sweeper seals.
    pub async fn request(&self, account: AccountId, subject_id: Uuid) {
        let job = SealAccount { account_id: account.0, subject_id };
        match self.queue.push_unique(job, &format!("seal:{subject_id}"), MAX_ATTEMPTS).await {
            Ok(Pushed::Queued | Pushed::AlreadyQueued) => {}
            Err(e) => tracing::warn!(account = %account.0, error = %e, "sealing job not queued; the sweeper will seal"),
        }
    }
}
