//! Testkit: the real server, built by `Application::build` exactly as `scelle serve`
//! builds it, on `127.0.0.1:0`, against a fresh SQLite file or a fresh PostgreSQL
//! database (copies of a pre-migrated template: `template`); and a small GraphQL client.

pub mod attacker;
pub mod browser;
pub mod contacts;
pub mod documents;
pub mod payments;
pub mod receiver;
pub mod template;

pub use documents::Invoice;

use scelle_api::app::Application;
use scelle_api::config::{Config, Secret};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use std::io::Write;
use std::path::PathBuf;

pub const JWT_SECRET: &str = "test-signing-key-0123456789abcdef0123456789abcdef";

/// The ledger signing key of every test server in this process (a process signs with one
/// key: see `entity::ledger::keys`). Tests about key files and rotation run the `scelle`
/// binary in a child process instead.
pub const LEDGER_KEY: &str = "7a3c0d1e5b9f2468ace013579bdf2468ace013579bdf2468ace013579bdf2468";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per backend from an async fn taking a `TestApp`:
/// `db_test!(name, |app| async move { … })`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $body:expr) => {
        $crate::db_test!($name, |_: &mut scelle_api::config::Config| {}, $body);
    };
    ($name:ident, $tweak:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::TestApp::spawn($crate::Backend::Sqlite, $tweak).await.expect("sqlite app");
                ($body)(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(app) = $crate::TestApp::spawn($crate::Backend::Postgres, $tweak).await else { return };
                ($body)(app).await;
            }
        }
    };
}

/// Says on the terminal (not through the test harness' capture) that PostgreSQL runs are skipped.
fn say_skipped() {
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED PostgreSQL run: SCELLE_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
    );
}

pub struct TestApp {
    pub base: String,
    pub backend: Backend,
    pub db: DatabaseConnection,
    pub http: reqwest::Client,
    _data_dir: TempDir,
    _pg: Option<PgDatabase>,
}

impl TestApp {
    /// Starts the app; `None` when the PostgreSQL run is skipped.
    pub async fn spawn(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<TestApp> {
        let data_dir = TempDir::new();
        let mut config = Config {
            listen: "127.0.0.1:0".into(),
            data_dir: data_dir.0.clone(),
            jwt_secret: Some(Secret::new(JWT_SECRET)),
            ledger_key: Some(Secret::new(LEDGER_KEY)),
            log: "warn".into(),
            ..Config::default()
        };
        let pg = match backend {
            Backend::Sqlite => {
                template::copy_sqlite_to(&data_dir.0.join("scelle.db"));
                None
            }
            Backend::Postgres => {
                let Ok(admin_url) = std::env::var("SCELLE_TEST_POSTGRES_URL") else {
                    say_skipped();
                    return None;
                };
                let pg = PgDatabase::create(&admin_url).await;
                config.database_url = Some(Secret::new(pg.url.clone()));
                Some(pg)
            }
        };
        tweak(&mut config);
        let app = Application::build(config).await.expect("application builds");
        let base = format!("http://{}", app.addr());
        let db = app.context.db.clone();
        tokio::spawn(app.run_with_shutdown(std::future::pending()));
        Some(TestApp { base, backend, db, http: reqwest::Client::new(), _data_dir: data_dir, _pg: pg })
    }

    /// The app's data directory (SQLite file, JWT key, mail outbox).
    pub fn data_dir(&self) -> &std::path::Path {
        &self._data_dir.0
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends a GraphQL request; returns the HTTP status and the JSON body.
    pub async fn post(&self, token: Option<&str>, lang: Option<&str>, body: Vec<u8>) -> (u16, Value) {
        let mut req = self.http.post(self.url("/graphql")).header("content-type", "application/json").body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON response ({status}): {text}"));
        (status, json)
    }

    pub async fn gql_full(&self, token: Option<&str>, lang: Option<&str>, query: &str, vars: Value) -> Value {
        let body = serde_json::to_vec(&json!({ "query": query, "variables": vars })).unwrap();
        let (status, json) = self.post(token, lang, body).await;
        assert_eq!(status, 200, "GraphQL answers 200 even for errors: {json}");
        json
    }

    /// Sends `n` GraphQL requests at once (built by `body(i)`) and returns every answer,
    /// for tests about races.
    pub async fn concurrently(&self, n: usize, token: Option<&str>, body: impl Fn(usize) -> Value) -> Vec<Value> {
        let handles: Vec<_> = (0..n)
            .map(|i| {
                let mut req = self.http.post(self.url("/graphql")).json(&body(i));
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                tokio::spawn(async move { req.send().await.expect("sent").json::<Value>().await.expect("json") })
            })
            .collect();
        let mut out = Vec::with_capacity(n);
        for h in handles {
            out.push(h.await.expect("request task"));
        }
        out
    }

    /// A query expected to succeed: returns `data`, panics with the errors otherwise.
    pub async fn ok(&self, token: &str, query: &str, vars: Value) -> Value {
        let r = self.gql_full(Some(token), None, query, vars).await;
        assert!(r.get("errors").is_none(), "unexpected errors: {r}");
        r["data"].clone()
    }

    /// A query expected to fail: returns the first error.
    pub async fn err(&self, token: Option<&str>, query: &str, vars: Value) -> Value {
        let r = self.gql_full(token, None, query, vars).await;
        r["errors"][0].clone()
    }

    pub async fn sign_up(&self, email: &str, account: &str) -> Session {
        let r = self
            .gql_full(
                None,
                None,
                SIGN_UP,
                json!({ "input": { "email": email, "password": PASSWORD, "accountName": account } }),
            )
            .await;
        assert!(r.get("errors").is_none(), "sign-up failed: {r}");
        Session::from_payload(&r["data"]["signUp"])
    }

    /// Logs in to a given account with the standard test password.
    pub async fn login_to(&self, email: &str, account_id: &str) -> Session {
        let r = self
            .gql_full(
                None,
                None,
                LOGIN,
                json!({ "input": { "email": email, "password": PASSWORD, "accountId": account_id } }),
            )
            .await;
        assert!(r.get("errors").is_none(), "login failed: {r}");
        Session::from_payload(&r["data"]["login"])
    }

    pub async fn login(&self, email: &str, password: &str) -> Value {
        self.gql_full(None, None, LOGIN, json!({ "input": { "email": email, "password": password } })).await
    }

    /// Sets a member's role directly (there is no invitation flow yet).
    pub async fn set_membership(&self, account_id: &str, user_id: &str, role: Option<&str>) {
        use entity::tables::membership;
        use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
        let (account, user) = (uuid::Uuid::parse_str(account_id).unwrap(), uuid::Uuid::parse_str(user_id).unwrap());
        membership::Entity::delete_many()
            .filter(membership::Column::AccountId.eq(account))
            .filter(membership::Column::UserId.eq(user))
            .exec(&self.db)
            .await
            .unwrap();
        if let Some(role) = role {
            membership::ActiveModel {
                id: Set(uuid::Uuid::now_v7()),
                account_id: Set(account),
                user_id: Set(user),
                role: Set(role.to_owned()),
                created_at: Set(chrono::Utc::now()),
            }
            .insert(&self.db)
            .await
            .unwrap();
        }
    }

    /// Runs SQL with every trigger lifted, as an attacker with database access would (see
    /// `tamper_with`).
    pub async fn tamper(&self, sql: &str) {
        let sql = sql.to_owned();
        self.tamper_with(move |txn| {
            Box::pin(async move {
                txn.execute_unprepared(&sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
            })
        })
        .await
    }

    /// Runs `change` with every trigger lifted, as an attacker with database access would:
    /// on PostgreSQL in a transaction with `session_replication_role = replica` (ordinary
    /// triggers, foreign keys included, do not fire); on SQLite, whose triggers cannot be
    /// disabled, by dropping them all, making the change and creating them again, in one
    /// transaction on one connection.
    pub async fn tamper_with<F>(&self, change: F)
    where
        F: for<'a> FnOnce(&'a sea_orm::DatabaseTransaction) -> futures_util::future::BoxFuture<'a, ()>,
    {
        use sea_orm::{Statement, TransactionTrait};
        let txn = self.db.begin().await.expect("begin");
        match self.backend {
            Backend::Postgres => {
                txn.execute_unprepared("SET LOCAL session_replication_role = replica").await.expect("replica role");
                change(&txn).await;
            }
            Backend::Sqlite => {
                let triggers: Vec<(String, String)> = txn
                    .query_all_raw(Statement::from_string(
                        sea_orm::DbBackend::Sqlite,
                        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'",
                    ))
                    .await
                    .expect("triggers")
                    .into_iter()
                    .map(|r| (r.try_get_by_index(0).unwrap(), r.try_get_by_index(1).unwrap()))
                    .collect();
                for (name, _) in &triggers {
                    txn.execute_unprepared(&format!("DROP TRIGGER \"{name}\"")).await.expect("drop trigger");
                }
                change(&txn).await;
                for (_, create) in &triggers {
                    txn.execute_unprepared(create).await.expect("re-create trigger");
                }
            }
        }
        txn.commit().await.expect("commit");
    }

    /// An id as a SQL literal of this backend (SQLite stores UUIDs as 16-byte blobs).
    pub fn id_sql(&self, id: &str) -> String {
        match self.backend {
            Backend::Sqlite => format!("X'{}'", uuid::Uuid::parse_str(id).expect("uuid").simple()),
            Backend::Postgres => format!("'{id}'"),
        }
    }

    /// Verifies one chain of an account, whole, as `scelle verify` does (the test key
    /// trusted, no anchors), through the domain.
    pub async fn verify_chain(
        &self,
        account: &str,
        chain: entity::ledger::store::Chain,
    ) -> entity::ledger::verify::Report {
        self.verify_with(account, chain, Vec::new()).await
    }

    /// The same as if it were `now` (for which periods are past: closures due).
    pub async fn verify_at(
        &self,
        account: &str,
        chain: entity::ledger::store::Chain,
        now: chrono::DateTime<chrono::Utc>,
    ) -> entity::ledger::verify::Report {
        let account = entity::AccountId(uuid::Uuid::parse_str(account).expect("account id"));
        let options = entity::ledger::verify::Options { now, ..verification_options(Vec::new()) };
        entity::ledger::verify::verify_chain(&self.db, account, chain, Default::default(), &options)
            .await
            .expect("verification runs")
    }

    /// The same with anchors (hashes kept outside) to find.
    pub async fn verify_with(
        &self,
        account: &str,
        chain: entity::ledger::store::Chain,
        anchors: Vec<String>,
    ) -> entity::ledger::verify::Report {
        let account = entity::AccountId(uuid::Uuid::parse_str(account).expect("account id"));
        let options = verification_options(anchors);
        entity::ledger::verify::verify_chain(&self.db, account, chain, Default::default(), &options)
            .await
            .expect("verification runs")
    }

    /// The reasons (and sequences) a chain's verification names, in order.
    pub async fn findings(
        &self,
        account: &str,
        chain: entity::ledger::store::Chain,
    ) -> Vec<(&'static str, Option<i64>)> {
        self.verify_chain(account, chain).await.findings.iter().map(|f| (f.reason.as_str(), f.sequence)).collect()
    }

    /// Runs SQL directly, bypassing the API (to set up situations the API cannot yet create).
    pub async fn sql(&self, sql: &str) {
        self.db.execute_unprepared(sql).await.expect("sql");
    }
}

/// What the tests verify with: the test key ring's public keys, `anchors`, now.
pub fn verification_options(anchors: Vec<String>) -> entity::ledger::verify::Options {
    let ring = entity::ledger::keys::KeyRing::parse(LEDGER_KEY).expect("test key");
    entity::ledger::verify::Options::new(ring.trusted(), anchors)
}

pub const AUTH_FIELDS: &str = "accessToken refreshToken accessTokenExpiresAt user { id email } account { id name }";
pub const SIGN_UP: &str = "mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id email } account { id name } } }";
pub const LOGIN: &str = "mutation($input: LoginInput!) { login(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id email } account { id name } } }";

#[derive(Clone, Debug)]
pub struct Session {
    pub access: String,
    pub refresh: String,
    pub user_id: String,
    pub account_id: String,
}

impl Session {
    pub fn from_payload(p: &Value) -> Session {
        Session {
            access: p["accessToken"].as_str().expect("accessToken").to_owned(),
            refresh: p["refreshToken"].as_str().expect("refreshToken").to_owned(),
            user_id: p["user"]["id"].as_str().expect("user id").to_owned(),
            account_id: p["account"]["id"].as_str().expect("account id").to_owned(),
        }
    }
}

/// The first error's code and its field (the first field error's, else the conflict's).
pub fn failure(r: &Value) -> (String, String) {
    let e = &r["errors"][0];
    let field = e["extensions"]["fields"][0]["field"].as_str().or(e["extensions"]["field"].as_str()).unwrap_or("");
    (code(e).to_owned(), field.to_owned())
}

/// Error code of a GraphQL error value.
pub fn code(err: &Value) -> &str {
    err["extensions"]["code"].as_str().unwrap_or("<none>")
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let p = std::env::temp_dir().join(format!("scelle-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A PostgreSQL database created for one test and dropped after it.
pub struct PgDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl PgDatabase {
    pub async fn create(admin_url: &str) -> PgDatabase {
        let name = format!("scelle_test_{}", uuid::Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(admin_url).await.expect("connect to SCELLE_TEST_POSTGRES_URL");
        let template = template::postgres(admin_url);
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
            .expect("create test database");
        admin.close().await.ok();
        PgDatabase { url: with_database(admin_url, &name), admin_url: admin_url.to_owned(), name }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside async: use a short-lived runtime on its own thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            rt.block_on(async {
                let admin = sea_orm::Database::connect(&admin_url).await.ok()?;
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await.ok()?;
                admin.close().await.ok()
            })
        })
        .join();
    }
}

/// Replaces the database name in a PostgreSQL URL, keeping credentials and parameters.
pub fn with_database(url: &str, name: &str) -> String {
    let (before_query, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = before_query.find("://").map(|i| i + 3).unwrap_or(0);
    let base = match before_query[scheme_end..].find('/') {
        Some(i) => &before_query[..scheme_end + i],
        None => before_query,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_names_in_urls() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://h:5432", "x"), "postgres://h:5432/x");
    }
}

/// A real SMTP server on loopback for tests: it speaks enough of RFC 5321 for a client
/// (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), accepts everything and keeps each
/// message's envelope recipients and raw bytes (dot-stuffing undone).
pub struct SmtpSink {
    pub addr: std::net::SocketAddr,
    messages: std::sync::Arc<tokio::sync::Mutex<Vec<ReceivedMail>>>,
}

#[derive(Clone, Debug)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

impl SmtpSink {
    pub async fn start() -> SmtpSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind SMTP sink");
        let addr = listener.local_addr().expect("sink address");
        let messages = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::new()));
        let store = messages.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(Self::session(socket, store.clone()));
            }
        });
        SmtpSink { addr, messages }
    }

    /// `smtp://127.0.0.1:<port>` for `Config::smtp_url`.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub async fn messages(&self) -> Vec<ReceivedMail> {
        self.messages.lock().await.clone()
    }

    /// Waits (up to `secs`) until at least `n` messages arrived.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<ReceivedMail> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let got = self.messages().await;
            if got.len() >= n || std::time::Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    async fn session(
        socket: tokio::net::TcpStream,
        store: std::sync::Arc<tokio::sync::Mutex<Vec<ReceivedMail>>>,
    ) -> std::io::Result<()> {
        use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let cmd = line.trim_end().to_owned();
            let upper = cmd.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            } else if upper.starts_with("HELO") {
                b"250 sink.test\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                from = cmd[10..].trim().to_owned();
                to.clear();
                b"250 OK\r\n"
            } else if upper.starts_with("RCPT TO:") {
                to.push(cmd[8..].trim().trim_start_matches('<').split('>').next().unwrap_or("").to_owned());
                b"250 OK\r\n"
            } else if upper == "DATA" {
                write.write_all(b"354 end with <CRLF>.<CRLF>\r\n").await?;
                let mut data = Vec::new();
                loop {
                    let mut l = Vec::new();
                    if lines.read_until(b'\n', &mut l).await? == 0 {
                        return Ok(());
                    }
                    if l == b".\r\n" || l == b".\n" {
                        break;
                    }
                    data.extend_from_slice(if l.starts_with(b"..") { &l[1..] } else { &l });
                }
                store.lock().await.push(ReceivedMail { from: from.clone(), to: std::mem::take(&mut to), data });
                b"250 OK queued\r\n"
            } else if upper == "RSET" {
                to.clear();
                b"250 OK\r\n"
            } else if upper == "NOOP" {
                b"250 OK\r\n"
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                b"502 command not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
    }
}
