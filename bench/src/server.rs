//! The `scelle` release binary started as a user starts it: `scelle serve` with a fresh
//! data directory, on a free loopback port, its limits off (the load comes from one
//! address and one account).

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary to start: `SCELLE_BENCH_BIN`, else `scelle` beside this program
/// (`target/release/`).
pub fn binary() -> anyhow::Result<PathBuf> {
    let path = match std::env::var_os("SCELLE_BENCH_BIN") {
        Some(p) => PathBuf::from(p),
        None => std::env::current_exe()?.with_file_name("scelle"),
    };
    if !path.exists() {
        bail!("{} is missing: build it first (`cargo build --release --bin scelle`)", path.display());
    }
    Ok(path)
}

/// Where the server keeps its data: SQLite under its data directory, or a PostgreSQL
/// database of its own.
#[derive(Clone)]
pub struct Store {
    pub data_dir: PathBuf,
    /// `DATABASE_URL` when on PostgreSQL.
    pub postgres_url: Option<String>,
}

impl Store {
    /// The URL of the database the server writes.
    pub fn database_url(&self) -> String {
        match &self.postgres_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("scelle.db").display()),
        }
    }

    /// `scelle <args>` on this store, as an operator runs it (the server stopped or not).
    pub fn command(&self, bin: &Path) -> Command {
        let mut c = Command::new(bin);
        c.env("SCELLE_DATA_DIR", &self.data_dir).env("SCELLE_LOG", "error");
        if let Some(url) = &self.postgres_url {
            c.env("DATABASE_URL", url);
        }
        c
    }
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(bin: &Path, store: &Store) -> anyhow::Result<Server> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = store
            .command(bin)
            .arg("serve")
            .env("SCELLE_LISTEN", format!("127.0.0.1:{port}"))
            .env("SCELLE_RATE_LIMIT_PER_IP", "0")
            .env("SCELLE_RATE_LIMIT_PER_ACCOUNT", "0")
            .stdout(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let server = Server { child, base: format!("http://127.0.0.1:{port}") };
        let ready = format!("{}/readyz", server.base);
        let started = Instant::now();
        loop {
            if reqwest::get(&ready).await.is_ok_and(|r| r.status().is_success()) {
                return Ok(server);
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("the server did not become ready in 30 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's resident memory, from /proc (0 elsewhere).
    pub fn rss_mib(&self) -> f64 {
        rss_of(&format!("/proc/{}/status", self.child.id()))
    }

    /// Stops the server as an operator does (SIGTERM: it drains and checkpoints).
    pub fn stop(mut self) -> anyhow::Result<()> {
        #[cfg(unix)]
        {
            let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(20) {
                if self.child.try_wait()?.is_some() {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        self.child.kill()?;
        self.child.wait()?;
        Ok(())
    }
}

/// `VmRSS` of a `/proc/<pid>/status` file, in MiB (0 when unreadable).
pub fn rss_of(status: &str) -> f64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}
