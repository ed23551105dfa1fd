//! Configuration from environment variables, optionally preceded by a TOML file
//! (`SCELLE_CONFIG=path`). Every key has a default so that `cargo run` just works.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A secret string that never prints itself.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `SCELLE_LISTEN`: address of the HTTP listener.
    pub listen: String,
    /// `SCELLE_DATA_DIR`: where the SQLite database and the generated JWT secret live.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`; default SQLite in the data dir.
    pub database_url: Option<Secret>,
    /// `SCELLE_JWT_SECRET`: HMAC key of access tokens; generated and kept in the data dir if unset.
    pub jwt_secret: Option<Secret>,
    /// `SCELLE_SMTP_URL`: outgoing mail server, e.g. `smtp://user:pass@host:587`.
    pub smtp_url: Option<Secret>,
    /// `SCELLE_ACCESS_TOKEN_TTL_SECS`
    pub access_token_ttl_secs: i64,
    /// `SCELLE_REFRESH_TOKEN_TTL_DAYS`
    pub refresh_token_ttl_days: i64,
    /// `SCELLE_REFRESH_REUSE_GRACE_SECS`: a refresh token presented again this soon after its
    /// exchange is refused without closing the session (concurrent tabs, retries).
    pub refresh_reuse_grace_secs: i64,
    /// `SCELLE_SIGN_UP_ENABLED`
    pub sign_up_enabled: bool,
    /// `SCELLE_MAX_BODY_BYTES`
    pub max_body_bytes: usize,
    /// `SCELLE_GRAPHQL_MAX_DEPTH`
    pub graphql_max_depth: usize,
    /// `SCELLE_GRAPHQL_MAX_COMPLEXITY`
    pub graphql_max_complexity: usize,
    /// `SCELLE_GRAPHQL_MAX_FIELDS`: fields one request may resolve, all told (every object
    /// and list item counts): bounds its work, its answer and its memory.
    pub graphql_max_fields: usize,
    /// `SCELLE_LOGIN_MAX_FAILURES`: failed logins for one e-mail before it is locked.
    pub login_max_failures: i32,
    /// `SCELLE_LOGIN_LOCKOUT_SECS`: how long the lock lasts (and the window failures count in).
    pub login_lockout_secs: i64,
    /// `SCELLE_HOUSEKEEPING_CRON`: when expired sessions and tokens are purged (cron with seconds).
    pub housekeeping_cron: String,
    /// `SCELLE_LEDGER_KEY_FILE`: the key ring that signs chain heads and closures; default
    /// `<data dir>/ledger_keys`, created (mode 0600) on first start.
    pub ledger_key_file: Option<PathBuf>,
    /// `SCELLE_LEDGER_KEY`: the key ring itself (its text, or the signing key alone as 64
    /// hexadecimal characters), for deployments that pass secrets in the environment;
    /// wins over the file.
    pub ledger_key: Option<Secret>,
    /// `SCELLE_CLOSURES_CRON`: when certification closures are made and their e-mails sent
    /// (cron with seconds); each run catches up every period completed since the last.
    pub closures_cron: String,
    /// `SCELLE_MAIL_FROM`: the sender of closure e-mails.
    pub mail_from: String,
    /// `SCELLE_LOG`: tracing filter, e.g. `info,scelle_api=debug`.
    pub log: String,
    /// `SCELLE_ADMIN_LISTEN`: a second listener (e.g. `127.0.0.1:9090`) that alone serves
    /// `/metrics`; unset: `/metrics` is on the main listener.
    pub admin_listen: Option<String>,
    /// `SCELLE_RATE_LIMIT_PER_IP`: GraphQL requests per second from one client address (a
    /// burst of twice as many); 0: none (behind a reverse proxy, limit there).
    pub rate_limit_per_ip: u32,
    /// `SCELLE_RATE_LIMIT_PER_ACCOUNT`: GraphQL requests per second for one account (a burst
    /// of twice as many); 0: none.
    pub rate_limit_per_account: u32,
    /// `SCELLE_CORS_ORIGINS`: origins of browser applications allowed to call the API,
    /// comma-separated (`https://app.example.com,https://admin.example.com`), or `*` for
    /// any; none by default (same origin only).
    pub cors_origins: String,
    /// `SCELLE_LOG_FORMAT`: `text` (default; colours only on a terminal) or `json` (one JSON
    /// object per line, for log collectors).
    pub log_format: String,
    /// `SCELLE_GRAPHIQL`: serve GraphiQL, the in-browser IDE, on `/graphiql` (and on
    /// `GET /graphql` for a browser); on by default.
    pub graphiql: bool,
    /// `SCELLE_WEBHOOKS_CRON`: when domain events become webhook deliveries and due
    /// deliveries are sent (cron with seconds); every second by default.
    pub webhooks_cron: String,
    /// `SCELLE_WEBHOOK_ALLOW_HOSTS`: hosts (names or addresses, comma-separated) webhooks
    /// may reach although they are loopback or private; none by default (SSRF).
    pub webhook_allow_hosts: String,
    /// `SCELLE_WEBHOOK_RETRY_SCHEDULE`: the waits between attempts of a failing delivery
    /// (`5s,5m,30m,2h,5h,10h,10h`, the default: about 27 hours), then it fails for good.
    pub webhook_retry_schedule: String,
    /// `SCELLE_WEBHOOK_TIMEOUT_SECS`: how long an endpoint has to answer one attempt.
    pub webhook_timeout_secs: i64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            jwt_secret: None,
            smtp_url: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            refresh_reuse_grace_secs: 10,
            sign_up_enabled: true,
            max_body_bytes: 1024 * 1024,
            graphql_max_depth: 12,
            graphql_max_complexity: 1000,
            graphql_max_fields: 100_000,
            login_max_failures: 5,
            login_lockout_secs: 15 * 60,
            housekeeping_cron: "0 17 * * * *".into(),
            ledger_key_file: None,
            ledger_key: None,
            closures_cron: "0 */5 * * * *".into(),
            mail_from: "Scelle <noreply@localhost>".into(),
            log: "info".into(),
            log_format: "text".into(),
            graphiql: true,
            cors_origins: String::new(),
            admin_listen: None,
            rate_limit_per_ip: 1000,
            rate_limit_per_account: 200,
            webhooks_cron: "* * * * * *".into(),
            webhook_allow_hosts: String::new(),
            webhook_retry_schedule: "5s,5m,30m,2h,5h,10h,10h".into(),
            webhook_timeout_secs: 10,
        }
    }
}

/// Environment variable → config key. The table in the README is this list.
const ENV_KEYS: &[(&str, &str)] = &[
    ("SCELLE_LISTEN", "listen"),
    ("SCELLE_DATA_DIR", "data_dir"),
    ("DATABASE_URL", "database_url"),
    ("SCELLE_JWT_SECRET", "jwt_secret"),
    ("SCELLE_SMTP_URL", "smtp_url"),
    ("SCELLE_ACCESS_TOKEN_TTL_SECS", "access_token_ttl_secs"),
    ("SCELLE_REFRESH_TOKEN_TTL_DAYS", "refresh_token_ttl_days"),
    ("SCELLE_REFRESH_REUSE_GRACE_SECS", "refresh_reuse_grace_secs"),
    ("SCELLE_SIGN_UP_ENABLED", "sign_up_enabled"),
    ("SCELLE_MAX_BODY_BYTES", "max_body_bytes"),
    ("SCELLE_GRAPHQL_MAX_DEPTH", "graphql_max_depth"),
    ("SCELLE_GRAPHQL_MAX_COMPLEXITY", "graphql_max_complexity"),
    ("SCELLE_GRAPHQL_MAX_FIELDS", "graphql_max_fields"),
    ("SCELLE_LOGIN_MAX_FAILURES", "login_max_failures"),
    ("SCELLE_LOGIN_LOCKOUT_SECS", "login_lockout_secs"),
    ("SCELLE_HOUSEKEEPING_CRON", "housekeeping_cron"),
    ("SCELLE_LEDGER_KEY_FILE", "ledger_key_file"),
    ("SCELLE_LEDGER_KEY", "ledger_key"),
    ("SCELLE_CLOSURES_CRON", "closures_cron"),
    ("SCELLE_MAIL_FROM", "mail_from"),
    ("SCELLE_LOG", "log"),
    ("SCELLE_LOG_FORMAT", "log_format"),
    ("SCELLE_CORS_ORIGINS", "cors_origins"),
    ("SCELLE_ADMIN_LISTEN", "admin_listen"),
    ("SCELLE_RATE_LIMIT_PER_IP", "rate_limit_per_ip"),
    ("SCELLE_RATE_LIMIT_PER_ACCOUNT", "rate_limit_per_account"),
    ("SCELLE_GRAPHIQL", "graphiql"),
    ("SCELLE_WEBHOOKS_CRON", "webhooks_cron"),
    ("SCELLE_WEBHOOK_ALLOW_HOSTS", "webhook_allow_hosts"),
    ("SCELLE_WEBHOOK_RETRY_SCHEDULE", "webhook_retry_schedule"),
    ("SCELLE_WEBHOOK_TIMEOUT_SECS", "webhook_timeout_secs"),
];

impl Config {
    /// File named by `SCELLE_CONFIG` (if any), then environment variables on top.
    pub fn load() -> Result<Self> {
        let file = std::env::var("SCELLE_CONFIG").ok().map(PathBuf::from);
        Self::from_sources(file.as_deref(), |k| std::env::var(k).ok())
    }

    pub fn from_sources(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let mut table = match file {
            Some(p) => {
                let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
                text.parse::<toml::Table>().with_context(|| format!("parsing {}", p.display()))?
            }
            None => toml::Table::new(),
        };
        let defaults = toml::Table::try_from(ConfigShape::default())?;
        for (var, key) in ENV_KEYS {
            let Some(raw) = env(var).filter(|v| !v.is_empty()) else {
                continue;
            };
            // Typed keys (numbers, booleans) are parsed by their default's type.
            let value = match defaults.get(*key) {
                Some(toml::Value::Integer(_)) => toml::Value::Integer(
                    raw.trim().parse().with_context(|| format!("{var} must be an integer, got {raw:?}"))?,
                ),
                Some(toml::Value::Boolean(_)) => toml::Value::Boolean(match raw.trim() {
                    "1" | "true" | "yes" | "on" => true,
                    "0" | "false" | "no" | "off" => false,
                    other => bail!("{var} must be true or false, got {other:?}"),
                }),
                _ => toml::Value::String(raw),
            };
            table.insert((*key).to_owned(), value);
        }
        let cfg: Config = toml::Value::Table(table).try_into().context("invalid configuration")?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<()> {
        if self.access_token_ttl_secs < 30 {
            bail!("SCELLE_ACCESS_TOKEN_TTL_SECS must be at least 30");
        }
        if self.refresh_token_ttl_days < 1 {
            bail!("SCELLE_REFRESH_TOKEN_TTL_DAYS must be at least 1");
        }
        if !(0..=300).contains(&self.refresh_reuse_grace_secs) {
            bail!("SCELLE_REFRESH_REUSE_GRACE_SECS must be between 0 and 300");
        }
        if self.jwt_secret.as_ref().is_some_and(|s| s.expose().len() < 32) {
            bail!("SCELLE_JWT_SECRET must be at least 32 characters");
        }
        for o in self.cors_origins() {
            let ok = o == "*" || ((o.starts_with("https://") || o.starts_with("http://")) && !o.ends_with('/'));
            if !ok {
                bail!(
                    "SCELLE_CORS_ORIGINS: {o:?} is not an origin like https://app.example.com (no path, no trailing /)"
                );
            }
        }
        if !["text", "json"].contains(&self.log_format.as_str()) {
            bail!("SCELLE_LOG_FORMAT must be text or json");
        }
        if self.max_body_bytes < 1024 {
            bail!("SCELLE_MAX_BODY_BYTES must be at least 1024");
        }
        if entity::webhooks::delivery::RetrySchedule::parse(&self.webhook_retry_schedule).is_none() {
            bail!("SCELLE_WEBHOOK_RETRY_SCHEDULE must list waits like 5s,5m,30m,2h (units ms, s, m, h)");
        }
        if !(1..=120).contains(&self.webhook_timeout_secs) {
            bail!("SCELLE_WEBHOOK_TIMEOUT_SECS must be between 1 and 120");
        }
        Ok(())
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose().to_owned(),
            None => format!("sqlite://{}?mode=rwc", self.data_dir.join("scelle.db").display()),
        }
    }

    pub fn jobs(&self) -> jobs::JobsConfig {
        jobs::JobsConfig {
            housekeeping_cron: self.housekeeping_cron.clone(),
            policy: jobs::housekeeping::Policy {
                refresh_ttl: chrono::Duration::days(self.refresh_token_ttl_days),
                ..Default::default()
            },
            closures_cron: self.closures_cron.clone(),
            mail: jobs::closures::MailConfig {
                smtp_url: self.smtp_url.as_ref().map(|s| s.expose().to_owned()),
                // Without a mail server, e-mails are written here so nothing is lost.
                outbox: self.data_dir.join("outbox"),
                from: self.mail_from.clone(),
            },
            webhooks: jobs::webhooks::WebhookConfig {
                cron: self.webhooks_cron.clone(),
                allow: self.webhook_allow(),
                schedule: entity::webhooks::delivery::RetrySchedule::parse(&self.webhook_retry_schedule)
                    .unwrap_or_default(),
                timeout: std::time::Duration::from_secs(self.webhook_timeout_secs.max(1) as u64),
            },
        }
    }

    /// The hosts webhooks may reach although private (`SCELLE_WEBHOOK_ALLOW_HOSTS`).
    pub fn webhook_allow(&self) -> entity::webhooks::target::AllowList {
        entity::webhooks::target::AllowList(
            self.webhook_allow_hosts.split(',').map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned).collect(),
        )
    }

    /// The allowed CORS origins, as listed.
    pub fn cors_origins(&self) -> Vec<String> {
        self.cors_origins.split(',').map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect()
    }

    /// What verification trusts and looks for, with the installation's closure schedule.
    pub fn verification(
        &self,
        trusted: entity::ledger::keys::TrustedKeys,
        anchors: Vec<String>,
    ) -> entity::ledger::verify::Options {
        entity::ledger::verify::Options {
            closure_grace: jobs::closures::grace(&self.closures_cron),
            ..entity::ledger::verify::Options::new(trusted, anchors)
        }
    }

    /// Where the ledger key ring lives when it is not given in the environment.
    pub fn ledger_key_path(&self) -> PathBuf {
        self.ledger_key_file.clone().unwrap_or_else(|| self.data_dir.join("ledger_keys"))
    }

    /// The ledger key ring if there is one (`SCELLE_LEDGER_KEY`, else an existing key file),
    /// never creating one: for the commands that only read or verify.
    pub fn existing_ledger_keys(&self) -> Result<Option<entity::ledger::keys::KeyRing>> {
        if self.ledger_key.is_some() || self.ledger_key_path().exists() {
            return Ok(Some(self.ledger_keys()?.0));
        }
        Ok(None)
    }

    /// The ledger key ring: `SCELLE_LEDGER_KEY`, else the key file (created with a new key
    /// on first start). Returns whether it was just created.
    pub fn ledger_keys(&self) -> Result<(entity::ledger::keys::KeyRing, bool)> {
        use entity::ledger::keys::KeyRing;
        match &self.ledger_key {
            Some(text) => Ok((KeyRing::parse(text.expose()).context("SCELLE_LEDGER_KEY")?, false)),
            None => {
                let path = self.ledger_key_path();
                KeyRing::load_or_create(&path).with_context(|| format!("ledger key file {}", path.display()))
            }
        }
    }

    pub fn throttle_policy(&self) -> entity::auth::ThrottlePolicy {
        let lock = chrono::Duration::seconds(self.login_lockout_secs);
        entity::auth::ThrottlePolicy { max_failures: self.login_max_failures, window: lock, lockout: lock }
    }
}

/// The serialisable shape of the defaults, used to learn each key's type.
#[derive(serde::Serialize)]
struct ConfigShape {
    access_token_ttl_secs: i64,
    refresh_token_ttl_days: i64,
    refresh_reuse_grace_secs: i64,
    sign_up_enabled: bool,
    graphiql: bool,
    max_body_bytes: i64,
    graphql_max_depth: i64,
    graphql_max_complexity: i64,
    graphql_max_fields: i64,
    rate_limit_per_ip: i64,
    rate_limit_per_account: i64,
    login_max_failures: i64,
    login_lockout_secs: i64,
    webhook_timeout_secs: i64,
}

impl Default for ConfigShape {
    fn default() -> Self {
        let c = Config::default();
        Self {
            access_token_ttl_secs: c.access_token_ttl_secs,
            refresh_token_ttl_days: c.refresh_token_ttl_days,
            refresh_reuse_grace_secs: c.refresh_reuse_grace_secs,
            sign_up_enabled: c.sign_up_enabled,
            graphiql: c.graphiql,
            max_body_bytes: c.max_body_bytes as i64,
            graphql_max_depth: c.graphql_max_depth as i64,
            graphql_max_complexity: c.graphql_max_complexity as i64,
            graphql_max_fields: c.graphql_max_fields as i64,
            rate_limit_per_ip: c.rate_limit_per_ip as i64,
            rate_limit_per_account: c.rate_limit_per_account as i64,
            login_max_failures: c.login_max_failures as i64,
            login_lockout_secs: c.login_lockout_secs,
            webhook_timeout_secs: c.webhook_timeout_secs,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_file_and_types_are_checked() {
        let dir = std::env::temp_dir().join(format!("scelle-cfg-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("scelle.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nsign_up_enabled = false\n").unwrap();
        let env = |k: &str| match k {
            "SCELLE_ACCESS_TOKEN_TTL_SECS" => Some("60".to_owned()),
            "SCELLE_JWT_SECRET" => Some("s3cret-s3cret-s3cret-s3cret-s3cret".to_owned()),
            _ => None,
        };
        let c = Config::from_sources(Some(&file), env).unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert!(!c.sign_up_enabled);
        assert_eq!(c.access_token_ttl_secs, 60);
        assert!(!format!("{c:?}").contains("s3cret"), "secrets must not be printed");

        let bad = |k: &str| (k == "SCELLE_SIGN_UP_ENABLED").then(|| "maybe".to_owned());
        assert!(Config::from_sources(None, bad).is_err());
        let defaults = Config::from_sources(None, |_| None).unwrap();
        assert!(defaults.database_url().starts_with("sqlite://./data/scelle.db"));
    }
}
