//! Regressions for defects found in review: each was reproduced first, then fixed.

use scelle_tests::*;
use serde_json::json;

db_test!(huge_and_odd_inputs_are_refused_not_crashed, |app: TestApp| async move {
    let s = app.sign_up("odd@example.fr", "Odd").await;
    // A price beyond 10^15 would overflow percentage prices: refused at the boundary.
    let e = app
        .err(Some(&s.access), "mutation { createProduct(input: { name: \"X\", tax: \"20\", priceGross: \"79228162514264337593543950335\" }) { id } }", json!({}))
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    let e = app
        .err(
            Some(&s.access),
            "mutation { createProduct(input: { name: \"X\", tax: \"20\", priceGross: \"1.0000001\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "more than 6 decimals");
    // NUL in text: PostgreSQL cannot store it, so it is refused on both databases.
    let e = app
        .err(
            Some(&s.access),
            "mutation($n: String) { createClient(input: { name: $n }) { id } }",
            json!({ "n": "a\u{0}b" }),
        )
        .await;
    assert_eq!((code(&e), e["extensions"]["fields"][0]["field"].as_str()), ("VALIDATION_FAILED", Some("input.name")));
    let e = app
        .err(
            Some(&s.access),
            "mutation { createClient(input: { name: \"X\", birthDate: \"-5000-01-01\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    assert_eq!(
        app.ok(&s.access, "{ clients { totalCount } products { totalCount } }", json!({})).await,
        json!({ "clients": { "totalCount": 0 }, "products": { "totalCount": 0 } })
    );
});

db_test!(prices_keep_what_was_entered, |app: TestApp| async move {
    let s = app.sign_up("entered@example.fr", "Entered").await;
    // Entered net: a tax change keeps the net price and re-derives the gross one.
    let p = app
        .ok(
            &s.access,
            "mutation { createProduct(input: { name: \"N\", tax: \"20\", priceNet: \"100\" }) { id priceGross } }",
            json!({}),
        )
        .await["createProduct"]
        .clone();
    assert_eq!(p["priceGross"], "120.00");
    let u = app
        .ok(
            &s.access,
            "mutation($id: ID) { updateProduct(id: $id, input: { tax: \"5.5\" }) { priceNet priceGross } }",
            json!({ "id": p["id"] }),
        )
        .await;
    assert_eq!(u["updateProduct"], json!({ "priceNet": "100.00", "priceGross": "105.50" }));
    // A sub-cent price without tax: net = gross, tax zero (never negative).
    let z = app.ok(&s.access, "mutation { createProduct(input: { name: \"Z\", tax: \"disabled\", priceGross: \"0.125\" }) { priceNet priceTax } }", json!({})).await;
    assert_eq!(z["createProduct"], json!({ "priceNet": "0.125", "priceTax": "0.00" }));
    // A percentage price derives from the catalogue price: it is in the product's currency.
    let eur = app
        .ok(
            &s.access,
            "mutation { createProduct(input: { name: \"E\", tax: \"20\", priceGross: \"100\" }) { id } }",
            json!({}),
        )
        .await["createProduct"]["id"]
        .clone();
    let list = app
        .ok(&s.access, "mutation($p: ID!) { createPriceList(input: { name: \"USD\", currency: \"USD\", positions: [{ productId: $p, usePercentage: true, percentage: \"5\" }] }) { id } }", json!({ "p": eur }))
        .await["createPriceList"]["id"]
        .clone();
    let r = app
        .ok(
            &s.access,
            "query($l: ID!, $p: [ID!]!) { pricesForProducts(priceListId: $l, productIds: $p) { priceGross currency } }",
            json!({ "l": list, "p": [eur] }),
        )
        .await;
    assert_eq!(r["pricesForProducts"][0], json!({ "priceGross": "105.00", "currency": "EUR" }));
});

db_test!(packages_never_nest_or_repeat, |app: TestApp| async move {
    let s = app.sign_up("nest@example.fr", "Nest").await;
    let a = app
        .ok(&s.access, "mutation { createProduct(input: { name: \"A\", tax: \"20\" }) { id } }", json!({}))
        .await["createProduct"]["id"]
        .clone();
    let create = "mutation($i: ProductInput!) { createProduct(input: $i) { id } }";
    app.ok(&s.access, create, json!({ "i": { "name": "L", "tax": "20", "package": true, "packageProducts": [{ "productId": a, "quantity": "1" }] } })).await;
    // A, inside L, cannot become a package itself.
    let e = app
        .err(
            Some(&s.access),
            "mutation($id: ID, $i: ProductInput!) { updateProduct(id: $id, input: $i) { id } }",
            json!({ "id": a, "i": { "package": true, "packageProducts": [] } }),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    let fields: Vec<&str> =
        e["extensions"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"input.package"), "{fields:?}");
    let b = app
        .ok(&s.access, "mutation { createProduct(input: { name: \"B\", tax: \"20\" }) { id } }", json!({}))
        .await["createProduct"]["id"]
        .clone();
    let e = app.err(Some(&s.access), create, json!({ "i": { "name": "L2", "tax": "20", "package": true, "packageProducts": [{ "productId": b, "quantity": "1" }, { "productId": b, "quantity": "2" }] } })).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.packageProducts.1.productId");
});

db_test!(finders_and_order_agree_on_both_databases, |app: TestApp| async move {
    let s = app.sign_up("agree@example.fr", "Agree").await;
    let create = "mutation($i: ClientInput!) { createClient(input: $i) { id } }";
    let elise = app
        .ok(&s.access, create, json!({ "i": { "name": "Élise SARL", "shortcut": "Élise", "email": "JOSÉ@Exemple.fr", "taxNo": "FR\u{a0}52.524.457.672", "tagList": ["Été", "VIP"] } }))
        .await["createClient"]["id"]
        .clone();
    let find = |f: serde_json::Value| {
        let (app, token) = (&app, s.access.clone());
        async move {
            app.ok(&token, "query($f: ClientFilterInput) { clients(filter: $f) { items { id } } }", json!({ "f": f }))
                .await["clients"]["items"]
                .clone()
        }
    };
    let one = json!([{ "id": elise }]);
    assert_eq!(find(json!({ "shortcut": "élise" })).await, one);
    assert_eq!(find(json!({ "shortcut": "ELISE" })).await, one);
    assert_eq!(find(json!({ "email": "josé@" })).await, one);
    assert_eq!(find(json!({ "taxNo": "fr52524457672" })).await, one);
    assert_eq!(find(json!({ "tag": "vip" })).await, one);
    assert_eq!(find(json!({ "tag": "ete" })).await, one);
    assert_eq!(find(json!({ "tag": "vi" })).await, json!([]));

    // Names with spaces and punctuation sort the same way on both databases (bytes of the
    // folded name: " " < "-" < "b").
    for name in ["ab", "a-c", "a b"] {
        app.ok(&s.access, create, json!({ "i": { "name": name } })).await;
    }
    let r = app.ok(&s.access, "{ clients(order: NAME, perPage: 3) { items { name } } }", json!({})).await;
    assert_eq!(r["clients"]["items"], json!([{ "name": "a b" }, { "name": "a-c" }, { "name": "ab" }]));
    // Products without a code come last, on both databases.
    for (name, code) in [("P1", json!(null)), ("P2", json!("B")), ("P3", json!("A"))] {
        app.ok(
            &s.access,
            "mutation($i: ProductInput!) { createProduct(input: $i) { id } }",
            json!({ "i": { "name": name, "tax": "20", "code": code } }),
        )
        .await;
    }
    let r = app.ok(&s.access, "{ products(order: CODE) { items { name } } }", json!({})).await;
    assert_eq!(r["products"]["items"], json!([{ "name": "P3" }, { "name": "P2" }, { "name": "P1" }]));
    let r = app.ok(&s.access, "{ products(order: CODE_DESC) { items { name } } }", json!({})).await;
    assert_eq!(r["products"]["items"], json!([{ "name": "P2" }, { "name": "P3" }, { "name": "P1" }]));
});
