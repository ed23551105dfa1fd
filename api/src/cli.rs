//! The `scelle` command.

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "scelle", version, about = "Invoicing and certification backend")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Verify an account's chains (documents, payments, closures, events) and print the
    /// first broken link of each; exits with status 1 when one is broken.
    Verify {
        /// The account's id.
        #[arg(long)]
        account: uuid::Uuid,
    },
    /// Check an archive made by `exportArchive` offline: every file against the manifest,
    /// every chain entry's hash and link. Exits with status 1 when anything is wrong.
    VerifyArchive {
        /// The zip file.
        file: PathBuf,
    },
    /// Print the GraphQL schema (sorted SDL), or write it to a file.
    ExportSchema {
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}
