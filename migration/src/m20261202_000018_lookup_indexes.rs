//! Indexes for what issuing looks up, so that its cost does not grow with the account:
//! documents by id within their account (sealing reads a group commit's documents, and
//! verification a page of them, with `account_id = ? AND id IN (…)`; without this index
//! SQLite walked every document of the account through another index starting with
//! `account_id`), a buyer recognised by name and a catalogue product by exact name, both
//! oldest first (each scanned the account's contacts or products, then sorted).

use crate::helpers::index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000018_lookup_indexes"
    }
}

/// (name, table, columns).
const INDEXES: [(&str, &str, &[&str]); 3] = [
    ("ix_documents_account_id", "documents", &["account_id", "id"]),
    ("ix_clients_account_name_key", "clients", &["account_id", "name_key", "created_at"]),
    ("ix_products_account_name", "products", &["account_id", "name", "created_at"]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, columns) in INDEXES {
            m.create_index(index(name, table, columns, false)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in INDEXES {
            m.drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned()).await?;
        }
        Ok(())
    }
}
