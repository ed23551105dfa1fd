//! Department numbering patterns.

use super::*;

db_test!(department_numbering_patterns, |app: TestApp| async move {
    let s = app.sign_up("motif@example.fr", "Motifs").await;
    let main = app.ok(&s.access, "{ departments(filter: { main: true }) { items { id } } }", json!({})).await["departments"]["items"][0]["id"].clone();
    let upd = "mutation($id: ID!, $i: DepartmentInput!) { updateDepartment(id: $id, input: $i) { usePattern patterns { kind pattern } } }";
    let r = app
        .ok(
            &s.access,
            upd,
            json!({ "id": main, "i": { "usePattern": true, "patterns": [
                { "kind": "VAT", "pattern": "Fyyyy.mm.nr" }, { "kind": "ESTIMATE", "pattern": "FA-yymm-nr-m" } ] } }),
        )
        .await;
    assert_eq!(r["updateDepartment"]["usePattern"], true);
    assert_eq!(r["updateDepartment"]["patterns"].as_array().unwrap().len(), 2);
    let line = json!([{ "name": "A", "tax": "20", "priceNet": "1" }]);
    let t = today();
    let inv = create(&app, &s.access, json!({ "buyerName": "X", "positions": line }), true).await;
    assert_eq!(inv["number"], format!("F{}.{}.1", t.format("%Y"), t.format("%m")));
    let est = create(&app, &s.access, json!({ "kind": "ESTIMATE", "buyerName": "X", "positions": line }), true).await;
    // `nr-m`: the counter restarts every month (see the numbering rules).
    assert_eq!(est["number"], format!("FA-{}{}-1", t.format("%y"), t.format("%m")));

    // Another department keeps the account's numbering, in its own counter.
    let other = app.ok(&s.access, "mutation { createDepartment(input: { name: \"Autre\" }) { id } }", json!({})).await
        ["createDepartment"]["id"]
        .clone();
    let inv2 =
        create(&app, &s.access, json!({ "departmentId": other, "buyerName": "X", "positions": line }), true).await;
    assert_eq!(inv2["number"], format!("F-{}-1", t.format("%Y")));

    // Bad patterns: field errors, nothing changed.
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            upd,
            json!({ "id": main, "i": { "patterns": [{ "kind": "VAT", "pattern": "F/" }, { "kind": "VAT", "pattern": "G/nr" }] } }),
        )
        .await;
    let fields: Vec<&str> = r["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["input.patterns.0.pattern", "input.patterns.1.kind"]);
    let r = app
        .ok(&s.access, "query($id: ID!) { department(id: $id) { patterns { kind pattern } } }", json!({ "id": main }))
        .await;
    assert_eq!(r["department"]["patterns"].as_array().unwrap().len(), 2);
});

db_test!(department_numbering_never_repeats_the_account_numbers, |app: TestApp| async move {
    let s = app.sign_up("dup@example.fr", "Dup").await;
    let first = create(&app, &s.access, json!({ "buyerName": "X", "positions": line() }), true).await;
    let b = app
        .ok(&s.access, "mutation { createDepartment(input: { name: \"B\", usePattern: true }) { id } }", json!({}))
        .await["createDepartment"]["id"]
        .clone();
    let second =
        create(&app, &s.access, json!({ "departmentId": b, "buyerName": "X", "positions": line() }), true).await;
    assert_ne!(first["number"], second["number"]);
    // A pattern equal to the default, or to another department's, is refused.
    let upd = "mutation($id: ID!, $i: DepartmentInput!) { updateDepartment(id: $id, input: $i) { id } }";
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            upd,
            json!({ "id": b, "i": { "patterns": [{ "kind": "VAT", "pattern": "F-yyyy-nr" }] } }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.patterns.0.pattern".into()));
    app.ok(&s.access, upd, json!({ "id": b, "i": { "patterns": [{ "kind": "VAT", "pattern": "B/nr" }] } })).await;
    let c = app
        .ok(&s.access, "mutation { createDepartment(input: { name: \"C\", usePattern: true }) { id } }", json!({}))
        .await["createDepartment"]["id"]
        .clone();
    let r = app
        .gql_full(
            Some(&s.access),
            None,
            upd,
            json!({ "id": c, "i": { "patterns": [{ "kind": "VAT", "pattern": "B/nr" }] } }),
        )
        .await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".into(), "input.patterns.0.pattern".into()));
});
