use anyhow::Result;
use clap::Parser;
use scelle_api::app::{Application, connect_and_migrate, create_data_dir};
use scelle_api::cli::{Cli, Command, KeysAction};
use scelle_api::config::Config;

// jemalloc gives memory back to the system after a burst of large answers, where glibc's
// per-thread arenas kept it (bench/README.md, "Memory").
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    if let Some(Command::ExportSchema { output }) = &cli.command {
        let sdl = scelle_api::graphql::sdl();
        match output {
            Some(path) => std::fs::write(path, sdl)?,
            None => print!("{sdl}"),
        }
        return Ok(());
    }
    if let Some(Command::VerifyArchive { file, keys }) = &cli.command {
        // Offline: no configuration, no database.
        let bytes = std::fs::read(file)?;
        let trusted = match keys {
            Some(path) => Some(entity::ledger::keys::TrustedKeys::parse(&std::fs::read_to_string(path)?)?),
            None => None,
        };
        let report = entity::archive::verify(&bytes, trusted.as_ref());
        for p in &report.problems {
            println!("PROBLEM {p}");
        }
        let signatures = match trusted {
            Some(_) => format!("{} signatures", report.signatures_checked),
            None => "no signature (give --keys FILE to check them)".to_owned(),
        };
        println!(
            "{}: {} files, {} chain entries and {signatures} checked",
            if report.ok() { "OK" } else { "BROKEN" },
            report.files_checked,
            report.entries_checked
        );
        std::process::exit(if report.ok() { 0 } else { 1 });
    }
    let config = Config::load()?;
    scelle_api::app::init_logging(&config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(config).await?.run_until_stopped().await?,
        Command::Migrate => {
            create_data_dir(&config.data_dir)?;
            connect_and_migrate(&config).await?;
            tracing::info!("migrations applied");
        }
        Command::Verify { account, all: _, keys, anchors } => {
            let db = connect_and_migrate(&config).await?;
            // Never a new key here: a verification signs nothing but its own journal entry,
            // and only with the installation's key when this machine has it.
            let ring = config.existing_ledger_keys()?;
            anyhow::ensure!(
                ring.is_some() || keys.is_some(),
                "no ledger key ring at {} (nor SCELLE_LEDGER_KEY): give the trusted public keys with --keys FILE",
                config.ledger_key_path().display()
            );
            let trusted = match (&keys, ring) {
                (Some(_), ring) => {
                    if let Some(ring) = ring {
                        entity::ledger::keys::install(ring)?;
                    }
                    None
                }
                (None, Some(ring)) => Some(entity::ledger::keys::install(ring)?.trusted()),
                (None, None) => unreachable!("checked above"),
            };
            let options = scelle_api::verify_cli::options(&config, keys.as_deref(), trusted, anchors.as_deref())?;
            let accounts = scelle_api::verify_cli::accounts(&db, account).await?;
            if !scelle_api::verify_cli::run(&db, accounts, options).await? {
                std::process::exit(1);
            }
        }
        Command::Backup { path } => {
            let db = connect_and_migrate(&config).await?;
            entity::db::backup_sqlite(&db, &path).await?;
            println!("backup written to {}", path.display());
        }
        Command::Keys { action } => {
            let existing = || -> Result<entity::ledger::keys::KeyRing> {
                config.existing_ledger_keys()?.ok_or_else(|| {
                    anyhow::anyhow!(
                        "no ledger key ring at {} (nor SCELLE_LEDGER_KEY); `scelle serve` creates one on first start",
                        config.ledger_key_path().display()
                    )
                })
            };
            match action {
                KeysAction::Public => print!("{}", existing()?.public_text()),
                KeysAction::Rotate => {
                    anyhow::ensure!(
                        config.ledger_key.is_none(),
                        "SCELLE_LEDGER_KEY is set: rotate the key where it is kept"
                    );
                    existing()?;
                    let path = config.ledger_key_path();
                    let ring = entity::ledger::keys::KeyRing::rotate_file(&path)?;
                    println!("new signing key {} in {}; restart Scelle to sign with it", ring.key_id(), path.display());
                }
                KeysAction::Adopt => {
                    let ring = existing()?;
                    let db = connect_and_migrate(&config).await?;
                    entity::ledger::keys::install(ring)?;
                    let done = entity::ledger::adoption::adopt(&db).await?;
                    println!(
                        "{} account(s) adopted: {} record(s) sealed late, {} head(s) signed",
                        done.accounts, done.sealed_late, done.heads_signed
                    );
                }
            }
        }
        Command::ExportSchema { .. } | Command::VerifyArchive { .. } => unreachable!("handled above"),
    }
    Ok(())
}
