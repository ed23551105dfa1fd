//! Documents end to end: the seed's examples, drafts, issuing and numbering, the freeze of
//! issued fiscal documents, buyer recognition, price lists, bad input, isolation.

use scelle_tests::*;
use serde_json::{Value, json};

const INV: &str = "id number kind status issueDate sellDate paymentTo paymentToKind clientId departmentId buyerName buyerTaxNo buyerStreet buyerCity sellerName currency priceNet priceTax priceGross viewUrl calculatingStrategy { position sum invoiceFormPriceKind } positions { kind name quantity tax priceNet priceGross totalPriceNet totalPriceTax totalPriceGross discountAmount } taxSummary { tax net taxAmount gross }";

async fn create(app: &TestApp, token: &str, input: Value, issue: bool) -> Value {
    app.new_invoice(token, INV, input, issue).await
}

fn year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).year()
}

db_test!(seed_examples, |app: TestApp| async move {
    let s = app.sign_up("docs@example.fr", "Docs").await;
    // Minimal version: only a product, a buyer and the department → dated today, due in 5 days.
    let product = app.product_id(&s.access, json!({ "name": "Produit A", "tax": "20", "priceNet": "59" })).await;
    let client = app.client_id(&s.access, json!({ "name": "Client Untel", "taxNo": "FR45362780010" })).await;
    let dept =
        app.ok(&s.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    let d = create(
        &app,
        &s.access,
        json!({ "departmentId": dept, "clientId": client, "positions": [{ "productId": product, "quantity": "2" }] }),
        true,
    )
    .await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    assert_eq!(d["issueDate"], today.to_string());
    assert_eq!(d["paymentTo"], (today + chrono::Duration::days(5)).to_string());
    assert_eq!(
        (d["paymentToKind"].as_str(), d["kind"].as_str(), d["status"].as_str()),
        (Some("5"), Some("VAT"), Some("ISSUED"))
    );
    assert_eq!(d["number"], format!("F-{}-1", year()));
    assert_eq!(
        (d["buyerName"].as_str(), d["buyerTaxNo"].as_str(), d["sellerName"].as_str()),
        (Some("Client Untel"), Some("FR45362780010"), Some("Docs"))
    );
    assert_eq!(d["positions"][0]["name"], "Produit A");
    assert_eq!(
        (d["priceNet"].as_str(), d["priceTax"].as_str(), d["priceGross"].as_str()),
        (Some("118.00"), Some("23.60"), Some("141.60"))
    );

    // "Créer une nouvelle facture avec sous-total" (gross prices: kept gross).
    let sub = create(
        &app,
        &s.access,
        json!({ "kind": "VAT", "sellDate": "2020-10-26", "issueDate": today.to_string(), "buyerName": "Client Untel", "buyerTaxNo": "FR5252445767",
                "positions": [
                    { "name": "Product A", "tax": "23", "totalPriceGross": "30.94", "quantity": "3" },
                    { "name": "Product B", "tax": "23", "totalPriceGross": "17.23", "quantity": "1" },
                    { "name": "Subtotal", "kind": "SUBTOTAL" },
                    { "name": "Product C", "tax": "0", "totalPriceGross": "50", "quantity": "2" } ] }),
        false,
    )
    .await;
    assert_eq!(sub["status"], "DRAFT");
    assert!(sub["number"].is_null(), "drafts have no number");
    assert_eq!(
        sub["calculatingStrategy"],
        json!({ "position": "KEEP_GROSS", "sum": "SUM", "invoiceFormPriceKind": "GROSS" })
    );
    assert_eq!(
        (sub["priceNet"].as_str(), sub["priceTax"].as_str(), sub["priceGross"].as_str()),
        (Some("89.16"), Some("9.01"), Some("98.17"))
    );
    assert_eq!(sub["positions"][2]["totalPriceGross"], "48.17");
    assert_eq!(
        sub["taxSummary"],
        json!([{ "tax": "23", "net": "39.16", "taxAmount": "9.01", "gross": "48.17" }, { "tax": "0", "net": "50.00", "taxAmount": "0.00", "gross": "50.00" }])
    );

    // "Créer une nouvelle facture avec réduction" (a gross amount off).
    let disc = create(
        &app,
        &s.access,
        json!({ "buyerName": "Client Untel", "discountKind": "AMOUNT", "showDiscount": true, "positions": [
            { "name": "Produit A", "quantity": "1", "tax": "20", "totalPriceGross": "10.20", "discount": "5.20" },
            { "name": "Produit B", "quantity": "2", "tax": "0", "totalPriceGross": "50" } ] }),
        false,
    )
    .await;
    assert_eq!(
        (disc["priceNet"].as_str(), disc["priceTax"].as_str(), disc["priceGross"].as_str()),
        (Some("54.17"), Some("0.83"), Some("55.00"))
    );
    assert_eq!(disc["positions"][0]["discountAmount"], "5.20");

    // Buyer recognition: the subtotal invoice's "Client Untel" has another tax number, so it
    // is another contact; the discount invoice (no tax number) is the first one, by name.
    assert_ne!(sub["clientId"], client);
    assert_eq!(disc["clientId"], client);
    let clients = app.ok(&s.access, "{ clients { totalCount } }", json!({})).await;
    assert_eq!(clients["clients"]["totalCount"], 2);
});

db_test!(drafts_issue_freeze_and_view, |app: TestApp| async move {
    let s = app.sign_up("freeze@example.fr", "Freeze").await;
    let draft = create(
        &app,
        &s.access,
        json!({ "buyerName": "Acme", "positions": [{ "name": "Service", "tax": "20", "priceNet": "100" }] }),
        false,
    )
    .await;
    let upd =
        "mutation($id: ID!, $i: InvoiceInput!) { updateInvoice(id: $id, input: $i) { priceGross positions { name } } }";
    let u = app.ok(&s.access, upd, json!({ "id": draft["id"], "i": { "positions": [{ "name": "Service+", "tax": "20", "priceNet": "150" }] } })).await;
    assert_eq!(u["updateInvoice"], json!({ "priceGross": "180.00", "positions": [{ "name": "Service+" }] }));
    // Drafts have no public view.
    assert_eq!(app.http.get(app.url(draft["viewUrl"].as_str().unwrap())).send().await.unwrap().status(), 404);

    let issued = app
        .ok(
            &s.access,
            "mutation($id: ID!) { issueInvoice(id: $id) { number status viewUrl } }",
            json!({ "id": draft["id"] }),
        )
        .await["issueInvoice"]
        .clone();
    assert_eq!(issued["status"], "ISSUED");
    // Frozen and sealed: no change, no delete (DOCUMENT_SEALED); no second issue.
    for (q, vars) in [
        (upd, json!({ "id": draft["id"], "i": { "buyerName": "Other" } })),
        ("mutation($id: ID!) { deleteInvoice(id: $id) { id } }", json!({ "id": draft["id"] })),
    ] {
        let e = app.err(Some(&s.access), q, vars).await;
        assert_eq!((code(&e), e["extensions"]["field"].as_str()), ("DOCUMENT_SEALED", Some("id")), "{q}");
    }
    let q = "mutation($id: ID!) { issueInvoice(id: $id) { id } }";
    let e = app.err(Some(&s.access), q, json!({ "id": draft["id"] })).await;
    assert_eq!((code(&e), e["extensions"]["reason"].as_str()), ("CONFLICT", Some("DocumentIssued")));
    // The public view shows the issued document without login, escaped.
    let view = app.http.get(app.url(issued["viewUrl"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(view.status(), 200);
    let html = view.text().await.unwrap();
    assert!(html.contains(issued["number"].as_str().unwrap()) && html.contains("180.00"), "{html}");
    assert_eq!(app.http.get(app.url("/view/nope")).send().await.unwrap().status(), 404);

    // An estimate stays editable and deletable once issued.
    let est = create(&app, &s.access, json!({ "kind": "ESTIMATE", "buyerName": "Acme", "positions": [{ "name": "Devis", "tax": "20", "priceNet": "10" }] }), true).await;
    assert_eq!(est["number"], format!("D-{}-1", year()));
    app.ok(
        &s.access,
        upd,
        json!({ "id": est["id"], "i": { "positions": [{ "name": "Devis 2", "tax": "20", "priceNet": "20" }] } }),
    )
    .await;
    app.ok(&s.access, "mutation($id: ID!) { deleteInvoice(id: $id) { id } }", json!({ "id": est["id"] })).await;

    // A department with documents cannot be deleted.
    let dept = app.ok(&s.access, "mutation { createDepartment(input: { name: \"Filiale\" }) { id } }", json!({})).await
        ["createDepartment"]["id"]
        .clone();
    create(&app, &s.access, json!({ "departmentId": dept, "buyerName": "Acme", "positions": [{ "name": "X", "tax": "20", "priceNet": "1" }] }), false).await;
    let e = app
        .err(Some(&s.access), "mutation($id: ID!) { deleteDepartment(id: $id) { id } }", json!({ "id": dept }))
        .await;
    assert_eq!(e["extensions"]["reason"], "DepartmentInUse", "{e}");

    // Test documents are numbered apart.
    let t = create(
        &app,
        &s.access,
        json!({ "test": true, "buyerName": "Acme", "positions": [{ "name": "T", "tax": "20", "priceNet": "1" }] }),
        true,
    )
    .await;
    assert_eq!(t["number"], format!("TEST-F-{}-1", year()));

    // Filters.
    let list = |f: Value| {
        let (app, token) = (&app, s.access.clone());
        async move {
            app.ok(&token, "query($f: InvoiceFilter) { invoices(filter: $f) { totalCount } }", json!({ "f": f })).await
                ["invoices"]["totalCount"]
                .clone()
        }
    };
    assert_eq!(list(json!({})).await, 3);
    assert_eq!(list(json!({ "number": issued["number"] })).await, 1);
    assert_eq!(list(json!({ "kinds": ["ESTIMATE", "PROFORMA"] })).await, 0);
    assert_eq!(list(json!({ "period": "LAST_YEAR" })).await, 0);
    assert_eq!(list(json!({ "period": "MORE", "dateFrom": "2000-01-01", "dateTo": "2000-12-31" })).await, 0);
});

db_test!(buyers_and_price_lists, |app: TestApp| async move {
    let s = app.sign_up("buyers@example.fr", "Buyers").await;
    let p = app.product_id(&s.access, json!({ "name": "Vis", "tax": "20", "priceGross": "12" })).await;
    let list = app
        .ok(&s.access, "mutation($p: ID!) { createPriceList(input: { name: \"Gros\", positions: [{ productId: $p, priceGross: \"6\" }] }) { id } }", json!({ "p": p }))
        .await["createPriceList"]["id"]
        .clone();
    let c = app
        .ok(&s.access, "mutation($l: ID!) { createClient(input: { name: \"Grossiste\", email: \"g@x.fr\", priceListId: $l }) { id } }", json!({ "l": list }))
        .await["createClient"]["id"]
        .clone();
    // The contact's price list applies when asked.
    let d = create(&app, &s.access, json!({ "clientId": c, "usePricesFromPriceLists": true, "calculatingStrategy": { "position": "KEEP_GROSS", "sum": "SUM", "invoiceFormPriceKind": "GROSS" }, "positions": [{ "productId": p, "quantity": "3" }] }), false).await;
    assert_eq!(d["priceGross"], "18.00");
    let d = create(&app, &s.access, json!({ "clientId": c, "calculatingStrategy": { "position": "KEEP_GROSS", "sum": "SUM", "invoiceFormPriceKind": "GROSS" }, "positions": [{ "productId": p, "quantity": "3" }] }), false).await;
    assert_eq!(d["priceGross"], "36.00", "without usePricesFromPriceLists: the catalogue price");

    // Recognised by e-mail; without buyerOverride the contact's details show.
    let d = create(
        &app,
        &s.access,
        json!({ "buyerName": "Autre nom", "buyerEmail": "G@X.FR", "positions": [{ "productId": p }] }),
        false,
    )
    .await;
    assert_eq!((d["clientId"].clone(), d["buyerName"].as_str()), (c.clone(), Some("Grossiste")));
    // buyerOverride shows the given details and updates the contact.
    let d = create(&app, &s.access, json!({ "clientId": c, "buyerOverride": true, "buyerName": "Grossiste SARL", "positions": [{ "productId": p }] }), false).await;
    assert_eq!(d["buyerName"], "Grossiste SARL");
    let after = app.ok(&s.access, "query($id: ID!) { client(id: $id) { name } }", json!({ "id": c })).await;
    assert_eq!(after["client"]["name"], "Grossiste SARL");
    // An address alone is something to override with too.
    let d = create(&app, &s.access, json!({ "clientId": c, "buyerOverride": true, "buyerStreet": "9 rue Neuve", "buyerCity": "Nantes", "positions": [{ "productId": p }] }), false).await;
    assert_eq!(
        (d["buyerStreet"].as_str(), d["buyerCity"].as_str(), d["buyerName"].as_str()),
        (Some("9 rue Neuve"), Some("Nantes"), Some("Grossiste SARL")),
        "{d}"
    );
    let after = app.ok(&s.access, "query($id: ID!) { client(id: $id) { street city } }", json!({ "id": c })).await;
    assert_eq!(
        (after["client"]["street"].as_str(), after["client"]["city"].as_str()),
        (Some("9 rue Neuve"), Some("Nantes"))
    );
    // clientId -1 always creates a contact.
    let d = create(
        &app,
        &s.access,
        json!({ "clientId": "-1", "buyerName": "Grossiste SARL", "positions": [{ "productId": p }] }),
        false,
    )
    .await;
    assert_ne!(d["clientId"], c);
});

db_test!(bad_input_writes_nothing, |app: TestApp| async move {
    let s = app.sign_up("bad-docs@example.fr", "BadDocs").await;
    let other = app.sign_up("other-docs@example.fr", "OtherDocs").await;
    let their_client = app.client_id(&other.access, json!({ "name": "Theirs" })).await;
    let m = "mutation($i: InvoiceInput!, $x: Boolean) { createInvoice(input: $i, issue: $x) { id } }";
    // Unknown kind: the GraphQL enum refuses it.
    assert_eq!(code(&app.err(Some(&s.access), m, json!({ "i": { "kind": "INVOICE" } })).await), "VALIDATION_FAILED");
    let cases = [
        (
            json!({ "buyerName": "A", "positions": [{ "name": "X", "tax": "20", "priceNet": "1", "quantity": "-1" }] }),
            "input.positions.0.quantity",
        ),
        (
            json!({ "buyerName": "A", "positions": [{ "productId": uuid::Uuid::now_v7().to_string() }] }),
            "input.positions.0.productId",
        ),
        (
            json!({ "clientId": their_client, "positions": [{ "name": "X", "tax": "20", "priceNet": "1" }] }),
            "input.clientId",
        ),
        (
            json!({ "buyerName": "A", "positions": [{ "name": "X", "tax": "20", "priceNet": "1", "priceGross": "1.2" }] }),
            "input.positions.0.priceGross",
        ),
        (json!({ "buyerName": "A", "positions": [{ "name": "X", "priceNet": "1" }] }), "input.positions.0.tax"),
        (json!({ "buyerName": "A", "sellDate": "demain", "positions": [] }), "input.sellDate"),
    ];
    for (input, field) in cases {
        let e = app.err(Some(&s.access), m, json!({ "i": input, "x": false })).await;
        assert_eq!(
            (code(&e), e["extensions"]["fields"][0]["field"].as_str()),
            ("VALIDATION_FAILED", Some(field)),
            "{e}"
        );
    }
    // An invoice cannot be issued without a buyer.
    let e = app
        .err(
            Some(&s.access),
            m,
            json!({ "i": { "positions": [{ "name": "X", "tax": "20", "priceNet": "1" }] }, "x": true }),
        )
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.buyerName");
    let counts = app
        .ok(&s.access, "{ invoices(filter: { period: ALL }) { totalCount } clients { totalCount } }", json!({}))
        .await;
    assert_eq!(
        counts,
        json!({ "invoices": { "totalCount": 0 }, "clients": { "totalCount": 0 } }),
        "nothing written, not even a contact"
    );

    // Isolation: another account's document is not found, in every operation.
    let theirs = create(
        &app,
        &other.access,
        json!({ "buyerName": "T", "positions": [{ "name": "X", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    for q in [
        "query($id: ID!) { invoice(id: $id) { id } }",
        "mutation($id: ID!) { updateInvoice(id: $id, input: { buyerName: \"pwned\" }) { id } }",
        "mutation($id: ID!) { issueInvoice(id: $id) { id } }",
        "mutation($id: ID!) { deleteInvoice(id: $id) { id } }",
    ] {
        assert_eq!(code(&app.err(Some(&s.access), q, json!({ "id": theirs["id"] })).await), "NOT_FOUND", "{q}");
    }
    let still = app
        .ok(&other.access, "query($id: ID!) { invoice(id: $id) { buyerName status } }", json!({ "id": theirs["id"] }))
        .await;
    assert_eq!(still["invoice"], json!({ "buyerName": "T", "status": "DRAFT" }));
});

db_test!(concurrent_issuing_is_gapless_and_chronological, |app: TestApp| async move {
    let s = app.sign_up("many@example.fr", "Many").await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let mut ids = Vec::new();
    for _ in 0..32 {
        let d = create(&app, &s.access, json!({ "buyerName": "Acme", "issueDate": today.to_string(), "positions": [{ "name": "X", "tax": "20", "priceNet": "1" }] }), false).await;
        ids.push(d["id"].as_str().unwrap().to_owned());
    }
    let answers = app
        .concurrently(ids.len(), Some(&s.access), |i| json!({ "query": "mutation($id: ID!) { issueInvoice(id: $id) { number } }", "variables": { "id": ids[i] } }))
        .await;
    let mut numbers: Vec<String> = answers
        .iter()
        .map(|r| r["data"]["issueInvoice"]["number"].as_str().unwrap_or_else(|| panic!("{r}")).to_owned())
        .collect();
    numbers.sort_by_key(|n| n.rsplit('-').next().unwrap().parse::<u32>().unwrap());
    let expected: Vec<String> = (1..=32).map(|n| format!("F-{}-{n}", year())).collect();
    assert_eq!(numbers, expected);
    // Numbers sort as numbers: F-…-2 before F-…-10.
    let listed = app.ok(&s.access, "{ invoices(order: NUMBER, perPage: 100) { items { number } } }", json!({})).await;
    let listed: Vec<String> = listed["invoices"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["number"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed, expected);
    // A draft dated before the last issued document of its series cannot be issued.
    let old = create(&app, &s.access, json!({ "buyerName": "Acme", "issueDate": (today - chrono::Duration::days(1)).to_string(), "positions": [{ "name": "X", "tax": "20", "priceNet": "1" }] }), false).await;
    let e = app
        .err(Some(&s.access), "mutation($id: ID!) { issueInvoice(id: $id) { number } }", json!({ "id": old["id"] }))
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.issueDate");
});

db_test!(one_draft_issued_concurrently_takes_one_number, |app: TestApp| async move {
    let s = app.sign_up("race-doc@example.fr", "RaceDoc").await;
    let line = json!([{ "name": "X", "tax": "20", "priceNet": "1" }]);
    let d = create(&app, &s.access, json!({ "buyerName": "Acme", "positions": line }), false).await;
    let answers = app
        .concurrently(8, Some(&s.access), |_| json!({ "query": "mutation($id: ID!) { issueInvoice(id: $id) { number } }", "variables": { "id": d["id"] } }))
        .await;
    let ok: Vec<_> = answers.iter().filter(|r| r.get("errors").is_none()).collect();
    assert_eq!(ok.len(), 1, "{answers:?}");
    for r in answers.iter().filter(|r| r.get("errors").is_some()) {
        assert_eq!(r["errors"][0]["extensions"]["reason"], "DocumentIssued", "{r}");
    }
    let next = create(&app, &s.access, json!({ "buyerName": "Acme", "positions": line }), true).await;
    assert_eq!(next["number"], format!("F-{}-2", year()), "no number was lost");

    // Issuing while changing the kind: whatever wins, the number matches the kind.
    for _ in 0..5 {
        let d = create(&app, &s.access, json!({ "buyerName": "Acme", "positions": line }), false).await;
        let answers = app
            .concurrently(2, Some(&s.access), |i| {
                if i == 0 {
                    json!({ "query": "mutation($id: ID!) { issueInvoice(id: $id) { id } }", "variables": { "id": d["id"] } })
                } else {
                    json!({ "query": "mutation($id: ID!) { updateInvoice(id: $id, input: { kind: ESTIMATE }) { id } }", "variables": { "id": d["id"] } })
                }
            })
            .await;
        let _ = answers;
        let after = app
            .ok(&s.access, "query($id: ID!) { invoice(id: $id) { kind number status } }", json!({ "id": d["id"] }))
            .await["invoice"]
            .clone();
        if after["status"] == "ISSUED" {
            let prefix = if after["kind"] == "VAT" { "F-" } else { "D-" };
            assert!(after["number"].as_str().unwrap().starts_with(prefix), "{after}");
        }
    }
});

db_test!(issued_documents_keep_their_history, |app: TestApp| async move {
    let s = app.sign_up("history@example.fr", "History").await;
    let p = app.product_id(&s.access, json!({ "name": "P", "tax": "20", "priceNet": "10" })).await;
    let c =
        app.ok(&s.access, "mutation { createClient(input: { name: \"C\" }) { id } }", json!({})).await["createClient"]
            ["id"]
            .clone();
    let d = create(&app, &s.access, json!({ "clientId": c, "positions": [{ "productId": p }] }), true).await;
    // Deleting the contact and the product changes nothing on the issued invoice.
    app.ok(&s.access, "mutation($id: ID!) { deleteClient(id: $id) { id } }", json!({ "id": c })).await;
    app.ok(&s.access, "mutation($id: ID!) { deleteProduct(id: $id) { id } }", json!({ "id": p })).await;
    let after = app
        .ok(
            &s.access,
            "query($id: ID!) { invoice(id: $id) { clientId buyerName positions { productId name } } }",
            json!({ "id": d["id"] }),
        )
        .await;
    assert_eq!(
        after["invoice"],
        json!({ "clientId": c, "buyerName": "C", "positions": [{ "productId": p, "name": "P" }] })
    );

    // An issued estimate stays editable, but not its date, test flag or department.
    let est = create(
        &app,
        &s.access,
        json!({ "kind": "ESTIMATE", "buyerName": "C", "positions": [{ "name": "E", "tax": "20", "priceNet": "1" }] }),
        true,
    )
    .await;
    let e = app
        .err(
            Some(&s.access),
            "mutation($id: ID!) { updateInvoice(id: $id, input: { issueDate: \"2001-01-01\", test: true }) { id } }",
            json!({ "id": est["id"] }),
        )
        .await;
    let fields: Vec<&str> =
        e["extensions"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["input.issueDate", "input.test"]);

    // No issuing in the future.
    let tomorrow = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive() + chrono::Duration::days(1);
    let f = create(&app, &s.access, json!({ "buyerName": "C", "issueDate": tomorrow.to_string(), "positions": [{ "name": "F", "tax": "20", "priceNet": "1" }] }), false).await;
    let e =
        app.err(Some(&s.access), "mutation($id: ID!) { issueInvoice(id: $id) { id } }", json!({ "id": f["id"] })).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.issueDate");

    // The public view escapes what it shows.
    let x = create(&app, &s.access, json!({ "buyerName": "<script>alert(1)</script>", "positions": [{ "name": "<b>", "tax": "20", "priceNet": "1" }] }), true).await;
    let html = app.http.get(app.url(x["viewUrl"].as_str().unwrap())).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
            && !html.contains("<script>")
            && html.contains("&lt;b&gt;"),
        "{html}"
    );

    // Order by number: numeric within a series, drafts last, on both databases.
    let r = app
        .ok(
            &s.access,
            "{ invoices(order: NUMBER, filter: { kind: VAT, period: ALL }) { items { number } } }",
            json!({}),
        )
        .await;
    let numbers: Vec<serde_json::Value> =
        r["invoices"]["items"].as_array().unwrap().iter().map(|i| i["number"].clone()).collect();
    let y = year();
    assert_eq!(numbers, [json!(format!("F-{y}-1")), json!(format!("F-{y}-2")), serde_json::Value::Null], "drafts last");
});

db_test!(listed_taxes_and_buyer_override_scope, |app: TestApp| async move {
    let s = app.sign_up("listed@example.fr", "Listed").await;
    let p = app.product_id(&s.access, json!({ "name": "Livre", "tax": "20", "priceNet": "100" })).await;
    let list = app
        .ok(&s.access, "mutation($p: ID!) { createPriceList(input: { name: \"Réduit\", positions: [{ productId: $p, priceNet: \"100\", tax: \"5.5\" }] }) { id } }", json!({ "p": p }))
        .await["createPriceList"]["id"]
        .clone();
    let d = create(&app, &s.access, json!({ "buyerName": "B", "usePricesFromPriceLists": true, "priceListId": list, "positions": [{ "productId": p }] }), false).await;
    assert_eq!(
        (d["positions"][0]["tax"].as_str(), d["priceGross"].as_str()),
        (Some("5.5"), Some("105.50")),
        "the listed tax comes with the listed price"
    );

    // buyerOverride works with clientId only: a recognised contact is not renamed.
    let c = app.client_id(&s.access, json!({ "name": "Original", "email": "o@x.fr" })).await;
    let d = create(&app, &s.access, json!({ "buyerEmail": "o@x.fr", "buyerName": "Renamed", "buyerOverride": true, "positions": [{ "productId": p }] }), false).await;
    assert_eq!(d["clientId"], c);
    let after = app.ok(&s.access, "query($id: ID!) { client(id: $id) { name } }", json!({ "id": c })).await;
    assert_eq!(after["client"]["name"], "Original");

    // Other accounts' products, departments and price lists are refused.
    let other = app.sign_up("listed2@example.fr", "Listed2").await;
    let their_p = app.product_id(&other.access, json!({ "name": "T", "tax": "20", "priceNet": "1" })).await;
    let their_d = app.ok(&other.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]
        ["id"]
        .clone();
    let their_l = app.ok(&other.access, "mutation { createPriceList(input: { name: \"T\" }) { id } }", json!({})).await
        ["createPriceList"]["id"]
        .clone();
    let m = "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id } }";
    for (input, field) in [
        (json!({ "buyerName": "B", "positions": [{ "productId": their_p }] }), "input.positions.0.productId"),
        (json!({ "buyerName": "B", "departmentId": their_d, "positions": [{ "productId": p }] }), "input.departmentId"),
        (
            json!({ "buyerName": "B", "usePricesFromPriceLists": true, "priceListId": their_l, "positions": [{ "productId": p }] }),
            "input.priceListId",
        ),
    ] {
        let e = app.err(Some(&s.access), m, json!({ "i": input })).await;
        assert_eq!(e["extensions"]["fields"][0]["field"], field, "{e}");
    }
});

db_test!(status_changes, |app: TestApp| async move {
    let s = app.sign_up("status@example.fr", "Status").await;
    let line = json!([{ "name": "X", "tax": "20", "priceNet": "1" }]);
    let q = "mutation($id: ID!, $s: DocumentStatus!) { changeStatus(id: $id, status: $s) { status priceGross } }";
    let d = create(&app, &s.access, json!({ "buyerName": "A", "positions": line }), true).await;
    // Allowed on an issued (frozen) invoice: the status is not a fiscal field.
    for st in ["SENT", "PAID"] {
        let r = app.ok(&s.access, q, json!({ "id": d["id"], "s": st })).await;
        assert_eq!(r["changeStatus"], json!({ "status": st, "priceGross": "1.20" }));
    }
    for st in ["DRAFT", "INCOMPLETE"] {
        let e = app.err(Some(&s.access), q, json!({ "id": d["id"], "s": st })).await;
        assert_eq!(
            (code(&e), e["extensions"]["fields"][0]["field"].as_str()),
            ("VALIDATION_FAILED", Some("status")),
            "{st}"
        );
    }
    let draft = create(&app, &s.access, json!({ "buyerName": "A", "positions": line }), false).await;
    let e = app.err(Some(&s.access), q, json!({ "id": draft["id"], "s": "SENT" })).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "id");
    // Another account cannot touch it; an accountant reads but cannot change it.
    let other = app.sign_up("status2@example.fr", "Status2").await;
    assert_eq!(code(&app.err(Some(&other.access), q, json!({ "id": d["id"], "s": "REJECTED" })).await), "NOT_FOUND");
    app.set_membership(&s.account_id, &other.user_id, Some("accountant")).await;
    let acc = app.login_to("status2@example.fr", &s.account_id).await;
    assert_eq!(code(&app.err(Some(&acc.access), q, json!({ "id": d["id"], "s": "REJECTED" })).await), "FORBIDDEN");
    let after = app.ok(&s.access, "query($id: ID!) { invoice(id: $id) { status } }", json!({ "id": d["id"] })).await;
    assert_eq!(after["invoice"]["status"], "PAID");
});

// A page of documents reads its lines and seals in batches (`graphql::loaders`), shared
// by every request: each document still shows its own lines and seal, a credit note its
// lines without their before/after rows, and two accounts listing at once see only
// their own.
db_test!(a_page_shows_each_document_its_own_lines_and_seal, |app: TestApp| async move {
    let a = app.sign_up("pages-a@example.fr", "Pages A").await;
    let b = app.sign_up("pages-b@example.fr", "Pages B").await;
    let mut numbers = Vec::new();
    for i in 0..4 {
        let lines: Vec<Value> = (0..=i)
            .map(|l| json!({ "name": format!("Ligne {i}.{l}"), "tax": "20", "priceNet": "10", "quantity": "1" }))
            .collect();
        let d = create(&app, &a.access, json!({ "buyerName": "Client A", "positions": lines }), i != 3).await;
        numbers.push(d["id"].clone());
    }
    let invoice = numbers[0].clone();
    let credit = app
        .ok(
            &a.access,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }",
            json!({ "i": { "kind": "CORRECTION", "invoiceId": invoice, "positions": [{ "kind": "CORRECTION",
                "name": "Ligne 0.0", "tax": "20",
                "correctionBefore": { "quantity": "1", "totalPriceGross": "12" },
                "correctionAfter": { "quantity": "1", "totalPriceGross": "6" } }] } }),
        )
        .await["createInvoice"]["id"]
        .clone();
    create(
        &app,
        &b.access,
        json!({ "buyerName": "Client B", "positions": [{ "name": "Ligne B", "tax": "20", "priceNet": "1" }] }),
        true,
    )
    .await;
    let list = "{ invoices(perPage: 50, filter: { period: ALL }) { items { id state: status positions { name correctionBefore { priceNet } } certification { status sequence } } } }";
    let (pa, pb) = tokio::join!(app.ok(&a.access, list, json!({})), app.ok(&b.access, list, json!({})));
    let items = pa["invoices"]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 5, "{pa}");
    for item in &items {
        let names: Vec<&str> =
            item["positions"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        if item["id"] == credit {
            assert_eq!(names, ["Ligne 0.0"], "a credit note's line without its before/after rows: {item}");
            assert_eq!(item["positions"][0]["correctionBefore"]["priceNet"], "10.00");
            continue;
        }
        let i = numbers.iter().position(|n| *n == item["id"]).unwrap();
        let expected: Vec<String> = (0..=i).map(|l| format!("Ligne {i}.{l}")).collect();
        assert_eq!(names, expected, "{item}");
        if i == 3 {
            assert_eq!(item["certification"], Value::Null, "a draft has no seal: {item}");
        } else {
            assert_eq!(item["certification"]["status"], "SEALED", "{item}");
        }
    }
    let sequences: std::collections::BTreeSet<i64> =
        items.iter().filter_map(|i| i["certification"]["sequence"].as_i64()).collect();
    assert_eq!(sequences, (1..=4).collect(), "every seal its own entry: {pa}");
    // Counted only when asked for, through a fragment too.
    let counted = app
        .ok(
            &a.access,
            "{ invoices(filter: { period: ALL }) { ...P } } fragment P on InvoicePage { n: totalCount }",
            json!({}),
        )
        .await;
    assert_eq!(counted["invoices"]["n"], 5, "{counted}");
    let others = pb["invoices"]["items"].as_array().unwrap();
    assert_eq!(others.len(), 1, "{pb}");
    assert_eq!(others[0]["positions"][0]["name"], "Ligne B");
    assert_eq!(others[0]["certification"]["sequence"], 1);
});

db_test!(pages_after_a_document_follow_the_order_as_page_numbers_do, |app: TestApp| async move {
    let s = app.sign_up("keyset@example.fr", "Keyset").await;
    let other = app.sign_up("keyset-other@example.fr", "KeysetOther").await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let day = |n: i64| (today - chrono::Duration::days(n)).to_string();
    // Issued ones in date order (a series is chronological), drafts at any date, ties in
    // dates, prices and names, and empty values (drafts' numbers, some sell dates).
    for (date, price, buyer, sell, issue) in [
        (5, "10", "Bravo", None, true),
        (5, "10", "Alpha", Some("2026-01"), true),
        (4, "30", "Bravo", None, false),
        (3, "20", "Charlie", Some("2026-02-10"), true),
        (5, "20", "Alpha", None, false),
        (2, "10", "Delta", Some("2026-01"), false),
        (1, "40", "Alpha", None, true),
        (1, "10", "Bravo", None, true),
        (0, "20", "Charlie", None, false),
    ] {
        let mut input = json!({ "buyerName": buyer, "issueDate": day(date), "positions": [{ "name": "X", "tax": "20", "priceNet": price }] });
        if let Some(sell) = sell {
            input["sellDate"] = json!(sell);
        }
        create(&app, &s.access, input, issue).await;
    }
    let list = "query($o: InvoiceOrder, $p: Int, $n: Int, $a: ID) { invoices(order: $o, page: $p, perPage: $n, after: $a, filter: { period: ALL }) { items { id } } }";
    let ids = |v: &Value| -> Vec<String> {
        v["invoices"]["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
    };
    for order in [
        "ISSUE_DATE_DESC",
        "ISSUE_DATE",
        "NUMBER",
        "NUMBER_DESC",
        "PRICE_GROSS",
        "PRICE_GROSS_DESC",
        "BUYER_NAME",
        "BUYER_NAME_DESC",
        "TRANSACTION_DATE",
        "TRANSACTION_DATE_DESC",
        "CREATED_AT_DESC",
    ] {
        let whole = ids(&app.ok(&s.access, list, json!({ "o": order, "n": 100 })).await);
        assert_eq!(whole.len(), 9, "{order}");
        // Page numbers and pages after the previous page's last document agree.
        let (mut walked, mut after) = (Vec::new(), None::<String>);
        for page in 1..=5 {
            let numbered = ids(&app.ok(&s.access, list, json!({ "o": order, "n": 2, "p": page })).await);
            let keyset = ids(&app.ok(&s.access, list, json!({ "o": order, "n": 2, "a": after })).await);
            assert_eq!(keyset, numbered, "{order}, page {page}");
            after = keyset.last().cloned();
            walked.extend(keyset);
        }
        assert_eq!(walked, whole, "{order}");
        let past_the_end = ids(&app.ok(&s.access, list, json!({ "o": order, "n": 2, "a": whole[8] })).await);
        assert!(past_the_end.is_empty(), "{order}");
    }
    // Another account's document is no place to start from, nor is a page beyond the first.
    let theirs = create(
        &app,
        &other.access,
        json!({ "buyerName": "T", "positions": [{ "name": "X", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    let e = app.err(Some(&s.access), list, json!({ "a": theirs["id"] })).await;
    assert_eq!((code(&e), e["extensions"]["fields"][0]["field"].as_str()), ("VALIDATION_FAILED", Some("after")), "{e}");
    let first = ids(&app.ok(&s.access, list, json!({ "n": 1 })).await);
    let e = app.err(Some(&s.access), list, json!({ "a": first[0], "p": 2 })).await;
    assert_eq!((code(&e), e["extensions"]["fields"][0]["field"].as_str()), ("VALIDATION_FAILED", Some("page")), "{e}");
});
