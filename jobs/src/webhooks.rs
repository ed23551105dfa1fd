//! The webhook worker, on every tick: domain events become deliveries
//! (`entity::webhooks::delivery::dispatch`), then the due deliveries are claimed and sent
//! (`send`), each attempt settled by what its endpoint answered. Every attempt checks its
//! target again: the URL as configured, and each address its host resolves to now (a
//! resolver that keeps only public addresses, unless the host is allow-listed), so a name
//! re-pointed at a private address is refused; redirects are not followed.

use apalis::prelude::*;
use entity::tables::{webhook, webhook_delivery as wd};
use entity::webhooks::delivery::{self, Attempt, RESPONSE_KEPT, RetrySchedule};
use entity::webhooks::target::{self, AllowList};
use sea_orm::DatabaseConnection;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Events read per dispatch, and deliveries sent per tick at most.
const DISPATCH_BATCH: u64 = 500;
const SEND_BATCH: u64 = 32;

#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Cron expression (with seconds) of the worker's ticks.
    pub cron: String,
    pub allow: AllowList,
    pub schedule: RetrySchedule,
    /// How long an endpoint has to answer.
    pub timeout: Duration,
}

/// What the worker holds: the configuration and one HTTP client.
#[derive(Clone)]
pub struct Deliverer {
    cfg: Arc<WebhookConfig>,
    http: reqwest::Client,
}

impl Deliverer {
    pub fn new(cfg: &WebhookConfig) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A proxy from the environment would resolve targets itself, past `PublicOnly`.
            .no_proxy()
            .user_agent(concat!("Scelle-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(PublicOnly { allow: cfg.allow.clone() }))
            .build()?;
        Ok(Deliverer { cfg: Arc::new(cfg.clone()), http })
    }

    /// Dispatches what is waiting, then sends what is due; returns how many deliveries it
    /// settled.
    pub async fn run_once(&self, db: &DatabaseConnection) -> anyhow::Result<usize> {
        while delivery::dispatch(db, DISPATCH_BATCH).await? as u64 == DISPATCH_BATCH {}
        let mut settled = 0;
        loop {
            // Claimed for longer than a batch can take (every attempt bounded by the timeout).
            let claim = self.cfg.timeout * 2 + Duration::from_secs(10);
            let due = delivery::claim_due(db, chrono::Utc::now(), SEND_BATCH, claim).await?;
            if due.is_empty() {
                return Ok(settled);
            }
            let sends = due.into_iter().map(|(d, hook)| async move {
                let attempt = self.send(&d, &hook).await;
                delivery::record(db, &d, attempt, &self.cfg.schedule).await
            });
            for outcome in futures_util::future::join_all(sends).await {
                if let Err(e) = outcome {
                    tracing::error!(error = %e, "a webhook delivery could not be settled");
                } else {
                    settled += 1;
                }
            }
        }
    }

    /// One attempt: the body of the delivery, signed for this attempt.
    async fn send(&self, d: &wd::Model, hook: &webhook::Model) -> Attempt {
        let started = Instant::now();
        let done = |status_code, error: Option<String>, response| Attempt {
            status_code,
            error,
            response,
            duration_ms: started.elapsed().as_millis() as i64,
        };
        let url = match target::check_url(&hook.url, &self.cfg.allow) {
            Ok(u) => u,
            Err(why) => return done(None, Some(format!("target refused: {}", why.rule())), None),
        };
        let headers = match entity::webhooks::signing::headers(hook, &d.id.to_string(), chrono::Utc::now(), &d.body) {
            Ok(h) => h,
            Err(e) => return done(None, Some(e.to_string()), None),
        };
        let mut request = self.http.post(url).header("content-type", "application/json").body(d.body.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut kept = Vec::new();
                while kept.len() < RESPONSE_KEPT {
                    match response.chunk().await {
                        Ok(Some(bytes)) => {
                            kept.extend_from_slice(&bytes[..bytes.len().min(RESPONSE_KEPT - kept.len())])
                        }
                        _ => break,
                    }
                }
                let text = String::from_utf8_lossy(&kept).into_owned();
                done(Some(status), None, Some(text).filter(|t| !t.is_empty()))
            }
            Err(e) => {
                let why = if e.is_timeout() { "timed out".to_owned() } else { error_chain(&e) };
                done(None, Some(why), None)
            }
        }
    }
}

/// An error with its causes, for the delivery log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Resolves a host and keeps only its public addresses (all of them for an allow-listed
/// host): the connection can only go where the check says it may.
struct PublicOnly {
    allow: AllowList,
}

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allowed = self.allow.allows(name.as_str());
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let kept: Vec<SocketAddr> = addrs.into_iter().filter(|a| allowed || target::is_public(a.ip())).collect();
            if kept.is_empty() {
                return Err(
                    format!("{host} resolves to no public address (target refused: webhook_url_private)").into()
                );
            }
            Ok(Box::new(kept.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The worker's tick.
pub async fn on_tick(
    _tick: apalis_cron::Tick,
    db: Data<DatabaseConnection>,
    deliverer: Data<Deliverer>,
) -> Result<(), BoxDynError> {
    let settled = deliverer.run_once(&db).await?;
    if settled > 0 {
        tracing::debug!(settled, "webhook deliveries settled");
    }
    Ok(())
}
