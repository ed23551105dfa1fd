//! What a chain must hold: every record of its kind that is to be sealed has its entry
//! (an issued fiscal document, a paid payment, a closure, a journal event — all sealed in
//! the transaction that writes them, so one without an entry was put there or had its
//! entry removed), and numbering counters agree with the documents they numbered.

use super::{Finding, Findings, Reason};
use crate::error::DomainResult;
use crate::ledger::store::{Chain, sealed_subjects};
use crate::scope::InAccount;
use crate::tables::{closure, document, journal_event, number_series};
use crate::tenant::AccountId;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder};

pub(super) async fn verify(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    found: &mut Findings,
) -> DomainResult<()> {
    match chain {
        Chain::Documents => {
            for d in crate::ledger::subjects::unsealed_documents(db, account).await? {
                let detail = format!(
                    "{} {} issued {} has no entry",
                    d.kind,
                    d.number.as_deref().unwrap_or("?"),
                    d.issued_at.map(|t| t.to_rfc3339()).unwrap_or_default()
                );
                found.push(Finding::new(Reason::Unsealed, None, detail).subject(d.id));
            }
            numbering(db, account, found).await?;
        }
        Chain::Payments => {
            for p in crate::ledger::subjects::unsealed_payments(db, account).await? {
                let detail = format!(
                    "payment of {} {} recorded {} has no entry",
                    p.price,
                    p.currency,
                    p.created_at.to_rfc3339()
                );
                found.push(Finding::new(Reason::Unsealed, None, detail).subject(p.id));
            }
        }
        Chain::Closures => {
            let unsealed = closure::Entity::find_in(account)
                .filter(closure::Column::Id.not_in_subquery(sealed_subjects(account, chain)))
                .all(db)
                .await?;
            for c in unsealed {
                let detail = format!("{} closure of {} has no entry", c.frequency, c.period_start);
                found.push(Finding::new(Reason::Unsealed, None, detail).subject(c.id));
            }
        }
        Chain::Events => {
            let unsealed = journal_event::Entity::find_in(account)
                .filter(journal_event::Column::Id.not_in_subquery(sealed_subjects(account, chain)))
                .all(db)
                .await?;
            for e in unsealed {
                found
                    .push(Finding::new(Reason::Unsealed, None, format!("{} event has no entry", e.code)).subject(e.id));
            }
        }
    }
    Ok(())
}

/// The kind a series numbers (`vat`, `department:<id>:vat`, `vat:test`…).
fn kind_of_series(key: &str) -> &str {
    let key = key.strip_suffix(":test").unwrap_or(key);
    key.rsplit(':').next().unwrap_or(key)
}

/// Each series' counter against its newest document. Issuing takes the counter's row lock
/// and issue dates never go backwards in a series, so the newest document of a series
/// (by issue time) carries the counter's date and number; a counter behind it was moved
/// back (numbers would be given twice). Issued fiscal documents are never deleted, so in
/// their series a counter ahead of the newest document means a numbered document is gone.
async fn numbering(db: &impl ConnectionTrait, account: AccountId, found: &mut Findings) -> DomainResult<()> {
    let series = number_series::Entity::find_in(account).order_by_asc(number_series::Column::SeriesKey).all(db).await?;
    for s in series {
        let newest = document::Entity::find_in(account)
            .filter(document::Column::State.eq(crate::vocabulary::DocumentState::Issued))
            .filter(document::Column::SeriesKey.eq(&s.series_key))
            .order_by_desc(document::Column::IssuedAt)
            .order_by_desc(document::Column::NumberCounter)
            .one(db)
            .await;
        let newest = match newest {
            Ok(newest) => newest,
            // A document of the series no longer reads back (the documents' chain names
            // which): its counter cannot be compared with it.
            Err(e) if crate::error::is_undecodable(&e) => {
                let why = format!("series {}: its newest document no longer reads back: {e}", s.series_key);
                found.push(Finding::new(Reason::SubjectChanged, None, why));
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let fiscal = newest
            .as_ref()
            .map(|d| d.kind)
            .or_else(|| crate::vocabulary::DocumentKind::parse(kind_of_series(&s.series_key)))
            .is_some_and(|k| k.is_fiscal());
        let counter = format!(
            "series {} at number {} of {}",
            s.series_key,
            s.last_number,
            s.last_issue_date.map(|d| d.to_string()).unwrap_or_default()
        );
        let Some(d) = newest else {
            if fiscal && s.last_number > 0 {
                found.push(Finding::new(Reason::NumberingGap, None, format!("{counter}: no document has its numbers")));
            }
            continue;
        };
        let doc = format!(
            "{} issued {} as counter {}",
            d.number.as_deref().unwrap_or("?"),
            d.issue_date,
            d.number_counter.unwrap_or(0)
        );
        let counter_date = s.last_issue_date.unwrap_or(d.issue_date);
        let counter_no = d.number_counter.unwrap_or(0);
        if d.issue_date > counter_date || (d.issue_date == counter_date && counter_no > s.last_number) {
            found.push(Finding::new(Reason::NumberingBehind, None, format!("{counter}, behind {doc}")).subject(d.id));
        } else if fiscal && (d.issue_date < counter_date || counter_no < s.last_number) {
            found.push(
                Finding::new(Reason::NumberingGap, None, format!("{counter}, ahead of the newest document {doc}"))
                    .subject(d.id),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn series_keys_name_their_kind() {
        assert_eq!(super::kind_of_series("vat"), "vat");
        assert_eq!(super::kind_of_series("correction:test"), "correction");
        assert_eq!(super::kind_of_series("department:0193-ab:estimate"), "estimate");
    }
}
