//! Deliveries: made from the domain events (`dispatch`: one per live endpoint listening to
//! the event's kind and per event, whoever dispatches and however often — a unique index
//! says so), claimed for a while by the worker that sends them (`claim_due`), and settled
//! by what the endpoint answered (`record`): delivered on a 2xx, else tried again on the
//! retry schedule (exponential, with jitter, at least 24 hours by default), then failed
//! for good; an endpoint whose deliveries fail for good `DISABLE_AFTER` times in a row is
//! disabled and its owner told in the journal. A worker that dies mid-send leaves its claim
//! to lapse, and the delivery is sent again (at least once; receivers drop repeats by
//! `webhook-id`).

use super::kind_of;
use crate::db::begin_write;
use crate::error::{DomainError, DomainResult};
use crate::scope::ScopedQuery;
use crate::tables::{domain_event as de, webhook, webhook_delivery as wd};
use crate::tenant::{AccountId, Actor};
use crate::vocabulary::DeliveryStatus;
use chrono::{DateTime, SubsecRound, Utc};
use rand::Rng;
use sea_orm::sea_query::{LockBehavior, LockType, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use uuid::Uuid;

/// Deliveries failed for good in a row after which an endpoint is disabled.
pub const DISABLE_AFTER: i32 = 5;

/// The most kept of an endpoint's answer, in characters.
pub const RESPONSE_KEPT: usize = 1024;

/// The waits before each retry after a failed attempt; out of waits, the delivery fails.
#[derive(Clone, Debug)]
pub struct RetrySchedule(pub Vec<Duration>);

impl Default for RetrySchedule {
    /// The Standard Webhooks reference schedule: now, then 5 s, 5 min, 30 min, 2 h, 5 h,
    /// 10 h and 10 h (about 27 h 35 min in all).
    fn default() -> Self {
        let (s, m, h) = (1, 60, 3600);
        RetrySchedule([5 * s, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h].map(Duration::from_secs).to_vec())
    }
}

impl RetrySchedule {
    /// The wait after `failed` attempts (1 after the first), ±10 % so that the retries of
    /// an endpoint that was down do not all arrive at once; `None` when out of retries.
    pub fn wait_after(&self, failed: usize) -> Option<Duration> {
        let base = *self.0.get(failed.checked_sub(1)?)?;
        let jitter = rand::rng().random_range(0.9..=1.1);
        Some(base.mul_f64(jitter))
    }

    /// Reads `0s,5s,5m,30m,2h` (each a number and `ms`, `s`, `m` or `h`).
    pub fn parse(text: &str) -> Option<RetrySchedule> {
        let mut waits = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let split = part.find(|c: char| !c.is_ascii_digit())?;
            let (n, unit) = part.split_at(split);
            let n: u64 = n.parse().ok()?;
            waits.push(match unit {
                "ms" => Duration::from_millis(n),
                "s" => Duration::from_secs(n),
                "m" => Duration::from_secs(n * 60),
                "h" => Duration::from_secs(n * 3600),
                _ => return None,
            });
        }
        Some(RetrySchedule(waits))
    }
}

/// The body every attempt of a delivery sends (fixed when the delivery is made).
fn body(kind: &str, event: Option<&de::Model>, hook: &webhook::Model, data: Value, at: DateTime<Utc>) -> String {
    json!({
        "type": kind,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "event": event.map(|e| e.code.as_str()),
        "event_id": event.map(|e| e.id),
        "account_id": hook.account_id,
        // The endpoint's own token, as the seed's webhooks carry it.
        "api_token": hook.api_token,
        "data": data,
    })
    .to_string()
}

fn new_delivery(hook: &webhook::Model, event: Option<&de::Model>, kind: &str, data: Value) -> wd::ActiveModel {
    let now = Utc::now();
    wd::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(hook.account_id),
        webhook_id: Set(hook.id),
        event_id: Set(event.map(|e| e.id)),
        kind: Set(kind.to_owned()),
        body: Set(body(kind, event, hook, data, event.map(|e| e.occurred_at).unwrap_or(now))),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        claimed_until: Set(None),
        last_status_code: Set(None),
        last_error: Set(None),
        last_response: Set(None),
        last_duration_ms: Set(None),
        created_at: Set(now),
        delivered_at: Set(None),
    }
}

/// Turns up to `limit` undispatched domain events (every account's: this is the server's
/// own work) into deliveries and marks them dispatched, in one transaction. Returns how
/// many events it dispatched.
pub async fn dispatch(db: &DatabaseConnection, limit: u64) -> DomainResult<usize> {
    // Most ticks find nothing: a read says so without taking SQLite's writer.
    if crate::domain_events::undispatched(db, 1).await?.is_empty() {
        return Ok(0);
    }
    let txn = begin_write(db).await?;
    // Two dispatchers on PostgreSQL take different events; were they to take the same,
    // the unique index would still make one delivery of each.
    let events = de::Entity::find()
        .filter(de::Column::DispatchedAt.is_null())
        .order_by_asc(de::Column::Id)
        .limit(limit)
        .lock_with_behavior(LockType::Update, LockBehavior::SkipLocked)
        .all(&txn)
        .await?;
    if events.is_empty() {
        txn.rollback().await?;
        return Ok(0);
    }
    let accounts: BTreeSet<Uuid> = events.iter().map(|e| e.account_id).collect();
    let hooks = webhook::Entity::find()
        .filter(webhook::Column::AccountId.is_in(accounts))
        .filter(webhook::Column::Active.eq(true))
        .filter(webhook::Column::DisabledAt.is_null())
        .all(&txn)
        .await?;
    let mut by_account: HashMap<(Uuid, &str), Vec<&webhook::Model>> = HashMap::new();
    for h in &hooks {
        by_account.entry((h.account_id, h.kind.as_str())).or_default().push(h);
    }
    let mut rows = Vec::new();
    for e in &events {
        let Some(kind) = kind_of(e.code) else { continue };
        let data: Value = serde_json::from_str(&e.payload).unwrap_or(Value::Null);
        for h in by_account.get(&(e.account_id, kind)).into_iter().flatten() {
            rows.push(new_delivery(h, Some(e), kind, data.clone()));
        }
    }
    for chunk in rows.chunks(100) {
        wd::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::columns([wd::Column::WebhookId, wd::Column::EventId]).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
    }
    let ids: Vec<Uuid> = events.iter().map(|e| e.id).collect();
    crate::domain_events::mark_dispatched(&txn, &ids).await?;
    txn.commit().await?;
    Ok(events.len())
}

/// Up to `limit` deliveries due at `now`, claimed for `claim` (longer than sending them
/// takes: until then no other worker sends them), with their endpoints. Those whose
/// endpoint no longer takes deliveries fail at once.
pub async fn claim_due(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    limit: u64,
    claim: Duration,
) -> DomainResult<Vec<(wd::Model, webhook::Model)>> {
    let due = || {
        wd::Entity::find()
            .filter(wd::Column::Status.eq(DeliveryStatus::Pending))
            .filter(wd::Column::NextAttemptAt.lte(now))
            .filter(Condition::any().add(wd::Column::ClaimedUntil.is_null()).add(wd::Column::ClaimedUntil.lt(now)))
            .order_by_asc(wd::Column::NextAttemptAt)
    };
    // Most ticks find nothing due: a read says so without taking SQLite's writer.
    if due().limit(1).all(db).await?.is_empty() {
        return Ok(Vec::new());
    }
    let txn = begin_write(db).await?;
    let due = due().limit(limit).lock_with_behavior(LockType::Update, LockBehavior::SkipLocked).all(&txn).await?;
    if due.is_empty() {
        txn.rollback().await?;
        return Ok(Vec::new());
    }
    let hook_ids: BTreeSet<Uuid> = due.iter().map(|d| d.webhook_id).collect();
    let hooks: HashMap<Uuid, webhook::Model> = webhook::Entity::find()
        .filter(webhook::Column::Id.is_in(hook_ids))
        .all(&txn)
        .await?
        .into_iter()
        .map(|h| (h.id, h))
        .collect();
    // Microseconds: what PostgreSQL keeps, so that `record` compares the claim it was given
    // with the one stored.
    let until = (now + chrono::Duration::from_std(claim).unwrap_or_default()).trunc_subsecs(6);
    let mut claimed = Vec::with_capacity(due.len());
    for d in due {
        let Some(hook) = hooks.get(&d.webhook_id) else { continue };
        let mut am: wd::ActiveModel = d.into();
        if super::is_live(hook) {
            am.claimed_until = Set(Some(until));
            claimed.push((am.update(&txn).await?, hook.clone()));
        } else {
            am.status = Set(DeliveryStatus::Failed);
            am.last_error = Set(Some("the endpoint is disabled".into()));
            am.update(&txn).await?;
        }
    }
    txn.commit().await?;
    Ok(claimed)
}

/// What one attempt gave.
#[derive(Clone, Debug, Default)]
pub struct Attempt {
    /// The HTTP status, when the endpoint answered.
    pub status_code: Option<u16>,
    /// Why there was no answer (refused target, timeout, connection), or none.
    pub error: Option<String>,
    /// The start of the answer's body (`RESPONSE_KEPT` characters at most).
    pub response: Option<String>,
    pub duration_ms: i64,
}

impl Attempt {
    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Settles an attempt of a delivery as `claimed` (what `claim_due` returned): delivered,
/// retried later, or failed for good (and the endpoint disabled after `DISABLE_AFTER` such
/// in a row). A delivery no longer pending, or whose claim lapsed and was taken by another
/// worker since, is left to whoever holds it now: an attempt counts once.
pub async fn record(
    db: &DatabaseConnection,
    claimed: &wd::Model,
    attempt: Attempt,
    schedule: &RetrySchedule,
) -> DomainResult<Option<DeliveryStatus>> {
    let txn = begin_write(db).await?;
    let Some(d) = wd::Entity::find_by_id(claimed.id).lock_exclusive().one(&txn).await? else {
        txn.rollback().await?;
        return Ok(None);
    };
    let Some(hook) = webhook::Entity::find_by_id(d.webhook_id).lock_exclusive().one(&txn).await? else {
        txn.rollback().await?;
        return Ok(None);
    };
    if d.status != DeliveryStatus::Pending || d.claimed_until != claimed.claimed_until {
        txn.rollback().await?;
        return Ok(None);
    }
    let now = Utc::now();
    let attempts = d.attempts + 1;
    let mut am: wd::ActiveModel = d.into();
    am.attempts = Set(attempts);
    am.claimed_until = Set(None);
    am.last_status_code = Set(attempt.status_code.map(i32::from));
    am.last_error = Set(attempt.error.clone());
    am.last_response = Set(attempt.response.as_ref().map(|r| r.chars().take(RESPONSE_KEPT).collect()));
    am.last_duration_ms = Set(Some(attempt.duration_ms));
    let mut h: webhook::ActiveModel = hook.clone().into();
    let status = if attempt.succeeded() {
        am.delivered_at = Set(Some(now));
        h.consecutive_failures = Set(0);
        DeliveryStatus::Delivered
    } else if let Some(wait) = schedule.wait_after(attempts as usize) {
        am.next_attempt_at = Set(now + chrono::Duration::from_std(wait).unwrap_or_default());
        DeliveryStatus::Pending
    } else {
        let failures = hook.consecutive_failures + 1;
        h.consecutive_failures = Set(failures);
        if failures >= DISABLE_AFTER && hook.disabled_at.is_none() {
            h.disabled_at = Set(Some(now));
            let event = crate::journal::Event::WebhookDisabled { webhook: hook.id, url: hook.url.clone(), failures };
            crate::journal::record(&txn, AccountId(hook.account_id), &crate::journal::Origin::system(), event);
        }
        DeliveryStatus::Failed
    };
    am.status = Set(status);
    am.update(&txn).await?;
    if h.is_changed() {
        h.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(Some(status))
}

/// Sends a delivery again from its first attempt (a failed one, or one delivered that its
/// receiver lost), with the same id and body.
pub async fn redeliver(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<wd::Model> {
    actor.require_manager()?;
    let txn = begin_write(db).await?;
    let d = wd::Entity::find_by_id(id).in_account(actor).one(&txn).await?.ok_or(DomainError::NotFound("delivery"))?;
    let mut am: wd::ActiveModel = d.into();
    am.status = Set(DeliveryStatus::Pending);
    am.attempts = Set(0);
    am.next_attempt_at = Set(Utc::now());
    // An attempt in flight keeps its claim: the new round starts once it is settled or
    // its claim lapses, never beside it.
    let again = am.update(&txn).await?;
    txn.commit().await?;
    Ok(again)
}

/// A test delivery (`webhook:test`) to an endpoint, sent like any other.
pub async fn send_test(db: &DatabaseConnection, actor: &Actor, webhook_id: Uuid) -> DomainResult<wd::Model> {
    let hook = super::get(db, actor, webhook_id).await?;
    let txn = begin_write(db).await?;
    let data = json!({ "webhook_id": hook.id, "kind": hook.kind, "message": "Scelle test delivery" });
    let created = new_delivery(&hook, None, "webhook:test", data).insert(&txn).await?;
    txn.commit().await?;
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_retries_for_over_a_day_with_jitter() {
        let s = RetrySchedule::default();
        let total: Duration = s.0.iter().sum();
        assert!(total >= Duration::from_secs(24 * 3600), "{total:?}");
        let first = s.wait_after(1).unwrap();
        assert!(first >= Duration::from_millis(4500) && first <= Duration::from_millis(5500), "{first:?}");
        assert!(s.wait_after(0).is_none());
        assert!(s.wait_after(s.0.len() + 1).is_none(), "out of retries after the last wait");
        assert!(s.wait_after(s.0.len()).is_some());
    }

    #[test]
    fn schedules_read_from_configuration() {
        let s = RetrySchedule::parse("10ms, 2s,5m,1h").unwrap();
        assert_eq!(s.0, [10, 2000, 300_000, 3_600_000].map(Duration::from_millis));
        assert!(RetrySchedule::parse("5x").is_none());
        assert!(RetrySchedule::parse("s").is_none());
        assert!(RetrySchedule::parse("").unwrap().0.is_empty());
    }
}
