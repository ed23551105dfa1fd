//! Properties: whatever random sequence of issuing, crediting and paying an account goes
//! through, every chain verifies, and every daily closure's totals equal the sum of the
//! documents it covers; and after any one tampering of the attack classes (done as a
//! database-only attacker would), verification reports something. On SQLite, and on
//! PostgreSQL when it is configured.

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

/// Runs a history in a new account; returns the account's session and its invoices (id, rate).
async fn history(app: &TestApp, ops: Vec<Op>) -> (Session, Vec<(String, &'static str)>) {
    let n = CASE.fetch_add(1, Ordering::SeqCst);
    let s = app.sign_up(&format!("prop-{n}@example.fr"), &format!("Prop{n}")).await;
    let mut invoices: Vec<(String, &str)> = Vec::new();
    for op in ops {
        match op {
            Op::Issue { net_cents, rate } => {
                let input = Invoice::to("Client").line("Article", RATES[rate], &money(net_cents));
                invoices.push((app.issue_id(&s.access, input).await, RATES[rate]));
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
                app.pay(&s.access, id, &money(cents)).await;
            }
            _ => {}
        }
    }
    (s, invoices)
}

async fn run_case(app: &TestApp, ops: Vec<Op>) {
    let (s, _) = history(app, ops).await;
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

/// One tampering, as a database-only attacker does it (triggers lifted).
#[derive(Clone, Debug)]
enum Tamper {
    /// A sealed document's total changed.
    Amount { of: usize },
    /// A sealed document's buyer address changed.
    Address { of: usize },
    /// An entry of a chain deleted (`at` modulo its length).
    DeleteEntry { chain: usize, at: usize },
    /// Two neighbouring entries swapped.
    Swap { chain: usize, at: usize },
    /// A stored canonical form edited.
    EditRecord { chain: usize, at: usize },
    /// A chain's head deleted.
    DeleteHead { chain: usize },
    /// The newest entry deleted and the head set back one step by hand.
    Rewind { chain: usize },
    /// The documents chain rewritten from its first entry with the published algorithm,
    /// the head signed with the attacker's own key.
    Rewrite,
    /// The numbering counters moved back.
    CounterBack,
    /// A paid payment's amount changed.
    Payment,
    /// A journal row deleted.
    DeleteEvent { at: usize },
}

fn tampering() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (0usize..8).prop_map(|of| Tamper::Amount { of }),
        (0usize..8).prop_map(|of| Tamper::Address { of }),
        (0usize..4, 0usize..16).prop_map(|(chain, at)| Tamper::DeleteEntry { chain, at }),
        (0usize..4, 0usize..16).prop_map(|(chain, at)| Tamper::Swap { chain, at }),
        (0usize..4, 0usize..16).prop_map(|(chain, at)| Tamper::EditRecord { chain, at }),
        (0usize..4).prop_map(|chain| Tamper::DeleteHead { chain }),
        (0usize..4).prop_map(|chain| Tamper::Rewind { chain }),
        Just(Tamper::Rewrite),
        Just(Tamper::CounterBack),
        Just(Tamper::Payment),
        (0usize..16).prop_map(|at| Tamper::DeleteEvent { at }),
    ]
}

/// The chain at `i`, among those that have at least two entries (every account's events
/// chain does; documents and payments here always have one or more).
async fn chain_with_entries(
    app: &TestApp,
    s: &Session,
    i: usize,
    at_least: usize,
) -> Option<(Chain, Vec<entity::tables::ledger_entry::Model>)> {
    let mut candidates = Vec::new();
    for c in Chain::ALL {
        let e = app.entries(&s.account_id, c).await;
        if e.len() >= at_least {
            candidates.push((c, e));
        }
    }
    if candidates.is_empty() { None } else { Some(candidates.swap_remove(i % candidates.len())) }
}

async fn apply(app: &TestApp, s: &Session, invoices: &[(String, &str)], t: &Tamper) {
    let acc = app.id_sql(&s.account_id);
    let doc_id = |of: usize| app.id_sql(&invoices[of % invoices.len()].0);
    match t {
        Tamper::Amount { of } => {
            app.tamper(&format!("UPDATE documents SET price_gross = '999999.99' WHERE id = {}", doc_id(*of))).await
        }
        Tamper::Address { of } => {
            app.tamper(&format!("UPDATE documents SET buyer_street = 'ailleurs' WHERE id = {}", doc_id(*of))).await
        }
        Tamper::DeleteEntry { chain, at } => {
            let (c, e) = chain_with_entries(app, s, *chain, 1).await.expect("entries");
            let seq = e[at % e.len()].sequence;
            app.tamper(&format!(
                "DELETE FROM ledger_entries WHERE account_id = {acc} AND chain = '{}' AND sequence = {seq}",
                c.as_str()
            ))
            .await;
        }
        Tamper::Swap { chain, at } => {
            let (c, e) = chain_with_entries(app, s, *chain, 2).await.expect("entries");
            let a = e[at % (e.len() - 1)].sequence;
            let w = format!("account_id = {acc} AND chain = '{}'", c.as_str());
            for (x, y) in [(a, -1), (a + 1, a), (-1, a + 1)] {
                app.tamper(&format!("UPDATE ledger_entries SET sequence = {y} WHERE {w} AND sequence = {x}")).await;
            }
        }
        Tamper::EditRecord { chain, at } => {
            let (c, e) = chain_with_entries(app, s, *chain, 1).await.expect("entries");
            let seq = e[at % e.len()].sequence;
            app.tamper(&format!("UPDATE ledger_entries SET canonical = canonical || 'x' WHERE account_id = {acc} AND chain = '{}' AND sequence = {seq}", c.as_str())).await;
        }
        Tamper::DeleteHead { chain } => {
            let c = Chain::ALL[chain % 4];
            app.tamper(&format!("DELETE FROM ledger_heads WHERE account_id = {acc} AND chain = '{}'", c.as_str()))
                .await;
        }
        Tamper::Rewind { chain } => {
            let (c, e) = chain_with_entries(app, s, *chain, 1).await.expect("entries");
            let last = e.last().unwrap();
            let previous = last.previous_hash.clone();
            app.delete_entries_from(&s.account_id, c, last.sequence).await;
            app.tamper(&format!(
                "UPDATE ledger_heads SET last_sequence = {}, last_hash = '{previous}' WHERE account_id = {acc} AND chain = '{}'",
                last.sequence - 1,
                c.as_str()
            ))
            .await;
        }
        Tamper::Rewrite => {
            let first = app.entries(&s.account_id, Chain::Documents).await.remove(0);
            let forged = first.canonical.replace("\nbuyer_name=Client\n", "\nbuyer_name=Quelqu'un d'autre\n");
            let own = entity::ledger::keys::KeyRing::generate();
            app.rewrite_chain(
                &s.account_id,
                Chain::Documents,
                std::collections::BTreeMap::from([(1, forged)]),
                scelle_tests::attacker::Resign::With(&own),
            )
            .await;
        }
        Tamper::CounterBack => {
            app.tamper(&format!("UPDATE number_series SET last_number = last_number - 1 WHERE account_id = {acc}"))
                .await
        }
        Tamper::Payment => {
            app.tamper(&format!("UPDATE payments SET price = '999999.99' WHERE account_id = {acc}")).await
        }
        Tamper::DeleteEvent { at } => {
            let e = app.entries(&s.account_id, Chain::Events).await;
            let seq = e[at % e.len()].sequence;
            app.tamper(&format!("DELETE FROM journal_events WHERE account_id = {acc} AND sequence = {seq}")).await;
        }
    }
}

async fn run_tamper_case(app: &TestApp, mut ops: Vec<Op>, t: Tamper) {
    // At least one invoice, and one payment of it.
    ops.insert(0, Op::Pay { of: 0, cents: 100 });
    ops.insert(0, Op::Issue { net_cents: 1000, rate: 3 });
    let (s, invoices) = history(app, ops).await;
    for chain in Chain::ALL {
        assert!(app.verify_chain(&s.account_id, chain).await.ok(), "intact before: {chain:?}");
    }
    apply(app, &s, &invoices, &t).await;
    let mut found = Vec::new();
    for chain in Chain::ALL {
        found.extend(app.verify_chain(&s.account_id, chain).await.findings);
    }
    assert!(!found.is_empty(), "{t:?} went unnoticed");
}

fn tamper_property(backend: Backend, cases: u32) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let no_schedule = |c: &mut scelle_api::config::Config| c.closures_cron = "0 0 0 1 1 * 2099".into();
    let Some(app) = rt.block_on(TestApp::spawn(backend, no_schedule)) else { return };
    let mut runner = TestRunner::new(RunnerConfig { cases, failure_persistence: None, ..RunnerConfig::default() });
    runner
        .run(&(ops(), tampering()), |(ops, t)| {
            rt.block_on(run_tamper_case(&app, ops, t));
            Ok(())
        })
        .unwrap();
}

#[test]
fn any_one_tampering_after_a_random_history_is_reported_sqlite() {
    tamper_property(Backend::Sqlite, 24);
}

#[test]
fn any_one_tampering_after_a_random_history_is_reported_postgres() {
    tamper_property(Backend::Postgres, 16);
}
