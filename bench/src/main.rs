//! Bounded load on the real server over loopback (see bench/README.md).
//!
//! Every scenario sends a fixed number of requests with a fixed concurrency and stops by
//! itself; it reports throughput and latency percentiles. Nothing leaves 127.0.0.1.

use futures_util::StreamExt;
use scelle_tests::{Backend, PASSWORD, TestApp};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

// The allocator of the `scelle` binary (api/src/main.rs), so that memory is measured as served.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

struct Report {
    name: &'static str,
    requests: usize,
    concurrency: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Report {
    fn print(&mut self) {
        self.latencies.sort();
        let pct = |p: f64| {
            let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
            self.latencies[i].as_secs_f64() * 1000.0
        };
        println!(
            "{:<34} {:>6} req  c={:<3} {:>8.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms",
            self.name,
            self.requests,
            self.concurrency,
            self.requests as f64 / self.elapsed.as_secs_f64(),
            pct(0.50),
            pct(0.99)
        );
    }
}

/// Sends `requests` GraphQL requests, `concurrency` at a time; every answer must be error-free.
async fn run(
    app: &TestApp,
    name: &'static str,
    requests: usize,
    concurrency: usize,
    token: Option<String>,
    body: impl Fn(usize) -> Value,
) -> Report {
    let url = app.url("/graphql");
    let started = Instant::now();
    let latencies: Vec<Duration> = futures_util::stream::iter(0..requests)
        .map(|i| {
            let (client, url, token, payload) = (app.http.clone(), url.clone(), token.clone(), body(i));
            async move {
                let t = Instant::now();
                let mut req = client.post(url).json(&payload);
                if let Some(tok) = token {
                    req = req.bearer_auth(tok);
                }
                let r: Value = req.send().await.expect("send").json().await.expect("json");
                assert!(r.get("errors").is_none(), "{name}: {r}");
                t.elapsed()
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    Report { name, requests, concurrency, elapsed: started.elapsed(), latencies }
}

/// The process's resident memory (server and client together), from /proc; 0 elsewhere.
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Memory under the heaviest reads one account can send: a 5 000-line invoice read whole,
/// 16 at a time, and requests selecting it under 30 aliases (refused by the field budget).
/// Prints resident memory before, at its peak during, and 3 s and 30 s after (jemalloc gives
/// freed pages back over about ten seconds).
async fn memory(app: &TestApp, token: &str, round: usize) {
    let positions: Vec<Value> = (0..5000)
        .map(|i| json!({ "name": format!("Article {i}"), "tax": "20", "priceNet": "12.34", "quantity": "2" }))
        .collect();
    let id = app
        .ok(
            token,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id } }",
            json!({ "i": { "buyerName": "Grand client", "positions": positions } }),
        )
        .await["createInvoice"]["id"]
        .clone();
    let one = "document: invoice(id: $id) { number priceGross positions { name quantity priceNet priceGross tax } }";
    let whole = format!("query($id: ID!) {{ {one} }}");
    let aliased = format!(
        "query($id: ID!) {{ {} }}",
        (0..30).map(|a| one.replace("document:", &format!("a{a}:"))).collect::<String>()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_mib();
    let peak = std::sync::Arc::new(std::sync::Mutex::new(before));
    let sampler = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                let now = rss_mib();
                {
                    let mut p = peak.lock().unwrap();
                    *p = p.max(now);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let mut read = run(
        app,
        "invoice of 5 000 lines, read whole",
        200,
        16,
        Some(token.to_owned()),
        |_| json!({ "query": whole, "variables": { "id": id } }),
    )
    .await;
    // The aliased reads are refused: time them by hand, counting refusals.
    let started = Instant::now();
    let refused: usize = futures_util::stream::iter(0..100)
        .map(|_| {
            let (client, url) = (app.http.clone(), app.url("/graphql"));
            let payload = json!({ "query": aliased, "variables": { "id": id } });
            async move {
                let r: Value =
                    client.post(url).bearer_auth(token).json(&payload).send().await.unwrap().json().await.unwrap();
                usize::from(r["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED")
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .sum();
    let aliased_took = started.elapsed();
    let during = *peak.lock().unwrap();
    sampler.abort();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = rss_mib();
    tokio::time::sleep(Duration::from_secs(27)).await;
    let later = rss_mib();
    read.print();
    println!(
        "30 aliases of it                      100 req  c=16 {:>8.0} req/s   {refused} refused by the field budget",
        100.0 / aliased_took.as_secs_f64()
    );
    println!(
        "resident memory, round {round}            before {before:.0} MiB   peak {during:.0} MiB   after 3 s {after:.0}, 30 s {later:.0} MiB"
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let backend = match std::env::var("SCELLE_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let Some(app) = TestApp::spawn(backend, |c| {
        c.log = "error".into();
        // The load comes from one address and one account: measure the server, not its limits.
        c.rate_limit_per_ip = 0;
        c.rate_limit_per_account = 0;
    })
    .await
    else {
        anyhow::bail!("PostgreSQL run needs SCELLE_TEST_POSTGRES_URL");
    };
    println!(
        "backend: {backend:?}, server and client on the same machine ({} cores)",
        std::thread::available_parallelism()?
    );
    let s = app.sign_up("bench@example.fr", "Bench").await;
    let api_token =
        app.ok(&s.access, "mutation { createApiToken(name: \"bench\") { token } }", json!({})).await["createApiToken"]
            ["token"]
            .as_str()
            .unwrap()
            .to_owned();

    let create = "mutation($i: DepartmentInput!) { createDepartment(input: $i) { id } }";
    let invoice = "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id number priceGross } }";
    let copy = "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id number } }";
    let estimate = app
        .ok(
            &s.access,
            "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }",
            json!({ "i": { "kind": "ESTIMATE", "buyerName": "Client estimate", "positions": [
                { "name": "Travaux", "tax": "20", "priceNet": "1000" }, { "name": "Fournitures", "tax": "10", "priceNet": "250" } ] } }),
        )
        .await["createInvoice"]["id"]
        .clone();
    let mut reports = vec![
        run(&app, "createDepartment (write, JWT)", 1000, 8, Some(s.access.clone()), |i| {
            json!({ "query": create, "variables": { "i": { "name": format!("Department {i}"), "city": "Paris", "taxNo": "FR40123456824" } } })
        })
        .await,
        run(&app, "me (JWT)", 4000, 16, Some(s.access.clone()), |_| {
            json!({ "query": "{ me { id email } }" })
        })
        .await,
        run(&app, "me (API token)", 4000, 16, Some(api_token.clone()), |_| json!({ "query": "{ me { id email } }" }))
            .await,
        run(&app, "departments(perPage: 25), 1001 rows", 2000, 16, Some(s.access.clone()), |_| {
            json!({ "query": "{ departments(perPage: 25, order: NAME) { totalCount items { id name city taxNo main } } }" })
        })
        .await,
        run(&app, "createInvoice(issue), 3 lines", 1000, 8, Some(s.access.clone()), |i| {
            json!({ "query": invoice, "variables": { "i": {
                "buyerName": format!("Client {}", i % 50), "buyerTaxNo": format!("FR{:011}", i % 50),
                "positions": [
                    { "name": format!("Service {}", i % 20), "tax": "20", "priceNet": "120.50", "quantity": "3" },
                    { "name": "Livraison", "tax": "5.5", "priceGross": "9.99" },
                    { "name": "Remise", "kind": "TEXT_SEPARATOR" } ] } } })
        })
        .await,
        run(&app, "copyFrom estimate → issued invoice", 500, 8, Some(s.access.clone()), |_| {
            json!({ "query": copy, "variables": { "i": { "copyFrom": estimate, "kind": "VAT" } } })
        })
        .await,
        run(&app, "login (argon2id verify)", 40, 2, None, |_| {
            json!({ "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }", "variables": { "i": { "email": "bench@example.fr", "password": PASSWORD } } })
        })
        .await,
    ];
    for r in &mut reports {
        r.print();
    }
    // Twice: the second round shows whether memory settles or grows.
    for round in 1..=2 {
        memory(&app, &s.access, round).await;
    }
    Ok(())
}
