//! Webhooks end to end, against a real receiver on loopback: endpoints (the seed's CRUD,
//! the secret shown once, URLs checked against SSRF), signed deliveries that verify with
//! the `standardwebhooks` crate, retries under the same `webhook-id`, failures that
//! disable an endpoint and say so in the journal, rotation (both signatures), redelivery,
//! the test event, roles and isolation; on SQLite and PostgreSQL.

use scelle_api::config::Config;
use scelle_tests::receiver::{Received, Receiver};
use scelle_tests::*;
use serde_json::{Value, json};
use std::time::Duration;

const HOOK: &str = "id kind url apiToken active disabledAt consecutiveFailures previousSecretUntil createdAt updatedAt";
const DELIVERY: &str = "id webhookId eventId kind status attempts nextAttemptAt lastStatusCode lastError lastResponse lastDurationMs body createdAt deliveredAt";

/// The loopback receiver allowed; retries 20 ms apart, twice.
fn loopback(c: &mut Config) {
    c.webhook_allow_hosts = "127.0.0.1".into();
    c.webhook_retry_schedule = "20ms,20ms".into();
}

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    let q = format!("mutation($i: WebhookInput!) {{ createWebhook(input: $i) {{ secret webhook {{ {HOOK} }} }} }}");
    app.ok(token, &q, json!({ "i": input })).await["createWebhook"].clone()
}

async fn deliveries(app: &TestApp, token: &str, hook: &Value) -> Vec<Value> {
    let q = format!("query($w: ID!) {{ webhookDeliveries(webhookId: $w) {{ items {{ {DELIVERY} }} }} }}");
    app.ok(token, &q, json!({ "w": hook })).await["webhookDeliveries"]["items"].as_array().unwrap().clone()
}

/// Polls until every delivery of the endpoint is settled (none pending), at most 20 s.
async fn settled(app: &TestApp, token: &str, hook: &Value, n: usize) -> Vec<Value> {
    for _ in 0..400 {
        let d = deliveries(app, token, hook).await;
        if d.len() >= n && d.iter().all(|d| d["status"] != "PENDING") {
            return d;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deliveries not settled: {:?}", deliveries(app, token, hook).await);
}

fn verify(secret: &str, r: &Received) -> bool {
    standardwebhooks::Webhook::new(secret).unwrap().verify(r.body.as_bytes(), &r.header_map()).is_ok()
}

db_test!(an_issued_invoice_reaches_its_endpoint_signed, loopback, |app: TestApp| async move {
    let rx = Receiver::start(0).await;
    let s = app.sign_up("hooks-signed@example.fr", "HooksSigned").await;
    let created = create(
        &app,
        &s.access,
        json!({ "kind": "invoice:create", "url": rx.url("/hook"), "apiToken": "endpoint-token" }),
    )
    .await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    let hook = created["webhook"]["id"].clone();
    // The secret is shown once: no query returns it.
    let listed = app.ok(&s.access, "{ webhooks { totalCount items { id kind url active } } }", json!({})).await;
    assert_eq!(listed["webhooks"]["totalCount"], 1);
    assert!(!listed.to_string().contains(&secret));

    let inv = app.issue(&s.access, "id number", Invoice::to("Acme").line("Pose", "20", "100")).await;
    let got = rx.wait_for(1, 15).await;
    assert_eq!(got.len(), 1, "one delivery: {got:?}");
    let r = &got[0];
    assert!(verify(&secret, r), "the signature verifies with standardwebhooks: {r:?}");
    assert!(!verify("whsec_MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", r), "another secret does not verify it");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.json();
    assert_eq!(body["type"], "invoice:create");
    assert_eq!(body["event"], "document.created");
    assert_eq!(body["api_token"], "endpoint-token");
    assert_eq!(body["data"]["id"], inv["id"]);
    assert_eq!(body["data"]["number"], inv["number"]);
    assert_eq!(body["data"]["price_gross"], "120.00");
    // The log says so; the delivery's id is the webhook-id.
    let log = settled(&app, &s.access, &hook, 1).await;
    assert_eq!(log[0]["status"], "DELIVERED", "{log:?}");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["lastStatusCode"], 200);
    assert_eq!(log[0]["lastResponse"], "ok");
    assert_eq!(r.header("webhook-id"), log[0]["id"].as_str());
    // Other kinds are not sent to it: a contact created, a product created.
    app.client_id(&s.access, json!({ "name": "Quelqu'un" })).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(rx.received().len(), 1);
});

db_test!(a_failing_endpoint_is_retried_under_the_same_id, loopback, |app: TestApp| async move {
    let rx = Receiver::start(2).await;
    let s = app.sign_up("hooks-retry@example.fr", "HooksRetry").await;
    let created = create(&app, &s.access, json!({ "kind": "client:create", "url": rx.url("/") })).await;
    let hook = created["webhook"]["id"].clone();
    app.client_id(&s.access, json!({ "name": "Dupont" })).await;
    let log = settled(&app, &s.access, &hook, 1).await;
    assert_eq!(log[0]["status"], "DELIVERED", "{log:?}");
    assert_eq!(log[0]["attempts"], 3);
    let got = rx.received();
    assert_eq!(got.len(), 3);
    let ids: Vec<Option<&str>> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert!(ids.iter().all(|i| *i == ids[0] && i.is_some()), "{ids:?}");
    assert!(got.iter().all(|r| r.body == got[0].body), "every attempt sends the same body");
    assert!(got.iter().all(|r| verify(created["secret"].as_str().unwrap(), r)));
});

db_test!(an_endpoint_failing_for_good_is_disabled_and_the_owner_told, loopback, |app: TestApp| async move {
    let rx = Receiver::failing().await;
    let s = app.sign_up("hooks-dead@example.fr", "HooksDead").await;
    let created = create(&app, &s.access, json!({ "kind": "client:create", "url": rx.url("/down") })).await;
    let hook = created["webhook"]["id"].clone();
    for i in 0..5 {
        app.client_id(&s.access, json!({ "name": format!("Client {i}") })).await;
    }
    let log = settled(&app, &s.access, &hook, 5).await;
    assert!(log.iter().all(|d| d["status"] == "FAILED" && d["attempts"] == 3 && d["lastStatusCode"] == 500), "{log:?}");
    assert!(log.iter().all(|d| d["lastResponse"] == "not now"));
    let w =
        app.ok(&s.access, &format!("query($id: ID!) {{ webhook(id: $id) {{ {HOOK} }} }}"), json!({ "id": hook })).await;
    assert!(w["webhook"]["disabledAt"].is_string(), "{w}");
    assert_eq!(w["webhook"]["consecutiveFailures"], 5);
    let journal = app.ok(&s.access, "{ events(code: WEBHOOK_DISABLED) { items { details } } }", json!({})).await;
    let details: Value = serde_json::from_str(journal["events"]["items"][0]["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["webhook"], hook);
    assert_eq!(details["failures"], 5);
    // Disabled: a new event is not sent. Turned on again, it is.
    let before = rx.received().len();
    app.client_id(&s.access, json!({ "name": "Later" })).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(rx.received().len(), before);
    let q = format!("mutation($id: ID!) {{ updateWebhook(id: $id, input: {{ active: true }}) {{ {HOOK} }} }}");
    let on = app.ok(&s.access, &q, json!({ "id": hook })).await;
    assert_eq!(on["updateWebhook"]["disabledAt"], Value::Null);
    assert_eq!(on["updateWebhook"]["consecutiveFailures"], 0);
});

db_test!(rotation_signs_with_both_secrets_then_redelivery_and_the_test_event, loopback, |app: TestApp| async move {
    let rx = Receiver::start(0).await;
    let s = app.sign_up("hooks-rotate@example.fr", "HooksRotate").await;
    let created = create(&app, &s.access, json!({ "kind": "product:create", "url": rx.url("/p") })).await;
    let (hook, old) = (created["webhook"]["id"].clone(), created["secret"].as_str().unwrap().to_owned());
    let q = "mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret webhook { previousSecretUntil } } }";
    let rotated = app.ok(&s.access, q, json!({ "id": hook })).await["rotateWebhookSecret"].clone();
    let new = rotated["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(rotated["webhook"]["previousSecretUntil"].is_string());
    app.product_id(&s.access, json!({ "name": "Vis", "tax": "20", "priceNet": "1" })).await;
    let got = rx.wait_for(1, 15).await;
    let r = &got[0];
    assert_eq!(r.header("webhook-signature").unwrap().split(' ').count(), 2, "{r:?}");
    assert!(verify(&new, r) && verify(&old, r));

    // The test event, then a redelivery of it: the same id, twice.
    let q = format!("mutation($id: ID!) {{ sendTestWebhook(id: $id) {{ {DELIVERY} }} }}");
    let test = app.ok(&s.access, &q, json!({ "id": hook })).await["sendTestWebhook"].clone();
    assert_eq!(test["kind"], "webhook:test");
    assert_eq!(test["eventId"], Value::Null);
    let got = rx.wait_for(2, 15).await;
    assert_eq!(got[1].json()["type"], "webhook:test");
    settled(&app, &s.access, &hook, 2).await;
    let q = format!("mutation($d: ID!) {{ redeliverWebhook(deliveryId: $d) {{ {DELIVERY} }} }}");
    let again = app.ok(&s.access, &q, json!({ "d": test["id"] })).await["redeliverWebhook"].clone();
    assert_eq!(again["status"], "PENDING");
    let got = rx.wait_for(3, 15).await;
    assert_eq!(got[2].header("webhook-id"), test["id"].as_str());
    assert_eq!(got[2].body, got[1].body);
});

db_test!(endpoints_are_checked_and_stay_in_their_account, loopback, |app: TestApp| async move {
    let a = app.sign_up("hooks-a@example.fr", "HooksA").await;
    let b = app.sign_up("hooks-b@example.fr", "HooksB").await;
    let q = "mutation($i: WebhookInput!) { createWebhook(input: $i) { secret } }";
    for (input, field, rule) in [
        (json!({ "kind": "invoice:create", "url": "http://10.0.0.8/hook" }), "input.url", "webhook_url_private"),
        (
            json!({ "kind": "invoice:create", "url": "http://169.254.169.254/latest" }),
            "input.url",
            "webhook_url_private",
        ),
        (json!({ "kind": "invoice:create", "url": "http://localhost:8080/" }), "input.url", "webhook_url_private"),
        (json!({ "kind": "invoice:create", "url": "ftp://example.com/" }), "input.url", "webhook_url_http"),
        (
            json!({ "kind": "invoice:create", "url": "https://u:p@example.com/" }),
            "input.url",
            "webhook_url_credentials",
        ),
        (json!({ "kind": "invoice:explode", "url": "https://example.com/" }), "input.kind", "not_one_of"),
        (json!({ "url": "https://example.com/" }), "input.kind", "required"),
    ] {
        let e = app.err(Some(&a.access), q, json!({ "i": input })).await;
        assert_eq!(code(&e), "VALIDATION_FAILED", "{e}");
        let f = &e["extensions"]["fields"][0];
        assert_eq!(f["field"], field, "{e}");
        let named = if f["code"] == "RULE" { f["rule"].as_str() } else { f["code"].as_str() };
        assert_eq!(named.map(str::to_lowercase).as_deref(), Some(rule), "{e}");
    }
    let hook = create(&app, &a.access, json!({ "kind": "invoice:create", "url": "https://hooks.example.com/a" })).await;
    let id = hook["webhook"]["id"].clone();
    // Another account does not find it; a member of the account may not manage it.
    let e = app.err(Some(&b.access), "query($id: ID!) { webhook(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(code(&e), "NOT_FOUND", "{e}");
    let e = app.err(Some(&b.access), "mutation($id: ID!) { deleteWebhook(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(code(&e), "NOT_FOUND", "{e}");
    assert_eq!(app.ok(&b.access, "{ webhooks { totalCount } }", json!({})).await["webhooks"]["totalCount"], 0);
    app.set_membership(&a.account_id, &b.user_id, Some("member")).await;
    let member = app.login_to("hooks-b@example.fr", &a.account_id).await;
    for query in ["{ webhooks { totalCount } }", "query($id: ID!) { webhookDeliveries(webhookId: $id) { totalCount } }"]
    {
        let e = app.err(Some(&member.access), query, json!({ "id": id })).await;
        assert_eq!(code(&e), "FORBIDDEN", "{e}");
    }
    let e = app
        .err(Some(&member.access), "mutation($id: ID!) { sendTestWebhook(id: $id) { id } }", json!({ "id": id }))
        .await;
    assert_eq!(code(&e), "FORBIDDEN", "{e}");
    // Deleted by its owner, with its log.
    app.ok(&a.access, "mutation($id: ID!) { deleteWebhook(id: $id) { id } }", json!({ "id": id })).await;
    assert_eq!(app.ok(&a.access, "{ webhooks { totalCount } }", json!({})).await["webhooks"]["totalCount"], 0);
});
