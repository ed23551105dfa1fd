//! The number allocator on real databases: gapless and unique under concurrency, numbers
//! given back on rollback, dates never backwards, counters restarting with the period.

use chrono::NaiveDate;
use entity::number_series::allocate;
use entity::numbering::Pattern;
use entity::{AccountId, DomainError};
use scelle_tests::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn account(app: &TestApp, email: &str) -> AccountId {
    AccountId(uuid::Uuid::parse_str(&app.sign_up(email, "Numérotation").await.account_id).unwrap())
}

/// Allocates and commits one number.
async fn take(app: &TestApp, acc: AccountId, series: &str, pattern: &str, date: &str) -> Result<String, DomainError> {
    let txn = entity::db::begin_write(&app.db).await?;
    let a = allocate(&txn, acc, series, &pattern.parse::<Pattern>().unwrap(), day(date)).await?;
    txn.commit().await?;
    Ok(a.number)
}

db_test!(thirty_two_concurrent_allocations_are_gapless_and_unique, |app: TestApp| async move {
    let acc = account(&app, "num@example.fr").await;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let txn = entity::db::begin_write(&db).await.unwrap();
            let a = allocate(&txn, acc, "dept:vat", &"F/nr".parse().unwrap(), day("2026-11-21")).await.unwrap();
            txn.commit().await.unwrap();
            a.counter
        }));
    }
    let mut got = Vec::new();
    for t in tasks {
        got.push(t.await.unwrap());
    }
    got.sort();
    assert_eq!(got, (1..=32).collect::<Vec<i64>>(), "no gap, no duplicate");
});

db_test!(rollback_chronology_periods_and_independence, |app: TestApp| async move {
    let acc = account(&app, "num2@example.fr").await;
    // A rolled-back issuing gives its number back.
    let txn = entity::db::begin_write(&app.db).await.unwrap();
    let a = allocate(&txn, acc, "s", &"F-yyyy-nr".parse().unwrap(), day("2026-12-30")).await.unwrap();
    assert_eq!(a.number, "F-2026-1");
    txn.rollback().await.unwrap();
    assert_eq!(take(&app, acc, "s", "F-yyyy-nr", "2026-12-30").await.unwrap(), "F-2026-1");
    assert_eq!(take(&app, acc, "s", "F-yyyy-nr", "2026-12-31").await.unwrap(), "F-2026-2");

    // Dates never go backwards in a series; the same day is fine.
    let e = take(&app, acc, "s", "F-yyyy-nr", "2026-12-29").await.unwrap_err();
    assert!(matches!(&e, DomainError::Validation(f) if f[0].field == "input.issue_date"), "{e:?}");
    assert_eq!(take(&app, acc, "s", "F-yyyy-nr", "2026-12-31").await.unwrap(), "F-2026-3");

    // A new year restarts a yearly counter.
    assert_eq!(take(&app, acc, "s", "F-yyyy-nr", "2027-01-01").await.unwrap(), "F-2027-1");
    assert_eq!(take(&app, acc, "s", "F-yyyy-nr", "2027-01-02").await.unwrap(), "F-2027-2");
    // A backdated document into the closed year is refused, not numbered there.
    assert!(take(&app, acc, "s", "F-yyyy-nr", "2026-12-31").await.is_err());

    // Other series and other accounts count on their own.
    assert_eq!(take(&app, acc, "other", "AV-yyyy-nr", "2026-01-01").await.unwrap(), "AV-2026-1");
    let acc2 = account(&app, "num3@example.fr").await;
    assert_eq!(take(&app, acc2, "s", "F-yyyy-nr", "2026-06-01").await.unwrap(), "F-2026-1");
});
