//! Allocating document numbers: gapless and unique within a series, with issue dates that
//! never go backwards, whatever runs concurrently.
//!
//! A series (the documents that share a counter: a department's invoices, its credit
//! notes, its test documents…) has one counter row. Allocation locks that row inside the
//! caller's issuing transaction — `SELECT … FOR UPDATE` on PostgreSQL, and on SQLite the
//! write lock that `db::begin_write` (`BEGIN IMMEDIATE`) already holds — so two issuings
//! of one series run one after the other, and a rolled-back issuing gives its number back.
//! Because dates never go backwards in a series, its period (`numbering::Pattern`) only
//! moves forward, so one row per series is enough: a new period restarts the counter.

use crate::error::{DomainError, DomainResult, FieldCode};
use crate::numbering::Pattern;
use crate::scope::InAccount;
use crate::tables::number_series::{ActiveModel, Column, Entity};
use crate::tenant::AccountId;
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

/// A number handed out for one document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocated {
    /// The printed number (`pattern.format(issue_date, counter)`).
    pub number: String,
    /// The counter within its period, from 1.
    pub counter: i64,
    pub period: String,
}

/// Takes the next number of `series` for a document issued on `issue_date`.
///
/// Must run in the transaction that writes the document (begun with `db::begin_write`),
/// so that the number and the document are committed, or given back, together. Refuses
/// an issue date earlier than the series' last one (numbers must follow dates).
pub async fn allocate(
    txn: &crate::db::WriteTxn,
    account: AccountId,
    series: &str,
    pattern: &Pattern,
    issue_date: NaiveDate,
) -> DomainResult<Allocated> {
    let period = pattern.period_key(issue_date);
    let locked = || Entity::find_in(account).filter(Column::SeriesKey.eq(series)).lock_exclusive().one(txn);
    let row = match locked().await? {
        Some(row) => row,
        None => {
            // The counter row, on first use; a concurrent creator wins silently.
            Entity::insert(ActiveModel {
                id: Set(Uuid::now_v7()),
                account_id: Set(account.0),
                series_key: Set(series.to_owned()),
                current_period: Set(period.clone()),
                last_number: Set(0),
                last_issue_date: Set(None),
                updated_at: Set(Utc::now()),
            })
            .on_conflict_do_nothing_on([Column::AccountId, Column::SeriesKey])
            .exec_without_returning(txn)
            .await?;
            locked().await?.ok_or_else(|| DomainError::Internal(format!("number series {series} vanished")))?
        }
    };
    if let Some(last) = row.last_issue_date
        && issue_date < last
    {
        return Err(DomainError::field("input.issue_date", FieldCode::Rule("issue_date_before_last")));
    }
    let counter = if row.current_period == period { row.last_number + 1 } else { 1 };
    Entity::update_many()
        .col_expr(Column::CurrentPeriod, Expr::value(period.clone()))
        .col_expr(Column::LastNumber, Expr::value(counter))
        .col_expr(Column::LastIssueDate, Expr::value(issue_date))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(Column::Id.eq(row.id))
        .exec(txn)
        .await?;
    Ok(Allocated { number: pattern.format(issue_date, counter as u64), counter, period })
}
