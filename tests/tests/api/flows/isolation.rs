//! Flows never reach another account.

use super::*;

db_test!(flows_never_cross_accounts, |app: TestApp| async move {
    let a = app.sign_up("flow-a@example.fr", "A").await;
    let b = app.sign_up("flow-b@example.fr", "B").await;
    let est = create(
        &app,
        &a.access,
        json!({ "kind": "ESTIMATE", "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "100" }] }),
        true,
    )
    .await;
    let inv = create(
        &app,
        &a.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "100" }] }),
        true,
    )
    .await;
    let adv = create(
        &app,
        &a.access,
        json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "10" }),
        true,
    )
    .await;
    let inc = create(
        &app,
        &a.access,
        json!({ "status": "INCOMPLETE", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    let before = count_docs(&app, &b.access).await;
    for (input, field) in [
        (json!({ "copyFrom": inv["id"] }), "input.copyFrom"),
        (
            json!({ "copyFrom": est["id"], "kind": "ADVANCE", "advanceCreationMode": "PERCENT", "advanceValue": "10" }),
            "input.copyFrom",
        ),
        (
            json!({ "kind": "CORRECTION", "invoiceId": inv["id"], "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "kind": "CORRECTION", "quantity": "-1", "totalPriceNet": "-1" }] }),
            "input.invoiceId",
        ),
        (
            json!({ "kind": "FINAL", "invoiceIds": [adv["id"]], "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
            "input.invoiceIds.0",
        ),
    ] {
        let r = create_full(&app, &b.access, input, true).await;
        assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), field.into()), "{r}");
    }
    assert_eq!(count_docs(&app, &b.access).await, before);
    let r = app
        .gql_full(
            Some(&b.access),
            None,
            "mutation($id: ID!) { cancelInvoice(id: $id) { invoice { id } } }",
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(failure(&r).0, "NOT_FOUND");
    let r = app.ok(&b.access, "query($id: ID!) { invoices(filter: { period: ALL, invoiceId: $id }) { totalCount } x: invoices(filter: { period: ALL, fromInvoiceId: $id }) { totalCount } }", json!({ "id": est["id"] })).await;
    assert_eq!((r["invoices"]["totalCount"].as_i64(), r["x"]["totalCount"].as_i64()), (Some(0), Some(0)));
    // A's invoice is untouched, and its completion link still only completes A's invoice.
    assert_eq!(get(&app, &a.access, &inv["id"]).await["status"], "ISSUED");
    assert_eq!(get(&app, &a.access, &inc["id"]).await["status"], "INCOMPLETE");
    // A's positions cannot be named on B's documents, nor A's department patterns changed.
    let a_position = app
        .ok(&a.access, "query($id: ID!) { invoice(id: $id) { positions { id } } }", json!({ "id": inv["id"] }))
        .await["invoice"]["positions"][0]["id"]
        .clone();
    assert!(a_position.is_string());
    let b_doc = create(
        &app,
        &b.access,
        json!({ "buyerName": "X", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
        false,
    )
    .await;
    let r = app
        .gql_full(
            Some(&b.access),
            None,
            "mutation($id: ID!, $i: InvoiceInput!) { updateInvoice(id: $id, input: $i) { id } }",
            json!({ "id": b_doc["id"], "i": { "positions": [{ "id": a_position, "name": "hack" }] } }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.positions.0.id".into()));
    let a_dept =
        app.ok(&a.access, "{ departments { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    let r = app
        .gql_full(
            Some(&b.access),
            None,
            "mutation($id: ID!) { updateDepartment(id: $id, input: { usePattern: true, patterns: [{ kind: VAT, pattern: \"X/nr\" }] }) { id } }",
            json!({ "id": a_dept }),
        )
        .await;
    assert_eq!(failure(&r).0, "NOT_FOUND");
    // The buyer's link completes A's invoice in A's account only: B sees nothing of it.
    let r = app.ok(&b.access, "{ invoices(filter: { period: ALL }) { items { id } } }", json!({})).await;
    assert!(!r.to_string().contains(inc["id"].as_str().unwrap()));
    // An accountant of A cannot cancel.
    let acc = app.sign_up("flow-acc@example.fr", "Acc").await;
    app.set_membership(&a.account_id, &acc.user_id, Some("accountant")).await;
    let acc_a = app.login_to("flow-acc@example.fr", &a.account_id).await;
    let r = app
        .gql_full(
            Some(&acc_a.access),
            None,
            "mutation($id: ID!) { cancelInvoice(id: $id) { invoice { id } } }",
            json!({ "id": inv["id"] }),
        )
        .await;
    assert_eq!(failure(&r).0, "FORBIDDEN");
});
