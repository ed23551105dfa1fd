//! Builds the running application exactly as production does; tests call the same code
//! with a listener on `127.0.0.1:0`.

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::graphql::{AppContext, build_schema};
use crate::http::{HttpState, server};
use anyhow::{Context, Result};
use migration::MigratorTrait;
use std::io::Write;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;

pub struct Application {
    server: actix_web::dev::Server,
    monitor: apalis::prelude::Monitor,
    job_store: jobs::JobStore,
    addr: SocketAddr,
    pub context: AppContext,
}

impl Application {
    /// Opens (and migrates) the database, loads the signing key, binds the listener.
    pub async fn build(config: Config) -> Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating data directory {}", config.data_dir.display()))?;
        let db = connect_and_migrate(&config).await?;
        // Journaled lazily in each account (see `entity::journal::service_started`).
        entity::journal::service_started();
        let secret = match &config.jwt_secret {
            Some(s) => s.expose().as_bytes().to_vec(),
            None => load_or_create_secret(&config.data_dir.join("jwt_secret"))?,
        };
        let jwt = JwtKeys::hs256(&secret, config.access_token_ttl_secs);
        let job_store = jobs::JobStore::connect(&config.database_url(), &config.data_dir).await?;
        let sealer = jobs::Sealer::new(&job_store);
        let context = AppContext { db, jwt, config: config.clone(), sealer };
        let schema = build_schema(context.clone());
        let listener = TcpListener::bind(&config.listen).with_context(|| format!("binding {}", config.listen))?;
        let addr = listener.local_addr()?;
        let server = server(listener, HttpState { app: context.clone(), schema })?;
        let monitor = jobs::monitor(context.db.clone(), &job_store, &config.jobs())?;
        Ok(Self { server, monitor, addr, context, job_store })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
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
        // Whatever a previous run left issued or paid but unsealed (a crash between a
        // commit and its job), sealed now rather than at the sweeper's first tick.
        let db = self.context.db.clone();
        tokio::spawn(async move {
            if let Err(e) = jobs::sealing::sweep_now(&db).await {
                tracing::error!(error = %e, "sealing sweep at start failed");
            }
        });
        let job_store = self.job_store.clone();
        let stop_all = async move {
            let r = signal.await;
            tracing::info!("shutdown requested");
            handle.stop(true).await;
            r
        };
        let db = self.context.db.clone();
        let (http, jobs) = tokio::join!(self.server, self.monitor.run_with_signal(stop_all));
        // No request is served any more: the stop closes the run in the journals it opened.
        if let Err(e) = entity::journal::service_stopped(&db).await {
            tracing::error!(error = %e, "journaling the service stop failed");
        }
        job_store.close().await;
        tracing::info!("scelle stopped");
        http?;
        jobs.map_err(|e| anyhow::anyhow!("job monitor: {e}"))
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

pub async fn connect_and_migrate(config: &Config) -> Result<sea_orm::DatabaseConnection> {
    let db = entity::db::connect(&config.database_url()).await.context("connecting to the database")?;
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
    // Write the whole key to a private temporary file, then link it into place: the link
    // fails if another process won the race, and nobody ever reads a half-written key.
    let secret = entity::secret::generate("");
    let tmp = path.with_extension(format!("tmp-{}", uuid::Uuid::new_v4().simple()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut file = opts.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    file.write_all(secret.as_bytes())?;
    file.sync_all()?;
    drop(file);
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated a new JWT signing key");
            Ok(secret.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(e).with_context(|| format!("writing {}", path.display())),
    }
}
