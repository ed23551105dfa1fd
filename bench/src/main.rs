//! The bench harness (see bench/README.md): the release `scelle` binary under a bounded
//! load over loopback, every figure printed with its baseline measured in the same run,
//! and the run saved as JSON and Markdown under `bench/results/`.

mod baseline;
mod load;
mod results;
mod scale;
mod server;

use load::{Client, Figure, measure};
use serde_json::{Value, json};
use server::{Server, Store};
use std::time::{Duration, Instant};

const PASSWORD: &str = "correct horse battery";
const ISSUE: &str = "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id number priceGross certification { status } } }";

/// How many requests each scenario sends: the full run, or a smoke run of a few seconds
/// (`--smoke`, in CI) that only proves the harness still works.
struct Sizes {
    smoke: bool,
}

impl Sizes {
    fn n(&self, full: usize) -> usize {
        if self.smoke { (full / 50).max(4) } else { full }
    }

    /// The account's sizes for the scale scenarios: 10 000 documents, then `--scale N`
    /// (200 000 unless told; a smoke run: a few hundred).
    fn scale(&self) -> anyhow::Result<(usize, usize)> {
        let args: Vec<String> = std::env::args().collect();
        let large = match args.iter().position(|a| a == "--scale") {
            Some(i) => args
                .get(i + 1)
                .and_then(|n| n.replace('_', "").parse().ok())
                .ok_or_else(|| anyhow::anyhow!("--scale takes a number of documents"))?,
            None => 200_000,
        };
        Ok(if self.smoke { (400, 600) } else { (10_000, large.max(10_000)) })
    }
}

const LIST: &str = "query($page: Int, $after: ID, $filter: InvoiceFilter) { invoices(perPage: 50, page: $page, after: $after, filter: $filter) { \
    totalCount items { id number buyerName priceGross positions { name quantity priceNet tax } } } }";

/// The listings of 50 invoices with their lines and the count of all: the first page
/// (also without the count), a deep page (nine tenths of the way), one buyer's first page.
async fn listings(
    client: &Client,
    token: &str,
    sizes: &Sizes,
    documents: usize,
    at: &str,
) -> anyhow::Result<Vec<Figure>> {
    let buyer = client
        .ok(Some(token), &json!({ "query": "{ clients(perPage: 1) { items { id } } }" }))
        .await?["clients"]["items"][0]["id"]
        .clone();
    let deep = (documents / 50 * 9 / 10).max(2);
    // The same deep page by keyset: after the last document of the page before it.
    let before = client
        .ok(
            Some(token),
            &json!({ "query": "query($p: Int) { invoices(perPage: 50, page: $p) { items { id } } }",
                                   "variables": { "p": deep - 1 } }),
        )
        .await?;
    let after = before["invoices"]["items"][49]["id"].clone();
    anyhow::ensure!(after.is_string(), "page {} has no 50th document", deep - 1);
    let mut figures = Vec::new();
    let uncounted = LIST.replace("totalCount ", "");
    for (what, variables) in [
        ("first page", json!({})),
        ("first page without totalCount", json!({})),
        ("page {deep}", json!({ "page": deep })),
        ("page {deep} by cursor (after), without totalCount", json!({ "after": after })),
        ("one buyer's first page", json!({ "filter": { "clientId": buyer } })),
    ] {
        let name = format!("invoices(perPage: 50) + lines, {}, at {at}", what.replace("{deep}", &deep.to_string()));
        let query = if what.contains("without") { uncounted.as_str() } else { LIST };
        figures.push(
            repeat(client, Some(token), &name, sizes.n(200), 4, json!({ "query": query, "variables": variables }))
                .await?,
        );
    }
    Ok(figures)
}

/// What the issue asks of a large account: listing at 10 000 and at `large` documents,
/// issuing into the large account, verifying it, closing its month against one aggregate.
/// The server is stopped while the generator fills the account.
async fn at_scale(
    bin: &std::path::Path,
    store: &Store,
    account: &str,
    api_token: &str,
    sizes: &Sizes,
    run: &mut results::Run,
    empty_issue: &Figure,
) -> anyhow::Result<Vec<Figure>> {
    let (small, large) = sizes.scale()?;
    let account_id: uuid::Uuid = account.parse()?;
    let mut figures = Vec::new();
    let generator = scale::Generator::open(&store.database_url(), &store.data_dir, account_id).await?;
    figures.extend(generator.fill_to(small).await?);
    let server = Server::start(bin, store).await?;
    let client = Client::new(&server.base);
    let at_small = listings(&client, api_token, sizes, small, &format!("{small} documents")).await?;
    server.stop()?;
    figures.extend(generator.fill_to(large).await?);
    let server = Server::start(bin, store).await?;
    let client = Client::new(&server.base);
    let at_large = listings(&client, api_token, sizes, large, &format!("{large} documents")).await?;
    for (s, l) in at_small.iter().zip(&at_large) {
        run.latency_ratio(&format!("p50 at {large} ÷ at {small}: {}", s.name), l, s);
    }
    let issued =
        issue(&client, api_token, &format!("createInvoice(issue) into {large} documents"), sizes.n(3000), 16).await?;
    run.ratio(&format!("issue+seal c=16 at {large} documents ÷ empty account"), &issued, empty_issue);
    server.stop()?;
    figures.extend(at_small);
    figures.extend(at_large);
    figures.push(issued);

    let started = Instant::now();
    let status =
        store.command(bin).args(["verify", "--account", account]).stdout(std::process::Stdio::null()).status()?;
    anyhow::ensure!(status.success(), "scelle verify found something at scale");
    let sealed = generator.sealed().await?;
    let verify =
        Figure::rate(&format!("scelle verify at {large} (sealed documents per second)"), sealed, started.elapsed());
    println!("{}", verify.line());

    generator.aggregate_month().await?; // warms the cache the closure reads too
    let closure = generator.close_month().await?;
    let aggregate = generator.aggregate_month().await?;
    run.ratio("monthly closure ÷ one SQL aggregate over the same rows", &closure, &aggregate);
    generator.close().await?;
    figures.extend([verify, closure, aggregate]);
    Ok(figures)
}

/// The body of the i-th 3-line invoice: buyer one of 50, product one of 20, a separator.
fn invoice(i: usize) -> Value {
    json!({ "query": ISSUE, "variables": { "i": {
        "buyerName": format!("Client {}", i % 50), "buyerTaxNo": format!("FR{:011}", i % 50),
        "positions": [
            { "name": format!("Service {}", i % 20), "tax": "20", "priceNet": "120.50", "quantity": "3" },
            { "name": "Livraison", "tax": "5.5", "priceGross": "9.99" },
            { "name": "Remise", "kind": "TEXT_SEPARATOR" } ] } } })
}

async fn issue(client: &Client, token: &str, name: &str, n: usize, c: usize) -> anyhow::Result<Figure> {
    measure(name, n, c, |i| {
        let (client, token) = (client.clone(), token.to_owned());
        async move {
            let r = client.ok(Some(&token), &invoice(i)).await?;
            anyhow::ensure!(r["createInvoice"]["certification"]["status"] == "SEALED", "not sealed: {r}");
            Ok(())
        }
    })
    .await
}

/// Sends the same request `n` times.
async fn repeat(
    client: &Client,
    token: Option<&str>,
    name: &str,
    n: usize,
    c: usize,
    body: Value,
) -> anyhow::Result<Figure> {
    measure(name, n, c, |_| {
        let (client, token, body) = (client.clone(), token.map(str::to_owned), body.clone());
        async move { client.ok(token.as_deref(), &body).await.map(drop) }
    })
    .await
}

/// The server's memory under the heaviest reads one account can send: a 5 000-line
/// invoice read whole, 16 at a time, then 30 aliases of it (refused by the field budget);
/// resident memory before, at its peak, and 3 s and 30 s after.
async fn memory(server: &Server, client: &Client, token: &str, round: usize) -> anyhow::Result<(Figure, String)> {
    let positions: Vec<Value> = (0..5000)
        .map(|i| json!({ "name": format!("Article {i}"), "tax": "20", "priceNet": "12.34", "quantity": "2" }))
        .collect();
    let created = client
        .ok(
            Some(token),
            &json!({ "query": "mutation($i: InvoiceInput!) { createInvoice(input: $i) { id } }",
                     "variables": { "i": { "buyerName": "Grand client", "positions": positions } } }),
        )
        .await?;
    let id = created["createInvoice"]["id"].clone();
    let one = "document: invoice(id: $id) { number priceGross positions { name quantity priceNet priceGross tax } }";
    let whole = json!({ "query": format!("query($id: ID!) {{ {one} }}"), "variables": { "id": id } });
    let aliased = format!(
        "query($id: ID!) {{ {} }}",
        (0..30).map(|a| one.replace("document:", &format!("a{a}:"))).collect::<String>()
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = server.rss_mib();
    let peak = std::sync::Arc::new(std::sync::Mutex::new(before));
    let pid_rss = {
        let peak = peak.clone();
        let path = format!("/proc/{}/status", server.pid());
        tokio::spawn(async move {
            loop {
                let now = server::rss_of(&path);
                {
                    let mut p = peak.lock().unwrap_or_else(|e| e.into_inner());
                    *p = p.max(now);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let read = repeat(client, Some(token), "invoice of 5 000 lines, read whole", 200, 16, whole).await?;
    let started = Instant::now();
    let mut refused = 0;
    let body = json!({ "query": aliased, "variables": { "id": id } });
    for chunk in 0..100 / 16 + 1 {
        let batch = (chunk * 16..((chunk + 1) * 16).min(100))
            .map(|_| client.http.post(&client.url).bearer_auth(token).json(&body).send());
        for r in futures_util::future::join_all(batch).await {
            let v: Value = r?.json().await?;
            refused += usize::from(v["errors"][0]["extensions"]["code"] == "VALIDATION_FAILED");
        }
    }
    let aliased_took = started.elapsed();
    let during = *peak.lock().unwrap_or_else(|e| e.into_inner());
    pid_rss.abort();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = server.rss_mib();
    tokio::time::sleep(Duration::from_secs(27)).await;
    let later = server.rss_mib();
    let line = format!(
        "round {round}: before {before:.0} MiB, peak {during:.0} MiB, 3 s after {after:.0} MiB, 30 s after {later:.0} MiB; \
         30 aliases: {refused} of 100 refused by the field budget ({:.0} req/s)",
        100.0 / aliased_took.as_secs_f64()
    );
    println!("server memory, {line}");
    Ok((read, line))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes = Sizes { smoke: std::env::args().any(|a| a == "--smoke") };
    let postgres = std::env::var("SCELLE_BENCH_BACKEND").as_deref() == Ok("postgres");
    let bin = server::binary()?;
    let data_dir = tempdir()?;
    let _pg;
    let store = if postgres {
        let admin = std::env::var("SCELLE_TEST_POSTGRES_URL")
            .map_err(|_| anyhow::anyhow!("a PostgreSQL run needs SCELLE_TEST_POSTGRES_URL"))?;
        let db = scelle_tests::PgDatabase::create(&admin).await;
        let url = db.url.clone();
        _pg = Some(db);
        Store { data_dir: data_dir.clone(), postgres_url: Some(url) }
    } else {
        _pg = None;
        Store { data_dir: data_dir.clone(), postgres_url: None }
    };
    let backend = if postgres { "postgres" } else { "sqlite" };
    let mut run = results::Run::new(backend, sizes.smoke);
    println!(
        "{} on {backend}, commit {}, {} cores, {} MiB{}",
        bin.display(),
        run.commit,
        run.machine.cores,
        run.machine.memory_mib,
        if sizes.smoke { " — smoke run" } else { "" }
    );

    let server = Server::start(&bin, &store).await?;
    let client = Client::new(&server.base);
    let signed_up = client
        .ok(
            None,
            &json!({ "query": "mutation($i: SignUpInput!) { signUp(input: $i) { accessToken account { id } } }",
                     "variables": { "i": { "email": "bench@example.fr", "password": PASSWORD, "accountName": "Bench" } } }),
        )
        .await?;
    let token = signed_up["signUp"]["accessToken"].as_str().unwrap_or_default().to_owned();
    let account = signed_up["signUp"]["account"]["id"].as_str().unwrap_or_default().to_owned();
    let api_token = client
        .ok(Some(&token), &json!({ "query": "mutation { createApiToken(name: \"bench\") { token } }" }))
        .await?["createApiToken"]["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let estimate = client
        .ok(Some(&token), &json!({ "query": "mutation($i: InvoiceInput!) { createInvoice(input: $i, issue: true) { id } }",
            "variables": { "i": { "kind": "ESTIMATE", "buyerName": "Client estimate", "positions": [
                { "name": "Travaux", "tax": "20", "priceNet": "1000" }, { "name": "Fournitures", "tax": "10", "priceNet": "250" } ] } } }))
        .await?["createInvoice"]["id"]
        .clone();

    println!("\n## The server ({})", server.base);
    // Warm-up (buyers and products created once), not reported.
    issue(&client, &token, "warm-up", 100, 8).await?;
    let mut issued = Vec::new();
    for (n, c) in [(sizes.n(1000), 1), (sizes.n(3000), 16), (sizes.n(3000), 64)] {
        issued.push(issue(&client, &token, "createInvoice(issue), 3 lines, sealed", n, c).await?);
    }
    let copy = json!({ "query": ISSUE.replace(" certification { status }", ""), "variables": { "i": { "copyFrom": estimate, "kind": "VAT" } } });
    let me = json!({ "query": "{ me { id email } }" });
    let departments = json!({ "query": "{ departments(perPage: 25, order: NAME) { totalCount items { id name city taxNo main } } }" });
    let login = json!({ "query": "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
                        "variables": { "i": { "email": "bench@example.fr", "password": PASSWORD } } });
    let mut others = vec![
        repeat(&client, Some(&token), "copyFrom estimate → issued invoice", sizes.n(500), 8, copy).await?,
        measure("createDepartment", sizes.n(1000), 8, |i| {
            let (client, token) = (client.clone(), token.clone());
            async move {
                let body = json!({ "query": "mutation($i: DepartmentInput!) { createDepartment(input: $i) { id } }",
                    "variables": { "i": { "name": format!("Department {i}"), "city": "Paris", "taxNo": "FR40123456824" } } });
                client.ok(Some(&token), &body).await.map(drop)
            }
        })
        .await?,
        repeat(&client, Some(&token), "me (JWT): session, membership, account", sizes.n(4000), 16, me.clone()).await?,
        repeat(&client, Some(&api_token), "me (API token)", sizes.n(4000), 16, me).await?,
        repeat(&client, Some(&token), "departments(perPage: 25) of many", sizes.n(2000), 16, departments).await?,
        repeat(&client, None, "login (argon2id verify)", sizes.n(40), 2, login).await?,
    ];
    if !sizes.smoke && !std::env::args().any(|a| a == "--no-memory") {
        // Twice: the second round shows whether memory settles or grows.
        for round in 1..=2 {
            let (read, line) = memory(&server, &client, &token, round).await?;
            others.push(read);
            run.memory.push(line);
        }
    }
    server.stop()?;

    println!("\n## Verification (`scelle verify --account`, the server stopped)");
    let started = Instant::now();
    let status =
        store.command(&bin).args(["verify", "--account", &account]).stdout(std::process::Stdio::null()).status()?;
    anyhow::ensure!(status.success(), "scelle verify found something");
    let took = started.elapsed();
    let db = entity::db::connect(&store.database_url()).await?;
    let sealed = {
        use entity::tables::ledger_entry::{Column, Entity};
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        Entity::find().filter(Column::Chain.eq("documents")).count(&db).await? as usize
    };
    db.close().await?;
    let verify = Figure::rate("scelle verify (sealed documents per second)", sealed, took);
    println!("{}", verify.line());

    println!("\n## Baselines (plain SQL through sqlx on the same database, SHA-256)");
    let base = baseline::Baseline::open(&store.database_url()).await?;
    // Reading first: the rows the server sealed, none of the baseline's own.
    let read = base.read_sealed().await?;
    let hash = base.hash(sizes.n(200_000));
    println!("{}", hash.line());

    // Before the plain-SQL issuing below, whose rows are not the server's.
    let scaled = if std::env::args().any(|a| a == "--no-scale") {
        Vec::new()
    } else {
        println!("\n## The account at scale (filled by the data generator, the server stopped meanwhile)");
        let scaled = at_scale(&bin, &store, &account, &api_token, &sizes, &mut run, &issued[1]).await?;
        let read = base.read_sealed().await?;
        let verified = &scaled[scaled.len() - 3];
        run.ratio("scelle verify at scale ÷ reading the same rows", verified, &read);
        scaled.into_iter().chain([read]).collect()
    };

    println!("\n## Plain SQL issuing (baseline)");
    let mut plain = Vec::new();
    for (n, c) in [(sizes.n(2000), 1), (sizes.n(4000), 16), (sizes.n(4000), 64)] {
        plain.push(base.issue("plain SQL: the rows of an issued, sealed invoice", n, c).await?);
    }

    println!("\n## Ratios");
    for (scelle, plain) in issued.iter().zip(&plain) {
        run.ratio(&format!("issue+seal c={} ÷ plain SQL c={}", scelle.concurrency, plain.concurrency), scelle, plain);
    }
    run.ratio("scelle verify ÷ reading the same rows", &verify, &read);
    run.ratio("issue+seal c=16 ÷ me (JWT), same server", &issued[1], &others[2]);
    let (c1, c64) = (&issued[0], &issued[2]);
    println!(
        "p99 ÷ p50 at c=16: {:.1}; c=64 ÷ c=1 throughput: {:.2}",
        issued[1].p99_ms / issued[1].p50_ms,
        c64.per_second / c1.per_second
    );

    run.figures.extend(issued);
    run.figures.extend(others);
    run.figures.push(verify);
    run.figures.extend(plain);
    run.figures.push(hash);
    run.figures.push(read);
    run.figures.extend(scaled);
    let saved = run.save()?;
    println!("\nsaved {}", saved.display());
    if std::env::args().any(|a| a == "--keep") {
        println!("kept the server's data in {}", data_dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&data_dir);
    }
    Ok(())
}

/// A fresh directory for the server's data.
fn tempdir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("scelle-bench-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
