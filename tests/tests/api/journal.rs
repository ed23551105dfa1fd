//! The certification event journal (`events`) and duplicates (`printInvoice`): each wired
//! event appears with its code, sealed in the account's `events` chain; the chain
//! verifies and names tampering; accounts are isolated; members are refused; duplicates
//! are numbered once each, even under concurrent prints, and journaled.

use entity::ledger::store::Chain;
use scelle_tests::*;
use serde_json::{Value, json};

const EVENTS: &str = "query($c: EventCode, $p: Int) { events(page: $p, perPage: 100, code: $c) { totalCount items { \
    id code occurredAt user { id email } credential ip details sequence hash previousHash } } }";

/// The account's events, newest first.
async fn events(app: &TestApp, token: &str) -> Vec<Value> {
    let r = app.ok(token, EVENTS, json!({})).await;
    r["events"]["items"].as_array().unwrap().clone()
}

fn codes(events: &[Value]) -> Vec<String> {
    events.iter().map(|e| e["code"].as_str().unwrap().to_owned()).collect()
}

/// Verification of the account's events chain: `(sequence, reason)` of the first break.
async fn broken(app: &TestApp, s: &Session) -> Option<(i64, &'static str)> {
    let v = app.verify_chain(&s.account_id, Chain::Events).await;
    v.first().map(|b| (b.sequence.unwrap_or(-1), b.reason.as_str()))
}

async fn issue(app: &TestApp, token: &str, extra: Value) -> Value {
    app.issue(token, "id number", Invoice::to("Acme").line("A", "20", "10").with(extra)).await
}

db_test!(each_wired_event_is_journaled_in_a_verifiable_chain, |app: TestApp| async move {
    let s = app.sign_up("journal@example.fr", "Journal").await;
    // The service's start, the owner added by sign-up, the sign-up's session.
    assert_eq!(codes(&events(&app, &s.access).await), ["LOGIN", "USER_ADDED", "SERVICE_STARTED"]);

    // A wrong password for a known user; an unknown e-mail journals nothing anywhere.
    let r = app.login("journal@example.fr", "wrong password!").await;
    assert_eq!(code(&r["errors"][0]), "UNAUTHENTICATED");
    let r = app.login("nobody@example.fr", "wrong password!").await;
    assert_eq!(code(&r["errors"][0]), "UNAUTHENTICATED");
    let again = app.login_to("journal@example.fr", &s.account_id).await;
    // Refreshing tokens is not a login.
    let r = app
        .gql_full(
            None,
            None,
            "mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }",
            json!({ "t": again.refresh }),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");

    let token = app.ok(&s.access, "mutation { createApiToken(name: \"CI\") { apiToken { id } } }", json!({})).await;
    let token_id = token["createApiToken"]["apiToken"]["id"].as_str().unwrap().to_owned();
    let revoke = "mutation($id: ID!) { revokeApiToken(id: $id) { id } }";
    app.ok(&s.access, revoke, json!({ "id": token_id })).await;
    app.ok(&s.access, revoke, json!({ "id": token_id })).await; // already revoked: nothing new

    app.ok(&s.access, "mutation { updateAccount(input: { currency: \"USD\", name: \"Journal\" }) { id } }", json!({}))
        .await;
    app.ok(&s.access, "mutation { updateAccount(input: { currency: \"USD\" }) { id } }", json!({})).await; // unchanged

    let dept = app
        .ok(
            &s.access,
            "mutation { createDepartment(input: { name: \"Shop\", usePattern: true, patterns: [{ kind: VAT, pattern: \"S-yyyy-nr\" }] }) { id } }",
            json!({}),
        )
        .await;
    let dept_id = dept["createDepartment"]["id"].as_str().unwrap().to_owned();
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateDepartment(id: $id, input: { name: \"Shop 2\" }) { id } }",
        json!({ "id": dept_id }),
    )
    .await; // numbering unchanged: not journaled
    app.ok(
        &s.access,
        "mutation($id: ID!) { updateDepartment(id: $id, input: { patterns: [{ kind: VAT, pattern: \"SH-yyyy-nr\" }] }) { id } }",
        json!({ "id": dept_id }),
    )
    .await;

    issue(&app, &s.access, json!({ "test": true })).await;
    issue(&app, &s.access, json!({})).await; // a real document: no TEST_MODE_USED

    let all = events(&app, &s.access).await;
    assert_eq!(
        codes(&all),
        [
            "TEST_MODE_USED",
            "NUMBERING_PATTERN_CHANGED",
            "NUMBERING_PATTERN_CHANGED",
            "SETTINGS_CHANGED",
            "API_TOKEN_REVOKED",
            "API_TOKEN_CREATED",
            "LOGIN",
            "LOGIN_FAILED",
            "LOGIN",
            "USER_ADDED",
            "SERVICE_STARTED",
        ]
    );
    // Gapless sequences, newest first, each linked to the one before.
    let n = all.len() as i64;
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e["sequence"], n - i as i64);
        assert_eq!(e["hash"].as_str().unwrap().len(), 64);
        if let Some(older) = all.get(i + 1) {
            assert_eq!(e["previousHash"], older["hash"]);
        }
    }
    let by_code = |c: &str| all.iter().find(|e| e["code"] == c).unwrap().clone();
    let details = |c: &str| serde_json::from_str::<Value>(by_code(c)["details"].as_str().unwrap()).unwrap();

    let started = by_code("SERVICE_STARTED");
    assert_eq!((started["credential"].as_str(), &started["user"]), (Some("SYSTEM"), &Value::Null));
    let failed = by_code("LOGIN_FAILED");
    assert_eq!(failed["credential"], "PASSWORD");
    assert_eq!(failed["user"]["email"], "journal@example.fr");
    assert_eq!(details("LOGIN_FAILED"), json!({ "email": "journal@example.fr", "reason": "wrong_password" }));
    assert_eq!(all[4]["ip"], "127.0.0.1", "the client's address is journaled");
    // Every event a request wrote carries it, those without an actor yet (sign-up, login,
    // a refused password) too; the server's own have none.
    for e in &all {
        let expected = if e["code"] == "SERVICE_STARTED" { Value::Null } else { json!("127.0.0.1") };
        assert_eq!(e["ip"], expected, "{e}");
    }
    assert_eq!(by_code("API_TOKEN_CREATED")["credential"], "SESSION");
    assert_eq!(by_code("API_TOKEN_CREATED")["user"]["id"], s.user_id.as_str());
    assert_eq!(details("API_TOKEN_CREATED")["name"], "CI");
    assert_eq!(details("SETTINGS_CHANGED"), json!({ "changes": { "currency": { "from": "EUR", "to": "USD" } } }));
    let numbering = details("NUMBERING_PATTERN_CHANGED");
    assert_eq!(numbering["from"]["patterns"], json!({ "vat": "S-yyyy-nr" }));
    assert_eq!(numbering["to"], json!({ "usePattern": true, "patterns": { "vat": "SH-yyyy-nr" } }));
    assert!(details("TEST_MODE_USED")["number"].as_str().unwrap().starts_with("TEST-"));

    // The code filter.
    let r = app.ok(&s.access, EVENTS, json!({ "c": "LOGIN" })).await;
    assert_eq!(r["events"]["totalCount"], 2);

    let v = app.verify_chain(&s.account_id, Chain::Events).await;
    assert_eq!((v.ok(), v.checked), (true, n as u64));
});

db_test!(the_database_refuses_changes_and_verification_names_tampering, |app: TestApp| async move {
    use sea_orm::ConnectionTrait;
    let s = app.sign_up("tamper-journal@example.fr", "Tamper").await;
    app.ok(&s.access, "mutation { updateAccount(input: { currency: \"USD\" }) { id } }", json!({})).await;
    assert_eq!(broken(&app, &s).await, None);
    for sql in ["UPDATE journal_events SET details = '{}'", "DELETE FROM journal_events WHERE sequence = 2"] {
        let err = app.db.execute_unprepared(sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }

    // An attacker with database access lifts the triggers, as the tests do here.
    let (up, down) = migration::journal_triggers(app.db.get_database_backend());
    for sql in down {
        app.sql(sql).await;
    }
    let original = events(&app, &s.access).await[0]["details"].as_str().unwrap().to_owned();
    app.sql("UPDATE journal_events SET details = '{\"changes\":{}}' WHERE sequence = 4").await;
    assert_eq!(broken(&app, &s).await, Some((4, "SUBJECT_CHANGED")));
    app.sql(&format!("UPDATE journal_events SET details = '{}' WHERE sequence = 4", original.replace('\'', "''")))
        .await;
    assert_eq!(broken(&app, &s).await, None, "restored");
    app.sql("UPDATE journal_events SET occurred_at = occurred_at WHERE sequence = 2").await;
    assert_eq!(broken(&app, &s).await, None, "rewriting the same value changes nothing");
    app.sql("UPDATE journal_events SET user_id = NULL WHERE sequence = 3").await;
    assert_eq!(broken(&app, &s).await, Some((3, "SUBJECT_CHANGED")));
    app.sql("DELETE FROM journal_events WHERE sequence = 2").await;
    assert_eq!(broken(&app, &s).await, Some((2, "SUBJECT_DELETED")));
    for sql in up {
        app.sql(sql).await;
    }
    assert!(app.db.execute_unprepared("DELETE FROM journal_events").await.is_err(), "triggers back");
});

db_test!(journals_are_isolated_and_members_refused, |app: TestApp| async move {
    let a = app.sign_up("owner-a@example.fr", "Alpha").await;
    let b = app.sign_up("owner-b@example.fr", "Beta").await;
    app.ok(&a.access, "mutation { createApiToken(name: \"alpha only\") { token } }", json!({})).await;
    let theirs = events(&app, &b.access).await;
    assert_eq!(codes(&theirs), ["LOGIN", "USER_ADDED", "SERVICE_STARTED"]);
    assert!(theirs.iter().all(|e| e["user"].is_null() || e["user"]["id"] == b.user_id.as_str()), "{theirs:?}");
    assert!(!serde_json::to_string(&theirs).unwrap().contains("alpha"));
    // B's tampering-free chain is its own: sequences start at 1.
    assert_eq!(theirs.last().unwrap()["sequence"], 1);

    // B's owner becomes a member of A, then an accountant.
    app.set_membership(&a.account_id, &b.user_id, Some("member")).await;
    let member = app.login_to("owner-b@example.fr", &a.account_id).await;
    let e = app.err(Some(&member.access), EVENTS, json!({})).await;
    assert_eq!(code(&e), "FORBIDDEN");
    app.set_membership(&a.account_id, &b.user_id, Some("accountant")).await;
    let accountant = app.login_to("owner-b@example.fr", &a.account_id).await;
    let seen = events(&app, &accountant.access).await;
    assert!(codes(&seen).contains(&"API_TOKEN_CREATED".to_owned()));
    // Nobody without a credential reads it.
    let e = app.err(None, EVENTS, json!({})).await;
    assert_eq!(code(&e), "UNAUTHENTICATED");
    // A wrong password of a user in two accounts is journaled in both.
    app.login("owner-b@example.fr", "wrong password!").await;
    assert_eq!(codes(&events(&app, &b.access).await)[0], "LOGIN_FAILED");
    assert_eq!(codes(&events(&app, &a.access).await)[0], "LOGIN_FAILED");
});

const PRINT: &str = "mutation($id: ID!, $c: PrintChannel) { printInvoice(id: $id, channel: $c) { copyNumber duplicate mention invoice { id duplicateCount } } }";

db_test!(duplicates_are_numbered_once_each_and_journaled, |app: TestApp| async move {
    let s = app.sign_up("dup@example.fr", "Dup").await;
    let doc = issue(&app, &s.access, json!({})).await;
    let id = doc["id"].as_str().unwrap().to_owned();
    let print = |lang: Option<&'static str>, channel: &'static str| {
        let (app, token, id) = (&app, s.access.clone(), id.clone());
        async move {
            let r = app.gql_full(Some(&token), lang, PRINT, json!({ "id": id, "c": channel })).await;
            assert!(r.get("errors").is_none(), "{r}");
            r["data"]["printInvoice"].clone()
        }
    };
    let original = print(None, "PRINT").await;
    assert_eq!((original["copyNumber"].as_i64(), &original["mention"]), (Some(0), &Value::Null));
    assert_eq!(original["duplicate"], false);
    assert_eq!(original["invoice"]["duplicateCount"], 0);
    let fr = print(Some("fr-FR,fr;q=0.9"), "EMAIL").await;
    assert_eq!((fr["copyNumber"].as_i64(), fr["mention"].as_str()), (Some(1), Some("DUPLICATA 1")));
    let en = print(Some("en"), "DOWNLOAD").await;
    assert_eq!((en["copyNumber"].as_i64(), en["mention"].as_str()), (Some(2), Some("DUPLICATE 2")));
    assert_eq!(en["invoice"]["duplicateCount"], 2);

    // Concurrent prints never share a number.
    let answers = app.concurrently(8, Some(&s.access), |_| json!({ "query": PRINT, "variables": { "id": id } })).await;
    let mut numbers: Vec<i64> = answers
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "{r}");
            r["data"]["printInvoice"]["copyNumber"].as_i64().unwrap()
        })
        .collect();
    numbers.sort();
    assert_eq!(numbers, (3..=10).collect::<Vec<_>>());

    let r = app.ok(&s.access, EVENTS, json!({ "c": "DUPLICATE" })).await;
    assert_eq!(r["events"]["totalCount"], 10);
    let items = r["events"]["items"].as_array().unwrap();
    let oldest: Value = serde_json::from_str(items.last().unwrap()["details"].as_str().unwrap()).unwrap();
    assert_eq!(oldest["copy"], 1);
    assert_eq!(oldest["channel"], "email");
    assert_eq!(oldest["number"], doc["number"]);
    assert_eq!(broken(&app, &s).await, None);

    // A draft has no copies; another account cannot print this one.
    let draft = app
        .create_invoice(
            &s.access,
            "id",
            json!({ "buyerName": "D", "positions": [{ "name": "A", "tax": "20", "priceNet": "1" }] }),
            false,
        )
        .await;
    let r = app.gql_full(Some(&s.access), None, PRINT, json!({ "id": draft["data"]["createInvoice"]["id"] })).await;
    assert_eq!(failure(&r), ("VALIDATION_FAILED".to_owned(), "id".to_owned()));
    let other = app.sign_up("other-dup@example.fr", "Other").await;
    let e = app.err(Some(&other.access), PRINT, json!({ "id": id })).await;
    assert_eq!(code(&e), "NOT_FOUND");
    let r = app.ok(&s.access, "query($id: ID!) { invoice(id: $id) { duplicateCount } }", json!({ "id": id })).await;
    assert_eq!(r["invoice"]["duplicateCount"], 10);
});

db_test!(a_graceful_stop_closes_the_run_in_the_journals_it_opened, |app: TestApp| async move {
    let s = app.sign_up("stop@example.fr", "Stop").await;
    // What `Application::run_with_shutdown` calls once the server no longer takes requests.
    assert_eq!(entity::journal::service_stopped(&app.db).await.unwrap(), 1);
    let all = events(&app, &s.access).await;
    assert_eq!(codes(&all)[0], "SERVICE_STOPPED");
    assert_eq!(all[0]["credential"], "SYSTEM");
    let started: Value = serde_json::from_str(all.last().unwrap()["details"].as_str().unwrap()).unwrap();
    let stopped: Value = serde_json::from_str(all[0]["details"].as_str().unwrap()).unwrap();
    assert_eq!(started["boot"], stopped["boot"], "the stop names the run it ends");
    assert_eq!(broken(&app, &s).await, None);
});
