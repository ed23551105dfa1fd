//! `scelle verify`: verifies an account's chains (or every account's) from the database,
//! against public keys and anchors taken from outside it, and prints every finding. The
//! exit status is 0 when everything verifies, 1 otherwise — for scripts and cron.

use entity::AccountId;
use entity::ledger::keys::TrustedKeys;
use entity::ledger::verify::{self, Options, Report};
use sea_orm::{DatabaseConnection, EntityTrait};
use std::fmt::Write;
use std::path::Path;

/// What to verify with: the trusted public keys (`--keys FILE`, else `ring`, the
/// installation's) and the kept hashes (`--anchors FILE`).
pub fn options(
    config: &crate::config::Config,
    keys: Option<&Path>,
    ring: Option<TrustedKeys>,
    anchors: Option<&Path>,
) -> anyhow::Result<Options> {
    let trusted = match (keys, ring) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
            TrustedKeys::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
        (None, Some(trusted)) => trusted,
        (None, None) => anyhow::bail!("no trusted public keys: give --keys FILE"),
    };
    let anchors = match anchors {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("reading {}: {e}", path.display()))?;
            verify::anchors::parse(&text).map_err(|lines| {
                anyhow::anyhow!(
                    "{}: lines {lines:?} are not SHA-256 hashes (64 hexadecimal characters)",
                    path.display()
                )
            })?
        }
        None => Vec::new(),
    };
    Ok(config.verification(trusted, anchors))
}

/// The accounts to verify: one, or all of them.
pub async fn accounts(db: &DatabaseConnection, account: Option<uuid::Uuid>) -> anyhow::Result<Vec<AccountId>> {
    use entity::tables::account;
    match account {
        Some(id) => {
            if account::Entity::find_by_id(id).one(db).await?.is_none() {
                anyhow::bail!("no account {id}");
            }
            Ok(vec![AccountId(id)])
        }
        None => Ok(entity::accounts::all_ids(db).await?),
    }
}

/// Verifies `accounts`, several at a time (as many as the machine has cores, at most four:
/// each is one snapshot, read by its own connection), printing each report in the order given as soon
/// as it and those before it are done, with a progress bar of the entries examined on a
/// terminal (standard error). One account that cannot be verified does not stop the
/// others. Returns whether everything verified.
pub async fn run(db: &DatabaseConnection, accounts: Vec<AccountId>, mut options: Options) -> anyhow::Result<bool> {
    use futures_util::StreamExt;
    let total = entries_of(db, &accounts).await?;
    let bar = indicatif::ProgressBar::with_draw_target(Some(total), indicatif::ProgressDrawTarget::stderr());
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {human_pos}/{human_len} entries, {per_sec}, {eta} left")
            .expect("a valid template"),
    );
    let counter = bar.clone();
    options.progress = Some(verify::Progress(std::sync::Arc::new(move |n| counter.inc(n))));
    // As many as there are cores, each a task of its own (hashing and signatures run in
    // parallel, not only the reads), and never more than a few of the pool's connections:
    // each holds a snapshot for its whole run, and journaling the run needs one more.
    let parallel = std::thread::available_parallelism().map_or(2, usize::from).min(4);
    let mut reports = futures_util::stream::iter(accounts)
        .map(|account| {
            let (db, options) = (db.clone(), options.clone());
            tokio::spawn(async move { (account, report(&db, account, &options).await) })
        })
        .buffered(parallel);
    let mut all_ok = true;
    while let Some(done) = reports.next().await {
        let (account, outcome) = done?;
        let text = match outcome {
            Ok((text, ok)) => {
                all_ok &= ok;
                text
            }
            Err(e) => {
                all_ok = false;
                format!("account {}\nverification could not run: {e:#}\n", account.0)
            }
        };
        bar.suspend(|| print!("{text}"));
    }
    bar.finish_and_clear();
    Ok(all_ok)
}

/// How many entries the accounts' chains hold, by their heads (the progress bar's length).
async fn entries_of(db: &DatabaseConnection, accounts: &[AccountId]) -> anyhow::Result<u64> {
    use entity::tables::ledger_head as head;
    use sea_orm::{ColumnTrait, QueryFilter, QuerySelect};
    let mut total = 0u64;
    for chunk in accounts.chunks(500) {
        let ids: Vec<uuid::Uuid> = chunk.iter().map(|a| a.0).collect();
        let lengths: Vec<i64> = head::Entity::find()
            .select_only()
            .column(head::Column::LastSequence)
            .filter(head::Column::AccountId.is_in(ids))
            .into_tuple()
            .all(db)
            .await?;
        total += lengths.into_iter().map(|n| n.max(0) as u64).sum::<u64>();
    }
    Ok(total)
}

/// The report of one account and whether everything verified. The run is journaled in
/// the account's events chain, as a verification through the API is; when that cannot be
/// done (the events chain itself tampered with), the report says so and is still printed.
pub async fn report(db: &DatabaseConnection, account: AccountId, options: &Options) -> anyhow::Result<(String, bool)> {
    let reports = verify::verify_account(db, account, options).await?;
    let mut out = String::new();
    writeln!(out, "account {}", account.0)?;
    let mut all_ok = true;
    for r in &reports {
        all_ok &= r.ok();
        print_chain(&mut out, r)?;
    }
    for r in &reports {
        if let Err(e) =
            entity::journal::record_alone(db, account, &entity::journal::Origin::system(), r.journal_event()).await
        {
            writeln!(out, "(this run could not be journaled in the events chain: {e})")?;
            break;
        }
    }
    Ok((out, all_ok))
}

fn print_chain(out: &mut String, r: &Report) -> std::fmt::Result {
    if r.ok() {
        return writeln!(out, "{:<10} OK ({} entries)", r.chain.as_str(), r.checked);
    }
    writeln!(out, "{:<10} BROKEN: {} finding(s), {} entries examined", r.chain.as_str(), r.findings.len(), r.checked)?;
    for f in &r.findings {
        let at = f.sequence.map(|s| format!("at sequence {s}")).unwrap_or_else(|| "-".into());
        write!(out, "  {} {at}: {}", f.reason.as_str(), f.detail)?;
        if let Some(s) = f.subject {
            write!(out, " [record {s}]")?;
        }
        if f.expected_hash.is_some() || f.stored_hash.is_some() {
            write!(
                out,
                " (expected hash {}, stored hash {})",
                f.expected_hash.as_deref().unwrap_or("-"),
                f.stored_hash.as_deref().unwrap_or("-")
            )?;
        }
        writeln!(out)?;
    }
    if r.truncated {
        writeln!(out, "  … more findings not shown")?;
    }
    Ok(())
}
