//! Products end to end, with the seed's examples ("Créer un produit", "Créer un produit
//! lot", "Modifier un produit" by id and by code, `filter=disabled`).

use scelle_tests::*;
use serde_json::{Value, json};

const FIELDS: &str = "id name kind tax currency priceNet priceGross priceTax purchaseTax purchasePriceNet purchasePriceGross purchasePriceTax disabled service limited package useOss isDelivery categoryId departmentId tagList stockLevel quantity weight sizeHeight sizeWidth size code quantityUnit eanCode weightUnit sizeUnit supplierCode additionalInfo accountingId accountingId2 accountingTaxCode accountingTaxCodeExp accountingActivityCode accountingSheetCode description packageProducts { productId quantity }";

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    let r = app
        .gql_full(
            Some(token),
            None,
            &format!("mutation($i: ProductInput!) {{ createProduct(input: $i) {{ {FIELDS} }} }}"),
            json!({ "i": input }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    r["data"]["createProduct"].clone()
}

db_test!(seed_examples, |app: TestApp| async move {
    let s = app.sign_up("products@example.fr", "Produits").await;
    // "Créer un produit": gross 100 at 20 % → net 83.33, tax 16.67; currency from the account.
    let a =
        create(&app, &s.access, json!({ "name": "ProduitA", "code": "A001", "priceGross": "100", "tax": "20" })).await;
    assert_eq!(
        (a["priceNet"].as_str(), a["priceTax"].as_str(), a["priceGross"].as_str()),
        (Some("83.33"), Some("16.67"), Some("100.00"))
    );
    assert_eq!((a["currency"].as_str(), a["kind"].as_str()), (Some("EUR"), Some("sell")));

    // "Modifier un produit" by id: new code and gross price.
    let u = app
        .ok(&s.access, "mutation($id: ID) { updateProduct(id: $id, input: { name: \"ProduitA\", code: \"A0012\", priceGross: \"102\", tax: \"20\" }) { code priceNet priceGross } }", json!({ "id": a["id"] }))
        .await["updateProduct"]
        .clone();
    assert_eq!(u, json!({ "code": "A0012", "priceNet": "85.00", "priceGross": "102.00" }));
    // … and by its code (`find_by: code`); changing only the tax keeps the gross price.
    let u = app
        .ok(&s.access, "mutation { updateProduct(code: \"A0012\", input: { name: \"Product A\", tax: \"10\" }) { name tax priceNet priceGross } }", json!({}))
        .await["updateProduct"]
        .clone();
    assert_eq!(u, json!({ "name": "Product A", "tax": "10", "priceNet": "92.73", "priceGross": "102.00" }));
    let by_code = app.ok(&s.access, "{ product(code: \"A0012\") { id } }", json!({})).await;
    assert_eq!(by_code["product"]["id"], a["id"]);

    // "Créer un produit lot": a package of three products, priced net.
    let b = create(&app, &s.access, json!({ "name": "ProduitB", "priceNet": "10", "tax": "20" })).await;
    let c = create(&app, &s.access, json!({ "name": "ProduitC", "priceNet": "5.5", "tax": "5.5" })).await;
    assert_eq!(
        (b["priceGross"].as_str(), c["priceGross"].as_str()),
        (Some("12.00"), Some("5.80")),
        "5.50 × 1.055 = 5.8025 → 5.80"
    );
    let lot = create(
        &app,
        &s.access,
        json!({ "name": "Lot ABC", "priceNet": "100", "tax": "20", "service": true, "package": true,
                "packageProducts": [ { "productId": a["id"], "quantity": "1" }, { "productId": b["id"], "quantity": "1" }, { "productId": c["id"], "quantity": "2.5" } ] }),
    )
    .await;
    assert_eq!(lot["priceGross"], "120.00");
    assert_eq!(
        lot["packageProducts"],
        json!([
            { "productId": a["id"], "quantity": "1" }, { "productId": b["id"], "quantity": "1" }, { "productId": c["id"], "quantity": "2.5" }
        ])
    );
    // A component cannot be deleted while in the package.
    let e = app
        .err(Some(&s.access), "mutation($id: ID!) { deleteProduct(id: $id) { id } }", json!({ "id": b["id"] }))
        .await;
    assert_eq!(code(&e), "CONFLICT");

    // `filter=disabled`: inactive products are apart.
    app.ok(
        &s.access,
        "mutation($id: ID) { updateProduct(id: $id, input: { disabled: true }) { id } }",
        json!({ "id": c["id"] }),
    )
    .await;
    let active = app.ok(&s.access, "{ products(order: NAME) { totalCount items { name } } }", json!({})).await;
    assert_eq!(active["products"]["totalCount"], 3);
    let inactive = app.ok(&s.access, "{ products(filter: { disabled: true }) { items { name } } }", json!({})).await;
    assert_eq!(inactive["products"]["items"], json!([{ "name": "ProduitC" }]));
    let found = app.ok(&s.access, "{ products(filter: { name: \"a0012\" }) { items { name } } }", json!({})).await;
    assert_eq!(found["products"]["items"], json!([{ "name": "Product A" }]), "the name filter also finds codes");
});

db_test!(every_field_round_trips, |app: TestApp| async move {
    let s = app.sign_up("pfields@example.fr", "PFields").await;
    let cat = app.ok(&s.access, "mutation { createCategory(input: { name: \"Outils\" }) { id } }", json!({})).await["createCategory"]["id"].clone();
    let dept =
        app.ok(&s.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    let input = json!({
        "name": "Marteau", "kind": "both", "tax": "20", "currency": "EUR", "priceGross": "24.00", "purchaseTax": "5.5",
        "purchasePriceNet": "10.00", "disabled": false, "service": false, "limited": true, "useOss": true, "isDelivery": false,
        "categoryId": cat, "departmentId": dept, "tagList": ["outils", "bois"], "stockLevel": "-2", "quantity": "1",
        "weight": "0.45", "sizeHeight": "0.3", "sizeWidth": "0.1", "size": "0.05", "code": "MRT-1", "quantityUnit": "pce",
        "eanCode": "4006381333931", "weightUnit": "kg", "sizeUnit": "m", "supplierCode": "SUP-9", "additionalInfo": "NAT",
        "accountingId": "707000", "accountingId2": "607000", "accountingTaxCode": "445710", "accountingTaxCodeExp": "445660",
        "accountingActivityCode": "ACT", "accountingSheetCode": "VT", "description": "Marteau de menuisier"
    });
    let p = create(&app, &s.access, input.clone()).await;
    for (k, v) in input.as_object().unwrap() {
        assert_eq!(&p[k], v, "field {k}");
    }
    assert_eq!((p["priceNet"].as_str(), p["priceTax"].as_str()), (Some("20.00"), Some("4.00")));
    assert_eq!((p["purchasePriceGross"].as_str(), p["purchasePriceTax"].as_str()), (Some("10.55"), Some("0.55")));
    let read = app
        .ok(&s.access, &format!("query($id: ID) {{ product(id: $id) {{ {FIELDS} }} }}"), json!({ "id": p["id"] }))
        .await;
    assert_eq!(read["product"], p);
});

db_test!(invalid_products_are_refused_whole, |app: TestApp| async move {
    let s = app.sign_up("pbad@example.fr", "PBad").await;
    // No tax and no default tax on the main department: the tax is required.
    let e = app
        .err(
            Some(&s.access),
            "mutation { createProduct(input: { name: \"X\", priceGross: \"10\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.tax");
    // With a default tax on the main department, it applies.
    let dept =
        app.ok(&s.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateDepartment(id: $id, input: { defaultTax: \"5.5\" }) { id } }",
        json!({ "id": dept }),
    )
    .await;
    let p = create(&app, &s.access, json!({ "name": "X", "priceGross": "10.55", "code": "X1" })).await;
    assert_eq!((p["tax"].as_str(), p["priceNet"].as_str()), (Some("5.5"), Some("10.00")));

    let r = app
        .gql_full(
            Some(&s.access),
            None,
            "mutation($i: ProductInput!) { createProduct(input: $i) { id } }",
            json!({ "i": { "name": "", "kind": "rent", "tax": "30%", "currency": "euro", "weightUnit": "lb", "eanCode": "4006381333932",
                          "priceGross": "-1", "weight": "-2" } }),
        )
        .await;
    let fields: Vec<&str> = r["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "input.name",
            "input.weight",
            "input.kind",
            "input.tax",
            "input.currency",
            "input.weightUnit",
            "input.eanCode",
            "input.priceGross"
        ]
    );
    // Net and gross that disagree are refused, not silently overridden.
    let e = app.err(Some(&s.access), "mutation { createProduct(input: { name: \"Y\", tax: \"20\", priceNet: \"80\", priceGross: \"100\" }) { id } }", json!({})).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.priceNet");
    // Duplicate code.
    let e = app
        .err(
            Some(&s.access),
            "mutation { createProduct(input: { name: \"Z\", tax: \"20\", code: \"X1\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!((code(&e), e["extensions"]["field"].as_str()), ("CONFLICT", Some("input.code")));
    // Package rules: components required, no package in a package, no unknown product.
    let e = app
        .err(
            Some(&s.access),
            "mutation { createProduct(input: { name: \"L\", tax: \"20\", package: true }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.packageProducts");
    let lot = create(&app, &s.access, json!({ "name": "L1", "tax": "20", "package": true, "packageProducts": [{ "productId": p["id"], "quantity": "1" }] })).await;
    let e = app
        .err(Some(&s.access), "mutation($i: ProductInput!) { createProduct(input: $i) { id } }", json!({ "i": { "name": "L2", "tax": "20", "package": true, "packageProducts": [{ "productId": lot["id"], "quantity": "1" }, { "productId": uuid::Uuid::now_v7().to_string(), "quantity": "0" }] } }))
        .await;
    let fields: Vec<&str> =
        e["extensions"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["input.packageProducts.1.quantity"]);
    let e = app
        .err(Some(&s.access), "mutation($i: ProductInput!) { createProduct(input: $i) { id } }", json!({ "i": { "name": "L2", "tax": "20", "package": true, "packageProducts": [{ "productId": lot["id"], "quantity": "1" }, { "productId": uuid::Uuid::now_v7().to_string(), "quantity": "1" }] } }))
        .await;
    let fields: Vec<&str> =
        e["extensions"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["input.packageProducts.0.productId", "input.packageProducts.1.productId"]);
    // Neither id nor code.
    let e = app.err(Some(&s.access), "{ product { id } }", json!({})).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "id");
    let total = app.ok(&s.access, "{ products { totalCount } }", json!({})).await;
    assert_eq!(total["products"]["totalCount"], 2, "nothing else was written");
});

db_test!(isolation, |app: TestApp| async move {
    let a = app.sign_up("pa@example.fr", "PA").await;
    let b = app.sign_up("pb@example.fr", "PB").await;
    let pa = create(&app, &a.access, json!({ "name": "Secret", "tax": "20", "code": "SEC", "priceGross": "1" })).await;
    for q in [
        "query($id: ID) { product(id: $id) { id } }",
        "mutation($id: ID) { updateProduct(id: $id, input: { name: \"pwned\" }) { id } }",
        "mutation($id: ID!) { deleteProduct(id: $id) { id } }",
    ] {
        assert_eq!(code(&app.err(Some(&b.access), q, json!({ "id": pa["id"] })).await), "NOT_FOUND", "{q}");
    }
    assert_eq!(code(&app.err(Some(&b.access), "{ product(code: \"SEC\") { id } }", json!({})).await), "NOT_FOUND");
    let e = app
        .err(Some(&b.access), "mutation { updateProduct(code: \"SEC\", input: { name: \"pwned\" }) { id } }", json!({}))
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    // B's own product may use the same code: codes are per account.
    create(&app, &b.access, json!({ "name": "Mine", "tax": "20", "code": "SEC" })).await;
    // A package cannot take another account's product.
    let e = app
        .err(Some(&b.access), "mutation($i: ProductInput!) { createProduct(input: $i) { id } }", json!({ "i": { "name": "L", "tax": "20", "package": true, "packageProducts": [{ "productId": pa["id"], "quantity": "1" }] } }))
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.packageProducts.0.productId");
    assert_eq!(app.ok(&b.access, "{ products { totalCount } }", json!({})).await["products"]["totalCount"], 1);
    let still = app.ok(&a.access, "query($id: ID) { product(id: $id) { name code } }", json!({ "id": pa["id"] })).await;
    assert_eq!(still["product"], json!({ "name": "Secret", "code": "SEC" }));
});

// Found in review: a product keeps the price as entered.
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

// Found in review: packages never nest nor repeat a product.
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
