//! Property: whatever random sequence of issuing, crediting and paying an account goes
//! through, every chain verifies, and every daily closure's totals equal the sum of the
//! documents it covers. On SQLite, and on PostgreSQL when it is configured.

use entity::ledger::store::Chain;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestRunner};
use rust_decimal::Decimal;
use scelle_tests::*;
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};

const RATES: [&str; 4] = ["0", "5.5", "10", "20"];

#[derive(Clone, Debug)]
enum Op {
    Issue {
        net_cents: u32,
        rate: usize,
    },
    /// A credit note on the `of`-th invoice (modulo the count), of `cents` net.
    Credit {
        of: usize,
        cents: u32,
    },
    /// A payment of `cents` on the `of`-th invoice.
    Pay {
        of: usize,
        cents: u32,
    },
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => (1u32..200_000, 0usize..4).prop_map(|(net_cents, rate)| Op::Issue { net_cents, rate }),
            1 => (0usize..8, 1u32..20_000).prop_map(|(of, cents)| Op::Credit { of, cents }),
            1 => (0usize..8, 1u32..100_000).prop_map(|(of, cents)| Op::Pay { of, cents }),
        ],
        1..10,
    )
}

fn money(cents: u32) -> String {
    Decimal::new(cents as i64, 2).to_string()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap_or_else(|| panic!("not a decimal: {v}")).parse().unwrap()
}

static CASE: AtomicUsize = AtomicUsize::new(0);

async fn run_case(app: &TestApp, ops: Vec<Op>) {
    let n = CASE.fetch_add(1, Ordering::SeqCst);
    let s = app.sign_up(&format!("prop-{n}@example.fr"), &format!("Prop{n}")).await;
    let mut invoices: Vec<(String, &str)> = Vec::new();
    for op in ops {
        match op {
            Op::Issue { net_cents, rate } => {
                let input = json!({ "buyerName": "Client", "positions": [{ "name": "Article", "tax": RATES[rate], "priceNet": money(net_cents) }] });
                let r = app.create_invoice(&s.access, "id", input, true).await;
                invoices.push((r["data"]["createInvoice"]["id"].as_str().expect("issued").to_owned(), RATES[rate]));
            }
            Op::Credit { of, cents } if !invoices.is_empty() => {
                let (id, rate) = &invoices[of % invoices.len()];
                let input = json!({ "kind": "CORRECTION", "invoiceId": id, "positions": [{ "name": "Article", "tax": rate, "kind": "CORRECTION", "quantity": "-1", "totalPriceNet": format!("-{}", money(cents)) }] });
                // Crediting more than is left is refused (and writes nothing): both are fine here.
                let r = app.create_invoice(&s.access, "id", input, true).await;
                assert!(r.get("errors").is_none() || code(&r["errors"][0]) == "VALIDATION_FAILED", "{r}");
            }
            Op::Pay { of, cents } if !invoices.is_empty() => {
                let id = &invoices[of % invoices.len()].0;
                let q = "mutation($i: PaymentInput!) { createPayment(input: $i) { id } }";
                app.ok(&s.access, q, json!({ "i": { "price": money(cents), "invoiceId": id } })).await;
            }
            _ => {}
        }
    }
    let account = entity::AccountId(uuid::Uuid::parse_str(&s.account_id).unwrap());
    entity::closures::close_account(&app.db, account, chrono::Utc::now() + chrono::Duration::days(2)).await.unwrap();

    for chain in [Chain::Documents, Chain::Payments, Chain::Closures, Chain::Events] {
        let v = app.verify_chain(&s.account_id, chain).await;
        assert!(v.ok(), "{chain:?}: {v:?}");
    }
    let docs = app
        .ok(&s.access, "{ invoices(perPage: 100) { items { kind priceNet priceTax priceGross } } }", json!({}))
        .await;
    let items = docs["invoices"]["items"].as_array().unwrap().clone();
    let sum = |field: &str| items.iter().map(|d| dec(&d[field])).sum::<Decimal>();
    let closures = app
        .ok(&s.access, "{ closures(frequency: DAILY, perPage: 100) { items { documentCount total { net tax gross } perpetualTotal } } }", json!({}))
        .await;
    let days = closures["closures"]["items"].as_array().unwrap().clone();
    if items.is_empty() {
        // Nothing was ever sealed (no invoice issued): nothing to close.
        assert!(days.is_empty(), "{closures}");
        return;
    }
    let count: i64 = days.iter().map(|c| c["documentCount"].as_i64().unwrap()).sum();
    assert_eq!(count as usize, items.len(), "every sealed document in one closure: {closures}");
    for (field, key) in [("priceNet", "net"), ("priceTax", "tax"), ("priceGross", "gross")] {
        let closed: Decimal = days.iter().map(|c| dec(&c["total"][key])).sum();
        assert_eq!(closed, sum(field), "{key}: {closures} vs {docs}");
    }
    assert_eq!(dec(&days[0]["perpetualTotal"]), sum("priceGross"), "newest first: {closures}");
}

fn property(backend: Backend, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let no_schedule = |c: &mut scelle_api::config::Config| c.closures_cron = "0 0 0 1 1 * 2099".into();
    let Some(app) = rt.block_on(TestApp::spawn(backend, no_schedule)) else { return };
    let mut runner = TestRunner::new(RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() });
    runner
        .run(&ops(), |ops| {
            rt.block_on(run_case(&app, ops));
            Ok(())
        })
        .unwrap();
}

#[test]
fn random_histories_keep_chains_valid_and_closures_exact_sqlite() {
    property(Backend::Sqlite, 6);
}

#[test]
fn random_histories_keep_chains_valid_and_closures_exact_postgres() {
    property(Backend::Postgres, 4);
}
