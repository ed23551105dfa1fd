//! Indexes in the order lists read: a page of an account's documents newest first (by
//! issue date, then id, as `documents::list` orders) and one buyer's documents in the same
//! order are ordered index scans that stop after the page, instead of sorting every
//! matching document on each request. Each replaces the index it extends, which stays
//! usable through its prefix (the foreign-key checks on `client_id`).

use crate::helpers::index;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000017_document_list_indexes"
    }
}

/// (name, columns) before and after.
const CHANGES: [(&str, &[&str], &str, &[&str]); 2] = [
    (
        "ix_documents_account_issue_date",
        &["account_id", "issue_date"],
        "ix_documents_account_issue_date_id",
        &["account_id", "issue_date", "id"],
    ),
    (
        "ix_documents_account_client",
        &["account_id", "client_id"],
        "ix_documents_account_client_issue_date_id",
        &["account_id", "client_id", "issue_date", "id"],
    ),
];

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table(Alias::new("documents")).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (old, _, new, columns) in CHANGES {
            m.create_index(index(new, "documents", columns, false)).await?;
            m.drop_index(drop(old)).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (old, columns, new, _) in CHANGES {
            m.create_index(index(old, "documents", columns, false)).await?;
            m.drop_index(drop(new)).await?;
        }
        Ok(())
    }
}
