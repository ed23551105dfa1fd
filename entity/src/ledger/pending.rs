//! What a write transaction has to seal, noted as it goes and appended when it commits
//! (`db::WriteTxn::commit`): issued fiscal documents into the documents chain, paid
//! payments into the payments chain, journal events into the events chain — in that
//! order, per account, in the order noted.

use super::store::Chain;
use super::subjects;
use crate::error::DomainResult;
use crate::journal::{Event, Origin};
use crate::tenant::AccountId;
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A journal event waiting for its transaction's commit.
pub(crate) struct NotedEvent {
    pub origin: Origin,
    pub event: Event,
    pub at: DateTime<Utc>,
}

#[derive(Default)]
pub struct Pending {
    subjects: Vec<(AccountId, Chain, Uuid)>,
    events: Vec<(AccountId, NotedEvent)>,
    occurred: Vec<crate::domain_events::Occurred>,
}

impl Pending {
    /// An issued fiscal document to seal.
    pub(crate) fn document(&mut self, account: AccountId, id: Uuid) {
        self.subject(account, Chain::Documents, id);
    }

    /// A paid payment to seal.
    pub(crate) fn payment(&mut self, account: AccountId, id: Uuid) {
        self.subject(account, Chain::Payments, id);
    }

    fn subject(&mut self, account: AccountId, chain: Chain, id: Uuid) {
        if !self.subjects.contains(&(account, chain, id)) {
            self.subjects.push((account, chain, id));
        }
    }

    pub(crate) fn event(&mut self, account: AccountId, origin: Origin, event: Event, at: DateTime<Utc>) {
        self.events.push((account, NotedEvent { origin, event, at }));
    }

    /// A domain event for the outbox (`domain_events`).
    pub(crate) fn occurred(
        &mut self,
        account: AccountId,
        code: crate::vocabulary::EventCode,
        subject: Uuid,
        payload: serde_json::Value,
    ) {
        self.occurred.push(crate::domain_events::Occurred::new(account, code, subject, payload));
    }

    /// A domain event that comes before every other event of its subject noted so far: a
    /// creation, noted once its subject is complete (a document created issued is created,
    /// then issued, though its issue was noted first).
    pub(crate) fn occurred_first(
        &mut self,
        account: AccountId,
        code: crate::vocabulary::EventCode,
        subject: Uuid,
        payload: serde_json::Value,
    ) {
        let at = self.occurred.iter().position(|e| e.subject == subject).unwrap_or(self.occurred.len());
        self.occurred.insert(at, crate::domain_events::Occurred::new(account, code, subject, payload));
    }
}

/// Appends everything noted, chain by chain in lock order, account by account.
pub(crate) async fn flush(txn: &impl ConnectionTrait, pending: Pending) -> DomainResult<()> {
    let mut subjects: BTreeMap<(Chain, AccountId), Vec<Uuid>> = BTreeMap::new();
    for (account, chain, id) in pending.subjects {
        subjects.entry((chain, account)).or_default().push(id);
    }
    let mut occurred = pending.occurred;
    for ((chain, account), ids) in subjects {
        let code = match chain {
            Chain::Payments => crate::vocabulary::EventCode::PaymentSealed,
            _ => crate::vocabulary::EventCode::DocumentSealed,
        };
        for s in subjects::seal(txn, account, chain, &ids).await? {
            let payload =
                crate::domain_events::sealed_payload(s.subject, chain.as_str(), s.sequence, &s.hash, s.sealed_at);
            occurred.push(crate::domain_events::Occurred::new(account, code, s.subject, payload));
        }
    }
    let mut events: BTreeMap<AccountId, Vec<NotedEvent>> = BTreeMap::new();
    for (account, e) in pending.events {
        events.entry(account).or_default().push(e);
    }
    for (account, noted) in events {
        crate::journal::append(txn, account, noted).await?;
    }
    crate::domain_events::insert(txn, occurred).await
}
