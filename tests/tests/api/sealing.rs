//! Sealing in the transaction that issues or pays (the answer says `SEALED`), the certification
//! of documents and payments in GraphQL, inalterability (API and database), and
//! `verifyLedger`; on SQLite and PostgreSQL.

use scelle_tests::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::time::Duration;

const CERT: &str = "certification { status sequence hash previousHash sealedAt algorithm }";
const VERIFY: &str = "query($c: LedgerChain!, $f: Int, $t: Int) { verifyLedger(chain: $c, fromSequence: $f, toSequence: $t) { ok checked firstBroken { sequence expectedHash storedHash reason } } }";

fn line(net: &str) -> Value {
    json!([{ "name": "Prestation", "tax": "20", "priceNet": net }])
}

async fn issue(app: &TestApp, token: &str, buyer: &str, net: &str) -> Value {
    app.issue(token, &format!("id number {CERT}"), Invoice::to(buyer).line("Prestation", "20", net)).await
}

/// Polls `query` (selecting one object at `path`) until its certification is SEALED.
async fn sealed(app: &TestApp, token: &str, query: &str, vars: Value, path: &str) -> Value {
    for _ in 0..200 {
        let d = app.ok(token, query, vars.clone()).await;
        let o = d[path].clone();
        if o["certification"]["status"] == "SEALED" {
            return o;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} not sealed within 10 s");
}

async fn invoice_sealed(app: &TestApp, token: &str, id: &Value) -> Value {
    let q = format!("query($id: ID!) {{ invoice(id: $id) {{ id number {CERT} }} }}");
    sealed(app, token, &q, json!({ "id": id }), "invoice").await
}

async fn verify(app: &TestApp, token: &str, chain: &str, from: Option<i64>, to: Option<i64>) -> Value {
    app.ok(token, VERIFY, json!({ "c": chain, "f": from, "t": to })).await["verifyLedger"].clone()
}

/// Reads one text value through SQL (an `ledger_entries`/`ledger_heads` column).
async fn text(app: &TestApp, sql: &str) -> String {
    use sea_orm::{ConnectionTrait, Statement};
    let row =
        app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap().expect(sql);
    row.try_get_by_index::<String>(0).unwrap()
}

db_test!(issued_documents_are_sealed_by_the_job_and_show_it, |app: TestApp| async move {
    let s = app.sign_up("seal@example.fr", "Seal").await;
    let first = issue(&app, &s.access, "Client A", "100").await;
    let second = issue(&app, &s.access, "Client B", "50").await;
    let a = invoice_sealed(&app, &s.access, &first["id"]).await;
    let b = invoice_sealed(&app, &s.access, &second["id"]).await;
    let (ca, cb) = (&a["certification"], &b["certification"]);
    assert_eq!((ca["sequence"].as_i64(), cb["sequence"].as_i64()), (Some(1), Some(2)), "issue order: {a} {b}");
    assert_eq!(ca["algorithm"], "SHA-256");
    assert_eq!(cb["previousHash"], ca["hash"], "linked");
    assert!(ca["sealedAt"].is_string());
    // The first entry links to the chain's random genesis, and its hash is recomputable
    // from the stored canonical form: SHA-256(previous hash ‖ canonical bytes).
    let genesis = text(&app, "SELECT genesis FROM ledger_heads WHERE chain = 'documents'").await;
    assert_eq!(ca["previousHash"], genesis.as_str());
    let canonical = text(&app, "SELECT canonical FROM ledger_entries WHERE chain = 'documents' AND sequence = 1").await;
    assert!(canonical.starts_with("format=scelle-document-v2\n"), "{canonical}");
    assert!(canonical.contains(&format!("number={}", a["number"].as_str().unwrap())), "{canonical}");
    let mut h = Sha256::new();
    h.update(genesis.as_bytes());
    h.update(canonical.as_bytes());
    assert_eq!(ca["hash"], hex::encode(h.finalize()).as_str());

    // Drafts and non-fiscal documents are never sealed: no certification at all.
    let draft = app
        .create_invoice(&s.access, &format!("id {CERT}"), json!({ "buyerName": "D", "positions": line("1") }), false)
        .await;
    assert_eq!(draft["data"]["createInvoice"]["certification"], Value::Null, "{draft}");
    let estimate = app
        .create_invoice(
            &s.access,
            &format!("id {CERT}"),
            json!({ "kind": "ESTIMATE", "buyerName": "E", "positions": line("1") }),
            true,
        )
        .await;
    assert_eq!(estimate["data"]["createInvoice"]["certification"], Value::Null, "{estimate}");

    let v = verify(&app, &s.access, "DOCUMENTS", None, None).await;
    assert_eq!(v, json!({ "ok": true, "checked": 2, "firstBroken": null }));
});

db_test!(paid_payments_are_sealed_and_unpaid_ones_wait, |app: TestApp| async move {
    let s = app.sign_up("seal-pay@example.fr", "SealPay").await;
    let inv = issue(&app, &s.access, "Client", "100").await;
    let create = format!("mutation($i: PaymentInput!) {{ createPayment(input: $i) {{ id paid {CERT} }} }}");
    let unpaid = app
        .ok(&s.access, &create, json!({ "i": { "price": "20", "invoiceId": inv["id"], "paid": false } }))
        .await["createPayment"]
        .clone();
    assert_eq!(unpaid["certification"], Value::Null, "not money received yet: {unpaid}");
    let paid =
        app.ok(&s.access, &create, json!({ "i": { "price": "120", "invoiceId": inv["id"] } })).await["createPayment"]
            .clone();
    let q = format!("query($id: ID!) {{ payment(id: $id) {{ id {CERT} }} }}");
    let p = sealed(&app, &s.access, &q, json!({ "id": paid["id"] }), "payment").await;
    assert_eq!(p["certification"]["sequence"], 1);
    let canonical = text(&app, "SELECT canonical FROM ledger_entries WHERE chain = 'payments' AND sequence = 1").await;
    assert!(canonical.starts_with("format=scelle-payment-v2\n") && canonical.contains("price=120.00"), "{canonical}");
    assert!(canonical.contains(&format!("allocation={}|120.00", inv["number"].as_str().unwrap())), "{canonical}");

    // An unpaid payment stays editable; once paid it is sealed like the other.
    let upd =
        format!("mutation($id: ID!, $i: PaymentInput!) {{ updatePayment(id: $id, input: $i) {{ id paid {CERT} }} }}");
    app.ok(&s.access, &upd, json!({ "id": unpaid["id"], "i": { "price": "25" } })).await;
    app.ok(&s.access, &upd, json!({ "id": unpaid["id"], "i": { "paid": true } })).await;
    let p2 = sealed(&app, &s.access, &q, json!({ "id": unpaid["id"] }), "payment").await;
    assert_eq!(p2["certification"]["previousHash"], p["certification"]["hash"]);
    assert_eq!(verify(&app, &s.access, "PAYMENTS", None, None).await["checked"], 2);
});

db_test!(fifty_concurrent_issues_make_one_unbroken_chain, |app: TestApp| async move {
    let s = app.sign_up("seal-race@example.fr", "SealRace").await;
    let answers = app
        .concurrently(50, Some(&s.access), |i| {
            json!({
                "query": "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }",
                "variables": { "i": { "buyerName": format!("Client {i}"), "positions": line(&format!("{}", 10 + i)) } }
            })
        })
        .await;
    let ids: Vec<Value> = answers
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "{r}");
            r["data"]["createInvoice"]["id"].clone()
        })
        .collect();
    let mut sequences = Vec::new();
    for id in &ids {
        sequences.push(invoice_sealed(&app, &s.access, id).await["certification"]["sequence"].as_i64().unwrap());
    }
    sequences.sort();
    assert_eq!(sequences, (1..=50).collect::<Vec<i64>>(), "each document once, no gap");
    assert_eq!(
        verify(&app, &s.access, "DOCUMENTS", None, None).await,
        json!({ "ok": true, "checked": 50, "firstBroken": null })
    );
});

db_test!(issued_and_paid_are_sealed_in_the_very_response, |app: TestApp| async move {
    let s = app.sign_up("inline@example.fr", "Inline").await;
    // Sealed in the transaction that issues: the answer already says SEALED.
    let inv = issue(&app, &s.access, "Client", "100").await;
    assert_eq!(inv["certification"]["status"], "SEALED", "{inv}");
    assert_eq!(inv["certification"]["sequence"], 1);
    let create = format!("mutation($i: PaymentInput!) {{ createPayment(input: $i) {{ id {CERT} }} }}");
    let p = app.ok(&s.access, &create, json!({ "i": { "price": "120", "invoiceId": inv["id"] } })).await;
    assert_eq!(p["createPayment"]["certification"]["status"], "SEALED", "{p}");
    // Through the domain as well (no resolver involved): what issues, seals.
    let actor = entity::Actor {
        user_id: entity::UserId(uuid::Uuid::parse_str(&s.user_id).unwrap()),
        account_id: entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap()),
        role: entity::Role::Owner,
        credential: entity::tenant::Credential::System,
        client_ip: None,
    };
    let input = entity::documents::DocumentInput {
        buyer: entity::documents::BuyerInput { name: Some("Par le domaine".into()), ..Default::default() },
        positions: Some(vec![entity::documents::PositionInput {
            name: Some("X".into()),
            tax: Some("20".into()),
            price_net: Some(rust_decimal::Decimal::TEN),
            ..Default::default()
        }]),
        ..Default::default()
    };
    let doc = entity::documents::create(&app.db, &actor, input, true).await.expect("issued");
    let e = entity::ledger::store::entry_of(&app.db, actor.account_id, entity::ledger::store::Chain::Documents, doc.id)
        .await
        .unwrap()
        .expect("sealed with its issue");
    assert_eq!(e.sequence, 2);
    // A transaction that fails seals nothing: the refused issue left no entry and no gap.
    let bad = app.create_invoice(&s.access, "id", json!({ "positions": line("1") }), true).await;
    assert_eq!(failure(&bad).0, "VALIDATION_FAILED", "{bad}");
    let third = issue(&app, &s.access, "Client 3", "3").await;
    assert_eq!(third["certification"]["sequence"], 3);
    assert_eq!(verify(&app, &s.access, "DOCUMENTS", None, None).await["checked"], 3);
});

db_test!(sealed_records_refuse_every_change_with_a_dedicated_code, |app: TestApp| async move {
    let s = app.sign_up("frozen@example.fr", "Frozen").await;
    let inv = issue(&app, &s.access, "Client", "100").await;
    invoice_sealed(&app, &s.access, &inv["id"]).await;
    let upd = "mutation($id: ID!, $i: InvoiceInput!) { updateInvoice(id: $id, input: $i) { id } }";
    let del = "mutation($id: ID!) { deleteInvoice(id: $id) { id } }";
    for (q, vars) in
        [(upd, json!({ "id": inv["id"], "i": { "buyerName": "Autre" } })), (del, json!({ "id": inv["id"] }))]
    {
        let fr = app.gql_full(Some(&s.access), Some("fr-FR"), q, vars.clone()).await;
        assert_eq!(failure(&fr), ("DOCUMENT_SEALED".into(), "id".into()), "{fr}");
        assert!(fr["errors"][0]["message"].as_str().unwrap().contains("avoir"), "{fr}");
        let en = app.gql_full(Some(&s.access), Some("en"), q, vars).await;
        assert!(en["errors"][0]["message"].as_str().unwrap().contains("credit note"), "{en}");
    }
    // The status is not a fiscal field: it still follows the document's life.
    app.ok(
        &s.access,
        "mutation($id: ID!) { changeStatus(id: $id, status: SENT) { status } }",
        json!({ "id": inv["id"] }),
    )
    .await;

    let p = app
        .ok(
            &s.access,
            "mutation($i: PaymentInput!) { createPayment(input: $i) { id } }",
            json!({ "i": { "price": "30", "invoiceId": inv["id"] } }),
        )
        .await["createPayment"]["id"]
        .clone();
    for (q, vars) in [
        (
            "mutation($id: ID!, $i: PaymentInput!) { updatePayment(id: $id, input: $i) { id } }",
            json!({ "id": p, "i": { "price": "3" } }),
        ),
        ("mutation($id: ID!) { deletePayment(id: $id) { id } }", json!({ "id": p })),
    ] {
        let r = app.gql_full(Some(&s.access), Some("fr"), q, vars).await;
        assert_eq!(failure(&r), ("PAYMENT_SEALED".into(), "id".into()), "{r}");
    }
    // Nothing changed: the invoice still shows the payment, the chain still verifies.
    let d = app.ok(&s.access, "query($id: ID!) { invoice(id: $id) { paid status } }", json!({ "id": inv["id"] })).await;
    assert_eq!(d["invoice"]["paid"], "30.00");
    assert_eq!(verify(&app, &s.access, "DOCUMENTS", None, None).await["ok"], true);
});

db_test!(the_database_refuses_changes_to_sealed_rows, |app: TestApp| async move {
    use sea_orm::ConnectionTrait;
    let s = app.sign_up("frozen-db@example.fr", "FrozenDb").await;
    let inv = issue(&app, &s.access, "Client", "100").await;
    invoice_sealed(&app, &s.access, &inv["id"]).await;
    let p = app
        .ok(
            &s.access,
            "mutation($i: PaymentInput!) { createPayment(input: $i) { id } }",
            json!({ "i": { "price": "30", "invoiceId": inv["id"] } }),
        )
        .await["createPayment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let q = format!("query($id: ID!) {{ payment(id: $id) {{ id {CERT} }} }}");
    sealed(&app, &s.access, &q, json!({ "id": p }), "payment").await;
    // Rows are named by number (ids are stored differently on each backend); this test's
    // database holds this one document and this one payment.
    let n = inv["number"].as_str().unwrap();
    let doc = format!("(SELECT id FROM documents WHERE number = '{n}')");
    for sql in [
        format!("UPDATE documents SET price_gross = '1.00' WHERE number = '{n}'"),
        format!("UPDATE documents SET buyer_name = 'Autre' WHERE number = '{n}'"),
        format!("UPDATE documents SET issue_date = '2000-01-01' WHERE number = '{n}'"),
        format!("DELETE FROM documents WHERE number = '{n}'"),
        format!("UPDATE document_positions SET total_price_gross = '1.00' WHERE document_id = {doc}"),
        format!("DELETE FROM document_positions WHERE document_id = {doc}"),
        "UPDATE payments SET price = '1.00'".to_owned(),
        "DELETE FROM payments".to_owned(),
        "UPDATE payment_allocations SET amount = '1.00'".to_owned(),
        "DELETE FROM payment_allocations".to_owned(),
    ] {
        let err = app.db.execute_unprepared(&sql).await.expect_err(&sql).to_string();
        assert!(err.contains("sealed document") || err.contains("sealed payment"), "{sql}: {err}");
    }
    // Columns that follow the document's life stay writable.
    app.sql(&format!("UPDATE documents SET status = 'sent' WHERE number = '{n}'")).await;
    assert_eq!(verify(&app, &s.access, "DOCUMENTS", None, None).await["ok"], true);
    assert_eq!(verify(&app, &s.access, "PAYMENTS", None, None).await["ok"], true);
});

db_test!(verify_ledger_names_tampering_over_graphql, |app: TestApp| async move {
    let s = app.sign_up("verify@example.fr", "Verify").await;
    let mut ids = Vec::new();
    for i in 0..4 {
        let inv = issue(&app, &s.access, &format!("C{i}"), &format!("{}", 10 + i)).await;
        invoice_sealed(&app, &s.access, &inv["id"]).await;
        ids.push(inv["number"].as_str().unwrap().to_owned());
    }
    assert_eq!(verify(&app, &s.access, "DOCUMENTS", None, None).await["checked"], 4);
    assert_eq!(
        verify(&app, &s.access, "DOCUMENTS", Some(2), Some(3)).await,
        json!({ "ok": true, "checked": 2, "firstBroken": null })
    );
    // Chains with nothing in them yet verify trivially.
    assert_eq!(verify(&app, &s.access, "CLOSURES", None, None).await["checked"], 0);
    // `scelle verify --account <id>` prints the same verdict per chain.
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    let options = verification_options(Vec::new());
    let (report, ok) = scelle_api::verify_cli::report(&app.db, account, &options).await.unwrap();
    assert!(
        ok && report.contains("documents  OK (4 entries)") && report.contains("payments   OK (0 entries)"),
        "{report}"
    );

    // A range past the end of the chain is a question refused, not a finding.
    let r = app.gql_full(Some(&s.access), None, VERIFY, json!({ "c": "DOCUMENTS", "f": 7 })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "fromSequence".into()), "{r}");
    let r = app.gql_full(Some(&s.access), None, VERIFY, json!({ "c": "DOCUMENTS", "f": 2, "t": 5 })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "toSequence".into()), "{r}");
    let failed = app.ok(&s.access, "{ events(code: VERIFICATION_FAILED) { totalCount } }", json!({})).await;
    assert_eq!(failed["events"]["totalCount"], 0, "nothing found, nothing journaled as failed");

    // Every run is journaled.
    let ran = app.ok(&s.access, "{ events(code: VERIFICATION_RUN) { totalCount } }", json!({})).await;
    assert!(ran["events"]["totalCount"].as_i64().unwrap() >= 3, "{ran}");

    // An amount changed behind the API's back on the third document.
    app.tamper(&format!("UPDATE documents SET price_gross = '1.00' WHERE number = '{}'", ids[2])).await;
    let v = verify(&app, &s.access, "DOCUMENTS", None, None).await;
    assert_eq!((v["ok"].as_bool(), v["checked"].as_i64()), (Some(false), Some(4)), "{v}");
    let b = &v["firstBroken"];
    assert_eq!((b["sequence"].as_i64(), b["reason"].as_str()), (Some(3), Some("SUBJECT_CHANGED")), "{v}");
    let (report, ok) = scelle_api::verify_cli::report(&app.db, account, &options).await.unwrap();
    assert!(!ok && report.contains("documents  BROKEN: 1 finding(s)"), "{report}");
    assert!(report.contains("SUBJECT_CHANGED at sequence 3: changed since sealed: total_gross"), "{report}");
    assert!(b["expectedHash"].is_string() && b["storedHash"].is_string() && b["expectedHash"] != b["storedHash"]);
    // A range before the damage still verifies; one including it does not.
    assert_eq!(verify(&app, &s.access, "DOCUMENTS", Some(1), Some(2)).await["ok"], true);
    assert_eq!(verify(&app, &s.access, "DOCUMENTS", Some(3), None).await["firstBroken"]["sequence"], 3);

    // The newest entry removed: the head tells, even over a range reaching the end.
    app.tamper("DELETE FROM ledger_entries WHERE chain = 'documents' AND sequence = 4").await;
    let v = verify(&app, &s.access, "DOCUMENTS", Some(4), None).await;
    assert_eq!(v["firstBroken"]["reason"], "TRUNCATED", "{v}");

    // The failures are journaled with where and why.
    let ev = app.ok(&s.access, "{ events(code: VERIFICATION_FAILED) { items { details } } }", json!({})).await;
    let details: Value = serde_json::from_str(ev["events"]["items"][0]["details"].as_str().unwrap()).unwrap();
    assert_eq!((details["chain"].as_str(), details["reason"].as_str()), (Some("documents"), Some("TRUNCATED")), "{ev}");

    // Bad ranges are refused with the field.
    let r = app.gql_full(Some(&s.access), None, VERIFY, json!({ "c": "DOCUMENTS", "f": 0 })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "fromSequence".into()), "{r}");
    let r = app.gql_full(Some(&s.access), None, VERIFY, json!({ "c": "DOCUMENTS", "f": 3, "t": 2 })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "toSequence".into()), "{r}");
    // Without a login, nothing.
    let r = app.gql_full(None, None, VERIFY, json!({ "c": "DOCUMENTS" })).await;
    assert_eq!(failure(&r).0, "UNAUTHENTICATED");
});

db_test!(values_that_no_longer_read_back_are_named_not_fatal, |app: TestApp| async move {
    // An attacker with database access writes values the code cannot read back (a kind
    // that does not exist; on SQLite, whose columns take any type, text in a date): the
    // verification names each such document and still checks the others of its page.
    let s = app.sign_up("unreadable@example.fr", "Unreadable").await;
    let mut numbers = Vec::new();
    for i in 0..4 {
        let inv = issue(&app, &s.access, &format!("C{i}"), &format!("{}", 10 + i)).await;
        numbers.push(inv["number"].as_str().unwrap().to_owned());
    }
    app.tamper(&format!("UPDATE documents SET kind = 'bogus' WHERE number = '{}'", numbers[1])).await;
    let mut expected = vec![("SUBJECT_CHANGED", Some(2))];
    if app.backend == Backend::Sqlite {
        app.tamper(&format!("UPDATE documents SET issue_date = 'not a date' WHERE number = '{}'", numbers[3])).await;
        // The newest of its series: the series' counter cannot be compared with it either.
        expected.extend([("SUBJECT_CHANGED", Some(4)), ("SUBJECT_CHANGED", None)]);
    }
    assert_eq!(app.findings(&s.account_id, entity::ledger::store::Chain::Documents).await, expected);
    let v = verify(&app, &s.access, "DOCUMENTS", None, None).await;
    assert_eq!((v["ok"].as_bool(), v["checked"].as_i64()), (Some(false), Some(4)), "{v}");
    assert_eq!(
        (v["firstBroken"]["sequence"].as_i64(), v["firstBroken"]["reason"].as_str()),
        (Some(2), Some("SUBJECT_CHANGED")),
        "{v}"
    );
});

db_test!(verification_and_certification_stay_inside_the_account, |app: TestApp| async move {
    let a = app.sign_up("iso-a@example.fr", "IsoA").await;
    let b = app.sign_up("iso-b@example.fr", "IsoB").await;
    let inv = issue(&app, &a.access, "Client", "100").await;
    invoice_sealed(&app, &a.access, &inv["id"]).await;
    // B's chains are its own: empty, whatever A sealed.
    assert_eq!(
        verify(&app, &b.access, "DOCUMENTS", None, None).await,
        json!({ "ok": true, "checked": 0, "firstBroken": null })
    );
    let e = app
        .err(
            Some(&b.access),
            &format!("query($id: ID!) {{ invoice(id: $id) {{ {CERT} }} }}"),
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    // B's first document starts B's chain at 1, from B's own genesis.
    let mine = issue(&app, &b.access, "Client B", "5").await;
    let sealed_b = invoice_sealed(&app, &b.access, &mine["id"]).await;
    let sealed_a = invoice_sealed(&app, &a.access, &inv["id"]).await;
    assert_eq!(sealed_b["certification"]["sequence"], 1);
    assert_ne!(sealed_b["certification"]["previousHash"], sealed_a["certification"]["previousHash"]);
    // Each account sees its own signed heads only; a member sees none.
    let heads = "{ ledgerHeads { chain sequence hash genesis signature { algorithm key signature signedAt } } }";
    let ha = app.ok(&a.access, heads, json!({})).await["ledgerHeads"].clone();
    let hb = app.ok(&b.access, heads, json!({})).await["ledgerHeads"].clone();
    assert_eq!(ha.as_array().unwrap().len(), 4, "{ha}");
    assert_eq!(ha[0]["chain"], "DOCUMENTS");
    assert_eq!(ha[0]["hash"], sealed_a["certification"]["hash"]);
    assert_eq!(ha[0]["signature"]["algorithm"], "Ed25519");
    assert_eq!(hb[0]["hash"], sealed_b["certification"]["hash"]);
    assert_ne!(ha[0]["genesis"], hb[0]["genesis"]);
    app.set_membership(&a.account_id, &b.user_id, Some("member")).await;
    let member = app.login_to("iso-b@example.fr", &a.account_id).await;
    assert_eq!(code(&app.err(Some(&member.access), heads, json!({})).await), "FORBIDDEN");
});

db_test!(issues_sharing_a_commit_each_stand_or_fall_alone, |app: TestApp| async move {
    // 48 issues at once: on SQLite they take turns as its one writer and share commits
    // (group commit); on PostgreSQL each has its own. Every third fails after it wrote
    // something (its buyer, new, becomes a contact before the date is refused): it must
    // leave nothing, and the others must all be issued, numbered without gap and sealed.
    let s = app.sign_up("group@example.fr", "Group").await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let future = (today + chrono::Duration::days(10)).to_string();
    let bad = |i: usize| i % 3 == 2;
    let shared_before = entity::db::shared_commits(&app.db);
    let answers = app
        .concurrently(48, Some(&s.access), |i| {
            let (buyer, date) = if bad(i) { (format!("Refused {i}"), future.clone()) } else { (format!("Buyer {i}"), today.to_string()) };
            json!({
                "query": format!("mutation($i: InvoiceInput!) {{ createInvoice(input: $i, issue: true) {{ id number {CERT} }} }}"),
                "variables": { "i": { "buyerName": buyer, "issueDate": date, "positions": line(&format!("{}", 10 + i)) } }
            })
        })
        .await;
    let mut numbers = Vec::new();
    let mut sealed_at = std::collections::HashMap::<String, usize>::new();
    for (i, r) in answers.iter().enumerate() {
        if bad(i) {
            assert_eq!(r["errors"][0]["extensions"]["fields"][0]["field"], "input.issueDate", "{r}");
            continue;
        }
        assert!(r.get("errors").is_none(), "{r}");
        let doc = &r["data"]["createInvoice"];
        assert_eq!(doc["certification"]["status"], "SEALED", "sealed in the very response: {doc}");
        *sealed_at.entry(doc["certification"]["sealedAt"].as_str().unwrap().to_owned()).or_default() += 1;
        numbers.push(doc["number"].as_str().unwrap().rsplit('-').next().unwrap().parse::<u32>().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=32).collect::<Vec<u32>>(), "numbers given back by the refused ones, none twice");
    let clients = app.ok(&s.access, "{ clients(perPage: 100) { totalCount items { name } } }", json!({})).await;
    assert_eq!(clients["clients"]["totalCount"], 32, "no contact left by a refused issue: {clients}");
    assert!(!clients.to_string().contains("Refused"), "{clients}");
    assert_eq!(
        verify(&app, &s.access, "DOCUMENTS", None, None).await,
        json!({ "ok": true, "checked": 32, "firstBroken": null })
    );
    // Each member sealed in its own turn; on SQLite some shared a commit.
    assert_eq!(sealed_at.len(), 32, "{sealed_at:?}");
    if app.backend == Backend::Sqlite {
        assert!(entity::db::shared_commits(&app.db) > shared_before, "no commit was shared");
    }
});
