//! Account B's credentials on account A's ids: always NOT_FOUND, and nothing changes.

use scelle_tests::*;
use serde_json::{Value, json};

const DEPT: &str = "query($id: ID!) { department(id: $id) { id name shortcut main email updatedAt } }";

async fn snapshot(app: &TestApp, a: &Session) -> Value {
    app.ok(
        &a.access,
        "{ departments(perPage: 100) { totalCount items { id name shortcut main email updatedAt } } apiTokens { totalCount items { id revokedAt } } clients { totalCount items { id name updatedAt } } }",
        json!({}),
    )
    .await
}

db_test!(other_accounts_ids_are_not_found, |app: TestApp| async move {
    let a = app.sign_up("a@example.fr", "Compte A").await;
    let b = app.sign_up("b@example.fr", "Compte B").await;
    let dept_a = app
        .ok(
            &a.access,
            "mutation { createDepartment(input: { name: \"Filiale A\", shortcut: \"FA\" }) { id } }",
            json!({}),
        )
        .await["createDepartment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let main_a = app
            .ok(
                &a.access,
                "{ departments(filter: { main: true }) { items { id } } }",
                json!({}),
            )
            .await["departments"]["items"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
    let token_a =
        app.ok(&a.access, "mutation { createApiToken(name: \"A\") { token apiToken { id } } }", json!({})).await;
    let (token_a_secret, token_a_id) = (
        token_a["createApiToken"]["token"].as_str().unwrap().to_owned(),
        token_a["createApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned(),
    );
    let token_b = app
            .ok(
                &b.access,
                "mutation { createApiToken(name: \"B\") { token } }",
                json!({}),
            )
            .await["createApiToken"]["token"]
            .as_str()
            .unwrap()
            .to_owned();
    let client_a = app.client_id(&a.access, json!({ "name": "Client de A", "externalId": "A-1" })).await;
    let before = snapshot(&app, &a).await;

    // B tries with a session token and with an API token.
    for cred in [b.access.as_str(), token_b.as_str()] {
        for id in [&dept_a, &main_a] {
            assert_eq!(code(&app.err(Some(cred), DEPT, json!({ "id": id })).await), "NOT_FOUND");
            let e = app
                .err(
                    Some(cred),
                    "mutation($id: ID!) { updateDepartment(id: $id, input: { name: \"pwned\", main: true }) { id } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(code(&e), "NOT_FOUND");
            let e = app
                .err(Some(cred), "mutation($id: ID!) { deleteDepartment(id: $id) { id } }", json!({ "id": id }))
                .await;
            assert_eq!(code(&e), "NOT_FOUND");
        }
        let e = app
            .err(Some(cred), "mutation($id: ID!) { revokeApiToken(id: $id) { id } }", json!({ "id": token_a_id }))
            .await;
        assert_eq!(code(&e), "NOT_FOUND");
        for q in [
            "query($id: ID!) { client(id: $id) { id } }",
            "mutation($id: ID!) { updateClient(id: $id, input: { name: \"pwned\" }) { id } }",
            "mutation($id: ID!) { deleteClient(id: $id) { id } }",
        ] {
            assert_eq!(code(&app.err(Some(cred), q, json!({ "id": client_a })).await), "NOT_FOUND", "{q}");
        }
        let found = app.ok(cred, "{ clients(filter: { externalId: \"A-1\" }) { totalCount } }", json!({})).await;
        assert_eq!(found["clients"]["totalCount"], 0, "finders never reach another account");

        // Lists only show B's own rows.
        let mine = app
            .ok(
                cred,
                "{ departments { totalCount items { id name } } apiTokens { totalCount items { id } } account { id } }",
                json!({}),
            )
            .await;
        assert_eq!(mine["departments"]["totalCount"], 1);
        assert_eq!(mine["departments"]["items"][0]["name"], "Compte B");
        assert_eq!(mine["apiTokens"]["totalCount"], 1);
        assert_eq!(mine["account"]["id"], b.account_id.as_str());
        assert!(!mine.to_string().contains(&dept_a));
    }
    // Switching into A's account needs a membership.
    let e = app
        .err(
            Some(&b.access),
            "mutation($a: ID!) { switchAccount(accountId: $a) { accessToken } }",
            json!({ "a": a.account_id }),
        )
        .await;
    assert_eq!(code(&e), "NOT_FOUND");
    // Logging in to A's account with B's credentials is refused.
    let r = app
        .gql_full(
            None,
            None,
            LOGIN,
            json!({ "input": { "email": "b@example.fr", "password": PASSWORD, "accountId": a.account_id } }),
        )
        .await;
    assert_eq!(code(&r["errors"][0]), "UNAUTHENTICATED");

    // Nothing of A changed, and A's API token still works.
    assert_eq!(snapshot(&app, &a).await, before);
    app.ok(&token_a_secret, "{ me { id } }", json!({})).await;
});
