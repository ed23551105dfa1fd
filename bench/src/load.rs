//! A bounded load: a fixed number of requests at a fixed concurrency, every answer checked.

use futures_util::StreamExt;
use serde::Serialize;
use serde_json::Value;
use std::future::Future;
use std::time::{Duration, Instant};

/// One measured scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    pub name: String,
    pub requests: usize,
    pub concurrency: usize,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl Figure {
    pub fn of(name: &str, concurrency: usize, elapsed: Duration, mut latencies: Vec<Duration>) -> Figure {
        latencies.sort();
        let pct = |p: f64| {
            if latencies.is_empty() {
                return 0.0;
            }
            let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
            latencies[i].as_secs_f64() * 1000.0
        };
        Figure {
            name: name.to_owned(),
            requests: latencies.len(),
            concurrency,
            per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
            p50_ms: pct(0.50),
            p99_ms: pct(0.99),
        }
    }

    /// A rate without latencies: `count` things done in `elapsed`, one at a time.
    pub fn rate(name: &str, count: usize, elapsed: Duration) -> Figure {
        Figure {
            name: name.to_owned(),
            requests: count,
            concurrency: 1,
            per_second: count as f64 / elapsed.as_secs_f64(),
            p50_ms: 0.0,
            p99_ms: 0.0,
        }
    }

    pub fn line(&self) -> String {
        format!(
            "{:<44} {:>7}  c={:<3} {:>9.0}/s   p50 {:>8.2} ms   p99 {:>8.2} ms",
            self.name, self.requests, self.concurrency, self.per_second, self.p50_ms, self.p99_ms
        )
    }
}

/// Runs `op(i)` for i in 0..n, `concurrency` at a time, timing each.
pub async fn measure<F, Fut>(name: &str, n: usize, concurrency: usize, op: F) -> anyhow::Result<Figure>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let started = Instant::now();
    let results: Vec<anyhow::Result<Duration>> = futures_util::stream::iter(0..n)
        .map(|i| {
            let fut = op(i);
            async move {
                let t = Instant::now();
                fut.await?;
                Ok(t.elapsed())
            }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let elapsed = started.elapsed();
    let latencies = results.into_iter().collect::<anyhow::Result<Vec<_>>>()?;
    let figure = Figure::of(name, concurrency, elapsed, latencies);
    println!("{}", figure.line());
    Ok(figure)
}

/// A GraphQL client of the server under load.
#[derive(Clone)]
pub struct Client {
    pub http: reqwest::Client,
    pub url: String,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client { http: reqwest::Client::new(), url: format!("{base}/graphql") }
    }

    /// Sends one request; its answer must be error-free.
    pub async fn ok(&self, token: Option<&str>, body: &Value) -> anyhow::Result<Value> {
        let mut req = self.http.post(&self.url).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r: Value = req.send().await?.json().await?;
        if let Some(e) = r.get("errors") {
            anyhow::bail!("{e}");
        }
        Ok(r["data"].clone())
    }
}
