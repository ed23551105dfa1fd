use anyhow::Result;
use clap::Parser;
use scelle_api::app::{Application, connect_and_migrate};
use scelle_api::cli::{Cli, Command};
use scelle_api::config::Config;

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
    if let Some(Command::VerifyArchive { file }) = &cli.command {
        // Offline: no configuration, no database.
        let bytes = std::fs::read(file)?;
        let report = entity::archive::verify(&bytes);
        for p in &report.problems {
            println!("PROBLEM {p}");
        }
        println!(
            "{}: {} files and {} chain entries checked",
            if report.ok() { "OK" } else { "BROKEN" },
            report.files_checked,
            report.entries_checked
        );
        std::process::exit(if report.ok() { 0 } else { 1 });
    }
    let config = Config::load()?;
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Application::build(config).await?.run_until_stopped().await?,
        Command::Migrate => {
            std::fs::create_dir_all(&config.data_dir)?;
            connect_and_migrate(&config).await?;
            tracing::info!("migrations applied");
        }
        Command::Verify { account } => {
            let db = connect_and_migrate(&config).await?;
            let (report, ok) = scelle_api::verify_cli::report(&db, entity::AccountId(account)).await?;
            print!("{report}");
            if !ok {
                std::process::exit(1);
            }
        }
        Command::ExportSchema { .. } | Command::VerifyArchive { .. } => unreachable!("handled above"),
    }
    Ok(())
}
