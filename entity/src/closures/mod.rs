//! Certification closures ("clôtures", French anti-VAT-fraud law): for every account, every
//! completed day, month and year in the account's time zone gets one closure summing the
//! documents sealed in its documents chain during that period, sealed itself in the
//! account's closures chain and never changed afterwards.
//!
//! - Which documents: the entries of the documents chain whose `sealed_at` falls in the
//!   period, read from what was sealed (the canonical form), not from the documents as they
//!   are now. Sealing takes the documents head lock and stamps `sealed_at` under it, and a
//!   closure takes that same lock, so a period's entries are a contiguous range of
//!   sequences and no sealer can still add one to a period being closed.
//! - Which periods: from the one holding the account's first sealed document up to the
//!   last completed one; an empty period still gets its closure (continuity), and a
//!   scheduler that was down catches up in order on its next run.
//! - Exactly once: a unique index `(account_id, frequency, period_start)`, checked again
//!   under the closures chain's head lock inside the transaction that inserts and seals.
//! - Grand totals: the period total is the period's gross total (sales + credit notes);
//!   the perpetual total is the previous closure's of the same frequency plus it.

use crate::db::begin_write;
use crate::error::{DomainError, DomainResult};
use crate::ledger::store::{Appender, Chain, locked_head};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::{account, closure, ledger_entry as entry, ledger_head as head, membership, user};
use crate::tenant::{AccountId, Actor, Role};
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::BTreeMap;
use uuid::Uuid;

mod canonical;
mod emails;
mod totals;

pub use canonical::*;
pub use emails::*;
pub use totals::*;

/// The canonical form's version (`format=scelle-closure-v1`).
pub const CANONICAL_VERSION: u32 = 1;

/// Entries a closure reads at a time.
const CLOSURE_PAGE: u64 = 1000;

/// After this many failed attempts an e-mail is no longer retried (the closure stays
/// readable and downloadable; the error is on the row).
pub const MAX_EMAIL_ATTEMPTS: i32 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Frequency {
    Daily,
    Monthly,
    Yearly,
}

impl Frequency {
    pub const ALL: [Frequency; 3] = [Frequency::Daily, Frequency::Monthly, Frequency::Yearly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Daily => "daily",
            Frequency::Monthly => "monthly",
            Frequency::Yearly => "yearly",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// The first day of the period holding `day`.
    pub fn start_of(self, day: NaiveDate) -> NaiveDate {
        match self {
            Frequency::Daily => day,
            Frequency::Monthly => day.with_day(1).expect("day 1 exists"),
            Frequency::Yearly => NaiveDate::from_ymd_opt(day.year(), 1, 1).expect("1 January exists"),
        }
    }

    /// The first day of the next period, from a period's first day.
    pub fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Frequency::Daily => start.succ_opt().expect("date in range"),
            Frequency::Monthly => start + Months::new(1),
            Frequency::Yearly => start + Months::new(12),
        }
    }
}

/// The instant a local day starts in `tz`: midnight, or the first instant after it when
/// a clock change skips midnight.
pub fn day_starts_at(tz: Tz, day: NaiveDate) -> DateTime<Utc> {
    for minutes in (0..=180).step_by(30) {
        let local = day.and_hms_opt(0, 0, 0).expect("midnight") + chrono::Duration::minutes(minutes);
        if let Some(t) = tz.from_local_datetime(&local).earliest() {
            return t.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
}

/// Accounts that sealed at least one document and are active: the only ones with
/// closures to make.
async fn accounts_to_close(db: &impl ConnectionTrait) -> DomainResult<Vec<AccountId>> {
    let with_documents = Query::select()
        .column(head::Column::AccountId)
        .from(head::Entity)
        .and_where(head::Column::Chain.eq(Chain::Documents.as_str()))
        .and_where(head::Column::LastSequence.gt(0))
        .to_owned();
    let ids: Vec<Uuid> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .filter(account::Column::Status.eq("active"))
        .filter(account::Column::Id.in_subquery(with_documents))
        .order_by_asc(account::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(AccountId).collect())
}

/// The account's time zone: its days, months and years (closures, today's date).
pub fn tz_of(a: &account::Model) -> Tz {
    // Validated when set; an unknown zone (older data) falls back to the product's default.
    a.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris)
}

/// Makes every closure due at `now` for every active account, oldest period first. One
/// account's failure is logged and does not stop the others. Returns how many closures
/// this call created (0 when another scheduler was faster: running it twice is harmless).
pub async fn close_due(db: &DatabaseConnection, now: DateTime<Utc>) -> DomainResult<usize> {
    let mut created = 0;
    for account in accounts_to_close(db).await? {
        match close_account(db, account, now).await {
            Ok(n) => created += n,
            Err(e) => tracing::error!(account = %account.0, error = %e, "closing periods failed"),
        }
    }
    Ok(created)
}

/// The first day (in the account's time zone `tz`) that has closures: the day of the
/// account's first sealed document; none before it.
pub(crate) async fn first_day(
    db: &impl ConnectionTrait,
    account: AccountId,
    tz: Tz,
) -> DomainResult<Option<NaiveDate>> {
    let first = entry::Entity::find_in(account)
        .filter(entry::Column::Chain.eq(Chain::Documents.as_str()))
        .order_by_asc(entry::Column::Sequence)
        .one(db)
        .await?;
    Ok(first.map(|e| e.sealed_at.with_timezone(&tz).date_naive()))
}

/// Makes the account's closures due at `now`, every frequency, oldest first.
pub async fn close_account(db: &DatabaseConnection, account: AccountId, now: DateTime<Utc>) -> DomainResult<usize> {
    let a = account::Entity::find_by_id(account.0).one(db).await?.ok_or(DomainError::NotFound("account"))?;
    let tz = tz_of(&a);
    let Some(first_day) = first_day(db, account, tz).await? else { return Ok(0) };
    let mut created = 0;
    for f in Frequency::ALL {
        let last = closure::Entity::find_in(account)
            .filter(closure::Column::Frequency.eq(f.as_str()))
            .order_by_desc(closure::Column::PeriodStart)
            .one(db)
            .await?;
        let mut start = match last {
            Some(c) => f.next(c.period_start),
            None => f.start_of(first_day),
        };
        while day_starts_at(tz, f.next(start)) <= now {
            if close_period(db, account, f, start).await? {
                created += 1;
            }
            start = f.next(start);
        }
    }
    Ok(created)
}

/// Creates and seals the closure of one period, unless it exists. Returns whether it
/// was created here.
pub async fn close_period(
    db: &DatabaseConnection,
    account: AccountId,
    frequency: Frequency,
    period_start: NaiveDate,
) -> DomainResult<bool> {
    let txn = begin_write(db).await?;
    // The documents head first (what sealers lock): no document can be sealed into this
    // period while it is being closed, and every sealer before us has committed.
    let documents_head = locked_head(&txn, account, Chain::Documents).await?;
    let mut chain = Appender::open(&txn, account, Chain::Closures).await?;
    let exists = closure::Entity::find_in(account)
        .filter(closure::Column::Frequency.eq(frequency.as_str()))
        .filter(closure::Column::PeriodStart.eq(period_start))
        .count(&txn)
        .await?;
    if exists > 0 {
        return Ok(false);
    }
    let a = account::Entity::find_by_id(account.0).one(&txn).await?.ok_or(DomainError::NotFound("account"))?;
    let tz = tz_of(&a);
    let previous = closure::Entity::find_in(account)
        .filter(closure::Column::Frequency.eq(frequency.as_str()))
        .filter(closure::Column::PeriodStart.lt(period_start))
        .order_by_desc(closure::Column::PeriodStart)
        .one(&txn)
        .await?;
    let next = frequency.next(period_start);
    // Back to back with the previous closure even if the account changed time zone since:
    // every sealed document falls in exactly one closure of each frequency.
    let starts_at = previous.as_ref().map(|p| p.ends_at).unwrap_or_else(|| day_starts_at(tz, period_start));
    let ends_at = std::cmp::Ord::max(day_starts_at(tz, next), starts_at);
    // The period's entries page by page, in chain order: sums and CSV rows as they come,
    // a page in memory at a time (only what a closure reads of them: no whole rows).
    let (mut sums, mut csv, mut first, mut last) = (Summing::default(), CsvWriting::new()?, None, None);
    let mut after = 0;
    loop {
        let page: Vec<(i64, String, DateTime<Utc>, String)> = entry::Entity::find()
            .select_only()
            .columns([entry::Column::Sequence, entry::Column::Hash, entry::Column::SealedAt, entry::Column::Canonical])
            .in_account(account)
            .filter(entry::Column::Chain.eq(Chain::Documents.as_str()))
            .filter(entry::Column::Sequence.gt(after))
            .filter(entry::Column::SealedAt.gte(starts_at))
            .filter(entry::Column::SealedAt.lt(ends_at))
            .order_by_asc(entry::Column::Sequence)
            .limit(CLOSURE_PAGE)
            .into_tuple()
            .all(&txn)
            .await?;
        for (sequence, hash, sealed_at, canonical) in &page {
            let d = parse_form(*sequence, hash, *sealed_at, canonical)?;
            sums.add(&d);
            csv.add(&d)?;
            first.get_or_insert(*sequence);
            last = Some((*sequence, hash.clone()));
        }
        match page.last() {
            Some((sequence, ..)) if page.len() as u64 == CLOSURE_PAGE => after = *sequence,
            _ => break,
        }
    }
    let last_hash = match &last {
        Some((_, hash)) => hash.clone(),
        // Nothing sealed in the period: the chain as it stood at its end.
        None => entry::Entity::find_in(account)
            .filter(entry::Column::Chain.eq(Chain::Documents.as_str()))
            .filter(entry::Column::SealedAt.lt(ends_at))
            .order_by_desc(entry::Column::Sequence)
            .one(&txn)
            .await?
            .map(|e| e.hash)
            .unwrap_or(documents_head.genesis),
    };
    let t = sums.totals();
    let total = t.total();
    let previous_perpetual = previous.as_ref().map(|p| p.perpetual_total.value()).unwrap_or_default();
    let csv = csv.finish()?;
    // Every chain's head as it stands: documents (locked above), payments and events
    // (their last committed state), closures (before this closure). Verification checks
    // that each chain still holds them.
    let mut heads = vec![RecordedHead {
        chain: Chain::Documents,
        sequence: documents_head.last_sequence,
        hash: documents_head.last_hash.clone(),
    }];
    for other in [Chain::Payments, Chain::Events] {
        let h = crate::ledger::store::head_of(&txn, account, other)
            .await?
            .ok_or_else(|| DomainError::Integrity(format!("the {} chain head is missing", other.as_str())))?;
        heads.push(RecordedHead { chain: other, sequence: h.last_sequence, hash: h.last_hash });
    }
    heads.push(RecordedHead {
        chain: Chain::Closures,
        sequence: chain.head().last_sequence,
        hash: chain.head().last_hash.clone(),
    });
    let mut model = closure::Model {
        id: Uuid::now_v7(),
        account_id: account.0,
        frequency: frequency.as_str().into(),
        period_start,
        period_end: next.pred_opt().expect("date in range"),
        time_zone: tz.name().to_owned(),
        starts_at,
        ends_at,
        document_count: t.document_count,
        sales_count: t.sales_count,
        credit_count: t.credit_count,
        sales_net: amount(t.sales.net),
        sales_tax: amount(t.sales.tax),
        sales_gross: amount(t.sales.gross),
        credits_net: amount(t.credits.net),
        credits_tax: amount(t.credits.tax),
        credits_gross: amount(t.credits.gross),
        total_net: amount(total.net),
        total_tax: amount(total.tax),
        total_gross: amount(total.gross),
        vat_rows: t.vat.iter().map(vat_row).collect::<Vec<_>>().join("\n"),
        perpetual_total: amount(previous_perpetual + total.gross),
        first_sequence: first,
        last_sequence: last.map(|(sequence, _)| sequence),
        last_hash,
        csv_sha256: sha256_hex(csv.as_bytes()),
        csv,
        created_at: Utc::now(),
        email_sent_at: None,
        email_attempts: 0,
        email_last_error: None,
        email_claimed_at: None,
        heads: heads
            .iter()
            .map(|h| format!("{}|{}|{}", h.chain.as_str(), h.sequence, h.hash))
            .collect::<Vec<_>>()
            .join("\n"),
        signed_at: None,
        signature: None,
        signing_key: None,
    };
    // The block (the closure's entry in the closures chain) is signed before it is written:
    // the signature vouches for the block hash, which covers the closure and, through the
    // heads it records, every chain up to it.
    let form = canonical_v2(&model);
    let block_hash = chain.next_hash(&form);
    let block = block_checkpoint(&model, chain.head().last_sequence + 1, &block_hash);
    let ring = crate::ledger::keys::installed()?;
    let signature = ring.sign(&block);
    model.signed_at = Some(block.signed_at);
    model.signature = Some(signature);
    model.signing_key = Some(ring.key_id());
    let model = closure::ActiveModel::from(model).insert(&txn).await?;
    chain.push(&txn, model.id, form).await?;
    chain.finish(&txn).await?;
    let event = crate::journal::Event::ClosureCreated {
        closure: model.id,
        period: format!("{} {}..{}", model.frequency, model.period_start, model.period_end),
    };
    crate::journal::record(&txn, AccountId(model.account_id), &crate::journal::Origin::system(), event);
    let payload = crate::domain_events::closure_payload(&model, &block_hash);
    let code = crate::vocabulary::EventCode::ClosureDone;
    crate::domain_events::note(&txn, AccountId(model.account_id), code, model.id, payload);
    txn.commit().await?;
    Ok(true)
}

/// What a closure's signature vouches for: its block, entry `sequence` of the closures
/// chain with hash `hash`, signed at the closure's `signed_at`.
pub fn block_checkpoint<'a>(c: &closure::Model, sequence: i64, hash: &'a str) -> crate::ledger::keys::Checkpoint<'a> {
    crate::ledger::keys::Checkpoint {
        account: c.account_id,
        chain: Chain::Closures.as_str(),
        sequence,
        hash,
        signed_at: c.signed_at.unwrap_or_else(crate::ledger::keys::signing_time),
    }
}

/// Owners, admins and accountants read closures; members do not.
fn require_reader(actor: &Actor) -> DomainResult<()> {
    actor.require_auditor()
}

/// The account's closures, newest period first (daily before monthly before yearly on
/// the same start).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    frequency: Option<Frequency>,
    page: PageRequest,
) -> DomainResult<Page<closure::Model>> {
    require_reader(actor)?;
    let mut q = closure::Entity::find_in(actor);
    if let Some(f) = frequency {
        q = q.filter(closure::Column::Frequency.eq(f.as_str()));
    }
    let total_count = q.clone().count(db).await?;
    let items = q
        .order_by_desc(closure::Column::PeriodStart)
        .order_by_desc(closure::Column::PeriodEnd)
        .order_by_asc(closure::Column::Id)
        .offset(page.offset())
        .limit(page.per_page)
        .all(db)
        .await?;
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}

/// One closure of the actor's account (another account's is not found).
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<closure::Model> {
    require_reader(actor)?;
    closure::Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("closure"))
}

/// One closure of the actor's account, refused (`Integrity`) when its CSV no longer
/// matches the SHA-256 it was sealed with: what is downloaded is what was sealed, or nothing.
pub async fn get_verified(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<closure::Model> {
    let c = get(db, actor, id).await?;
    if sha256_hex(c.csv.as_bytes()) != c.csv_sha256 {
        return Err(DomainError::Integrity(format!("closure {id}: the CSV does not match its sealed SHA-256")));
    }
    Ok(c)
}

/// A closure by id within an account, for verification (no actor: the ledger's own read).
pub async fn find_in_account(
    db: &impl ConnectionTrait,
    account: AccountId,
    id: Uuid,
) -> DomainResult<Option<closure::Model>> {
    Ok(closure::Entity::find_by_id(id).in_account(account).one(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_and_time_zones() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(Frequency::Monthly.start_of(d(2026, 2, 17)), d(2026, 2, 1));
        assert_eq!(Frequency::Monthly.next(d(2026, 1, 1)), d(2026, 2, 1));
        assert_eq!(Frequency::Yearly.next(d(2026, 1, 1)), d(2027, 1, 1));
        assert_eq!(Frequency::Daily.next(d(2026, 2, 28)), d(2026, 3, 1));
        // Paris is UTC+1 in winter, UTC+2 in summer.
        assert_eq!(day_starts_at(chrono_tz::Europe::Paris, d(2026, 1, 10)).to_rfc3339(), "2026-01-09T23:00:00+00:00");
        assert_eq!(day_starts_at(chrono_tz::Europe::Paris, d(2026, 7, 10)).to_rfc3339(), "2026-07-09T22:00:00+00:00");
    }

    #[test]
    fn sealed_values_are_unescaped() {
        assert_eq!(crate::ledger::canonical::parts("a\\|b|c\\\\d\\ne"), vec!["a|b".to_owned(), "c\\d\ne".to_owned()]);
    }
}
