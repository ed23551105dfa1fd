use scelle_tests::*;
use serde_json::json;

db_test!(create_use_list_revoke, |app: TestApp| async move {
    let s = app.sign_up("int@example.fr", "Intégrations").await;
    let created = app
        .ok(&s.access, "mutation { createApiToken(name: \"Boutique en ligne\") { token apiToken { id name prefix role revokedAt } } }", json!({}))
        .await;
    let token = created["createApiToken"]["token"].as_str().unwrap().to_owned();
    let id = created["createApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned();
    assert!(token.starts_with("scl_"));
    assert!(token.starts_with(created["createApiToken"]["apiToken"]["prefix"].as_str().unwrap()));
    assert_eq!(created["createApiToken"]["apiToken"]["role"], "OWNER");

    // Used exactly like a JWT.
    let me = app.ok(&token, "{ me { email } account { id } departments { totalCount } }", json!({})).await;
    assert_eq!(me["me"]["email"], "int@example.fr");
    assert_eq!(me["account"]["id"], s.account_id.as_str());

    // Listed without the secret; the stored hash never leaves the server.
    let list = app.ok(&s.access, "{ apiTokens { totalCount items { id name prefix lastUsedAt } } }", json!({})).await;
    assert_eq!(list["apiTokens"]["totalCount"], 1);
    assert!(list["apiTokens"]["items"][0]["lastUsedAt"].is_string());
    assert!(!list.to_string().contains(&token));

    // Blank names are refused.
    let e = app.err(Some(&s.access), "mutation { createApiToken(name: \"  \") { token } }", json!({})).await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    assert_eq!(e["extensions"]["fields"][0]["field"], "name");

    let revoked =
        app.ok(&s.access, "mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }", json!({ "id": id })).await;
    assert!(revoked["revokeApiToken"]["revokedAt"].is_string());
    let e = app.err(Some(&token), "{ me { email } }", json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    assert_eq!(e["extensions"]["reason"], "RevokedToken");

    // An unknown token of the right shape is refused too.
    let e = app.err(Some(&format!("scl_{}", "0".repeat(64))), "{ me { email } }", json!({})).await;
    assert_eq!(e["extensions"]["reason"], "InvalidToken");
});

db_test!(tokens_follow_their_creator, |app: TestApp| async move {
    let owner = app.sign_up("boss@example.fr", "Boss").await;
    let admin = app.sign_up("admin@example.fr", "Admin perso").await;
    app.set_membership(&owner.account_id, &admin.user_id, Some("admin")).await;
    let r = app.login_to("admin@example.fr", &owner.account_id).await;
    let token = app.ok(&r.access, "mutation { createApiToken(name: \"shop\") { token } }", json!({})).await["createApiToken"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // Scoped to one account: the creator's other accounts stay hidden.
    let me = app.ok(&token, "{ role me { memberships { account { id } } } }", json!({})).await;
    assert_eq!(me["role"], "ADMIN");
    assert_eq!(me["me"]["memberships"], json!([{ "account": { "id": owner.account_id } }]));

    // The creator is demoted: the token is demoted with them.
    app.set_membership(&owner.account_id, &admin.user_id, Some("accountant")).await;
    assert_eq!(app.ok(&token, "{ role }", json!({})).await["role"], "ACCOUNTANT");
    let e = app.err(Some(&token), "mutation { createDepartment(input: { name: \"X\" }) { id } }", json!({})).await;
    assert_eq!(code(&e), "FORBIDDEN");

    // The creator leaves the account: the token stops.
    app.set_membership(&owner.account_id, &admin.user_id, None).await;
    let e = app.err(Some(&token), "{ role }", json!({})).await;
    assert_eq!(e["extensions"]["reason"], "RevokedToken");
});
