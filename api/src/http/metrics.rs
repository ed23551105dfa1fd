//! `/metrics` in the Prometheus text format: HTTP requests by route template, method and
//! status with their latency; GraphQL operations by root field and outcome (the error
//! code) with their latency; login failures; the database pool; closure e-mails waiting
//! or failing; and the process (memory, CPU, open files). Labels come from the schema and
//! the routes, never from what a client sends, so their number stays bounded. (Sealing has
//! no lag to measure: it happens in the transaction that issues or pays.)

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};
use sea_orm::DatabaseConnection;

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_seconds: HistogramVec,
    operations: IntCounterVec,
    operation_seconds: HistogramVec,
    login_failures: prometheus::IntCounter,
    pool: IntGaugeVec,
    closure_emails: IntGaugeVec,
    up: IntGauge,
}

impl Metrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new_custom(Some("scelle".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by route template, method and status"),
            &["route", "method", "status"],
        )?;
        let http_seconds = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by route template"),
            &["route"],
        )?;
        let operations = IntCounterVec::new(
            Opts::new(
                "graphql_operations_total",
                "GraphQL operations by root field and outcome (ok or the error code)",
            ),
            &["field", "outcome"],
        )?;
        let operation_seconds = HistogramVec::new(
            HistogramOpts::new("graphql_operation_duration_seconds", "GraphQL operation latency by root field"),
            &["field"],
        )?;
        let login_failures =
            prometheus::IntCounter::new("login_failures_total", "logins refused (wrong credentials or locked)")?;
        let pool = IntGaugeVec::new(Opts::new("db_pool_connections", "database pool connections"), &["state"])?;
        let closure_emails = IntGaugeVec::new(
            Opts::new("closure_emails", "closure e-mails not sent yet, and those whose last try failed"),
            &["state"],
        )?;
        let up = IntGauge::new("up", "1 while the server answers")?;
        for c in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_seconds.clone()),
            Box::new(operations.clone()),
            Box::new(operation_seconds.clone()),
            Box::new(login_failures.clone()),
            Box::new(pool.clone()),
            Box::new(closure_emails.clone()),
            Box::new(up.clone()),
        ] {
            registry.register(c)?;
        }
        #[cfg(target_os = "linux")]
        registry.register(Box::new(prometheus::process_collector::ProcessCollector::for_self()))?;
        up.set(1);
        Ok(Self {
            registry,
            http_requests,
            http_seconds,
            operations,
            operation_seconds,
            login_failures,
            pool,
            closure_emails,
            up,
        })
    }

    pub fn http(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.http_requests.with_label_values(&[route, method, &status.to_string()]).inc();
        self.http_seconds.with_label_values(&[route]).observe(seconds);
    }

    /// One GraphQL operation: its root fields (schema names), its outcome.
    pub fn operation(&self, fields: &[String], outcome: &str, seconds: f64) {
        let field = match fields {
            [] => "-".to_owned(),
            [one] => one.clone(),
            _ => "(several)".to_owned(),
        };
        self.operations.with_label_values(&[&field, outcome]).inc();
        self.operation_seconds.with_label_values(&[&field]).observe(seconds);
        if fields.iter().any(|f| f == "login") && outcome != "ok" {
            self.login_failures.inc();
        }
    }

    /// The text exposition, with the gauges read now.
    pub async fn render(&self, db: &DatabaseConnection) -> String {
        let (size, idle) = match db.get_database_backend() {
            sea_orm::DbBackend::Sqlite => {
                let p = db.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
            _ => {
                let p = db.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
        };
        self.pool.with_label_values(&["open"]).set(i64::from(size));
        self.pool.with_label_values(&["idle"]).set(idle as i64);
        if let Ok((waiting, failing)) = entity::closures::email_backlog(db).await {
            self.closure_emails.with_label_values(&["waiting"]).set(waiting as i64);
            self.closure_emails.with_label_values(&["failing"]).set(failing as i64);
        }
        let _ = &self.up;
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}
