//! Credit notes (total, before/after lines, price-only) and cancellation.

use super::*;

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
    let r = create_full(
        &app,
        &s.access,
        json!({ "kind": "CORRECTION", "invoiceId": inv["id"], "currency": "USD", "positions": [{ "name": "A", "tax": "20", "kind": "CORRECTION", "quantity": "-1", "totalPriceGross": "-1" }] }),
        true,
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.currency".into()));
});
