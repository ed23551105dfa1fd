//! The GraphQL endpoint as standard tools and browsers use it: every row of the
//! GraphQL-over-HTTP table in docs/api/README.md, the standard introspection query, CORS for an SPA on another
//! origin; on SQLite and PostgreSQL.

use reqwest::header::{ACCEPT, ALLOW, CONTENT_TYPE};
use scelle_tests::*;
use serde_json::{Value, json};

const INTROSPECTION: &str = include_str!("../../src/introspection.graphql");
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Sends `body` to `/graphql` with `method` and headers; returns status, content type,
/// the `Allow` header and the body as JSON (or text).
async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String, String, Value) {
    let mut req = app.http.request(method, app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.body(b.to_owned());
    }
    let resp = req.send().await.expect("sent");
    let status = resp.status().as_u16();
    let header =
        |h: reqwest::header::HeaderName| resp.headers().get(h).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let (ct, allow) = (header(CONTENT_TYPE), header(ALLOW));
    let text = resp.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, ct, allow, json)
}

fn query(q: &str) -> String {
    json!({ "query": q }).to_string()
}

db_test!(graphql_over_http_follows_the_specification, |app: TestApp| async move {
    use reqwest::Method;
    let s = app.sign_up("http@example.fr", "Http").await;
    let auth = format!("Bearer {}", s.access);
    let json_ct = ("content-type", "application/json");

    // POST, JSON: executed, answered as application/json by default.
    let (st, ct, _, b) =
        send(&app, Method::POST, "/graphql", &[json_ct, ("authorization", &auth)], Some(&query("{ me { email } }")))
            .await;
    assert_eq!((st, ct.as_str()), (200, "application/json; charset=utf-8"), "{b}");
    assert_eq!(b["data"]["me"]["email"], "http@example.fr");
    // With the specified media type accepted, it is chosen.
    let accept = ("accept", "application/graphql-response+json, application/json;q=0.9");
    let (st, ct, _, _) = send(&app, Method::POST, "/graphql", &[json_ct, accept], Some(&query("{ __typename }"))).await;
    assert_eq!((st, ct.starts_with(GRAPHQL_RESPONSE)), (200, true));
    // Only plain text accepted: 406.
    let (st, ..) =
        send(&app, Method::POST, "/graphql", &[json_ct, ("accept", "text/plain")], Some(&query("{ __typename }")))
            .await;
    assert_eq!(st, 406);

    // Other content types, or none: 415.
    for ct in [Some("text/plain"), Some("application/graphql"), None] {
        let headers: Vec<(&str, &str)> = ct.map(|c| vec![("content-type", c)]).unwrap_or_default();
        let (st, _, _, b) = send(&app, Method::POST, "/graphql", &headers, Some(&query("{ __typename }"))).await;
        assert_eq!(st, 415, "{ct:?}: {b}");
        assert_eq!(code(&b["errors"][0]), "VALIDATION_FAILED");
    }
    // Not a GraphQL request: 400, whatever the accepted type, never a `data` entry.
    for body in [
        "{ not json",
        "{}",
        "{\"qeury\": \"{ me { id } }\"}",
        "{\"query\": 42}",
        "\"{ me { id } }\"",
        "{\"query\": \"{ __typename }\", \"variables\": [1]}",
    ] {
        let (st, _, _, b) = send(&app, Method::POST, "/graphql", &[json_ct], Some(body)).await;
        assert_eq!(st, 400, "{body}: {b}");
        assert!(b.get("data").is_none(), "{body}: {b}");
        assert_eq!(code(&b["errors"][0]), "VALIDATION_FAILED");
    }
    // A batch is refused, clearly.
    let batch = format!("[{}, {}]", query("{ __typename }"), query("{ __typename }"));
    let (st, _, _, b) = send(&app, Method::POST, "/graphql", &[json_ct, ("accept-language", "en")], Some(&batch)).await;
    assert_eq!(st, 400);
    assert!(b["errors"][0]["message"].as_str().unwrap().contains("one operation per request"), "{b}");

    // A document that does not parse or validate: 400 with graphql-response+json, 200
    // with application/json; no `data` either way.
    for q in ["{ me { id ", "{ nope }"] {
        let (st, _, _, b) =
            send(&app, Method::POST, "/graphql", &[json_ct, ("accept", GRAPHQL_RESPONSE)], Some(&query(q))).await;
        assert_eq!(st, 400, "{q}: {b}");
        assert!(b.get("data").is_none() && b["errors"].is_array(), "{b}");
        let (st, _, _, b) = send(&app, Method::POST, "/graphql", &[json_ct], Some(&query(q))).await;
        assert_eq!(st, 200, "{q}: {b}");
        assert!(b.get("data").is_none(), "{b}");
    }
    // An executed request with an error keeps its `data` (null) and is 200 either way.
    let (st, _, _, b) =
        send(&app, Method::POST, "/graphql", &[json_ct, ("accept", GRAPHQL_RESPONSE)], Some(&query("{ me { id } }")))
            .await;
    assert_eq!(st, 200, "{b}");
    assert!(b.get("data").is_some() && code(&b["errors"][0]) == "UNAUTHENTICATED", "{b}");

    // GET runs queries, with variables as JSON in the URL.
    let url = format!(
        "/graphql?query={}&variables={}",
        urlencode("query($n: Int) { departments(perPage: $n) { perPage } }"),
        urlencode("{\"n\": 3}")
    );
    let (st, _, _, b) = send(&app, Method::GET, &url, &[("authorization", &auth)], None).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["data"]["departments"]["perPage"], 3);
    // A mutation over GET: 405, `Allow: POST`, nothing done.
    let url = format!("/graphql?query={}", urlencode("mutation { createApiToken(name: \"via get\") { token } }"));
    let (st, _, allow, b) = send(&app, Method::GET, &url, &[("authorization", &auth)], None).await;
    assert_eq!((st, allow.as_str()), (405, "POST"), "{b}");
    let tokens = app.ok(&s.access, "{ apiTokens { totalCount } }", json!({})).await;
    assert_eq!(tokens["apiTokens"]["totalCount"], 0);
    // GET without a query: GraphiQL for a browser, 400 for a program.
    let (st, ct, _, page) =
        send(&app, Method::GET, "/graphql", &[("accept", "text/html,application/xhtml+xml")], None).await;
    assert_eq!((st, ct.starts_with("text/html")), (200, true));
    assert!(page.as_str().unwrap().to_lowercase().contains("graphiql"));
    let (st, ..) = send(&app, Method::GET, "/graphql", &[("accept", "application/json")], None).await;
    assert_eq!(st, 400);

    // Other methods: 405 with `Allow`.
    for m in [Method::PUT, Method::DELETE, Method::PATCH] {
        let (st, _, allow, _) = send(&app, m.clone(), "/graphql", &[json_ct], Some(&query("{ __typename }"))).await;
        assert_eq!((st, allow.as_str()), (405, "GET, POST"), "{m}");
    }
    // No CORS unless configured: a preflight gets no access-control headers.
    let resp = app
        .http
        .request(Method::OPTIONS, app.url("/graphql"))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("access-control-allow-origin").is_none());
});

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

db_test!(the_standard_introspection_query_passes_the_default_limits, |app: TestApp| async move {
    // graphql-js's getIntrospectionQuery with every option (descriptions, specifiedByUrl,
    // directiveIsRepeatable, schemaDescription, inputValueDeprecation): 15 levels deep.
    let r = app.gql_full(None, None, INTROSPECTION, json!({})).await;
    assert!(r.get("errors").is_none(), "{}", &r.to_string()[..r.to_string().len().min(600)]);
    let types = r["data"]["__schema"]["types"].as_array().unwrap();
    assert!(types.iter().any(|t| t["name"] == "Invoice"), "the schema's own types are listed");
    assert_eq!(r["data"]["__schema"]["queryType"]["name"], "QueryRoot");
    // Data queries keep the configured depth limit (12).
    let mut deep = String::from("id");
    for _ in 0..12 {
        deep = format!("relatedDocuments {{ {deep} }}");
    }
    let e = app.err(None, &format!("{{ invoices {{ items {{ {deep} }} }} }}"), json!({})).await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
    // And an introspection query cannot smuggle data fields past it.
    let e = app.err(None, &format!("{{ __typename invoices {{ items {{ {deep} }} }} }}"), json!({})).await;
    assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
});

db_test!(
    browsers_on_allowed_origins_may_call_the_api,
    |c: &mut scelle_api::config::Config| c.cors_origins = "https://app.example.com".into(),
    |app: TestApp| async move {
        use reqwest::Method;
        let preflight = |origin: &'static str| {
            app.http
                .request(Method::OPTIONS, app.url("/graphql"))
                .header("origin", origin)
                .header("access-control-request-method", "POST")
                .header("access-control-request-headers", "authorization, content-type")
                .send()
        };
        let ok = preflight("https://app.example.com").await.unwrap();
        assert_eq!(ok.status().as_u16(), 200);
        let h = ok.headers();
        assert_eq!(h.get("access-control-allow-origin").unwrap(), "https://app.example.com");
        let methods = h.get("access-control-allow-methods").unwrap().to_str().unwrap().to_owned();
        assert!(methods.contains("POST") && methods.contains("GET"), "{methods}");
        let headers = h.get("access-control-allow-headers").unwrap().to_str().unwrap().to_lowercase();
        assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");
        assert!(h.get("access-control-allow-credentials").is_none(), "no cookies, no credentials");
        // Another origin is not allowed.
        let other = preflight("https://evil.example.net").await.unwrap();
        assert!(other.headers().get("access-control-allow-origin").is_none());
        // The actual request carries the allowed origin back.
        let r = app
            .http
            .post(app.url("/graphql"))
            .header("origin", "https://app.example.com")
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, "application/json")
            .body(query("{ __typename }"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers().get("access-control-allow-origin").unwrap(), "https://app.example.com");
    }
);

db_test!(one_request_never_does_the_work_of_hundreds, |app: TestApp| async move {
    let s = app.sign_up("cost@example.fr", "Cost").await;
    // 200 password checks in one request: refused before any runs.
    let mut q = String::from("mutation {");
    for i in 0..200 {
        q.push_str(&format!(
            " l{i}: login(input: {{ email: \"cost@example.fr\", password: \"guess {i}\" }}) {{ accessToken }}"
        ));
    }
    q.push_str(" }");
    let started = std::time::Instant::now();
    let r = app.gql_full(None, Some("en"), &q, json!({})).await;
    assert_eq!(code(&r["errors"][0]), "VALIDATION_FAILED", "{r}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("only one of login"), "{r}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "no argon2 ran: {:?}", started.elapsed());
    let failed = app.ok(&s.access, "{ events(code: LOGIN_FAILED) { totalCount } }", json!({})).await;
    assert_eq!(failed["events"]["totalCount"], 0, "nothing was tried");
    // Through fragments and with sign-up too.
    let q = "mutation { signUp(input: { email: \"x@example.fr\", password: \"a long passphrase\", accountName: \"X\" }) { accessToken } ...F } \
             fragment F on MutationRoot { login(input: { email: \"cost@example.fr\", password: \"p\" }) { accessToken } }";
    assert_eq!(code(&app.err(None, q, json!({})).await), "VALIDATION_FAILED");
    // Two exports (or verifications) in one request: refused, nothing journaled.
    let y = chrono::Utc::now().format("%Y").to_string();
    let q = format!(
        "mutation {{ a: exportArchive(from: \"{y}-01-01\", to: \"{y}-12-31\") {{ sha256 }} b: exportArchive(from: \"{y}-01-01\", to: \"{y}-12-31\") {{ sha256 }} }}"
    );
    assert_eq!(code(&app.err(Some(&s.access), &q, json!({})).await), "VALIDATION_FAILED");
    let q = "{ a: verifyLedger(chain: DOCUMENTS) { ok } b: verifyLedger(chain: EVENTS) { ok } }";
    assert_eq!(code(&app.err(Some(&s.access), q, json!({})).await), "VALIDATION_FAILED");
    let ran = app
        .ok(
            &s.access,
            "{ events(code: ARCHIVE_EXPORTED) { totalCount } v: events(code: VERIFICATION_RUN) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!((ran["events"]["totalCount"].as_i64(), ran["v"]["totalCount"].as_i64()), (Some(0), Some(0)), "{ran}");
    // One of each is fine.
    let q = "{ verifyLedger(chain: DOCUMENTS) { ok } me { email } }";
    assert_eq!(app.ok(&s.access, q, json!({})).await["verifyLedger"]["ok"], true);
});

db_test!(
    a_request_resolves_a_bounded_number_of_fields,
    |c: &mut scelle_api::config::Config| c.graphql_max_fields = 400,
    |app: TestApp| async move {
        let s = app.sign_up("budget@example.fr", "Budget").await;
        for i in 0..30 {
            app.ok(
                &s.access,
                "mutation($n: String!) { createDepartment(input: { name: $n }) { id } }",
                json!({ "n": format!("Dept {i}") }),
            )
            .await;
        }
        // 31 departments × 6 fields × 4 aliases > 400: one error, no data, at once.
        let fields = "items { id name shortcut city country email }";
        let q = format!(
            "{{ a: departments(perPage: 100) {{ {fields} }} b: departments(perPage: 100) {{ {fields} }} c: departments(perPage: 100) {{ {fields} }} d: departments(perPage: 100) {{ {fields} }} }}"
        );
        let r = app.gql_full(Some(&s.access), Some("en"), &q, json!({})).await;
        let errors = r["errors"].as_array().unwrap();
        assert_eq!(errors.len(), 1, "{r}");
        assert_eq!(code(&errors[0]), "VALIDATION_FAILED");
        assert!(errors[0]["message"].as_str().unwrap().contains("more than 400 fields"), "{r}");
        assert!(r["data"].is_null(), "{r}");
        // Under the budget, the same page answers.
        let q = format!("{{ departments(perPage: 100) {{ {fields} }} }}");
        assert_eq!(app.ok(&s.access, &q, json!({})).await["departments"]["items"].as_array().unwrap().len(), 31);
    }
);

db_test!(
    clients_and_accounts_are_rate_limited,
    |c: &mut scelle_api::config::Config| {
        c.rate_limit_per_ip = 0;
        c.rate_limit_per_account = 1;
    },
    |app: TestApp| async move {
        let a = app.sign_up("rate-a@example.fr", "RateA").await;
        let b = app.sign_up("rate-b@example.fr", "RateB").await;
        // A burst of two, then RATE_LIMITED with when to come back.
        let mut limited = None;
        for _ in 0..5 {
            let resp = app
                .http
                .post(app.url("/graphql"))
                .bearer_auth(&a.access)
                .header(CONTENT_TYPE, "application/json")
                .body(query("{ me { email } }"))
                .send()
                .await
                .unwrap();
            if resp.status().as_u16() == 429 {
                let retry = resp.headers().get("retry-after").unwrap().to_str().unwrap().to_owned();
                limited = Some((retry, resp.json::<Value>().await.unwrap()));
                break;
            }
        }
        let (retry, body) = limited.expect("limited within five requests");
        assert_eq!(code(&body["errors"][0]), "RATE_LIMITED", "{body}");
        assert!(body["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap() >= 1);
        assert!(retry.parse::<u64>().unwrap() >= 1);
        // Another account is not held back by it.
        assert_eq!(app.ok(&b.access, "{ me { email } }", json!({})).await["me"]["email"], "rate-b@example.fr");
    }
);

db_test!(
    a_client_address_is_rate_limited,
    |c: &mut scelle_api::config::Config| c.rate_limit_per_ip = 1,
    |app: TestApp| async move {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            let (st, ..) = send(
                &app,
                reqwest::Method::POST,
                "/graphql",
                &[("content-type", "application/json")],
                Some(&query("{ __typename }")),
            )
            .await;
            statuses.push(st);
        }
        assert!(statuses.contains(&429), "{statuses:?}");
    }
);
