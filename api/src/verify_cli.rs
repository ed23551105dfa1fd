//! `scelle verify --account <id>`: recomputes every chain of an account from the database
//! and prints, per chain, OK with the number of entries, or the first broken link. The
//! exit status is 0 when every chain verifies, 1 otherwise — for scripts and cron.

use entity::AccountId;
use entity::ledger::store::{self, Chain, Range};
use sea_orm::DatabaseConnection;
use std::fmt::Write;

pub const CHAINS: [Chain; 4] = [Chain::Documents, Chain::Payments, Chain::Closures, Chain::Events];

/// The report's text and whether every chain verified.
pub async fn report(db: &DatabaseConnection, account: AccountId) -> anyhow::Result<(String, bool)> {
    use sea_orm::EntityTrait;
    if entity::tables::account::Entity::find_by_id(account.0).one(db).await?.is_none() {
        anyhow::bail!("no account {}", account.0);
    }
    let mut out = String::new();
    let mut all_ok = true;
    writeln!(out, "account {}", account.0)?;
    for chain in CHAINS {
        let v = store::verify(db, account, chain, Range::default()).await?;
        // The run itself is journaled, as a verification through the API is. (Journaling
        // into a chain that was just checked appends after the checked range.)
        let event = crate::graphql::certification_journal_event(chain, &v);
        entity::journal::record_alone(db, account, &entity::journal::Origin::system(), event).await?;
        match &v.first_broken {
            None => writeln!(out, "{:<10} OK ({} entries)", chain.as_str(), v.checked)?,
            Some(b) => {
                all_ok = false;
                writeln!(
                    out,
                    "{:<10} BROKEN at sequence {}: {} (expected hash {}, stored hash {}; {} entries verified before)",
                    chain.as_str(),
                    b.sequence,
                    b.reason,
                    b.expected_hash.as_deref().unwrap_or("-"),
                    b.stored_hash.as_deref().unwrap_or("-"),
                    v.checked
                )?;
            }
        }
    }
    Ok((out, all_ok))
}
