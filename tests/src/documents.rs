//! Typed helpers for documents: an invoice input built in Rust (`Invoice::to("Acme")
//! .line("Pose", "20", "100")`) and the verbs tests use on the test app (`create_invoice`,
//! `issue`, `invoice`), so that a test reads as what it does rather than as GraphQL.

use crate::TestApp;
use serde_json::{Value, json};

/// An `InvoiceInput`, built field by field; `with` adds any other field of the seed.
#[derive(Clone, Debug)]
pub struct Invoice(Value);

impl Invoice {
    /// An invoice to a buyer known by name only, without lines yet.
    pub fn to(buyer: &str) -> Self {
        Invoice(json!({ "buyerName": buyer, "positions": [] }))
    }

    /// A line of one unit at `price_net` excluding tax, at `tax` (a rate such as `"20"`,
    /// or a keyword such as `"disabled"`).
    pub fn line(self, name: &str, tax: &str, price_net: &str) -> Self {
        self.position(json!({ "name": name, "tax": tax, "priceNet": price_net }))
    }

    /// Any position, as the API takes it.
    pub fn position(mut self, position: Value) -> Self {
        self.0["positions"].as_array_mut().expect("positions").push(position);
        self
    }

    /// The document's kind (`"VAT"`, `"CORRECTION"`, `"PROFORMA"`…).
    pub fn kind(self, kind: &str) -> Self {
        self.with(json!({ "kind": kind }))
    }

    /// Other fields of the input, merged over those already set.
    pub fn with(mut self, fields: Value) -> Self {
        let map = self.0.as_object_mut().expect("an input object");
        map.extend(fields.as_object().expect("fields as an object").clone());
        self
    }
}

impl From<Invoice> for Value {
    fn from(i: Invoice) -> Value {
        i.0
    }
}

impl TestApp {
    /// `createInvoice(input, issue)` selecting `selection`: the whole answer, errors included.
    pub async fn create_invoice(&self, token: &str, selection: &str, input: impl Into<Value>, issue: bool) -> Value {
        let query = format!(
            "mutation($i: InvoiceInput!, $x: Boolean) {{ createInvoice(input: $i, issue: $x) {{ {selection} }} }}"
        );
        self.gql_full(Some(token), None, &query, json!({ "i": input.into(), "x": issue })).await
    }

    /// A document created (a draft, or issued when `issue`), selecting `selection`; the
    /// test fails on any error.
    pub async fn new_invoice(&self, token: &str, selection: &str, input: impl Into<Value>, issue: bool) -> Value {
        let r = self.create_invoice(token, selection, input, issue).await;
        assert!(r.get("errors").is_none(), "createInvoice failed: {r}");
        r["data"]["createInvoice"].clone()
    }

    /// A document issued on creation, selecting `selection`; the test fails on any error.
    pub async fn issue(&self, token: &str, selection: &str, input: impl Into<Value>) -> Value {
        self.new_invoice(token, selection, input, true).await
    }

    /// The id of a document issued on creation.
    pub async fn issue_id(&self, token: &str, input: impl Into<Value>) -> String {
        self.issue(token, "id", input).await["id"].as_str().expect("an id").to_owned()
    }

    /// `invoice(id)` selecting `selection`; the test fails on any error.
    pub async fn invoice(&self, token: &str, id: &str, selection: &str) -> Value {
        let query = format!("query($id: ID!) {{ invoice(id: $id) {{ {selection} }} }}");
        self.ok(token, &query, json!({ "id": id })).await["invoice"].clone()
    }
}
