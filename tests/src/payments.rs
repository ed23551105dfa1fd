//! Typed helpers for payments: the verbs tests use on the test app (`pay`,
//! `create_payment`).

use crate::TestApp;
use serde_json::{Value, json};

impl TestApp {
    /// `createPayment(input)` selecting `selection`; the test fails on any error.
    pub async fn create_payment(&self, token: &str, selection: &str, input: Value) -> Value {
        let query = format!("mutation($i: PaymentInput!) {{ createPayment(input: $i) {{ {selection} }} }}");
        self.ok(token, &query, json!({ "i": input })).await["createPayment"].clone()
    }

    /// Pays `price` on one document; the payment's id.
    pub async fn pay(&self, token: &str, document: &str, price: &str) -> String {
        self.create_payment(token, "id", json!({ "price": price, "invoiceId": document })).await["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    }
}
