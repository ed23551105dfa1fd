//! The documents chain in the database: sealing is idempotent and gapless, and verification
//! names every kind of tampering, on SQLite and PostgreSQL. These tests drive the domain
//! functions directly against the real database; the sealing job of the running server
//! seals the same documents meanwhile, so they count entries, not what one call sealed.

use entity::ledger::store::{Broken, verify_documents};
use entity::ledger::subjects::seal_documents;
use entity::tenant::AccountId;
use scelle_tests::*;
use serde_json::json;

async fn issue_invoices(app: &TestApp, token: &str, n: usize) {
    for i in 0..n {
        app.ok(
            token,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }",
            json!({ "i": { "buyerName": format!("Client {i}"), "positions": [{ "name": "A", "tax": "20", "priceNet": format!("{}", 10 + i) }] } }),
        )
        .await;
    }
}

fn account(s: &Session) -> AccountId {
    AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap())
}

async fn reason(app: &TestApp, s: &Session) -> Option<(i64, &'static str)> {
    verify_documents(&app.db, account(s)).await.unwrap().first_broken.map(|b: Broken| (b.sequence, b.reason))
}

db_test!(sealing_is_idempotent_gapless_and_verifiable, |app: TestApp| async move {
    let s = app.sign_up("ledger@example.fr", "Ledger").await;
    issue_invoices(&app, &s.access, 3).await;
    // A draft and an estimate are not sealed; only issued fiscal documents are.
    app.ok(&s.access, "mutation { createInvoice(input: { buyerName: \"D\", positions: [{ name: \"A\", tax: \"20\", priceNet: \"1\" }] }) { id } }", json!({})).await;
    app.ok(&s.access, "mutation { createInvoice(input: { kind: ESTIMATE, buyerName: \"E\", positions: [{ name: \"A\", tax: \"20\", priceNet: \"1\" }] }, issue: true) { id } }", json!({})).await;
    assert!(seal_documents(&app.db, account(&s)).await.unwrap() <= 3);
    assert_eq!(seal_documents(&app.db, account(&s)).await.unwrap(), 0, "sealed once");
    assert_eq!(verify_documents(&app.db, account(&s)).await.unwrap().checked, 3);
    issue_invoices(&app, &s.access, 2).await;
    // Concurrent sealers: one chain, each document once.
    let results = futures_join(&app, &s, 6).await;
    assert!(results.iter().sum::<usize>() <= 2);
    let v = verify_documents(&app.db, account(&s)).await.unwrap();
    assert_eq!((v.ok(), v.checked), (true, 5));
});

async fn futures_join(app: &TestApp, s: &Session, n: usize) -> Vec<usize> {
    let mut handles = Vec::new();
    for _ in 0..n {
        let (db, acc) = (app.db.clone(), account(s));
        handles.push(tokio::spawn(async move { seal_documents(&db, acc).await.unwrap() }));
    }
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

db_test!(verification_names_every_tampering, |app: TestApp| async move {
    let s = app.sign_up("tamper@example.fr", "Tamper").await;
    issue_invoices(&app, &s.access, 5).await;
    seal_documents(&app.db, account(&s)).await.unwrap();
    assert_eq!(reason(&app, &s).await, None);
    let year = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).format("%Y").to_string();

    // An amount changed on the third document.
    app.tamper(&format!("UPDATE documents SET price_gross = '1.00' WHERE number = 'F-{year}-3'")).await;
    assert_eq!(reason(&app, &s).await, Some((3, "subject_changed")));
    app.tamper(&format!("UPDATE documents SET price_gross = '14.40' WHERE number = 'F-{year}-3'")).await;
    assert_eq!(reason(&app, &s).await, None, "restored");

    // A date changed on the second.
    app.tamper(&format!("UPDATE documents SET issue_date = '2000-01-01' WHERE number = 'F-{year}-2'")).await;
    assert_eq!(reason(&app, &s).await, Some((2, "subject_changed")));
    app.tamper(&format!("UPDATE documents SET issue_date = (SELECT issue_date FROM documents WHERE number = 'F-{year}-1') WHERE number = 'F-{year}-2'")).await;
    assert_eq!(reason(&app, &s).await, None);

    // A sealed record's stored form changed (its hash no longer matches).
    app.tamper("UPDATE ledger_entries SET canonical = canonical || ' ' WHERE sequence = 4").await;
    assert_eq!(reason(&app, &s).await, Some((4, "hash_mismatch")));
    app.tamper("UPDATE ledger_entries SET canonical = substr(canonical, 1, length(canonical) - 1) WHERE sequence = 4")
        .await;
    assert_eq!(reason(&app, &s).await, None);

    // Two entries swapped.
    app.tamper("UPDATE ledger_entries SET sequence = -1 WHERE sequence = 2").await;
    app.tamper("UPDATE ledger_entries SET sequence = 2 WHERE sequence = 3").await;
    app.tamper("UPDATE ledger_entries SET sequence = 3 WHERE sequence = -1").await;
    assert_eq!(reason(&app, &s).await, Some((2, "broken_link")));
    app.tamper("UPDATE ledger_entries SET sequence = -1 WHERE sequence = 2").await;
    app.tamper("UPDATE ledger_entries SET sequence = 2 WHERE sequence = 3").await;
    app.tamper("UPDATE ledger_entries SET sequence = 3 WHERE sequence = -1").await;
    assert_eq!(reason(&app, &s).await, None);

    // The newest entry deleted: the head tells.
    app.tamper("DELETE FROM ledger_entries WHERE sequence = 5").await;
    assert_eq!(reason(&app, &s).await, Some((5, "truncated")));
    // A middle entry deleted.
    app.tamper("DELETE FROM ledger_entries WHERE sequence = 2").await;
    assert_eq!(reason(&app, &s).await, Some((2, "missing_entry")));
});

db_test!(the_database_refuses_to_change_the_ledger, |app: TestApp| async move {
    let s = app.sign_up("triggers@example.fr", "Triggers").await;
    issue_invoices(&app, &s.access, 2).await;
    seal_documents(&app.db, account(&s)).await.unwrap();
    use sea_orm::ConnectionTrait;
    for sql in [
        "UPDATE ledger_entries SET hash = 'x'",
        "DELETE FROM ledger_entries WHERE sequence = 2",
        "UPDATE ledger_heads SET last_sequence = 1",
        "UPDATE ledger_heads SET genesis = 'x'",
        "DELETE FROM ledger_heads",
    ] {
        let err = app.db.execute_unprepared(sql).await.expect_err(sql);
        let text = err.to_string();
        assert!(text.contains("append-only") || text.contains("only move forward"), "{sql}: {text}");
    }
    // Sealing more still moves the head forward.
    issue_invoices(&app, &s.access, 1).await;
    assert!(seal_documents(&app.db, account(&s)).await.unwrap() <= 1);
    let v = verify_documents(&app.db, account(&s)).await.unwrap();
    assert_eq!((v.ok(), v.checked), (true, 3));
});
