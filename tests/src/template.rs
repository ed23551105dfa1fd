//! Pre-migrated template databases: each test starts from a copy instead of running
//! every migration again (a copied SQLite file; `CREATE DATABASE … TEMPLATE` on
//! PostgreSQL). A template is named by a hash of the migrations' sources (`build.rs`),
//! so that test processes (and checkouts) with the same migrations share it and a
//! changed migration gets a fresh one. The server still runs `Migrator::up` on its copy
//! at start, which finds nothing to do: the path under test is the one `scelle serve` takes.

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Database};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const HASH: &str = env!("SCELLE_MIGRATIONS_HASH");

/// Runs `f` to completion on a runtime of its own: the templates are made once per
/// process, from whichever test's runtime asks first, and must outlive it.
fn on_own_runtime<T: Send + 'static>(f: impl std::future::Future<Output = T> + Send + 'static) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("template runtime").block_on(f)
    })
    .join()
    .expect("making the template database")
}

/// Copies the migrated SQLite template to `file`.
pub fn copy_sqlite_to(file: &Path) {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    let template = TEMPLATE.get_or_init(|| on_own_runtime(sqlite_template()));
    std::fs::copy(template, file).expect("copying the SQLite template");
}

async fn sqlite_template() -> PathBuf {
    let path = std::env::temp_dir().join(format!("scelle-template-{HASH}.db"));
    if path.exists() {
        return path;
    }
    // Built under a name of its own, then renamed into place: a process that finds the
    // template finds it whole.
    let building = std::env::temp_dir().join(format!("scelle-template-{HASH}-{}.db", uuid::Uuid::new_v4().simple()));
    let db = entity::db::connect(&format!("sqlite://{}?mode=rwc", building.display())).await.expect("template file");
    migration::Migrator::up(&db, None).await.expect("migrating the SQLite template");
    // Everything into the main file, so that the file alone is the database.
    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await.expect("checkpoint");
    db.close().await.expect("closing the template");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", building.display()));
    }
    std::fs::rename(&building, &path).expect("placing the SQLite template");
    path
}

/// The name of the migrated PostgreSQL template on the server of `admin_url`.
pub fn postgres(admin_url: &str) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| on_own_runtime(postgres_template(admin_url.to_owned())))
}

async fn postgres_template(admin_url: String) -> String {
    let name = format!("scelle_template_{HASH}");
    let admin = Database::connect(&admin_url).await.expect("connect to SCELLE_TEST_POSTGRES_URL");
    // One process builds it while the others wait (the lock ends with the session).
    admin.execute_unprepared("SELECT pg_advisory_lock(7265636501)").await.expect("template lock");
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_string(
            admin.get_database_backend(),
            format!("SELECT 1 FROM pg_database WHERE datname = '{name}'"),
        ))
        .await
        .expect("looking for the template")
        .is_some();
    if !exists {
        let building = format!("{name}_building");
        admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).await.expect("drop");
        admin.execute_unprepared(&format!("CREATE DATABASE {building}")).await.expect("create the template");
        let db = Database::connect(crate::with_database(&admin_url, &building)).await.expect("connect to the template");
        migration::Migrator::up(&db, None).await.expect("migrating the PostgreSQL template");
        // A template is cloned only while nobody is connected to it.
        db.close().await.expect("closing the template");
        admin.execute_unprepared(&format!("ALTER DATABASE {building} RENAME TO {name}")).await.expect("rename");
    }
    admin.execute_unprepared("SELECT pg_advisory_unlock(7265636501)").await.ok();
    admin.close().await.ok();
    name
}
