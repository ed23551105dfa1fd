use scelle_tests::*;
use serde_json::json;

db_test!(seed_example_and_contacts_in_a_category, |app: TestApp| async move {
    let s = app.sign_up("cat@example.fr", "Cat").await;
    // Seed: create "catégorie A" with no description, then update it.
    let c = app
        .ok(
            &s.access,
            "mutation { createCategory(input: { name: \"catégorie A\", description: null }) { id name description } }",
            json!({}),
        )
        .await["createCategory"]
        .clone();
    assert_eq!((c["name"].as_str(), c["description"].is_null()), (Some("catégorie A"), true));
    let u = app
        .ok(
            &s.access,
            "mutation($id: ID!) { updateCategory(id: $id, input: { name: \"catégorie B\", description: \"description nouvelle\" }) { name description } }",
            json!({ "id": c["id"] }),
        )
        .await;
    assert_eq!(u["updateCategory"], json!({ "name": "catégorie B", "description": "description nouvelle" }));
    let list = app
        .ok(&s.access, "{ categories(filter: { name: \"CATEGORIE\" }) { totalCount items { name } } }", json!({}))
        .await;
    assert_eq!(list["categories"]["totalCount"], 1);

    // A contact in the category; deleting the category keeps the contact, uncategorised.
    let client = app
        .ok(
            &s.access,
            "mutation($c: ID!) { createClient(input: { name: \"X\", categoryId: $c }) { id categoryId } }",
            json!({ "c": c["id"] }),
        )
        .await["createClient"]
        .clone();
    assert_eq!(client["categoryId"], c["id"]);
    app.ok(&s.access, "mutation($id: ID!) { deleteCategory(id: $id) { id } }", json!({ "id": c["id"] })).await;
    let after =
        app.ok(&s.access, "query($id: ID!) { client(id: $id) { categoryId } }", json!({ "id": client["id"] })).await;
    assert!(after["client"]["categoryId"].is_null());

    // Blank names and other accounts' categories are refused.
    let e = app.err(Some(&s.access), "mutation { createCategory(input: { name: \" \" }) { id } }", json!({})).await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.name");
    let other = app.sign_up("cat2@example.fr", "Cat2").await;
    let foreign = app.ok(&other.access, "mutation { createCategory(input: { name: \"Z\" }) { id } }", json!({})).await
        ["createCategory"]["id"]
        .clone();
    let e = app
        .err(
            Some(&s.access),
            "mutation($c: ID!) { createClient(input: { name: \"Y\", categoryId: $c }) { id } }",
            json!({ "c": foreign }),
        )
        .await;
    assert_eq!(e["extensions"]["fields"][0]["field"], "input.categoryId");
    for q in [
        "query($id: ID!) { category(id: $id) { id } }",
        "mutation($id: ID!) { updateCategory(id: $id, input: { name: \"pwned\" }) { id } }",
        "mutation($id: ID!) { deleteCategory(id: $id) { id } }",
    ] {
        assert_eq!(code(&app.err(Some(&s.access), q, json!({ "id": foreign })).await), "NOT_FOUND", "{q}");
    }
    let still = app.ok(&other.access, "query($id: ID!) { category(id: $id) { name } }", json!({ "id": foreign })).await;
    assert_eq!(still["category"]["name"], "Z");
});
