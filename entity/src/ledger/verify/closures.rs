//! Closures as anchors: each closure records the heads of every chain and its block is
//! signed, so a chain rewritten after a closure (even with the published algorithm, hashes
//! recomputed) no longer holds the heads that closure recorded. Checked here: for the
//! closures chain, every closure's signature and CSV and that every past period has its
//! closure; for every chain, the heads closures recorded of it (and for documents, each
//! closure's last sealed entry).

use super::{Finding, Findings, Options, Reason};
use crate::closures::{Frequency, block_checkpoint, day_starts_at, recorded_heads};
use crate::error::DomainResult;
use crate::ledger::store::{Chain, head_of};
use crate::scope::InAccount;
use crate::tables::{account, closure, ledger_entry as entry};
use crate::tenant::AccountId;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// How long after a period ends its closure may still be missing when nothing else is
/// known (the closures run every few minutes by default): past this, a missing closure is
/// a finding. The server passes its own (twice its schedule's interval, an hour at least).
pub const DEFAULT_GRACE: Duration = Duration::hours(1);

pub(super) async fn verify(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    options: &Options,
    found: &mut Findings,
) -> DomainResult<()> {
    let closures = closure::Entity::find_in(account)
        .order_by_asc(closure::Column::CreatedAt)
        .order_by_asc(closure::Column::Id)
        .all(db)
        .await?;
    // Only the entries closures name: what they recorded of this chain (and the closures'
    // own blocks when this is the closures chain).
    let mut wanted: Vec<i64> = Vec::new();
    for c in &closures {
        let heads = recorded_heads(c).unwrap_or_default();
        wanted.extend(heads.into_iter().filter(|h| h.chain == chain).map(|h| h.sequence));
        if chain == Chain::Documents {
            wanted.extend(c.last_sequence);
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let mut this_chain: HashMap<i64, entry::Model> = HashMap::new();
    for chunk in wanted.chunks(500) {
        let rows = entry::Entity::find_in(account)
            .filter(entry::Column::Chain.eq(chain.as_str()))
            .filter(entry::Column::Sequence.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        this_chain.extend(rows.into_iter().map(|e| (e.sequence, e)));
    }
    if chain == Chain::Closures {
        let blocks = entry::Entity::find_in(account).filter(entry::Column::Chain.eq(chain.as_str())).all(db).await?;
        this_chain.extend(blocks.into_iter().map(|e| (e.sequence, e)));
    }
    let genesis = head_of(db, account, chain).await?.map(|h| h.genesis);
    let hash_at = |sequence: i64| -> Option<&str> {
        if sequence == 0 { genesis.as_deref() } else { this_chain.get(&sequence).map(|e| e.hash.as_str()) }
    };
    for c in &closures {
        let period = format!("{} closure of {}", c.frequency, c.period_start);
        let heads = match recorded_heads(c) {
            Ok(heads) => heads,
            Err(_) => {
                let f = Finding::new(
                    Reason::ClosureHeadMismatch,
                    None,
                    format!("the {period}'s recorded heads do not read"),
                )
                .subject(c.id);
                found.push(f);
                continue;
            }
        };
        for h in heads.into_iter().filter(|h| h.chain == chain) {
            let now = hash_at(h.sequence);
            if now != Some(h.hash.as_str()) {
                let f = Finding::new(
                    Reason::ClosureHeadMismatch,
                    Some(h.sequence),
                    format!("the {period} recorded entry {} of this chain", h.sequence),
                )
                .subject(c.id)
                .hashes(Some(&h.hash), now);
                found.push(f);
            }
        }
        if chain == Chain::Documents
            && let Some(last) = c.last_sequence
            && hash_at(last) != Some(c.last_hash.as_str())
        {
            let f = Finding::new(Reason::ClosureHeadMismatch, Some(last), format!("the {period} ends at entry {last}"))
                .subject(c.id)
                .hashes(Some(&c.last_hash), hash_at(last));
            found.push(f);
        }
    }
    if chain != Chain::Closures {
        return Ok(());
    }
    let by_subject: HashMap<Uuid, &entry::Model> = this_chain.values().map(|e| (e.subject_id, e)).collect();
    for c in &closures {
        let period = format!("{} closure of {}", c.frequency, c.period_start);
        let block = by_subject.get(&c.id);
        let sequence = block.map(|e| e.sequence);
        if crate::secret::sha256_hex(c.csv.as_bytes()) != c.csv_sha256 {
            let f = Finding::new(Reason::CsvMismatch, sequence, format!("the {period}'s CSV"))
                .subject(c.id)
                .hashes(Some(&c.csv_sha256), Some(&crate::secret::sha256_hex(c.csv.as_bytes())));
            found.push(f);
        }
        // Closures sealed before signatures existed (canonical version 1) carry none.
        if let Some(e) = block.filter(|e| e.version >= 2)
            && let Err(fault) = options.trusted.check(
                c.signing_key.as_deref(),
                c.signature.as_deref(),
                &block_checkpoint(c, e.sequence, &e.hash),
            )
        {
            found.push(Finding::new(fault.into(), sequence, format!("the {period}'s signature")).subject(c.id));
        }
    }
    missing_periods(db, account, &closures, options.now - options.closure_grace, found).await
}

/// Every period from the one holding the account's first sealed document (or the first
/// closure of the frequency, as the closures themselves go on from there whatever the time
/// zone since) to the last one ended by `due` has its closure, for each frequency. An
/// account no longer active makes no new closures: its periods are expected up to its
/// last one.
async fn missing_periods(
    db: &impl ConnectionTrait,
    account: AccountId,
    closures: &[closure::Model],
    due: DateTime<Utc>,
    found: &mut Findings,
) -> DomainResult<()> {
    let Some(a) = account::Entity::find_by_id(account.0).one(db).await? else { return Ok(()) };
    let tz = crate::closures::tz_of(&a);
    let Some(first_day) = crate::closures::first_day(db, account, tz).await? else { return Ok(()) };
    let made: HashSet<(String, chrono::NaiveDate)> =
        closures.iter().map(|c| (c.frequency.clone(), c.period_start)).collect();
    for f in Frequency::ALL {
        let last_made = closures.iter().filter(|c| c.frequency == f.as_str()).map(|c| c.ends_at).max();
        let until = if a.status == "active" { due } else { last_made.unwrap_or(DateTime::<Utc>::MIN_UTC) };
        let first_made = closures.iter().filter(|c| c.frequency == f.as_str()).map(|c| c.period_start).min();
        let mut start = first_made.unwrap_or_else(|| f.start_of(first_day));
        while day_starts_at(tz, f.next(start)) <= until {
            if !made.contains(&(f.as_str().to_owned(), start)) {
                found.push(Finding::new(
                    Reason::ClosureMissing,
                    None,
                    format!("no {} closure for the period starting {start}", f.as_str()),
                ));
                if found.full() {
                    return Ok(());
                }
            }
            start = f.next(start);
        }
    }
    Ok(())
}
