//! Document flows end to end: similar documents and conversions, advances and finals,
//! credit notes, cancellation, invoices to complete, links both ways, and the seed's
//! additional fields, on SQLite and PostgreSQL.

use scelle_tests::*;
use serde_json::{Value, json};

const DOC: &str = "id number kind status priceNet priceTax priceGross paid amountToPay buyerName clientId issueDate paymentTo fromInvoiceId invoiceId correctionReason cancelReason completionUrl positions { kind name quantity tax totalPriceNet totalPriceGross productId correctionBefore { kind quantity totalPriceGross } correctionAfter { kind quantity totalPriceGross } } taxSummary { tax net taxAmount gross }";

async fn create_full(app: &TestApp, token: &str, input: Value, issue: bool) -> Value {
    app.create_invoice(token, DOC, input, issue).await
}

async fn create(app: &TestApp, token: &str, input: Value, issue: bool) -> Value {
    let r = create_full(app, token, input, issue).await;
    assert!(r.get("errors").is_none(), "{r}");
    r["data"]["createInvoice"].clone()
}

fn rule(r: &Value) -> String {
    r["errors"][0]["extensions"]["fields"][0]["message"].as_str().unwrap_or("").to_owned()
}

async fn count_docs(app: &TestApp, token: &str) -> i64 {
    app.ok(token, "{ invoices(filter: { period: ALL }) { totalCount } }", json!({})).await["invoices"]["totalCount"]
        .as_i64()
        .unwrap()
}

async fn get(app: &TestApp, token: &str, id: &Value) -> Value {
    app.ok(token, &format!("query($id: ID!) {{ invoice(id: $id) {{ {DOC} }} }}"), json!({ "id": id })).await["invoice"]
        .clone()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

db_test!(similar_documents_and_conversions, |app: TestApp| async move {
    let s = app.sign_up("copy@example.fr", "Copie").await;
    let est = create(
        &app,
        &s.access,
        json!({ "kind": "ESTIMATE", "buyerName": "Client Untel", "paymentToKind": "30",
                "positions": [{ "name": "Pose", "tax": "20", "priceNet": "100", "quantity": "2" }] }),
        true,
    )
    .await;
    assert_eq!(est["priceGross"], "240.00");
    // The contact changes afterwards: a copy still shows the buyer as on its source.
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateClient(id: $id, input: { name: \"Nouveau nom\" }) { id } }",
        json!({ "id": est["clientId"] }),
    )
    .await;

    // Invoice from an estimate (seed: copy_invoice_from + kind vat).
    let inv = create(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "VAT" }), true).await;
    assert_eq!((inv["kind"].as_str(), inv["status"].as_str()), (Some("VAT"), Some("ISSUED")));
    assert_eq!(inv["number"], format!("F-{}-1", today().format("%Y")));
    assert_eq!((inv["priceNet"].as_str(), inv["priceGross"].as_str()), (Some("200.00"), Some("240.00")));
    assert_eq!(inv["buyerName"], "Client Untel");
    assert_eq!(inv["clientId"], est["clientId"]);
    assert_eq!(inv["positions"][0]["name"], "Pose");
    assert_eq!(inv["fromInvoiceId"], est["id"]);
    assert_eq!(inv["invoiceId"], Value::Null, "a conversion is not a functional link");
    // Dates are the copy's own: today, due 30 days later as on the source.
    assert_eq!(inv["issueDate"], today().to_string());
    assert_eq!(inv["paymentTo"], (today() + chrono::Duration::days(30)).to_string());

    // Duplicate with another due date (seed: payment_to_kind in a copy request).
    let dup = create(&app, &s.access, json!({ "copyFrom": inv["id"], "paymentToKind": "10" }), false).await;
    assert_eq!(
        (dup["kind"].as_str(), dup["status"].as_str(), dup["number"].as_str()),
        (Some("VAT"), Some("DRAFT"), None)
    );
    assert_eq!(dup["priceGross"], "240.00");
    assert_eq!(dup["paymentTo"], (today() + chrono::Duration::days(10)).to_string());

    // Both ways: the estimate lists what was created from it, and the filter finds them.
    let d = app
        .ok(
            &s.access,
            "query($id: ID!) { invoice(id: $id) { derivedDocuments { id } } invoices(filter: { period: ALL, fromInvoiceId: $id }) { totalCount items { id } } }",
            json!({ "id": est["id"] }),
        )
        .await;
    assert_eq!(d["invoice"]["derivedDocuments"], json!([{ "id": inv["id"] }]));
    assert_eq!(d["invoices"]["totalCount"], 1);

    // Unknown source: a field error, nothing written.
    let before = count_docs(&app, &s.access).await;
    let r = create_full(&app, &s.access, json!({ "copyFrom": uuid::Uuid::now_v7().to_string() }), false).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.copyFrom".into()));
    assert_eq!(count_docs(&app, &s.access).await, before);
});

db_test!(advances_from_an_estimate_and_the_final_invoice, |app: TestApp| async move {
    let s = app.sign_up("acompte@example.fr", "Acomptes").await;
    let est = create(
        &app,
        &s.access,
        json!({ "kind": "ESTIMATE", "buyerName": "Client Untel",
                "positions": [
                    { "name": "Travaux", "tax": "20", "totalPriceGross": "600", "quantity": "1" },
                    { "name": "Rénovation", "tax": "10", "totalPriceGross": "440", "quantity": "1" }
                ] }),
        true,
    )
    .await;
    assert_eq!(est["priceGross"], "1040.00");

    // Seed: advance of 30 % of the estimate, split over its VAT rates in proportion.
    let a1 = create(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "30",
                "positionName": "Acompte de 30% sur devis n° 123" }),
        true,
    )
    .await;
    assert_eq!((a1["kind"].as_str(), a1["priceGross"].as_str()), (Some("ADVANCE"), Some("312.00")));
    let mut totals: Vec<(String, String)> = a1["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["tax"].as_str().unwrap().to_owned(), p["totalPriceGross"].as_str().unwrap().to_owned()))
        .collect();
    totals.sort();
    assert_eq!(totals, vec![("10".into(), "132.00".into()), ("20".into(), "180.00".into())]);
    assert!(a1["positions"][0]["name"].as_str().unwrap().starts_with("Acompte de 30% sur devis n° 123"));
    assert_eq!((a1["priceNet"].as_str(), a1["priceTax"].as_str()), (Some("270.00"), Some("42.00")));
    assert_eq!(a1["invoiceId"], est["id"]);
    assert_eq!(a1["buyerName"], "Client Untel");

    // Seed: advance of an amount (150): 86.54 at 20 % and the remainder, 63.46, at 10 %.
    let a2 = create(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "AMOUNT", "advanceValue": "150" }),
        true,
    )
    .await;
    assert_eq!(a2["priceGross"], "150.00");
    let mut totals: Vec<String> =
        a2["positions"].as_array().unwrap().iter().map(|p| p["totalPriceGross"].as_str().unwrap().to_owned()).collect();
    totals.sort();
    assert_eq!(totals, vec!["63.46".to_owned(), "86.54".to_owned()]);

    // More than what is left of the estimate (1040 − 462 = 578): refused, nothing written.
    let before = count_docs(&app, &s.access).await;
    let r = create_full(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "AMOUNT", "advanceValue": "578.01" }),
        true,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.advanceValue".into()));
    assert_eq!(count_docs(&app, &s.access).await, before);
    // An advance from an invoice is not a thing.
    let r = create_full(
        &app,
        &s.access,
        json!({ "copyFrom": a1["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "10" }),
        false,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.copyFrom".into()));

    // Seed: the final invoice repeats the estimate and deducts the advances.
    let fin = create(
        &app,
        &s.access,
        json!({ "copyFrom": est["id"], "kind": "FINAL", "invoiceIds": [a1["id"], a2["id"]] }),
        true,
    )
    .await;
    assert_eq!((fin["kind"].as_str(), fin["status"].as_str()), (Some("FINAL"), Some("ISSUED")));
    assert_eq!(fin["priceGross"], "578.00");
    let kinds: Vec<&str> = fin["positions"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        vec!["NORMAL", "NORMAL", "ADVANCE_DEDUCTION", "ADVANCE_DEDUCTION", "ADVANCE_DEDUCTION", "ADVANCE_DEDUCTION"]
    );
    let mut rows: Vec<(String, String)> = fin["taxSummary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["tax"].as_str().unwrap().to_owned(), r["gross"].as_str().unwrap().to_owned()))
        .collect();
    rows.sort();
    assert_eq!(rows, vec![("10".into(), "244.54".into()), ("20".into(), "333.46".into())]);

    // One final per estimate, and an advance is deducted once.
    let r = create_full(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "FINAL" }), false).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.copyFrom".into()));
    let r = create_full(
        &app,
        &s.access,
        json!({ "kind": "FINAL", "invoiceIds": [a1["id"]], "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1000" }] }),
        false,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.invoiceIds.0".into()));

    // Links both ways: the estimate sees its advances and its final; the final sees the
    // estimate and the advances it deducts; the list filter agrees.
    let ids = |v: &Value| {
        let mut ids: Vec<String> = v.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        ids
    };
    let mut expected = vec![
        a1["id"].as_str().unwrap().to_owned(),
        a2["id"].as_str().unwrap().to_owned(),
        fin["id"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    let q = "query($id: ID!) { invoice(id: $id) { relatedDocuments { id } } invoices(filter: { period: ALL, invoiceId: $id }) { items { id } } }";
    let e = app.ok(&s.access, q, json!({ "id": est["id"] })).await;
    assert_eq!(ids(&e["invoice"]["relatedDocuments"]), expected);
    assert_eq!(ids(&e["invoices"]["items"]), expected);
    let f = app.ok(&s.access, q, json!({ "id": fin["id"] })).await;
    let mut expected = vec![
        a1["id"].as_str().unwrap().to_owned(),
        a2["id"].as_str().unwrap().to_owned(),
        est["id"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(ids(&f["invoice"]["relatedDocuments"]), expected);
    let a = app.ok(&s.access, q, json!({ "id": a1["id"] })).await;
    let mut expected = vec![est["id"].as_str().unwrap().to_owned(), fin["id"].as_str().unwrap().to_owned()];
    expected.sort();
    assert_eq!(ids(&a["invoice"]["relatedDocuments"]), expected);
});

db_test!(credit_notes_partial_and_total, |app: TestApp| async move {
    let s = app.sign_up("avoir@example.fr", "Avoirs").await;
    let inv = create(
        &app,
        &s.access,
        json!({ "buyerName": "Client Untel", "positions": [{ "name": "Produit A1", "quantity": "2", "totalPriceGross": "20", "tax": "23" }] }),
        true,
    )
    .await;
    assert_eq!(inv["priceGross"], "20.00");

    // The seed's partial credit note: the line holds the difference, with before/after.
    let cn = create(
        &app,
        &s.access,
        json!({ "kind": "CORRECTION", "correctionReason": "erreur de quantité", "fromInvoiceId": inv["id"], "invoiceId": inv["id"],
                "positions": [{ "name": "Produit A1", "quantity": "-1", "totalPriceGross": "-10", "tax": "23", "kind": "CORRECTION",
                    "correctionBefore": { "name": "Produit A1", "quantity": "2", "totalPriceGross": "20", "tax": "23" },
                    "correctionAfter": { "name": "Produit A1", "quantity": "1", "totalPriceGross": "10", "tax": "23" } }] }),
        true,
    )
    .await;
    assert_eq!((cn["kind"].as_str(), cn["status"].as_str()), (Some("CORRECTION"), Some("ISSUED")));
    assert_eq!(cn["priceGross"], "-10.00");
    assert_eq!(cn["correctionReason"], "erreur de quantité");
    assert_eq!(cn["invoiceId"], inv["id"]);
    assert_eq!(cn["buyerName"], "Client Untel", "the corrected invoice's buyer by default");
    let line = &cn["positions"][0];
    assert_eq!(cn["positions"].as_array().unwrap().len(), 1, "before/after are not lines of their own");
    assert_eq!((line["kind"].as_str(), line["quantity"].as_str()), (Some("CORRECTION"), Some("-1")));
    assert_eq!(
        line["correctionBefore"],
        json!({ "kind": "CORRECTION_BEFORE", "quantity": "2", "totalPriceGross": "20.00" })
    );
    assert_eq!(
        line["correctionAfter"],
        json!({ "kind": "CORRECTION_AFTER", "quantity": "1", "totalPriceGross": "10.00" })
    );

    // Before and after alone: the difference is computed (−1 unit, −10.00).
    let cn2 = create(
        &app,
        &s.access,
        json!({ "kind": "CORRECTION", "invoiceId": inv["id"],
                "positions": [{ "name": "Produit A1", "tax": "23", "kind": "CORRECTION",
                    "correctionBefore": { "quantity": "1", "totalPriceGross": "10" },
                    "correctionAfter": { "quantity": "0", "totalPriceGross": "0" } }] }),
        true,
    )
    .await;
    assert_eq!(cn2["priceGross"], "-10.00");
    assert_eq!(cn2["positions"][0]["quantity"], "-1");

    // The invoice is now fully credited: one more cent is refused, nothing written.
    let before = count_docs(&app, &s.access).await;
    let r = create_full(
        &app,
        &s.access,
        json!({ "kind": "CORRECTION", "invoiceId": inv["id"],
                "positions": [{ "name": "Geste", "tax": "23", "kind": "CORRECTION", "quantity": "-1", "totalPriceGross": "-0.01" }] }),
        true,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.positions".into()));
    assert_eq!(count_docs(&app, &s.access).await, before);

    // The invoice lists its credit notes.
    let rel = app
        .ok(
            &s.access,
            "query($id: ID!) { invoice(id: $id) { relatedDocuments { id kind } } }",
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(rel["invoice"]["relatedDocuments"].as_array().unwrap().len(), 2);

    // Seed: total credit note by copy (total_correction 1), and a zero one (total_correction 0).
    let inv2 = create(
        &app,
        &s.access,
        json!({ "buyerName": "Client Deux", "positions": [
            { "name": "A", "tax": "20", "priceNet": "10", "quantity": "3" },
            { "name": "Titre", "kind": "TEXT_SEPARATOR" },
            { "name": "B", "tax": "5.5", "priceNet": "7.30", "quantity": "1" } ] }),
        true,
    )
    .await;
    assert_eq!(inv2["priceGross"], "43.70");
    let zero = create(
        &app,
        &s.access,
        json!({ "copyFrom": inv2["id"], "kind": "CORRECTION", "totalCorrection": false, "correctionReason": "rien" }),
        true,
    )
    .await;
    assert_eq!(zero["priceGross"], "0.00");
    let total = create(
        &app,
        &s.access,
        json!({ "copyFrom": inv2["id"], "kind": "CORRECTION", "correctionReason": "commande annulée" }),
        true,
    )
    .await;
    assert_eq!((total["priceNet"].as_str(), total["priceGross"].as_str()), (Some("-37.30"), Some("-43.70")));
    assert_eq!(total["invoiceId"], inv2["id"]);
    assert_eq!(total["buyerName"], "Client Deux");
    let first = &total["positions"][0];
    assert_eq!((first["kind"].as_str(), first["quantity"].as_str()), (Some("CORRECTION"), Some("-3")));
    assert_eq!(first["correctionBefore"]["quantity"], "3");
    assert_eq!(first["correctionAfter"]["quantity"], "0");
    assert_eq!(total["positions"][1]["kind"], "TEXT_SEPARATOR");

    // A draft cannot be corrected, and CORRECTION lines belong to credit notes.
    let draft = create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    let r = create_full(&app, &s.access, json!({ "copyFrom": draft["id"], "kind": "CORRECTION" }), false).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.copyFrom".into()));
    let r = create_full(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1", "kind": "CORRECTION" }] }),
        false,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.positions.0.kind".into()));
    // A negative total on an ordinary line is refused with its field.
    let r = create_full(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "totalPriceGross": "-5", "quantity": "1" }] }),
        false,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.positions.0.priceGross".into()));
});

db_test!(cancellation, |app: TestApp| async move {
    let s = app.sign_up("annule@example.fr", "Annulations").await;
    let inv = create(
        &app,
        &s.access,
        json!({ "buyerName": "Client", "lang": "fr", "positions": [{ "name": "A", "tax": "20", "priceNet": "50", "quantity": "2" }] }),
        true,
    )
    .await;
    let q = format!(
        "mutation($id: ID!, $r: String) {{ cancelInvoice(id: $id, reason: $r) {{ invoice {{ {DOC} }} creditNote {{ {DOC} }} }} }}"
    );
    let c = app.ok(&s.access, &q, json!({ "id": inv["id"], "r": "commande annulée" })).await["cancelInvoice"].clone();
    assert_eq!(
        (c["invoice"]["status"].as_str(), c["invoice"]["cancelReason"].as_str()),
        (Some("CANCELLED"), Some("commande annulée"))
    );
    assert_eq!(c["invoice"]["number"], inv["number"], "nothing is erased");
    let cn = &c["creditNote"];
    assert_eq!((cn["kind"].as_str(), cn["status"].as_str()), (Some("CORRECTION"), Some("ISSUED")));
    assert!(cn["number"].is_string());
    assert_eq!((cn["priceGross"].as_str(), cn["invoiceId"].as_str()), (Some("-120.00"), inv["id"].as_str()));
    assert_eq!(cn["correctionReason"], "commande annulée");

    // Once cancelled: no second cancellation, no status change.
    let r = app.gql_full(Some(&s.access), None, &q, json!({ "id": inv["id"] })).await;
    assert_eq!(failure(&r).0, "CONFLICT");
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            "mutation($id: ID!) { changeStatus(id: $id, status: PAID) { id } }",
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(failure(&r).0, "CONFLICT");

    // A draft is deleted, not cancelled; an estimate is cancelled without credit note.
    let draft = create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    let r = app.gql_full(Some(&s.access), None, &q, json!({ "id": draft["id"] })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "id".into()));
    let est = create(
        &app,
        &s.access,
        json!({ "kind": "ESTIMATE", "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        true,
    )
    .await;
    let c = app.ok(&s.access, &q, json!({ "id": est["id"] })).await["cancelInvoice"].clone();
    assert_eq!((c["invoice"]["status"].as_str(), &c["creditNote"]), (Some("CANCELLED"), &Value::Null));

    // An invoice already partly credited is corrected further, not cancelled.
    let inv2 = create(
        &app,
        &s.access,
        json!({ "buyerName": "Y", "positions": [{ "name": "A", "tax": "20", "priceNet": "10" }] }),
        true,
    )
    .await;
    create(
        &app,
        &s.access,
        json!({ "kind": "CORRECTION", "invoiceId": inv2["id"], "positions": [{ "name": "A", "tax": "20", "kind": "CORRECTION", "quantity": "-1", "totalPriceNet": "-1" }] }),
        true,
    )
    .await;
    let r = app.gql_full(Some(&s.access), None, &q, json!({ "id": inv2["id"] })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "id".into()));
    assert!(rule(&r).contains("credit note"), "{r}");
});

db_test!(invoice_to_complete, |app: TestApp| async move {
    let s = app.sign_up("complete@example.fr", "Compléter").await;
    // The seed's example (buyer details optional; here none at all).
    let inv = create(
        &app,
        &s.access,
        json!({ "status": "INCOMPLETE", "lang": "fr", "paidAfterCompletion": true, "sendAfterCompletion": true,
                "sendCompletionTo": "email2@email.fr", "preventSendEmailToComplete": true,
                "positions": [
                    { "name": "Produit 1", "quantity": "1", "totalPriceGross": "24.00", "tax": "20" },
                    { "name": "produit 2", "quantity": "1", "totalPriceGross": "12.00", "tax": "20" } ] }),
        false,
    )
    .await;
    assert_eq!((inv["status"].as_str(), inv["number"].as_str()), (Some("INCOMPLETE"), None));
    let url = inv["completionUrl"].as_str().expect("completion link").to_owned();
    let token = url.trim_start_matches("/complete/").to_owned();

    // The buyer, without login, sees the invoice waiting for them.
    let view = "query($t: String!) { invoiceToComplete(token: $t) { number completed priceGross positions { name totalPriceGross } buyerName } }";
    let r = app.gql_full(None, None, view, json!({ "t": token })).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["data"]["invoiceToComplete"]["priceGross"], "36.00");
    assert_eq!(r["data"]["invoiceToComplete"]["completed"], false);

    // Missing details: refused, nothing changes.
    let complete = "mutation($t: String!, $i: CompletionInput!) { completeInvoice(token: $t, input: $i) { number completed buyerLastName viewUrl } }";
    let r = app.gql_full(None, None, complete, json!({ "t": token, "i": {} })).await;
    assert_eq!(failure(&r).0, "VALIDATION_FAILED");

    let r = app
        .gql_full(
            None,
            Some("fr"),
            complete,
            json!({ "t": token, "i": { "buyerCompany": false, "buyerFirstName": "Jean", "buyerLastName": "Dupont",
                    "buyerEmail": "email1@vemail.fr", "buyerStreet": "50 rue des Fleurs", "buyerPostCode": "06000", "buyerCity": "Nice" } }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    let done = &r["data"]["completeInvoice"];
    assert_eq!(done["completed"], true);
    assert_eq!(done["number"], format!("F-{}-1", today().format("%Y")));
    assert_eq!(done["buyerLastName"], "Dupont");

    // The owner sees it issued, paid (paidAfterCompletion), with a new contact.
    let got = get(&app, &s.access, &inv["id"]).await;
    assert_eq!((got["status"].as_str(), got["paid"].as_str()), (Some("PAID"), Some("36.00")));
    let paid = app
        .ok(
            &s.access,
            "query($id: ID!) { invoice(id: $id) { paidDate payments { amount } } }",
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(paid["invoice"]["payments"], json!([{ "amount": "36.00" }]), "paid by a real payment");
    assert_eq!(paid["invoice"]["paidDate"], today().to_string());
    let found = list(
        &app,
        &s.access,
        json!({ "period": "MORE", "dateFrom": today().to_string(), "dateTo": today().to_string(), "searchDateType": "PAID_DATE" }),
        "PAID_DATE_DESC",
    )
    .await;
    assert_eq!(found, vec![inv["id"].as_str().unwrap().to_owned()]);
    assert!(got["clientId"].is_string());
    assert_eq!(got["completionUrl"], Value::Null);
    // Once validated, the buyer can no longer change it; the link no longer offers it.
    let r = app.gql_full(None, None, complete, json!({ "t": token, "i": { "buyerName": "Autre" } })).await;
    assert_eq!(failure(&r).0, "CONFLICT");
    let r = app.gql_full(None, None, view, json!({ "t": token })).await;
    assert_eq!(failure(&r).0, "NOT_FOUND");
    let r = app.gql_full(None, None, view, json!({ "t": "nope" })).await;
    assert_eq!(failure(&r).0, "NOT_FOUND");

    // Only invoices are completed by their buyer.
    let r = create_full(
        &app,
        &s.access,
        json!({ "kind": "ESTIMATE", "status": "INCOMPLETE", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.status".into()));
    let r = create_full(
        &app,
        &s.access,
        json!({ "status": "PAID", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.status".into()));
});

db_test!(additional_fields_exchange_prime_and_oid, |app: TestApp| async move {
    let s = app.sign_up("champs@example.fr", "Champs").await;
    let q = "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id title buyerTitle sumRecovery interestRate advancedPaymentDiscount descriptionLong conditionalNotes hideTax usePrimeCee primeCeeValue priceGross amountToPay exchangeCurrency exchangeKind exchangeCurrencyRate exchange { currency rate priceNet priceTax priceGross } } }";
    let r = app
        .ok(
            &s.access,
            q,
            json!({ "i": { "kind": "ESTIMATE", "buyerName": "Client Untel", "lang": "fr", "title": "Rénovation", "buyerTitle": "Mme",
                "sumRecovery": "CLIENT_PROFESSIONNEL", "interestRate": "10%", "advancedPaymentDiscount": "10",
                "descriptionLong": "Texte additionnel", "conditionalNotes": "Mentions", "hideTax": true,
                "usePrimeCee": true, "primeCeeValue": "20.00",
                "exchangeCurrency": "USD", "exchangeKind": "OWN", "exchangeCurrencyRate": "1.0832",
                "positions": [{ "name": "produit A", "tax": "20", "totalPriceGross": "24.00", "quantity": "2" }] } }),
        )
        .await["createInvoice"]
        .clone();
    assert_eq!((r["title"].as_str(), r["buyerTitle"].as_str()), (Some("Rénovation"), Some("Mme")));
    assert_eq!(r["sumRecovery"], "CLIENT_PROFESSIONNEL");
    assert_eq!((r["interestRate"].as_str(), r["advancedPaymentDiscount"].as_str()), (Some("10%"), Some("10")));
    assert_eq!(r["hideTax"], true);
    // Seed: the CEE bonus (gross) comes off the amount to pay: 24.00 − 20.00.
    assert_eq!((r["priceGross"].as_str(), r["amountToPay"].as_str()), (Some("24.00"), Some("4.00")));
    // Own rate: each total converted and rounded to the cent (20.00 × 1.0832 = 21.664 → 21.66).
    assert_eq!(
        r["exchange"],
        json!({ "currency": "USD", "rate": "1.0832", "priceNet": "21.66", "priceTax": "4.33", "priceGross": "26.00" })
    );

    let line = json!([{ "name": "A", "tax": "20", "priceNet": "1" }]);
    let r = try_create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "exchangeCurrency": "USD", "exchangeKind": "ECB", "positions": line }),
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.exchangeKind".into()));
    let r = try_create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "exchangeCurrency": "USD", "exchangeKind": "OWN", "positions": line }),
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.exchangeCurrencyRate".into()));
    let r = try_create(&app, &s.access, json!({ "buyerName": "X", "usePrimeCee": true, "positions": line })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.primeCeeValue".into()));
    let r =
        try_create(&app, &s.access, json!({ "buyerName": "X", "advancedPaymentDiscount": "120", "positions": line }))
            .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.advancedPaymentDiscount".into()));

    // Seed: oid_unique refuses a second document with the same order number.
    let r =
        try_create(&app, &s.access, json!({ "buyerName": "X", "oid": "10021", "oidUnique": true, "positions": line }))
            .await;
    assert!(r.get("errors").is_none(), "{r}");
    let before = count_docs(&app, &s.access).await;
    let r =
        try_create(&app, &s.access, json!({ "buyerName": "X", "oid": "10021", "oidUnique": true, "positions": line }))
            .await;
    assert_eq!(failure(&r), ("CONFLICT".into(), "input.oid".into()));
    assert_eq!(count_docs(&app, &s.access).await, before);
    // Without the flag the same order number is accepted.
    let r = try_create(&app, &s.access, json!({ "buyerName": "X", "oid": "10021", "positions": line })).await;
    assert!(r.get("errors").is_none(), "{r}");
});

db_test!(department_numbering_patterns, |app: TestApp| async move {
    let s = app.sign_up("motif@example.fr", "Motifs").await;
    let main = app.ok(&s.access, "{ departments(filter: { main: true }) { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    let upd = "mutation($id: ID!, $i: DepartmentInput!) { updateDepartment(id: $id, input: $i) { usePattern patterns { kind pattern } } }";
    let r = app
        .ok(
            &s.access,
            upd,
            json!({ "id": main, "i": { "usePattern": true, "patterns": [
                { "kind": "VAT", "pattern": "Fyyyy.mm.nr" }, { "kind": "ESTIMATE", "pattern": "FA-yymm-nr-m" } ] } }),
        )
        .await;
    assert_eq!(r["updateDepartment"]["usePattern"], true);
    assert_eq!(r["updateDepartment"]["patterns"].as_array().unwrap().len(), 2);
    let line = json!([{ "name": "A", "tax": "20", "priceNet": "1" }]);
    let t = today();
    let inv = create(&app, &s.access, json!({ "buyerName": "X", "positions": line }), true).await;
    assert_eq!(inv["number"], format!("F{}.{}.1", t.format("%Y"), t.format("%m")));
    let est = create(&app, &s.access, json!({ "kind": "ESTIMATE", "buyerName": "X", "positions": line }), true).await;
    // `nr-m`: the counter restarts every month (see the numbering rules).
    assert_eq!(est["number"], format!("FA-{}{}-1", t.format("%y"), t.format("%m")));

    // Another department keeps the account's numbering, in its own counter.
    let other = app.ok(&s.access, "mutation { createDepartment(input: { name: \"Autre\" }) { id } }", json!({})).await
        ["createDepartment"]["id"]
        .clone();
    let inv2 =
        create(&app, &s.access, json!({ "departmentId": other, "buyerName": "X", "positions": line }), true).await;
    assert_eq!(inv2["number"], format!("F-{}-1", t.format("%Y")));

    // Bad patterns: field errors, nothing changed.
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            upd,
            json!({ "id": main, "i": { "patterns": [{ "kind": "VAT", "pattern": "F/" }, { "kind": "VAT", "pattern": "G/nr" }] } }),
        )
        .await;
    let fields: Vec<&str> = r["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["input.patterns.0.pattern", "input.patterns.1.kind"]);
    let r = app
        .ok(&s.access, "query($id: ID!) { department(id: $id) { patterns { kind pattern } } }", json!({ "id": main }))
        .await;
    assert_eq!(r["department"]["patterns"].as_array().unwrap().len(), 2);
});

async fn products(app: &TestApp, token: &str) -> Value {
    app.ok(token, "{ products { totalCount items { id name priceNet tax } } }", json!({})).await["products"].clone()
}

async fn list(app: &TestApp, token: &str, filter: Value, order: &str) -> Vec<String> {
    let q = format!("query($f: InvoiceFilter) {{ invoices(filter: $f, order: {order}) {{ items {{ id }} }} }}");
    app.ok(token, &q, json!({ "f": filter })).await["invoices"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn try_create(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql_full(
        Some(token),
        None,
        "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
}

// A line with a code creates the product; a later line of the same document with that
// name and no code uses it (matched by name, as in the catalogue), not a second product.
db_test!(lines_of_one_document_share_a_new_product_by_code_then_name, |app: TestApp| async move {
    let s = app.sign_up("catalogue-keys@example.fr", "Catalogue").await;
    let inv = create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [
            { "name": "Widget", "code": "W-1", "tax": "20", "priceNet": "10" },
            { "name": "Widget", "tax": "20", "priceNet": "10" },
            { "name": "Gadget", "tax": "20", "priceNet": "4" },
            { "name": "Gadget", "tax": "20", "priceNet": "4" } ] }),
        false,
    )
    .await;
    let p = products(&app, &s.access).await;
    assert_eq!(p["totalCount"], 2, "{p}");
    assert_eq!(inv["positions"][0]["productId"], inv["positions"][1]["productId"]);
    assert_eq!(inv["positions"][2]["productId"], inv["positions"][3]["productId"]);
    assert_ne!(inv["positions"][0]["productId"], inv["positions"][2]["productId"]);
});

db_test!(new_products_join_the_catalogue, |app: TestApp| async move {
    let s = app.sign_up("catalogue@example.fr", "Catalogue").await;
    let inv = create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [{ "name": "Nouveau service", "tax": "20", "priceNet": "50", "quantity": "3" }] }),
        false,
    )
    .await;
    let p = products(&app, &s.access).await;
    assert_eq!(p["totalCount"], 1);
    assert_eq!(
        (p["items"][0]["name"].as_str(), p["items"][0]["priceNet"].as_str()),
        (Some("Nouveau service"), Some("50.00"))
    );
    assert_eq!(inv["positions"][0]["productId"], p["items"][0]["id"]);
    // The same name again: the catalogue product is used, not duplicated.
    let inv2 = create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [{ "name": "Nouveau service", "tax": "20", "priceNet": "55" }] }),
        false,
    )
    .await;
    assert_eq!(inv2["positions"][0]["productId"], p["items"][0]["id"]);
    assert_eq!(products(&app, &s.access).await["totalCount"], 1);

    // The account turns it off (owners and admins only).
    let r = app
        .ok(
            &s.access,
            "mutation { updateAccount(input: { addProductsToCatalogue: false }) { addProductsToCatalogue } }",
            json!({}),
        )
        .await;
    assert_eq!(r["updateAccount"]["addProductsToCatalogue"], false);
    create(
        &app,
        &s.access,
        json!({ "buyerName": "X", "positions": [{ "name": "Autre", "tax": "20", "priceNet": "5" }] }),
        false,
    )
    .await;
    assert_eq!(products(&app, &s.access).await["totalCount"], 1);
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            "mutation { updateAccount(input: { timeZone: \"Mars/Olympus\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.timeZone".into()));
});

db_test!(flows_never_cross_accounts, |app: TestApp| async move {
    let a = app.sign_up("flow-a@example.fr", "A").await;
    let b = app.sign_up("flow-b@example.fr", "B").await;
    let est = create(
        &app,
        &a.access,
        json!({ "kind": "ESTIMATE", "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "100" }] }),
        true,
    )
    .await;
    let inv = create(
        &app,
        &a.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "100" }] }),
        true,
    )
    .await;
    let adv = create(
        &app,
        &a.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "10" }),
        true,
    )
    .await;
    let inc = create(
        &app,
        &a.access,
        json!({ "status": "INCOMPLETE", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    let before = count_docs(&app, &b.access).await;
    for (input, field) in [
        (json!({ "copyFrom": inv["id"] }), "input.copyFrom"),
        (
            json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "10" }),
            "input.copyFrom",
        ),
        (
            json!({ "kind": "CORRECTION", "invoiceId": inv["id"], "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "kind": "CORRECTION", "quantity": "-1", "totalPriceNet": "-1" }] }),
            "input.invoiceId",
        ),
        (
            json!({ "kind": "FINAL", "invoiceIds": [adv["id"]], "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
            "input.invoiceIds.0",
        ),
    ] {
        let r = create_full(&app, &b.access, input, true).await;
        assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), field.into()), "{r}");
    }
    assert_eq!(count_docs(&app, &b.access).await, before);
    let r = app
        .gql_full(
            Some(&b.access),
            None,
            "mutation($id: ID!) { cancelInvoice(id: $id) { invoice { id } } }",
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(failure(&r).0, "NOT_FOUND");
    let r = app.ok(&b.access, "query($id: ID!) { invoices(filter: { period: ALL, invoiceId: $id }) { totalCount } x: invoices(filter: { period: ALL, fromInvoiceId: $id }) { totalCount } }", json!({ "id": est["id"] })).await;
    assert_eq!((r["invoices"]["totalCount"].as_i64(), r["x"]["totalCount"].as_i64()), (Some(0), Some(0)));
    // A's invoice is untouched, and its completion link still only completes A's invoice.
    assert_eq!(get(&app, &a.access, &inv["id"]).await["status"], "ISSUED");
    assert_eq!(get(&app, &a.access, &inc["id"]).await["status"], "INCOMPLETE");
    // A's positions cannot be named on B's documents, nor A's department patterns changed.
    let a_position = app
        .ok(&a.access, "query($id: ID!) { invoice(id: $id) { positions { id } } }", json!({ "id": inv["id"] }))
        .await["invoice"]["positions"][0]["id"]
        .clone();
    assert!(a_position.is_string());
    let b_doc = create(
        &app,
        &b.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    let r = app
        .gql_full(
            Some(&b.access),
            None,
            "mutation($id: ID!, $i: InvoiceInput!) { updateInvoice(id: $id, input: $i) { id } }",
            json!({ "id": b_doc["id"], "i": { "positions": [{ "id": a_position, "name": "hack" }] } }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.positions.0.id".into()));
    let a_dept =
        app.ok(&a.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    let r = app
        .gql_full(
            Some(&b.access),
            None,
            "mutation($id: ID!) { updateDepartment(id: $id, input: { usePattern: true, patterns: [{ kind: VAT, pattern: \"X/nr\" }] }) { id } }",
            json!({ "id": a_dept }),
        )
        .await;
    assert_eq!(failure(&r).0, "NOT_FOUND");
    // The buyer's link completes A's invoice in A's account only: B sees nothing of it.
    let r = app.ok(&b.access, "{ invoices(filter: { period: ALL }) { items { id } } }", json!({})).await;
    assert!(!r.to_string().contains(inc["id"].as_str().unwrap()));
    // An accountant of A cannot cancel.
    let acc = app.sign_up("flow-acc@example.fr", "Acc").await;
    app.set_membership(&a.account_id, &acc.user_id, Some("accountant")).await;
    let acc_a = app.login_to("flow-acc@example.fr", &a.account_id).await;
    let r = app
        .gql_full(
            Some(&acc_a.access),
            None,
            "mutation($id: ID!) { cancelInvoice(id: $id) { invoice { id } } }",
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(failure(&r).0, "FORBIDDEN");
});

db_test!(search_by_sell_date_and_seed_orders, |app: TestApp| async move {
    let s = app.sign_up("tri@example.fr", "Tri").await;
    let line = |p: &str| json!([{ "name": "A", "tax": "20", "priceNet": p }]);
    let a = create(&app, &s.access, json!({ "buyerName": "Alpha", "buyerTaxNo": "FR2", "oid": "B", "sellDate": "2020-05", "positions": line("30") }), false).await;
    let b = create(&app, &s.access, json!({ "buyerName": "Beta", "buyerTaxNo": "FR1", "oid": "A", "sellDate": "2020-06-15", "positions": line("10") }), false).await;
    let c = create(&app, &s.access, json!({ "buyerName": "Gamma", "positions": line("20") }), false).await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    // A month-only sell date counts as the first day of the month.
    let may =
        json!({ "period": "MORE", "dateFrom": "2020-05-01", "dateTo": "2020-05-31", "searchDateType": "SELL_DATE" });
    assert_eq!(list(&app, &s.access, may, "ISSUE_DATE").await, vec![id(&a)]);
    let by_issue = json!({ "period": "MORE", "dateFrom": "2020-05-01", "dateTo": "2020-05-31" });
    assert!(list(&app, &s.access, by_issue, "ISSUE_DATE").await.is_empty());
    let all = json!({ "period": "ALL" });
    assert_eq!(list(&app, &s.access, all.clone(), "PRICE_NET_DESC").await, vec![id(&a), id(&c), id(&b)]);
    assert_eq!(list(&app, &s.access, all.clone(), "PRICE_TAX").await, vec![id(&b), id(&c), id(&a)]);
    assert_eq!(list(&app, &s.access, all.clone(), "OID").await, vec![id(&b), id(&a), id(&c)], "empty values last");
    assert_eq!(list(&app, &s.access, all.clone(), "BUYER_TAX_NO_DESC").await, vec![id(&a), id(&b), id(&c)]);
    assert_eq!(list(&app, &s.access, all.clone(), "TRANSACTION_DATE").await[..2], [id(&a), id(&b)]);
});

db_test!(seller_name_category_and_creator, |app: TestApp| async move {
    let s = app.sign_up("vendeur@example.fr", "Vendeur").await;
    let line = json!([{ "name": "A", "tax": "20", "priceNet": "1" }]);
    let q = "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id departmentId sellerName sellerTaxNo categoryId userId } }";
    // The seed's full example names the seller by name: the department is created once…
    let a = app
        .ok(&s.access, q, json!({ "i": { "buyerName": "Client Untel", "sellerName": "Société Chose", "sellerTaxNo": "FR5252445767", "categoryName": "Travaux", "positions": line } }))
        .await["createInvoice"]
        .clone();
    assert_eq!((a["sellerName"].as_str(), a["sellerTaxNo"].as_str()), (Some("Société Chose"), Some("FR5252445767")));
    assert_eq!(a["userId"], s.user_id.as_str());
    // …then found again by name, case and accents ignored; the category too.
    let b = app
        .ok(&s.access, q, json!({ "i": { "buyerName": "Client Untel", "sellerName": "societe chose", "categoryName": "travaux", "positions": line } }))
        .await["createInvoice"]
        .clone();
    assert_eq!((&b["departmentId"], &b["categoryId"]), (&a["departmentId"], &a["categoryId"]));
    let counts =
        app.ok(&s.access, "{ departments { totalCount } categories { totalCount items { name } } }", json!({})).await;
    assert_eq!(counts["departments"]["totalCount"], 2);
    assert_eq!(counts["categories"]["items"], json!([{ "name": "Travaux" }]));

    // A member cannot create a department through a document.
    let member = app.sign_up("membre-vendeur@example.fr", "M").await;
    app.set_membership(&s.account_id, &member.user_id, Some("member")).await;
    let m = app.login_to("membre-vendeur@example.fr", &s.account_id).await;
    let r = try_create(&app, &m.access, json!({ "buyerName": "X", "sellerName": "Inconnue", "positions": line })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.sellerName".into()));
    // Another account's category is unknown here.
    let other = app.sign_up("autre-vendeur@example.fr", "Autre").await;
    let cat = app.ok(&other.access, "mutation { createCategory(input: { name: \"Secret\" }) { id } }", json!({})).await
        ["createCategory"]["id"]
        .clone();
    let r = try_create(&app, &s.access, json!({ "buyerName": "X", "categoryId": cat, "positions": line })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.categoryId".into()));
});

db_test!(reverse_charge_seed_example, |app: TestApp| async move {
    let s = app.sign_up("autoliq@example.fr", "Autoliquidation").await;
    let q = "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { reverseCharge description priceNet priceTax priceGross positions { tax totalPriceNet totalPriceGross } taxSummary { tax gross } } }";
    // The seed's example: positions without tax; the VAT is due by the buyer.
    let r = app
        .ok(
            &s.access,
            q,
            json!({ "i": { "kind": "VAT", "sellDate": today().to_string(), "issueDate": today().to_string(), "buyerName": "ClientABC", "buyerTaxNo": "BE1234567",
                "reverseCharge": true, "lang": "fr",
                "positions": [ { "name": "Produit A1", "totalPriceGross": "10.50", "quantity": "1" },
                               { "name": "Produit A2", "totalPriceGross": "50", "quantity": "2" },
                               { "name": "Produit A3", "tax": "20", "priceNet": "10" } ] } }),
        )
        .await["createInvoice"]
        .clone();
    assert_eq!(
        (r["priceNet"].as_str(), r["priceTax"].as_str(), r["priceGross"].as_str()),
        (Some("70.50"), Some("0.00"), Some("70.50"))
    );
    assert!(r["positions"].as_array().unwrap().iter().all(|p| p["tax"] == "np"), "{r}");
    assert_eq!(r["taxSummary"], json!([{ "tax": "np", "gross": "70.50" }]));
    assert_eq!(r["description"], "Mécanisme d'autoliquidation : la TVA est due par le preneur assujetti");
});

db_test!(position_updates_by_id_as_in_the_seed, |app: TestApp| async move {
    let s = app.sign_up("positions@example.fr", "Positions").await;
    let doc = app
        .ok(
            &s.access,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id priceGross positions { id name } } }",
            json!({ "i": { "buyerName": "X", "warehouseId": "1090", "showAttachments": true, "positions": [
                { "name": "Produit A1", "tax": "20", "totalPriceGross": "12", "quantity": "1", "additionalInfo": "lot 7" },
                { "name": "Produit A2", "tax": "20", "totalPriceGross": "24", "quantity": "2" } ] } }),
        )
        .await["createInvoice"]
        .clone();
    let (p1, p2) = (doc["positions"][0]["id"].clone(), doc["positions"][1]["id"].clone());
    let upd = "mutation($id: ID!, $i: InvoiceInput!) { updateInvoice(id: $id, input: $i) { priceGross warehouseId showAttachments positions { id name quantity totalPriceGross additionalInfo } } }";
    // "Modifier une position": only the name of the first changes; the second stays.
    let r = app
        .ok(&s.access, upd, json!({ "id": doc["id"], "i": { "positions": [{ "id": p1, "name": "test" }] } }))
        .await["updateInvoice"]
        .clone();
    assert_eq!((r["warehouseId"].as_str(), r["showAttachments"].as_bool()), (Some("1090"), Some(true)));
    assert_eq!(r["priceGross"], "36.00");
    assert_eq!(
        r["positions"],
        json!([
            { "id": p1, "name": "test", "quantity": "1", "totalPriceGross": "12.00", "additionalInfo": "lot 7" },
            { "id": p2, "name": "Produit A2", "quantity": "2", "totalPriceGross": "24.00", "additionalInfo": null }
        ])
    );
    // "_destroy" removes one; a position without id is added last.
    let r = app
        .ok(
            &s.access,
            upd,
            json!({ "id": doc["id"], "i": { "positions": [
                { "id": p1, "destroy": true }, { "name": "Produit A3", "tax": "20", "totalPriceGross": "10.20", "quantity": "1" } ] } }),
        )
        .await["updateInvoice"]
        .clone();
    let names: Vec<&str> = r["positions"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Produit A2", "Produit A3"]);
    assert_eq!(r["priceGross"], "34.20");
    // A position of another document is unknown here, and nothing changes.
    let other = app
        .ok(&s.access, "mutation { createInvoice(input: { buyerName: \"Y\", positions: [{ name: \"Z\", tax: \"20\", priceNet: \"1\" }] }) { positions { id } } }", json!({}))
        .await["createInvoice"]["positions"][0]["id"]
        .clone();
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            upd,
            json!({ "id": doc["id"], "i": { "positions": [{ "id": other, "name": "hack" }] } }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.positions.0.id".into()));
    let after = get(&app, &s.access, &doc["id"]).await;
    assert_eq!(after["priceGross"], "34.20");
});

db_test!(oss_identification_seed_example, |app: TestApp| async move {
    let s = app.sign_up("oss@example.fr", "OSS").await;
    // The seller's department says "France" in words, as departments often do.
    let main = app.ok(&s.access, "{ departments(filter: { main: true }) { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateDepartment(id: $id, input: { country: \"France\" }) { id } }",
        json!({ "id": main }),
    )
    .await;
    let q = "mutation($i: InvoiceInput!) { createInvoice(input: $i) { useOss } }";
    let oss = |buyer_country: &str, company: bool, tax_no: Option<&str>| {
        json!({ "i": { "kind": "VAT", "identifyOss": true, "buyerName": format!("Client {buyer_country} {company} {tax_no:?}"), "buyerLastName": "Y", "buyerCountry": buyer_country, "buyerCompany": company,
            "buyerTaxNo": tax_no, "positions": [{ "name": "Produit AB", "tax": "23", "totalPriceGross": "1.23", "quantity": "1" }] } })
    };
    // (Each case is its own contact: a recognised contact's stored details would apply.)
    // The seed's example: a buyer in Poland without a VAT number; a private buyer too.
    assert_eq!(app.ok(&s.access, q, oss("PL", true, None)).await["createInvoice"]["useOss"], true);
    assert_eq!(app.ok(&s.access, q, oss("pl", false, None)).await["createInvoice"]["useOss"], true);
    // Not OSS: a VAT-registered company, a buyer in France, a buyer outside the EU.
    assert_eq!(app.ok(&s.access, q, oss("PL", true, Some("PL5260250274"))).await["createInvoice"]["useOss"], false);
    assert_eq!(app.ok(&s.access, q, oss("FR", false, None)).await["createInvoice"]["useOss"], false);
    assert_eq!(app.ok(&s.access, q, oss("CH", false, None)).await["createInvoice"]["useOss"], false);
});

db_test!(amount_orders_use_cents_filled_by_the_migration, |app: TestApp| async move {
    use migration::MigratorTrait;
    let s = app.sign_up("cents@example.fr", "Cents").await;
    for p in ["9.99", "100", "10.5"] {
        app.ok(
            &s.access,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id } }",
            json!({ "i": { "buyerName": "X", "positions": [{ "name": "A", "tax": "0", "priceNet": p }] } }),
        )
        .await;
    }
    // Rows written before the cents columns existed get them from their text totals.
    let all = migration::Migrator::migrations();
    let at = all.iter().position(|m| m.name() == "m20261121_000010_document_amount_cents").expect("migration");
    migration::Migrator::down(&app.db, Some((all.len() - at) as u32)).await.expect("down");
    migration::Migrator::up(&app.db, None).await.expect("up");
    let r = app.ok(&s.access, "{ invoices(order: PRICE_GROSS_DESC) { items { priceGross } } }", json!({})).await;
    assert_eq!(
        r["invoices"]["items"],
        json!([{ "priceGross": "100.00" }, { "priceGross": "10.50" }, { "priceGross": "9.99" }])
    );
});
