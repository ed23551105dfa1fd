//! Invoices to complete: the public form, what the buyer sees and validates.

use super::*;

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

db_test!(completion_never_shows_or_bills_a_recognised_contact, |app: TestApp| async move {
    let s = app.sign_up("rc@example.fr", "RC").await;
    app.ok(
        &s.access,
        "mutation { createClient(input: { name: \"ACME SA\", taxNo: \"FR123\", email: \"boss@acme.fr\", street: \"1 rue Secrete\", phone: \"0600000000\" }) { id } }",
        json!({}),
    )
    .await;
    let t = completion_token(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() })).await;
    let r = app.gql_full(None, None, COMPLETE, json!({ "t": t, "i": { "buyerName": "acme sa" } })).await;
    assert!(r.get("errors").is_none(), "{r}");
    let d = &r["data"]["completeInvoice"];
    assert_eq!(d["buyerName"], "acme sa", "exactly what the buyer typed");
    assert_eq!(
        (&d["buyerTaxNo"], &d["buyerEmail"], &d["buyerStreet"], &d["buyerPhone"]),
        (&Value::Null, &Value::Null, &Value::Null, &Value::Null)
    );
    // The pre-filled street corrected by the buyer is the one on the invoice.
    let t2 = completion_token(
        &app,
        &s.access,
        json!({ "status": "INCOMPLETE", "buyerName": "Jean Dupont", "buyerEmail": "jean@x.fr", "buyerStreet": "50 rue des Fleurs", "positions": line() }),
    )
    .await;
    let r = app.gql_full(None, None, COMPLETE, json!({ "t": t2, "i": { "buyerStreet": "12 avenue Nouvelle" } })).await;
    assert!(r.get("errors").is_none(), "{r}");
    let d = &r["data"]["completeInvoice"];
    assert_eq!((d["buyerName"].as_str(), d["buyerStreet"].as_str()), (Some("Jean Dupont"), Some("12 avenue Nouvelle")));
    // Bad details are refused with their field.
    let t3 = completion_token(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() })).await;
    let r = app
        .gql_full(None, None, COMPLETE, json!({ "t": t3, "i": { "buyerName": "X", "buyerEmail": "not-an-email" } }))
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.buyerEmail".into()));
});

db_test!(completion_is_issued_today_after_later_documents, |app: TestApp| async move {
    let s = app.sign_up("late@example.fr", "Late").await;
    let today = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive();
    let before = (today - chrono::Duration::days(3)).to_string();
    let t =
        completion_token(&app, &s.access, json!({ "status": "INCOMPLETE", "issueDate": before, "positions": line() }))
            .await;
    create(&app, &s.access, json!({ "buyerName": "Other", "positions": line() }), true).await;
    let r = app.gql_full(None, None, COMPLETE, json!({ "t": t, "i": { "buyerName": "Late Buyer" } })).await;
    assert!(r.get("errors").is_none(), "{r}");
    assert_eq!(r["data"]["completeInvoice"]["issueDate"], today.to_string());
    // An invoice to complete is not issued at creation.
    let r = create_full(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() }), true).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.status".into()));
    // Nor can it become another kind.
    let inc = create(&app, &s.access, json!({ "status": "INCOMPLETE", "positions": line() }), false).await;
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            "mutation($id: ID!) { updateInvoice(id: $id, input: { kind: ESTIMATE }) { id } }",
            json!({ "id": inc["id"] }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.kind".into()));
});
