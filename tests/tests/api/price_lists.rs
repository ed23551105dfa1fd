//! Price lists with the seed's examples ("Créer un Tarif", "Modifier un Tarif",
//! `prices_for_products`), percentage positions, contacts' price lists, isolation.

use scelle_tests::*;
use serde_json::{Value, json};

const LIST: &str = "id name description currency positions { productId usePercentage percentage priceNet priceGross priceTax useTax tax }";
const PRICES: &str = "query($l: ID!, $p: [ID!]!) { pricesForProducts(priceListId: $l, productIds: $p) { productId priceNet priceGross priceTax tax currency fromPriceList } }";

async fn product(app: &TestApp, token: &str, name: &str, gross: &str) -> String {
    let r = app
        .ok(
            token,
            "mutation($i: ProductInput!) { createProduct(input: $i) { id } }",
            json!({ "i": { "name": name, "tax": "20", "priceGross": gross } }),
        )
        .await;
    r["createProduct"]["id"].as_str().unwrap().to_owned()
}

async fn prices(app: &TestApp, token: &str, list: &Value, products: &[&str]) -> Value {
    app.ok(token, PRICES, json!({ "l": list, "p": products })).await["pricesForProducts"].clone()
}

db_test!(seed_examples_and_percentages, |app: TestApp| async move {
    let s = app.sign_up("tarifs@example.fr", "Tarifs").await;
    let a = product(&app, &s.access, "Produit A", "36").await;
    let b = product(&app, &s.access, "Produit B", "100").await;
    let c = product(&app, &s.access, "Produit C", "50").await;
    // "Créer un Tarif": one fixed position, 100.0 HT / 120.00 TTC at 20 %.
    let list = app
        .ok(
            &s.access,
            &format!("mutation($i: PriceListInput!) {{ createPriceList(input: $i) {{ {LIST} }} }}"),
            json!({ "i": { "name": "Nom du Tarif", "description": "Description du Tarif", "currency": "EUR",
                           "positions": [ { "productId": a, "usePercentage": false, "priceNet": "100.0", "priceGross": "120.00", "useTax": true, "tax": "20" },
                                          { "productId": b, "usePercentage": true, "percentage": "-10" } ] } }),
        )
        .await["createPriceList"]
        .clone();
    assert_eq!(list["positions"][0]["priceTax"], "20.00");
    assert_eq!(list["positions"][1]["percentage"], "-10");

    let p = prices(&app, &s.access, &list["id"], &[&a, &b, &c]).await;
    assert_eq!(
        (p[0]["priceNet"].as_str(), p[0]["priceGross"].as_str(), p[0]["fromPriceList"].as_bool()),
        (Some("100.00"), Some("120.00"), Some(true))
    );
    // −10 % on 100.00 TTC: 90.00 TTC, 75.00 HT.
    assert_eq!(
        (p[1]["priceNet"].as_str(), p[1]["priceGross"].as_str(), p[1]["tax"].as_str()),
        (Some("75.00"), Some("90.00"), Some("20"))
    );
    // Not in the list: the catalogue price.
    assert_eq!((p[2]["priceGross"].as_str(), p[2]["fromPriceList"].as_bool()), (Some("50.00"), Some(false)));

    // "Modifier un Tarif": the fixed position becomes 10.0 HT / 10.80 TTC at 8 %.
    let u = app
        .ok(
            &s.access,
            &format!("mutation($id: ID!, $i: PriceListInput!) {{ updatePriceList(id: $id, input: $i) {{ {LIST} }} }}"),
            json!({ "id": list["id"], "i": { "name": "Nouveau nom du Tarif", "positions": [ { "productId": a, "priceNet": "10.0", "priceGross": "10.80", "useTax": true, "tax": "8" } ] } }),
        )
        .await["updatePriceList"]
        .clone();
    assert_eq!(u["name"], "Nouveau nom du Tarif");
    assert_eq!(u["positions"].as_array().unwrap().len(), 1, "positions are replaced");
    let p = prices(&app, &s.access, &list["id"], &[&a]).await;
    assert_eq!((p[0]["priceGross"].as_str(), p[0]["tax"].as_str()), (Some("10.80"), Some("8")));
    // Without tax, net = gross.
    app.ok(
        &s.access,
        "mutation($id: ID!, $i: PriceListInput!) { updatePriceList(id: $id, input: $i) { id } }",
        json!({ "id": list["id"], "i": { "positions": [ { "productId": c, "priceGross": "7", "useTax": false } ] } }),
    )
    .await;
    let p = prices(&app, &s.access, &list["id"], &[&c]).await;
    assert_eq!(
        (p[0]["priceNet"].as_str(), p[0]["priceTax"].as_str(), p[0]["tax"].as_str()),
        (Some("7.00"), Some("0.00"), Some("disabled"))
    );

    // A contact's price list; deleting the list leaves the contact without one.
    let client = app
        .ok(
            &s.access,
            "mutation($l: ID!) { createClient(input: { name: \"Grossiste\", priceListId: $l }) { id priceListId } }",
            json!({ "l": list["id"] }),
        )
        .await["createClient"]
        .clone();
    assert_eq!(client["priceListId"], list["id"]);
    let found = app
        .ok(
            &s.access,
            "query($ids: [ID!]) { priceLists(filter: { ids: $ids }) { totalCount } }",
            json!({ "ids": [list["id"]] }),
        )
        .await;
    assert_eq!(found["priceLists"]["totalCount"], 1);
    app.ok(&s.access, "mutation($id: ID!) { deletePriceList(id: $id) { id } }", json!({ "id": list["id"] })).await;
    let after =
        app.ok(&s.access, "query($id: ID!) { client(id: $id) { priceListId } }", json!({ "id": client["id"] })).await;
    assert!(after["client"]["priceListId"].is_null());
});

db_test!(invalid_lists_and_isolation, |app: TestApp| async move {
    let s = app.sign_up("tarifs-bad@example.fr", "TB").await;
    let other = app.sign_up("tarifs-other@example.fr", "TO").await;
    let mine = product(&app, &s.access, "Mine", "10").await;
    let theirs = product(&app, &other.access, "Theirs", "10").await;
    let create = "mutation($i: PriceListInput!) { createPriceList(input: $i) { id } }";
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            create,
            json!({ "i": { "name": "", "currency": "euro", "positions": [
            { "productId": mine },
            { "productId": mine, "usePercentage": true },
            { "productId": mine, "priceGross": "10", "tax": "abc" } ] } }),
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
            "input.currency",
            "input.positions.0.priceGross",
            "input.positions.1.percentage",
            "input.positions.1.productId",
            "input.positions.2.tax",
            "input.positions.2.productId"
        ]
    );
    // Another account's product cannot be priced.
    let e = app
        .err(
            Some(&s.access),
            create,
            json!({ "i": { "name": "T", "positions": [ { "productId": theirs, "priceGross": "1" } ] } }),
        )
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.positions.0.productId");
    assert_eq!(
        app.ok(&s.access, "{ priceLists { totalCount } }", json!({})).await["priceLists"]["totalCount"],
        0,
        "nothing written"
    );

    // Another account's list is not found, in every operation.
    let their_list =
        app.ok(&other.access, create, json!({ "i": { "name": "Theirs" } })).await["createPriceList"]["id"].clone();
    for q in [
        "query($id: ID!) { priceList(id: $id) { id } }",
        "mutation($id: ID!) { updatePriceList(id: $id, input: { name: \"pwned\" }) { id } }",
        "mutation($id: ID!) { deletePriceList(id: $id) { id } }",
    ] {
        assert_eq!(code(&app.err(Some(&s.access), q, json!({ "id": their_list })).await), "NOT_FOUND", "{q}");
    }
    assert_eq!(code(&app.err(Some(&s.access), PRICES, json!({ "l": their_list, "p": [mine] })).await), "NOT_FOUND");
    let e = app
        .err(
            Some(&s.access),
            "mutation($l: ID!) { createClient(input: { name: \"X\", priceListId: $l }) { id } }",
            json!({ "l": their_list }),
        )
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.priceListId");
    // My list cannot reveal their product's price.
    let my_list = app.ok(&s.access, create, json!({ "i": { "name": "Mine" } })).await["createPriceList"]["id"].clone();
    let e = app.err(Some(&s.access), PRICES, json!({ "l": my_list, "p": [theirs] })).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "productIds.0");
    assert_eq!(
        app.ok(&other.access, "query($id: ID!) { priceList(id: $id) { name } }", json!({ "id": their_list })).await["priceList"]
            ["name"],
        "Theirs"
    );
});
