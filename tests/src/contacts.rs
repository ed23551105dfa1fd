//! Typed helpers for clients and products: the verbs tests use on the test app
//! (`create_client`, `client_id`, `create_product`, `product_id`).

use crate::TestApp;
use serde_json::{Value, json};

impl TestApp {
    /// `createClient(input)` selecting `selection`; the test fails on any error.
    pub async fn create_client(&self, token: &str, selection: &str, input: Value) -> Value {
        let query = format!("mutation($i: ClientInput!) {{ createClient(input: $i) {{ {selection} }} }}");
        self.ok(token, &query, json!({ "i": input })).await["createClient"].clone()
    }

    /// The id of a new client.
    pub async fn client_id(&self, token: &str, input: Value) -> String {
        self.create_client(token, "id", input).await["id"].as_str().expect("an id").to_owned()
    }

    /// `createProduct(input)` selecting `selection`; the test fails on any error.
    pub async fn create_product(&self, token: &str, selection: &str, input: Value) -> Value {
        let query = format!("mutation($i: ProductInput!) {{ createProduct(input: $i) {{ {selection} }} }}");
        self.ok(token, &query, json!({ "i": input })).await["createProduct"].clone()
    }

    /// The id of a new product.
    pub async fn product_id(&self, token: &str, input: Value) -> String {
        self.create_product(token, "id", input).await["id"].as_str().expect("an id").to_owned()
    }
}
