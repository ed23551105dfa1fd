//! New products from document lines join the catalogue.

use super::*;

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
