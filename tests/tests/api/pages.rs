//! The pages a buyer opens from a link (no login): the public view of an issued document
//! and the form of an invoice to complete, in the document's language; on SQLite and
//! PostgreSQL. (The same pages in a real browser: `browser.rs`.)

use scelle_tests::*;
use serde_json::json;

fn line() -> serde_json::Value {
    json!([{ "name": "Conseil", "tax": "20", "priceNet": "100" }])
}

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.http.get(app.url(path)).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = app.http.post(app.url(path)).form(form).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

db_test!(the_public_view_speaks_the_document_s_language, |app: TestApp| async move {
    let s = app.sign_up("vue@example.fr", "Vue").await;
    let q = "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { number viewUrl } }";
    let fr =
        app.ok(&s.access, q, json!({ "i": { "buyerName": "Client <b>", "lang": "fr", "positions": line() } })).await;
    let (st, html) = page(&app, fr["createInvoice"]["viewUrl"].as_str().unwrap()).await;
    assert_eq!(st, 200);
    assert!(html.contains("lang=\"fr\"") && html.contains("Total TTC") && html.contains("Acheteur"), "{html}");
    assert!(html.contains(fr["createInvoice"]["number"].as_str().unwrap()));
    assert!(html.contains("Client &lt;b&gt;") && !html.contains("Client <b>"), "escaped");
    let en = app.ok(&s.access, q, json!({ "i": { "buyerName": "Client", "lang": "en", "positions": line() } })).await;
    let (_, html) = page(&app, en["createInvoice"]["viewUrl"].as_str().unwrap()).await;
    assert!(html.contains("lang=\"en\"") && html.contains("Total incl. tax") && html.contains("Buyer"), "{html}");
    assert_eq!(page(&app, &format!("/view/{}", "0".repeat(64))).await.0, 404);
});

db_test!(the_buyer_completes_an_invoice_with_a_real_form, |app: TestApp| async move {
    let s = app.sign_up("form@example.fr", "Form").await;
    let q = "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id completionUrl } }";
    let d = app
        .ok(
            &s.access,
            q,
            json!({ "i": { "status": "INCOMPLETE", "lang": "fr", "buyerName": "Jean", "buyerEmail": "jean@x.fr", "positions": line() } }),
        )
        .await;
    let url = d["createInvoice"]["completionUrl"].as_str().unwrap().to_owned();
    // The form, pre-filled with what the seller gave, in French.
    let (st, html) = page(&app, &url).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("Facture à compléter") && html.contains("<form method=\"post\""), "{html}");
    assert!(html.contains("value=\"jean@x.fr\"") && html.contains("value=\"Jean\""), "pre-filled: {html}");
    // A malformed e-mail: the form comes back with the reason, nothing issued.
    let (st, html) = post_form(&app, &url, &[("company", "1"), ("email", "pas une adresse")]).await;
    assert_eq!(st, 422, "{html}");
    assert!(html.contains("role=\"alert\"") && html.contains("E-mail"), "{html}");
    assert!(html.contains("value=\"pas une adresse\""), "what the buyer typed is shown again: {html}");
    // Completed: issued with the buyer's details, which the invoice now shows.
    let (st, html) = post_form(&app, &url, &[("company", "1"), ("name", "Dupont SARL"), ("city", "Lyon")]).await;
    assert_eq!(st, 200, "{html}");
    assert!(html.contains("la facture est émise"), "{html}");
    let inv = app
        .ok(
            &s.access,
            "query($id: ID!) { invoice(id: $id) { number buyerName buyerCity buyerEmail certification { status } } }",
            json!({ "id": d["createInvoice"]["id"] }),
        )
        .await;
    assert_eq!(inv["invoice"]["buyerName"], "Dupont SARL");
    assert_eq!(inv["invoice"]["buyerCity"], "Lyon");
    assert_eq!(inv["invoice"]["buyerEmail"], "jean@x.fr", "kept from what the seller gave");
    assert_eq!(inv["invoice"]["certification"]["status"], "SEALED");
    assert!(html.contains(inv["invoice"]["number"].as_str().unwrap()));
    // A second validation changes nothing and says it was done.
    let (st, html) = post_form(&app, &url, &[("name", "Autre")]).await;
    assert_eq!(st, 409, "{html}");
    assert!(html.contains("déjà été complétée"), "{html}");
    let (st, _) = page(&app, &url).await;
    assert_eq!(st, 409);
    assert_eq!(page(&app, &format!("/complete/{}", "a".repeat(64))).await.0, 404);
});
