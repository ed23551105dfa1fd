//! The outbox (`domainEvents`): every change writes its events in its own transaction —
//! in order, with the record as the change left it, never for a write that failed — and
//! only the account's owners, admins and accountants read them; on SQLite and PostgreSQL.

use scelle_tests::*;
use serde_json::{Value, json};

const EVENTS: &str = "query($c: DomainEventCode, $p: Int) { domainEvents(code: $c, page: $p, perPage: 100) { totalCount items { id code typeName subjectId payload occurredAt dispatchedAt } } }";

/// The account's events (every page), oldest first.
async fn events(app: &TestApp, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    for page in 1.. {
        let d = app.ok(token, EVENTS, json!({ "p": page })).await["domainEvents"].clone();
        items.extend(d["items"].as_array().unwrap().iter().cloned());
        if items.len() as u64 >= d["totalCount"].as_u64().unwrap() {
            break;
        }
    }
    items.reverse();
    items
}

/// The codes of the account's events about `subject`, oldest first.
async fn codes_of(app: &TestApp, token: &str, subject: &str) -> Vec<String> {
    events(app, token)
        .await
        .iter()
        .filter(|e| e["subjectId"] == subject)
        .map(|e| e["code"].as_str().unwrap().to_owned())
        .collect()
}

fn payload(e: &Value) -> Value {
    serde_json::from_str(e["payload"].as_str().unwrap()).unwrap()
}

db_test!(an_issued_invoice_is_created_issued_then_sealed_as_it_stands, |app: TestApp| async move {
    let s = app.sign_up("events-issue@example.fr", "EventsIssue").await;
    let inv = app.issue(&s.access, "id number", Invoice::to("Acme").line("Pose", "20", "100")).await;
    let id = inv["id"].as_str().unwrap();
    assert_eq!(codes_of(&app, &s.access, id).await, ["DOCUMENT_CREATED", "DOCUMENT_ISSUED", "DOCUMENT_SEALED"]);
    let all = events(&app, &s.access).await;
    let mine: Vec<&Value> = all.iter().filter(|e| e["subjectId"] == id).collect();
    // Created and issued carry the document as the transaction left it: numbered, 120.00.
    for e in &mine[..2] {
        let p = payload(e);
        assert_eq!(p["number"], inv["number"], "{p}");
        assert_eq!(p["state"], "issued");
        assert_eq!(p["kind"], "vat");
        assert_eq!(p["price_gross"], "120.00");
        assert_eq!(p["currency"], "EUR");
    }
    assert_eq!(mine[1]["typeName"], "document.issued");
    let sealed = payload(mine[2]);
    assert_eq!(sealed["chain"], "documents");
    assert_eq!(sealed["sequence"], 1);
    let cert = app.invoice(&s.access, id, "certification { hash }").await;
    assert_eq!(sealed["hash"], cert["certification"]["hash"]);
    // A draft is created only; issuing it later is its own event.
    let draft = app.new_invoice(&s.access, "id", Invoice::to("Acme").line("Pose", "20", "10"), false).await;
    let draft = draft["id"].as_str().unwrap();
    assert_eq!(codes_of(&app, &s.access, draft).await, ["DOCUMENT_CREATED"]);
    app.ok(&s.access, "mutation($id: ID!) { issueInvoice(id: $id) { id } }", json!({ "id": draft })).await;
    assert_eq!(codes_of(&app, &s.access, draft).await, ["DOCUMENT_CREATED", "DOCUMENT_ISSUED", "DOCUMENT_SEALED"]);
});

db_test!(a_refused_write_leaves_no_event, |app: TestApp| async move {
    let s = app.sign_up("events-refused@example.fr", "EventsRefused").await;
    let before = events(&app, &s.access).await.len();
    // Refused by validation (no buyer), and refused after writing (a credit note larger
    // than its invoice is checked once the note is written: the whole transaction goes).
    let r = app
        .create_invoice(&s.access, "id", json!({ "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }), true)
        .await;
    assert_eq!(code(&r["errors"][0]), "VALIDATION_FAILED", "{r}");
    assert_eq!(events(&app, &s.access).await.len(), before);
    let inv = app.issue_id(&s.access, Invoice::to("Acme").line("A", "20", "10")).await;
    let after_invoice = events(&app, &s.access).await.len();
    // The invoice created, issued and sealed; its buyer and its product joined the
    // contacts and the catalogue.
    assert_eq!(after_invoice, before + 5);
    let codes: Vec<String> =
        events(&app, &s.access).await.iter().map(|e| e["code"].as_str().unwrap().to_owned()).collect();
    assert_eq!(codes, ["CLIENT_CREATED", "PRODUCT_CREATED", "DOCUMENT_CREATED", "DOCUMENT_ISSUED", "DOCUMENT_SEALED"]);
    let too_much = Invoice::to("Acme")
        .kind("CORRECTION")
        .with(json!({ "invoiceId": inv }))
        .position(json!({ "name": "A", "tax": "20", "kind": "CORRECTION", "quantity": "-1", "totalPriceNet": "-50" }));
    let r = app.create_invoice(&s.access, "id", too_much, true).await;
    assert_eq!(code(&r["errors"][0]), "VALIDATION_FAILED", "{r}");
    assert_eq!(events(&app, &s.access).await.len(), after_invoice);
});

db_test!(payments_contacts_and_products_say_what_happened, |app: TestApp| async move {
    let s = app.sign_up("events-pay@example.fr", "EventsPay").await;
    let inv = app.issue_id(&s.access, Invoice::to("Acme").line("A", "20", "100")).await;
    let pay = app.pay(&s.access, &inv, "120.00").await;
    assert_eq!(codes_of(&app, &s.access, &pay).await, ["PAYMENT_CREATED", "PAYMENT_PAID", "PAYMENT_SEALED"]);
    let all = events(&app, &s.access).await;
    let paid = all.iter().find(|e| e["subjectId"] == pay.as_str() && e["code"] == "PAYMENT_PAID").unwrap();
    assert_eq!(payload(paid)["price"], "120.00");
    assert_eq!(payload(paid)["invoice_ids"], json!([inv]));
    // The invoice it paid changed: paid in full.
    let updated = all.iter().rfind(|e| e["subjectId"] == inv.as_str()).unwrap();
    assert_eq!(updated["code"], "DOCUMENT_UPDATED");
    assert_eq!(payload(updated)["status"], "paid");
    assert_eq!(payload(updated)["paid"], "120.00");

    let client = app.client_id(&s.access, json!({ "name": "Dupont SA", "email": "d@x.fr" })).await;
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateClient(id: $id, input: { city: \"Lyon\" }) { id } }",
        json!({ "id": client }),
    )
    .await;
    app.ok(&s.access, "mutation($id: ID!) { deleteClient(id: $id) { id } }", json!({ "id": client })).await;
    assert_eq!(codes_of(&app, &s.access, &client).await, ["CLIENT_CREATED", "CLIENT_UPDATED", "CLIENT_DELETED"]);

    let product = app.product_id(&s.access, json!({ "name": "Vis", "tax": "20", "priceNet": "2" })).await;
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateProduct(id: $id, input: { priceNet: \"3\" }) { id } }",
        json!({ "id": product }),
    )
    .await;
    app.ok(&s.access, "mutation($id: ID!) { deleteProduct(id: $id) { id } }", json!({ "id": product })).await;
    assert_eq!(codes_of(&app, &s.access, &product).await, ["PRODUCT_CREATED", "PRODUCT_UPDATED", "PRODUCT_DELETED"]);
    let all = events(&app, &s.access).await;
    let changed = all.iter().find(|e| e["subjectId"] == product.as_str() && e["code"] == "PRODUCT_UPDATED").unwrap();
    assert_eq!(payload(changed)["price_net"], "3.00");
    // Filtered by code.
    let only = app.ok(&s.access, EVENTS, json!({ "c": "PAYMENT_SEALED" })).await;
    assert_eq!(only["domainEvents"]["totalCount"], 1);
});

db_test!(events_stay_in_their_account_and_with_those_who_answer_for_it, |app: TestApp| async move {
    let a = app.sign_up("events-a@example.fr", "EventsA").await;
    let b = app.sign_up("events-b@example.fr", "EventsB").await;
    app.issue_id(&a.access, Invoice::to("Acme").line("A", "20", "10")).await;
    let theirs = events(&app, &a.access).await.len();
    assert!(theirs >= 3);
    assert!(events(&app, &b.access).await.iter().all(|e| e["code"] != "DOCUMENT_CREATED"));
    app.set_membership(&a.account_id, &b.user_id, Some("member")).await;
    let member = app.login_to("events-b@example.fr", &a.account_id).await;
    let e = app.err(Some(&member.access), EVENTS, json!({})).await;
    assert_eq!(code(&e), "FORBIDDEN", "{e}");
    app.set_membership(&a.account_id, &b.user_id, Some("accountant")).await;
    let accountant = app.login_to("events-b@example.fr", &a.account_id).await;
    assert_eq!(events(&app, &accountant.access).await.len(), theirs);
});

db_test!(concurrent_issues_each_write_their_events_once, |app: TestApp| async move {
    // On SQLite concurrent writes share commits (group commit): each member's events are
    // its own, none lost, none doubled.
    let s = app.sign_up("events-many@example.fr", "EventsMany").await;
    let q = "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }";
    let results = app
        .concurrently(24, Some(&s.access), |i| {
            let input: Value = Invoice::to(&format!("Client {i}")).line("A", "20", "10").into();
            json!({ "query": q, "variables": { "i": input } })
        })
        .await;
    let ids: Vec<String> =
        results.iter().map(|r| r["data"]["createInvoice"]["id"].as_str().unwrap().to_owned()).collect();
    let all = events(&app, &s.access).await;
    for id in &ids {
        let mine: Vec<&str> =
            all.iter().filter(|e| e["subjectId"] == id.as_str()).map(|e| e["code"].as_str().unwrap()).collect();
        assert_eq!(mine, ["DOCUMENT_CREATED", "DOCUMENT_ISSUED", "DOCUMENT_SEALED"], "{id}");
    }
    // Sealed events name sequences 1..=24, each once.
    let mut sequences: Vec<i64> = all
        .iter()
        .filter(|e| e["code"] == "DOCUMENT_SEALED")
        .map(|e| payload(e)["sequence"].as_i64().unwrap())
        .collect();
    sequences.sort();
    assert_eq!(sequences, (1..=24).collect::<Vec<_>>());
});
