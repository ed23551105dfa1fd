//! Regressions found by the review of the document flows: each test failed before its fix.

use scelle_tests::*;
use serde_json::{Value, json};

const DOC: &str = "id number kind status priceGross issueDate buyerName buyerStreet buyerEmail buyerTaxNo clientId positions { kind quantity totalPriceGross }";

async fn try_create(app: &TestApp, token: &str, input: Value, issue: bool) -> Value {
    app.create_invoice(token, DOC, input, issue).await
}

async fn create(app: &TestApp, token: &str, input: Value, issue: bool) -> Value {
    let r = try_create(app, token, input, issue).await;
    assert!(r.get("errors").is_none(), "{r}");
    r["data"]["createInvoice"].clone()
}

async fn cancel(app: &TestApp, token: &str, id: &Value) -> Value {
    app.gql_full(
        Some(token),
        None,
        "mutation($id: ID!) { cancelInvoice(id: $id) { invoice { status } creditNote { priceGross } } }",
        json!({ "id": id }),
    )
    .await
}

const COMPLETE: &str = "mutation($t: String!, $i: CompletionInput!) { completeInvoice(token: $t, input: $i) { number buyerName buyerEmail buyerStreet buyerPhone buyerTaxNo issueDate } }";

async fn completion_token(app: &TestApp, token: &str, input: Value) -> String {
    let r = app
        .ok(token, "mutation($i: InvoiceInput!) { createInvoice(input: $i) { completionUrl } }", json!({ "i": input }))
        .await;
    r["createInvoice"]["completionUrl"].as_str().unwrap().trim_start_matches("/complete/").to_owned()
}

fn line() -> Value {
    json!([{ "name": "A", "tax": "20", "priceNet": "10" }])
}

db_test!(completion_never_shows_or_bills_a_recognised_contact, |app: TestApp| async move {
    let s = app.sign_up("rc@example.fr", "RC").await;
    app.ok(
        &s.access,
        "mutation { createClient(input: { name: \"ACME SA\", taxNo: \"FR123\", email: \"boss@acme.fr\", street: \"1 rue Secrete\", phone: \"0600000000\" }) { id } }",
        json!({}),
    )
    .await;
    let t = completion_token(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() })).await;
    let r = app.gql_full(None, None, COMPLETE, json!({ "t": t, "i": { "buyerName": "acme sa" } })).await;
    assert!(r.get("errors").is_none(), "{r}");
    let d = &r["data"]["completeInvoice"];
    assert_eq!(d["buyerName"], "acme sa", "exactly what the buyer typed");
    assert_eq!(
        (&d["buyerTaxNo"], &d["buyerEmail"], &d["buyerStreet"], &d["buyerPhone"]),
        (&Value::Null, &Value::Null, &Value::Null, &Value::Null)
    );
    // The pre-filled street corrected by the buyer is the one on the invoice.
    let t2 = completion_token(
        &app,
        &s.access,
        json!({ "status": "INCOMPLETE", "buyerName": "Jean Dupont", "buyerEmail": "jean@x.fr", "buyerStreet": "50 rue des Fleurs", "positions": line() }),
    )
    .await;
    let r = app.gql_full(None, None, COMPLETE, json!({ "t": t2, "i": { "buyerStreet": "12 avenue Nouvelle" } })).await;
    assert!(r.get("errors").is_none(), "{r}");
    let d = &r["data"]["completeInvoice"];
    assert_eq!((d["buyerName"].as_str(), d["buyerStreet"].as_str()), (Some("Jean Dupont"), Some("12 avenue Nouvelle")));
    // Bad details are refused with their field.
    let t3 = completion_token(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() })).await;
    let r = app
        .gql_full(None, None, COMPLETE, json!({ "t": t3, "i": { "buyerName": "X", "buyerEmail": "not-an-email" } }))
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.buyerEmail".into()));
});

db_test!(completion_is_issued_today_after_later_documents, |app: TestApp| async move {
    let s = app.sign_up("late@example.fr", "Late").await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let before = (today - chrono::Duration::days(3)).to_string();
    let t =
        completion_token(&app, &s.access, json!({ "status": "INCOMPLETE", "issueDate": before, "positions": line() }))
            .await;
    create(&app, &s.access, json!({ "buyerName": "Other", "positions": line() }), true).await;
    let r = app.gql_full(None, None, COMPLETE, json!({ "t": t, "i": { "buyerName": "Late Buyer" } })).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["data"]["completeInvoice"]["issueDate"], today.to_string());
    // An invoice to complete is not issued at creation.
    let r = try_create(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() }), true).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.status".into()));
    // Nor can it become another kind.
    let inc = create(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() }), false).await;
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            "mutation($id: ID!) { updateInvoice(id: $id, input: { kind: ESTIMATE }) { id } }",
            json!({ "id": inc["id"] }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.kind".into()));
});

db_test!(amount_discounts_can_be_credited_and_cancelled, |app: TestApp| async move {
    let s = app.sign_up("disc@example.fr", "Disc").await;
    let input = json!({ "buyerName": "X", "discountKind": "AMOUNT", "positions": [{ "name": "A", "tax": "20", "priceNet": "100", "quantity": "2", "discount": "10" }] });
    let inv = create(&app, &s.access, input.clone(), true).await;
    let zero =
        create(&app, &s.access, json!({ "copyFrom": inv["id"], "kind": "CORRECTION", "totalCorrection": false }), true)
            .await;
    assert_eq!(zero["priceGross"], "0.00");
    let r = cancel(&app, &s.access, &inv["id"]).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(
        r["data"]["cancelInvoice"]["creditNote"]["priceGross"],
        format!("-{}", inv["priceGross"].as_str().unwrap())
    );
});

/// An estimate of 1000.00 gross (one rate) issued, with an advance of `percent`.
async fn estimate_with_advance(app: &TestApp, token: &str, percent: &str) -> (Value, Value) {
    let est = create(
        app,
        token,
        json!({ "kind": "ESTIMATE", "buyerName": "Client", "positions": [{ "name": "Travaux", "tax": "20", "totalPriceGross": "1000" }] }),
        true,
    )
    .await;
    let adv = create(
        app,
        token,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": percent }),
        true,
    )
    .await;
    (est, adv)
}

db_test!(finals_cancel_and_are_not_billed_twice, |app: TestApp| async move {
    let s = app.sign_up("fin@example.fr", "Fin").await;
    let (est, adv) = estimate_with_advance(&app, &s.access, "30").await;
    let fin = create(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "FINAL" }), true).await;
    assert_eq!(fin["priceGross"], "700.00");
    // A second final while the first stands is refused.
    let r = try_create(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "FINAL" }), true).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.copyFrom".into()));
    // The advance cannot be cancelled under an issued final.
    let r = cancel(&app, &s.access, &adv["id"]).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "id".into()));
    // The final cancels by a credit note of its own total (deductions taken back too)…
    let r = cancel(&app, &s.access, &fin["id"]).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["data"]["cancelInvoice"]["creditNote"]["priceGross"], "-700.00");
    // …which frees its advance for a replacement final.
    let fin2 = create(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "FINAL" }), true).await;
    assert_eq!(fin2["priceGross"], "700.00");
});

db_test!(a_cancelled_advance_is_no_longer_deducted_nor_counted, |app: TestApp| async move {
    let s = app.sign_up("advc@example.fr", "AdvC").await;
    let (est, adv) = estimate_with_advance(&app, &s.access, "100").await;
    let draft_final = create(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "FINAL" }), false).await;
    assert_eq!(draft_final["priceGross"], "0.00");
    let r = cancel(&app, &s.access, &adv["id"]).await;
    assert!(r.get("errors").is_none(), "{r}");
    // The draft final no longer deducts it; a new advance fits again.
    let got = app
        .ok(
            &s.access,
            &format!("query($id: ID!) {{ invoice(id: $id) {{ {DOC} }} }}"),
            json!({ "id": draft_final["id"] }),
        )
        .await;
    assert_eq!(got["invoice"]["priceGross"], "1000.00");
    create(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "50" }),
        true,
    )
    .await;
});

db_test!(an_estimate_keeps_what_its_advances_stand_on, |app: TestApp| async move {
    let s = app.sign_up("estk@example.fr", "EstK").await;
    let (est, adv) = estimate_with_advance(&app, &s.access, "80").await;
    let upd = "mutation($id: ID!, $i: InvoiceInput!) { updateInvoice(id: $id, input: $i) { id } }";
    let r = app
        .gql_full(Some(&s.access), None, upd, json!({ "id": est["id"], "i": { "positions": [{ "name": "Travaux", "tax": "20", "totalPriceGross": "100" }] } }))
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.positions".into()));
    let del = "mutation($id: ID!) { deleteInvoice(id: $id) { id } }";
    let r = app.gql_full(Some(&s.access), None, del, json!({ "id": est["id"] })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "id".into()));
    // A linked draft keeps its kind and currency.
    let draft = create(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "10" }),
        false,
    )
    .await;
    let r = app.gql_full(Some(&s.access), None, upd, json!({ "id": draft["id"], "i": { "kind": "CORRECTION" } })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.kind".into()));
    let r = app.gql_full(Some(&s.access), None, upd, json!({ "id": draft["id"], "i": { "currency": "USD" } })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.currency".into()));
    let _ = adv;
});

db_test!(department_numbering_never_repeats_the_account_numbers, |app: TestApp| async move {
    let s = app.sign_up("dup@example.fr", "Dup").await;
    let first = create(&app, &s.access, json!({ "buyerName": "X", "positions": line() }), true).await;
    let b = app
        .ok(&s.access, "mutation { createDepartment(input: { name: \"B\", usePattern: true }) { id } }", json!({}))
        .await["createDepartment"]["id"]
        .clone();
    let second =
        create(&app, &s.access, json!({ "departmentId": b, "buyerName": "X", "positions": line() }), true).await;
    assert_ne!(first["number"], second["number"]);
    // A pattern equal to the default, or to another department's, is refused.
    let upd = "mutation($id: ID!, $i: DepartmentInput!) { updateDepartment(id: $id, input: $i) { id } }";
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            upd,
            json!({ "id": b, "i": { "patterns": [{ "kind": "VAT", "pattern": "F-yyyy-nr" }] } }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.patterns.0.pattern".into()));
    app.ok(&s.access, upd, json!({ "id": b, "i": { "patterns": [{ "kind": "VAT", "pattern": "B/nr" }] } })).await;
    let c = app
        .ok(&s.access, "mutation { createDepartment(input: { name: \"C\", usePattern: true }) { id } }", json!({}))
        .await["createDepartment"]["id"]
        .clone();
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            upd,
            json!({ "id": c, "i": { "patterns": [{ "kind": "VAT", "pattern": "B/nr" }] } }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.patterns.0.pattern".into()));
});

db_test!(advances_are_exact_and_never_negative, |app: TestApp| async move {
    let s = app.sign_up("exact@example.fr", "Exact").await;
    // A net-basis estimate: the advance keeps the amount asked, to the cent.
    let est = create(&app, &s.access, json!({ "kind": "ESTIMATE", "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1000" }] }), true).await;
    let adv = create(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "AMOUNT", "advanceValue": "300.03" }),
        true,
    )
    .await;
    assert_eq!(adv["priceGross"], "300.03");
    // Four rates, a tiny advance: no negative share.
    let est = create(
        &app,
        &s.access,
        json!({ "kind": "ESTIMATE", "buyerName": "X", "positions": [
            { "name": "A", "tax": "20", "totalPriceGross": "33.32" }, { "name": "B", "tax": "10", "totalPriceGross": "33.32" },
            { "name": "C", "tax": "5.5", "totalPriceGross": "33.32" }, { "name": "D", "tax": "0", "totalPriceGross": "0.04" } ] }),
        true,
    )
    .await;
    let adv = create(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "AMOUNT", "advanceValue": "0.05" }),
        true,
    )
    .await;
    assert_eq!(adv["priceGross"], "0.05");
    for p in adv["positions"].as_array().unwrap() {
        assert!(!p["totalPriceGross"].as_str().unwrap().starts_with('-'), "{adv}");
    }
});

db_test!(price_only_corrections, |app: TestApp| async move {
    let s = app.sign_up("prix@example.fr", "Prix").await;
    let inv = create(&app, &s.access, json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "totalPriceGross": "20", "quantity": "2" }] }), true).await;
    let cn = create(
        &app,
        &s.access,
        json!({ "kind": "CORRECTION", "invoiceId": inv["id"], "positions": [{ "name": "A", "tax": "20", "kind": "CORRECTION",
            "correctionBefore": { "quantity": "2", "totalPriceGross": "20" }, "correctionAfter": { "quantity": "2", "totalPriceGross": "16" } }] }),
        true,
    )
    .await;
    assert_eq!(cn["priceGross"], "-4.00");
    assert_eq!(cn["positions"][0]["quantity"], "-1");
    // In the invoice's currency only.
    let r = try_create(
        &app,
        &s.access,
        json!({ "kind": "CORRECTION", "invoiceId": inv["id"], "currency": "USD", "positions": [{ "name": "A", "tax": "20", "kind": "CORRECTION", "quantity": "-1", "totalPriceGross": "-1" }] }),
        true,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.currency".into()));
});

db_test!(copies_leave_the_source_life_behind, |app: TestApp| async move {
    let s = app.sign_up("vie@example.fr", "Vie").await;
    let other = app.sign_up("vie2@example.fr", "Vie2").await;
    let foreign = create(&app, &other.access, json!({ "buyerName": "X", "positions": line() }), false).await;
    let r = try_create(
        &app,
        &s.access,
        json!({ "fromInvoiceId": foreign["id"], "buyerName": "X", "positions": line() }),
        false,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.fromInvoiceId".into()));
    let src = app
        .ok(
            &s.access,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id } }",
            json!({ "i": { "buyerName": "X", "accountingStatus": "exported", "correctionReason": "r", "positions": line() } }),
        )
        .await["createInvoice"]["id"]
        .clone();
    let copy = app
        .ok(
            &s.access,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i) { accountingStatus correctionReason } }",
            json!({ "i": { "copyFrom": src } }),
        )
        .await;
    assert_eq!(copy["createInvoice"], json!({ "accountingStatus": null, "correctionReason": null }));
});
