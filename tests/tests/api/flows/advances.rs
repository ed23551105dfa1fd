//! Advances from an estimate and the final invoice that deducts them.

use super::*;

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

db_test!(finals_cancel_and_are_not_billed_twice, |app: TestApp| async move {
    let s = app.sign_up("fin@example.fr", "Fin").await;
    let (est, adv) = estimate_with_advance(&app, &s.access, "30").await;
    let fin = create(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "FINAL" }), true).await;
    assert_eq!(fin["priceGross"], "700.00");
    // A second final while the first stands is refused.
    let r = create_full(&app, &s.access, json!({ "copyFrom": est["id"], "kind": "FINAL" }), true).await;
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
