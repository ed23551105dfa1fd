//! The seed's document fields: additional fields, exchange, prime CEE, oid, sell-date search and orders, seller, category, creator, reverse charge, OSS, positions by id, amount orders.

use super::*;

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
    let r = try_create_bare(
        &app,
        &s.access,
        json!({ "buyerName": "X", "exchangeCurrency": "USD", "exchangeKind": "ECB", "positions": line }),
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.exchangeKind".into()));
    let r = try_create_bare(
        &app,
        &s.access,
        json!({ "buyerName": "X", "exchangeCurrency": "USD", "exchangeKind": "OWN", "positions": line }),
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.exchangeCurrencyRate".into()));
    let r = try_create_bare(&app, &s.access, json!({ "buyerName": "X", "usePrimeCee": true, "positions": line })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.primeCeeValue".into()));
    let r = try_create_bare(
        &app,
        &s.access,
        json!({ "buyerName": "X", "advancedPaymentDiscount": "120", "positions": line }),
    )
    .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.advancedPaymentDiscount".into()));

    // Seed: oid_unique refuses a second document with the same order number.
    let r = try_create_bare(
        &app,
        &s.access,
        json!({ "buyerName": "X", "oid": "10021", "oidUnique": true, "positions": line }),
    )
    .await;
    assert!(r.get("errors").is_none(), "{r}");
    let before = count_docs(&app, &s.access).await;
    let r = try_create_bare(
        &app,
        &s.access,
        json!({ "buyerName": "X", "oid": "10021", "oidUnique": true, "positions": line }),
    )
    .await;
    assert_eq!(failure(&r), ("CONFLICT".into(), "input.oid".into()));
    assert_eq!(count_docs(&app, &s.access).await, before);
    // Without the flag the same order number is accepted.
    let r = try_create_bare(&app, &s.access, json!({ "buyerName": "X", "oid": "10021", "positions": line })).await;
    assert!(r.get("errors").is_none(), "{r}");
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
    let r = try_create_bare(&app, &m.access, json!({ "buyerName": "X", "sellerName": "Inconnue", "positions": line }))
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.sellerName".into()));
    // Another account's category is unknown here.
    let other = app.sign_up("autre-vendeur@example.fr", "Autre").await;
    let cat = app.ok(&other.access, "mutation { createCategory(input: { name: \"Secret\" }) { id } }", json!({})).await
        ["createCategory"]["id"]
        .clone();
    let r = try_create_bare(&app, &s.access, json!({ "buyerName": "X", "categoryId": cat, "positions": line })).await;
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
