//! Document flows end to end, one file per flow: similar documents and conversions,
//! advances and finals, credit notes and cancellation, invoices to complete, department
//! numbering, catalogue additions, isolation and the seed's additional fields; on SQLite
//! and PostgreSQL. The helpers below are the flows' shared vocabulary.

use scelle_tests::*;
use serde_json::{Value, json};

const DOC: &str = "id number kind status priceNet priceTax priceGross paid amountToPay buyerName buyerStreet buyerEmail buyerTaxNo clientId issueDate paymentTo fromInvoiceId invoiceId correctionReason cancelReason completionUrl positions { kind name quantity tax totalPriceNet totalPriceGross productId correctionBefore { kind quantity totalPriceGross } correctionAfter { kind quantity totalPriceGross } } taxSummary { tax net taxAmount gross }";

async fn create_full(app: &TestApp, token: &str, input: Value, issue: bool) -> Value {
    app.create_invoice(token, DOC, input, issue).await
}

async fn create(app: &TestApp, token: &str, input: Value, issue: bool) -> Value {
    app.new_invoice(token, DOC, input, issue).await
}

fn rule(r: &Value) -> String {
    r["errors"][0]["extensions"]["fields"][0]["message"].as_str().unwrap_or("").to_owned()
}

async fn count_docs(app: &TestApp, token: &str) -> i64 {
    app.ok(token, "{ invoices(filter: { period: ALL }) { totalCount } }", json!({})).await["invoices"]["totalCount"]
        .as_i64()
        .unwrap()
}

async fn get(app: &TestApp, token: &str, id: &Value) -> Value {
    app.ok(token, &format!("query($id: ID!) {{ invoice(id: $id) {{ {DOC} }} }}"), json!({ "id": id })).await["invoice"]
        .clone()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris).date_naive()
}

async fn products(app: &TestApp, token: &str) -> Value {
    app.ok(token, "{ products { totalCount items { id name priceNet tax } } }", json!({})).await["products"].clone()
}

async fn list(app: &TestApp, token: &str, filter: Value, order: &str) -> Vec<String> {
    let q = format!("query($f: InvoiceFilter) {{ invoices(filter: $f, order: {order}) {{ items {{ id }} }} }}");
    app.ok(token, &q, json!({ "f": filter })).await["invoices"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn try_create_bare(app: &TestApp, token: &str, input: Value) -> Value {
    app.gql_full(
        Some(token),
        None,
        "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id } }",
        json!({ "i": input }),
    )
    .await
}

async fn cancel(app: &TestApp, token: &str, id: &Value) -> Value {
    app.gql_full(
        Some(token),
        None,
        "mutation($id: ID!) { cancelInvoice(id: $id) { invoice { status } creditNote { priceGross } } }",
        json!({ "id": id }),
    )
    .await
}

const COMPLETE: &str = "mutation($t: String!, $i: CompletionInput!) { completeInvoice(token: $t, input: $i) { number buyerName buyerEmail buyerStreet buyerPhone buyerTaxNo issueDate } }";

async fn completion_token(app: &TestApp, token: &str, input: Value) -> String {
    let r = app
        .ok(token, "mutation($i: InvoiceInput!) { createInvoice(input: $i) { completionUrl } }", json!({ "i": input }))
        .await;
    r["createInvoice"]["completionUrl"].as_str().unwrap().trim_start_matches("/complete/").to_owned()
}

fn line() -> Value {
    json!([{ "name": "A", "tax": "20", "priceNet": "10" }])
}

mod advances;
mod catalogue;
mod completion;
mod copies;
mod credit_notes;
mod fields;
mod isolation;
mod numbering;
