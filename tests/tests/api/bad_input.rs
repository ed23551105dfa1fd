//! Bad requests get a documented code and never a 500 or a panic.

use jsonwebtoken::{EncodingKey, Header, encode};
use scelle_tests::*;
use serde_json::json;

db_test!(
    request_level_errors,
    |c: &mut scelle_api::config::Config| { c.max_body_bytes = 4096 },
    |app: TestApp| async move {
        // Malformed JSON.
        let (status, body) = app.post(None, Some("fr"), b"{ not json".to_vec()).await;
        assert_eq!(status, 400);
        assert_eq!(code(&body["errors"][0]), "VALIDATION_FAILED");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("JSON"));

        // Oversized body.
        let big = serde_json::to_vec(&json!({ "query": format!("{{ me {{ id }} }} #{}", "x".repeat(5000)) })).unwrap();
        let (status, body) = app.post(None, None, big).await;
        assert_eq!(status, 413);
        assert_eq!(code(&body["errors"][0]), "VALIDATION_FAILED");

        // GraphQL syntax error, unknown field, wrong argument type.
        for q in [
            "{ me { id ",
            "{ nope }",
            "{ departments(page: \"two\") { totalCount } }",
            "mutation { createApiToken { token } }",
        ] {
            let e = app.err(None, q, json!({})).await;
            assert_eq!(code(&e), "VALIDATION_FAILED", "{q}: {e}");
        }

        // Too deep (data; introspection has limits of its own, see http_surface).
        let mut deep = String::from("id");
        for _ in 0..14 {
            deep = format!("relatedDocuments {{ {deep} }}");
        }
        let e = app.err(None, &format!("{{ invoices {{ items {{ {deep} }} }} }}"), json!({})).await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");

        // Decimal as a JSON number is refused (floats lose cents).
        let s = app.sign_up("bad@example.fr", "Bad").await;
        let e = app
            .err(
                Some(&s.access),
                "mutation($i: DepartmentInput!) { createDepartment(input: $i) { id } }",
                json!({ "i": { "name": "X", "cashInitState": 1.1 } }),
            )
            .await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
        // Absurd page numbers are refused, not overflowed: past 32 bits by GraphQL itself
        // (`Int` is 32-bit), within them by the page rule, on the field.
        let e = app
            .err(Some(&s.access), "{ departments(page: 100000000000000000, perPage: 100) { totalCount } }", json!({}))
            .await;
        assert_eq!(code(&e), "VALIDATION_FAILED");
        assert!(e["message"].as_str().unwrap().contains("2147483647"), "{e}");
        let e =
            app.err(Some(&s.access), "{ departments(page: 2000000000, perPage: 100) { totalCount } }", json!({})).await;
        assert_eq!(
            (code(&e), e["extensions"]["fields"][0]["field"].as_str()),
            ("VALIDATION_FAILED", Some("page")),
            "{e}"
        );
        // An e-mail too long to be one is refused before it reaches the database.
        let r = app.login(&format!("{}@example.fr", "x".repeat(300)), "whatever").await;
        assert_eq!(code(&r["errors"][0]), "VALIDATION_FAILED");
        // A malformed id.
        let e = app.err(Some(&s.access), "{ department(id: \"42\") { id } }", json!({})).await;
        assert_eq!(code(&e), "VALIDATION_FAILED");
        assert_eq!(e["extensions"]["fields"][0]["code"], "INVALID_ID");
        // GraphQL `Int` is 32-bit: a larger number is refused, not taken as a 64-bit one.
        for q in
            ["{ departments(perPage: 3000000000) { totalCount } }", "{ departments(page: -3000000000) { totalCount } }"]
        {
            let e = app.err(Some(&s.access), q, json!({})).await;
            assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
            assert!(!e["message"].as_str().unwrap().contains("9223372036854775807"), "{e}");
        }
        let e = app
            .err(Some(&s.access), "{ verifyLedger(chain: DOCUMENTS, fromSequence: 2147483648) { ok } }", json!({}))
            .await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    }
);

db_test!(credential_errors, |app: TestApp| async move {
    let s = app.sign_up("cred@example.fr", "Cred").await;
    let me = "{ me { id } }";

    // Missing token, in English and in French.
    let e = app.err(None, me, json!({})).await;
    assert_eq!((code(&e), e["message"].as_str().unwrap()), ("UNAUTHENTICATED", "Authentication required."));
    let r = app.gql_full(None, Some("fr"), me, json!({})).await;
    assert_eq!(r["errors"][0]["message"], "Authentification requise.");

    // Tampered JWT: change one character of the payload.
    let mut parts: Vec<String> = s.access.split('.').map(str::to_owned).collect();
    let flipped = if parts[1].ends_with('A') { 'B' } else { 'A' };
    parts[1].pop();
    parts[1].push(flipped);
    let e = app.err(Some(&parts.join(".")), me, json!({})).await;
    assert_eq!((code(&e), e["extensions"]["reason"].as_str().unwrap()), ("UNAUTHENTICATED", "InvalidToken"));

    // Signed with another key.
    let claims = |exp: i64| json!({ "sub": s.user_id, "acc": s.account_id, "role": "owner", "sid": uuid::Uuid::now_v7(), "iat": 0, "exp": exp, "iss": "scelle" });
    let forged =
        encode(&Header::default(), &claims(chrono::Utc::now().timestamp() + 600), &EncodingKey::from_secret(b"other"))
            .unwrap();
    assert_eq!(app.err(Some(&forged), me, json!({})).await["extensions"]["reason"], "InvalidToken");

    // Expired, signed with the right key.
    let expired = encode(
        &Header::default(),
        &claims(chrono::Utc::now().timestamp() - 120),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(app.err(Some(&expired), me, json!({})).await["extensions"]["reason"], "ExpiredToken");

    // Valid signature but a session that does not exist.
    let unknown_session = encode(
        &Header::default(),
        &claims(chrono::Utc::now().timestamp() + 600),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(app.err(Some(&unknown_session), me, json!({})).await["extensions"]["reason"], "RevokedToken");

    // Not a bearer header at all, and garbage.
    let resp = app
        .http
        .post(app.url("/graphql"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .json(&json!({ "query": me }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
    assert_eq!(code(&app.err(Some("garbage"), me, json!({})).await), "UNAUTHENTICATED");

    // A bad token does not stop public mutations like login.
    let r = app
        .gql_full(
            Some("garbage"),
            None,
            LOGIN,
            json!({ "input": { "email": "cred@example.fr", "password": PASSWORD } }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");

    // Sign-up validation lists every bad field.
    let r = app
        .gql_full(None, None, SIGN_UP, json!({ "input": { "email": "x", "password": "short", "accountName": "", "timeZone": "Mars/Base", "currency": "euro" } }))
        .await;
    let fields: Vec<&str> = r["errors"][0]["extensions"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["input.email", "input.password", "input.accountName", "input.timeZone", "input.currency"]);
});

// Found in review: boundaries of amounts, NUL in text, odd inputs.
db_test!(huge_and_odd_inputs_are_refused_not_crashed, |app: TestApp| async move {
    let s = app.sign_up("odd@example.fr", "Odd").await;
    // A price beyond 10^15 would overflow percentage prices: refused at the boundary.
    let e = app
        .err(Some(&s.access), "mutation { createProduct(input: { name: \"X\", tax: \"20\", priceGross: \"79228162514264337593543950335\" }) { id } }", json!({}))
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    let e = app
        .err(
            Some(&s.access),
            "mutation { createProduct(input: { name: \"X\", tax: \"20\", priceGross: \"1.0000001\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "more than 6 decimals");
    // NUL in text: PostgreSQL cannot store it, so it is refused on both databases.
    let e = app
        .err(
            Some(&s.access),
            "mutation($n: String) { createClient(input: { name: $n }) { id } }",
            json!({ "n": "a\u{0}b" }),
        )
        .await;
    assert_eq!((code(&e), e["extensions"]["fields"][0]["field"].as_str()), ("VALIDATION_FAILED", Some("input.name")));
    let e = app
        .err(
            Some(&s.access),
            "mutation { createClient(input: { name: \"X\", birthDate: \"-5000-01-01\" }) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&e), "VALIDATION_FAILED");
    assert_eq!(
        app.ok(&s.access, "{ clients { totalCount } products { totalCount } }", json!({})).await,
        json!({ "clients": { "totalCount": 0 }, "products": { "totalCount": 0 } })
    );
});
