//! Similar documents and conversions (`copyFrom`): what a copy takes from its source and what it leaves.

use super::*;

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

db_test!(copies_leave_the_source_life_behind, |app: TestApp| async move {
    let s = app.sign_up("vie@example.fr", "Vie").await;
    let other = app.sign_up("vie2@example.fr", "Vie2").await;
    let foreign = create(&app, &other.access, json!({ "buyerName": "X", "positions": line() }), false).await;
    let r = create_full(
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
