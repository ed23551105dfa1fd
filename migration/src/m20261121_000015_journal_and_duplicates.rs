//! The certification event journal (`journal_events`, append-only like the ledger: each
//! row is sealed in the account's `events` chain when written) and the count of printed
//! or sent copies of a document (`documents.print_count`, not a fiscal field: it grows on
//! sealed documents).

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000015_journal_and_duplicates"
    }
}

/// Triggers refusing UPDATE and DELETE of journal rows (`up`, then `down`), per backend.
/// Public so that tamper tests can lift and restore them as an attacker with database
/// access would, without rolling back the table itself.
pub fn journal_triggers(backend: DbBackend) -> (&'static [&'static str], &'static [&'static str]) {
    match backend {
        DbBackend::Sqlite => (SQLITE_UP, SQLITE_DOWN),
        _ => (POSTGRES_UP, POSTGRES_DOWN),
    }
}

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER journal_events_no_update BEFORE UPDATE ON journal_events \
     BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END",
    "CREATE TRIGGER journal_events_no_delete BEFORE DELETE ON journal_events \
     BEGIN SELECT RAISE(ABORT, 'journal events are append-only'); END",
];

const SQLITE_DOWN: &[&str] = &["DROP TRIGGER journal_events_no_update", "DROP TRIGGER journal_events_no_delete"];

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION scelle_journal_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN RAISE EXCEPTION 'journal events are append-only'; END $$",
    "CREATE TRIGGER journal_events_append_only BEFORE UPDATE OR DELETE ON journal_events \
     FOR EACH ROW EXECUTE FUNCTION scelle_journal_events_append_only()",
];

const POSTGRES_DOWN: &[&str] =
    &["DROP TRIGGER journal_events_append_only ON journal_events", "DROP FUNCTION scelle_journal_events_append_only()"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("journal_events"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            // The event's sequence in the account's `events` chain.
            .col(big_integer("sequence"))
            .col(string("code"))
            .col(timestamp_with_time_zone("occurred_at"))
            // Who: a user (none for the system or a public link) and how they proved it.
            .col(uuid_null("user_id"))
            .col(string("credential"))
            .col(string_null("ip"))
            // Compact JSON, stored as sealed (verification compares this very text).
            .col(text("details"))
            .foreign_key(&mut fk(
                "fk_journal_events_account",
                ("journal_events", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ux_journal_events_sequence", "journal_events", &["account_id", "sequence"], true))
            .await?;
        m.create_index(index("ix_journal_events_code", "journal_events", &["account_id", "code", "sequence"], false))
            .await?;
        let (up, _) = journal_triggers(m.get_database_backend());
        for s in up {
            m.get_connection().execute_unprepared(s).await?;
        }

        let mut c = integer("print_count").default(0).to_owned();
        m.alter_table(Table::alter().table(Alias::new("documents")).add_column(&mut c).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("documents")).drop_column(Alias::new("print_count")).to_owned())
            .await?;
        let (_, down) = journal_triggers(m.get_database_backend());
        for s in down {
            m.get_connection().execute_unprepared(s).await?;
        }
        m.drop_table(Table::drop().table(Alias::new("journal_events")).to_owned()).await
    }
}
