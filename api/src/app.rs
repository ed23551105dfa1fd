//! Builds the running application exactly as production does; tests call the same code
//! with a listener on `127.0.0.1:0`.

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::graphql::{AppContext, build_schema};
use crate::http::{HttpState, server};
use anyhow::{Context, Result};
use migration::MigratorTrait;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;

pub struct Application {
    server: actix_web::dev::Server,
    monitor: apalis::prelude::Monitor,
    addr: SocketAddr,
    admin_addr: Option<SocketAddr>,
    pub context: AppContext,
}

impl Application {
    /// Opens (and migrates) the database, loads the signing keys, binds the listener.
    pub async fn build(config: Config) -> Result<Self> {
        create_data_dir(&config.data_dir)?;
        let db = connect_and_migrate(&config).await?;
        install_ledger_keys(&config, &db).await?;
        // Journaled lazily in each account (see `entity::journal::service_started`).
        entity::journal::service_started();
        let secret = match &config.jwt_secret {
            Some(s) => s.expose().as_bytes().to_vec(),
            None => load_or_create_secret(&config.data_dir.join("jwt_secret"))?,
        };
        let jwt = JwtKeys::hs256(&secret, config.access_token_ttl_secs);
        let context = AppContext { db, jwt, config: config.clone() };
        let schema = build_schema(context.clone());
        let listener = TcpListener::bind(&config.listen).with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        let introspection = crate::graphql::build_introspection_schema(context.clone());
        let rate = std::sync::Arc::new(crate::http::rate::RateLimits::new(
            config.rate_limit_per_ip,
            config.rate_limit_per_account,
        ));
        let admin = match &config.admin_listen {
            Some(a) => Some(TcpListener::bind(a).with_context(|| format!("binding {a}"))?),
            None => None,
        };
        let admin_addr = admin.as_ref().map(|l| l.local_addr()).transpose()?;
        let metrics = std::sync::Arc::new(crate::http::metrics::Metrics::new().context("metrics registry")?);
        let state = HttpState { app: context.clone(), schema, introspection, rate, metrics, admin_addr };
        let server = server(listener, admin, state)?;
        let monitor = jobs::monitor(context.db.clone(), &config.jobs())?;
        Ok(Self { server, monitor, addr, admin_addr, context })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The admin listener's address (`/metrics`), when one is configured.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin_addr
    }

    /// Serves until SIGINT or SIGTERM, then finishes in-flight requests and jobs (30 s at most).
    pub async fn run_until_stopped(self) -> Result<()> {
        self.run_with_shutdown(shutdown_signal()).await
    }

    /// Runs the HTTP server and the job workers until `signal` resolves, then stops both.
    /// Tests pass a signal that never fires; production passes SIGINT|SIGTERM.
    pub async fn run_with_shutdown(
        self,
        signal: impl Future<Output = std::io::Result<()>> + Send + 'static,
    ) -> Result<()> {
        tracing::info!(addr = %self.addr, "scelle listening");
        let handle = self.server.handle();
        let stop_all = async move {
            let r = signal.await;
            tracing::info!("shutdown requested");
            handle.stop(true).await;
            r
        };
        let db = self.context.db.clone();
        let (http, jobs) = tokio::join!(self.server, self.monitor.run_with_signal(stop_all));
        // No request is served any more: the stop closes the run in the journals it opened,
        // and SQLite's write-ahead log is folded into the database file.
        if let Err(e) = entity::journal::service_stopped(&db).await {
            tracing::error!(error = %e, "journaling the service stop failed");
        }
        if let Err(e) = entity::db::checkpoint(&db).await {
            tracing::error!(error = %e, "checkpointing the database at stop failed");
        }
        tracing::info!("scelle stopped");
        http?;
        jobs.map_err(|e| anyhow::anyhow!("job monitor: {e}"))
    }
}

/// Logs to standard error: text (colours only when it is a terminal, never in a file) or
/// JSON lines (`SCELLE_LOG_FORMAT=json`), filtered by `SCELLE_LOG`.
pub fn init_logging(config: &Config) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if config.log_format == "json" {
        builder.json().with_current_span(false).init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

/// Resolves on the first SIGINT (Ctrl-C) or SIGTERM (`docker stop`, systemd, Kubernetes).
pub async fn shutdown_signal() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c().await
}

/// The data directory; when Scelle creates it, it is the service user's only (0700: it
/// holds the database, the keys and the mail outbox). An existing one is left as it is.
pub fn create_data_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating data directory {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} private", dir.display()))?;
    }
    Ok(())
}

/// Installs the process' ledger key ring (see `entity::ledger::keys`). A key created now
/// (first start) adopts the database: what older versions left unsealed is sealed and
/// unsigned heads are signed, once. A marker file beside the key, written before the key
/// and removed once adoption succeeded, makes a start interrupted in between adopt again.
pub async fn install_ledger_keys(config: &Config, db: &sea_orm::DatabaseConnection) -> Result<()> {
    let path = config.ledger_key_path();
    let marker = path.with_extension("adopting");
    if config.ledger_key.is_none() && !path.exists() {
        std::fs::write(&marker, b"").with_context(|| format!("writing {}", marker.display()))?;
    }
    let (ring, created) = config.ledger_keys()?;
    let ring = entity::ledger::keys::install(ring)?;
    if created {
        tracing::info!(path = %path.display(), key = %ring.key_id(), "generated the ledger signing key");
    }
    if marker.exists() {
        let adopted = entity::ledger::adoption::adopt(db).await?;
        if adopted.accounts > 0 {
            tracing::warn!(?adopted, "adopted the existing certification records under the ledger key");
        }
        std::fs::remove_file(&marker).with_context(|| format!("removing {}", marker.display()))?;
    }
    Ok(())
}

pub async fn connect_and_migrate(config: &Config) -> Result<sea_orm::DatabaseConnection> {
    let url = config.database_url();
    entity::db::make_sqlite_private(&url).context("making the database file private")?;
    let db = entity::db::connect(&url).await.context("connecting to the database")?;
    entity::db::make_sqlite_private(&url).context("making the database files private")?;
    migration::Migrator::up(&db, None).await.context("running migrations")?;
    Ok(db)
}

/// The signing key generated on first start, so that a fresh checkout runs with no
/// setup and tokens survive restarts. Readable by the owner only.
fn load_or_create_secret(path: &Path) -> Result<Vec<u8>> {
    let read = |p: &Path| -> Result<Vec<u8>> {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        let key = text.trim();
        anyhow::ensure!(key.len() >= 32, "{} is too short to be a signing key", p.display());
        Ok(key.as_bytes().to_vec())
    };
    if path.exists() {
        return read(path);
    }
    let secret = entity::secret::generate("");
    if entity::secret::write_private_file(path, secret.as_bytes())
        .with_context(|| format!("writing {}", path.display()))?
    {
        tracing::info!(path = %path.display(), "generated a new JWT signing key");
        Ok(secret.into_bytes())
    } else {
        read(path)
    }
}
