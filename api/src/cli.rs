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
    /// Verify an account's chains (documents, payments, closures, events), or every
    /// account's, and print every finding; exits with status 1 when there is one.
    Verify {
        /// The account's id.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        account: Option<uuid::Uuid>,
        /// Every account.
        #[arg(long)]
        all: bool,
        /// The trusted public keys (a list from `scelle keys public`), instead of the
        /// installation's key ring: what the signatures must have been made with.
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
        /// Hashes kept from closure e-mails (block or file hashes), one per line: each must
        /// still be in the account's chains.
        #[arg(long, value_name = "FILE")]
        anchors: Option<PathBuf>,
    },
    /// A consistent copy of the running SQLite database at PATH (a new file, mode 0600), safe
    /// while the server writes. On PostgreSQL, use pg_dump.
    Backup {
        /// Where to write the copy (must not exist).
        path: PathBuf,
    },
    /// The ledger signing keys (`SCELLE_LEDGER_KEY_FILE`, default `<data dir>/ledger_keys`).
    Keys {
        #[command(subcommand)]
        action: KeysAction,
    },
    /// Check an archive made by `exportArchive` offline: every file against the manifest,
    /// every chain entry's hash and link, and with `--keys` every signature. Exits with
    /// status 1 when anything is wrong.
    VerifyArchive {
        /// The zip file.
        file: PathBuf,
        /// The trusted public keys (a list from `scelle keys public`).
        #[arg(long, value_name = "FILE")]
        keys: Option<PathBuf>,
    },
    /// Print the GraphQL schema (sorted SDL), or write it to a file.
    ExportSchema {
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum KeysAction {
    /// Print the trusted public keys (to publish, and for `scelle verify --keys`).
    Public,
    /// Replace the signing key by a new one; the old one's public key stays in the file,
    /// so what it signed still verifies. Takes effect at the next start.
    Rotate,
    /// Seal what older versions left unsealed and sign unsigned heads, with the current
    /// key (done by itself when the key file is first created).
    Adopt,
}
