//! The certification ledger: per-account hash chains (documents, payments, closures,
//! events) and their heads. Entries are append-only (the triggers are migration 000012's).

use crate::helpers::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000011_ledger"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut h = Table::create();
        h.table(Alias::new("ledger_heads"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(string("chain"))
            // The chain's random start (the "previous hash" of its first entry).
            .col(string("genesis"))
            .col(big_integer("last_sequence"))
            .col(string("last_hash"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk(
                "fk_ledger_heads_account",
                ("ledger_heads", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(h.to_owned()).await?;
        m.create_index(index("ux_ledger_heads_chain", "ledger_heads", &["account_id", "chain"], true)).await?;

        let mut e = Table::create();
        e.table(Alias::new("ledger_entries"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(string("chain"))
            .col(big_integer("sequence"))
            // What was sealed (a document, a payment…): the link, not part of the hash.
            .col(uuid("subject_id"))
            .col(integer("version"))
            .col(text("canonical"))
            .col(string("previous_hash"))
            .col(string("hash"))
            .col(timestamp_with_time_zone("sealed_at"))
            .foreign_key(&mut fk(
                "fk_ledger_entries_account",
                ("ledger_entries", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(e.to_owned()).await?;
        m.create_index(index(
            "ux_ledger_entries_sequence",
            "ledger_entries",
            &["account_id", "chain", "sequence"],
            true,
        ))
        .await?;
        // Sealed once: a subject has at most one entry in its chain.
        m.create_index(index(
            "ux_ledger_entries_subject",
            "ledger_entries",
            &["account_id", "chain", "subject_id"],
            true,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("ledger_entries")).to_owned()).await?;
        m.drop_table(Table::drop().table(Alias::new("ledger_heads")).to_owned()).await
    }
}
