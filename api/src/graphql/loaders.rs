//! Batched reads for fields that every item of a list asks for: a page of 50 invoices
//! with their lines and seals reads the lines of all 50 in one query and their seals in
//! another, instead of one query per invoice and field.
//!
//! The loaders are the schema's (shared by every request) and cache nothing: each batch is
//! read when it is asked for, so no request ever sees another's data or an older state.
//! Keys carry the account, and each account's keys are read with that account's filter:
//! a batch mixing two requests of two accounts reads them apart.

use async_graphql::dataloader::{DataLoader, Loader};
use entity::error::DomainError;
use entity::ledger::store::Chain;
use entity::tables::{document_position, ledger_entry};
use entity::tenant::AccountId;
use sea_orm::DatabaseConnection;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use uuid::Uuid;

/// Every stored row of one document (lines and a credit note's before/after rows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PositionRowsOf(pub AccountId, pub Uuid);

/// The entry of one subject in one chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntryOf(pub AccountId, pub Chain, pub Uuid);

pub struct Reads {
    db: DatabaseConnection,
}

/// A loader's failure, shared by every field of its batch.
pub type LoadError = Arc<DomainError>;

impl Loader<PositionRowsOf> for Reads {
    type Value = Arc<Vec<document_position::Model>>;
    type Error = LoadError;

    async fn load(&self, keys: &[PositionRowsOf]) -> Result<HashMap<PositionRowsOf, Self::Value>, Self::Error> {
        let mut by_account: BTreeMap<Uuid, Vec<Uuid>> = BTreeMap::new();
        for PositionRowsOf(account, id) in keys {
            by_account.entry(account.0).or_default().push(*id);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for (account, ids) in by_account {
            let account = AccountId(account);
            let rows = entity::documents::position_rows_of(&self.db, account, &ids).await.map_err(Arc::new)?;
            found.extend(rows.into_iter().map(|(id, rows)| (PositionRowsOf(account, id), Arc::new(rows))));
        }
        Ok(found)
    }
}

impl Loader<EntryOf> for Reads {
    type Value = Arc<ledger_entry::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[EntryOf]) -> Result<HashMap<EntryOf, Self::Value>, Self::Error> {
        let mut groups: BTreeMap<(Uuid, Chain), Vec<Uuid>> = BTreeMap::new();
        for EntryOf(account, chain, id) in keys {
            groups.entry((account.0, *chain)).or_default().push(*id);
        }
        let mut found = HashMap::with_capacity(keys.len());
        for ((account, chain), ids) in groups {
            let account = AccountId(account);
            let entries = entity::ledger::store::entries_of(&self.db, account, chain, &ids).await.map_err(Arc::new)?;
            found.extend(entries.into_iter().map(|(id, e)| (EntryOf(account, chain, id), Arc::new(e))));
        }
        Ok(found)
    }
}

/// The schema's loader. No delay: resolvers of one response run on one worker thread
/// (actix), so the batch task spawned by the first key runs only once every sibling
/// field has registered its own key and waits.
pub fn reads(db: DatabaseConnection) -> DataLoader<Reads> {
    DataLoader::new(Reads { db }, tokio::spawn).delay(std::time::Duration::ZERO).max_batch_size(500)
}

/// A loader's failure as the domain's (a database failure, shared by its batch).
pub fn failed(e: LoadError) -> DomainError {
    DomainError::Internal(format!("batched read: {e}"))
}
