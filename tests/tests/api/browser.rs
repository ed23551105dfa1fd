//! Every web page in a real browser (headless Chromium, see `scelle_tests::browser`):
//! GraphiQL signs in and runs a query and shows the schema's documentation; the public view
//! and the completion form work as a buyer uses them. Each page must also finish without a
//! script error or a violation of its own Content-Security-Policy.

use scelle_tests::browser::{TestBrowser, TestPage};
use scelle_tests::*;
use serde_json::json;

async fn no_problems(page: &TestPage, what: &str) {
    let problems = page.problems().await;
    assert!(problems.is_empty(), "{what}: {problems:?}");
}

/// Replaces the text of one of GraphiQL's editors, as pasting into it would.
async fn set_editor(page: &TestPage, selector: &str, text: &str) {
    let quoted = serde_json::to_string(selector).unwrap();
    page.wait_until(&format!("document.querySelector({quoted} + ' .CodeMirror')"), selector).await;
    let value = serde_json::to_string(text).unwrap();
    let _: bool = page
        .eval(&format!("document.querySelector({quoted} + ' .CodeMirror').CodeMirror.setValue({value}), true"))
        .await;
}

db_test!(graphiql_signs_in_runs_a_query_and_documents_the_schema, |app: TestApp| async move {
    let Some(browser) = TestBrowser::launch().await else { return };
    app.sign_up("ide@example.fr", "IDE").await;
    let page = browser.open(&app.url("/graphiql")).await;
    page.element(".graphiql-container").await;
    // Ready once it has read the schema (its first request), as a person would wait for it.
    page.wait_until(
        "performance.getEntriesByType('resource').some(e => e.name.endsWith('/graphql'))",
        "GraphiQL's introspection",
    )
    .await;
    // Sign in from the IDE: the login mutation, typed into the query editor.
    set_editor(
        &page,
        ".graphiql-query-editor",
        &format!(
            r#"mutation {{ login(input: {{ email: "ide@example.fr", password: "{PASSWORD}" }}) {{ accessToken }} }}"#
        ),
    )
    .await;
    page.click(".graphiql-execute-button").await;
    page.wait_until("document.querySelector('.result-window').innerText.includes('accessToken')", "the login result")
        .await;
    let result: String = page.eval("document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()").await;
    let result: serde_json::Value = serde_json::from_str(&result).unwrap_or_else(|_| panic!("JSON result: {result}"));
    let token = result["data"]["login"]["accessToken"].as_str().unwrap_or_else(|| panic!("{result}")).to_owned();
    // The token in the Headers tab (open by default), then a query that needs it.
    set_editor(
        &page,
        ".graphiql-editor-tool .graphiql-editor:not(.hidden)",
        &format!(r#"{{"Authorization": "Bearer {token}"}}"#),
    )
    .await;
    set_editor(&page, ".graphiql-query-editor", "{ me { email } }").await;
    page.click(".graphiql-execute-button").await;
    page.wait_until("document.querySelector('.result-window').innerText.includes('ide@example.fr')", "the me result")
        .await;
    // The documentation explorer reads the schema by introspection.
    page.click("button[aria-label='Show Documentation Explorer']").await;
    page.wait_until("document.querySelector('.graphiql-doc-explorer')", "the documentation explorer").await;
    page.wait_until(
        "document.querySelector('.graphiql-doc-explorer').innerText.includes('Query')",
        "the root types in the documentation",
    )
    .await;
    // The page came whole from this server, under its policy.
    let scripts: Vec<String> = page.eval("[...document.scripts].map(s => s.src)").await;
    assert!(!scripts.is_empty() && scripts.iter().all(|s| s.starts_with(&app.base)), "{scripts:?}");
    no_problems(&page, "GraphiQL").await;
    browser.close().await;
});

db_test!(a_buyer_views_and_completes_an_invoice_in_a_browser, |app: TestApp| async move {
    let Some(browser) = TestBrowser::launch().await else { return };
    let s = app.sign_up("acheteur@example.fr", "Vendeur").await;
    let line = json!([{ "name": "Conseil", "tax": "20", "priceNet": "100" }]);
    let d = app
        .ok(
            &s.access,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id completionUrl } }",
            json!({ "i": { "status": "INCOMPLETE", "lang": "fr", "buyerName": "Jean", "positions": line } }),
        )
        .await;
    let page = browser.open(&app.url(d["createInvoice"]["completionUrl"].as_str().unwrap())).await;
    assert_eq!(page.text("h1").await, "Facture à compléter");
    assert_eq!(page.eval::<String>("document.documentElement.lang").await, "fr");
    // An address the browser's own check refuses is not even sent.
    let email = page.element("input[name=email]").await;
    email.click().await.unwrap().type_str("jean@").await.unwrap();
    assert!(!page.eval::<bool>("document.querySelector('form').checkValidity()").await);
    // One it lets through and the server refuses: the form comes back saying why, with
    // everything the buyer typed still in it.
    email.type_str("x").await.unwrap();
    page.element("input[name=name]").await.click().await.unwrap().type_str(" Dupont SARL").await.unwrap();
    page.element("input[name=city]").await.click().await.unwrap().type_str("Lyon").await.unwrap();
    let submit = page.element("button[type=submit]").await;
    page.navigating(async {
        submit.click().await.unwrap();
    })
    .await;
    assert_eq!(page.status().await, 422);
    assert!(page.text("[role=alert]").await.contains("E-mail"));
    let typed: Vec<String> =
        page.eval("['name', 'city', 'email'].map(n => document.querySelector(`input[name=${n}]`).value)").await;
    assert_eq!(typed, ["Jean Dupont SARL", "Lyon", "jean@x"]);
    no_problems(&page, "completion form").await;
    // Corrected, validated.
    let email = page.element("input[name=email]").await;
    email.click().await.unwrap().type_str(".fr").await.unwrap();
    let submit = page.element("button[type=submit]").await;
    page.navigating(async {
        submit.click().await.unwrap();
    })
    .await;
    assert_eq!(page.status().await, 200);
    assert!(page.text("body").await.contains("la facture est émise"));
    no_problems(&page, "completion").await;
    // The invoice is issued with what was typed, and its public view opens from the link.
    let inv = app
        .ok(
            &s.access,
            "query($id: ID!) { invoice(id: $id) { number buyerName buyerCity buyerEmail viewUrl certification { status } } }",
            json!({ "id": d["createInvoice"]["id"] }),
        )
        .await;
    assert_eq!(inv["invoice"]["buyerName"], "Jean Dupont SARL");
    assert_eq!(inv["invoice"]["buyerCity"], "Lyon");
    assert_eq!(inv["invoice"]["buyerEmail"], "jean@x.fr");
    assert_eq!(inv["invoice"]["certification"]["status"], "SEALED");
    let number = inv["invoice"]["number"].as_str().unwrap().to_owned();
    let link = page.element("a[href^='/view/']").await;
    page.navigating(async {
        link.click().await.unwrap();
    })
    .await;
    assert_eq!(page.text("h1").await, number);
    assert!(page.text("body").await.contains("Total TTC"));
    no_problems(&page, "public view").await;
    browser.close().await;
});
