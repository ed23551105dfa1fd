//! The transactional outbox (issue 13): `domain_events`, one row per thing that happened
//! in an account (a document issued, a payment paid, a client created…), written in the
//! same transaction as the change, so that an event exists exactly when its change was
//! committed. Consumers (webhooks, later e-mails and connectors) read it through the
//! dispatcher, which marks each row `dispatched_at` once its jobs are queued.

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000019_domain_events"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("domain_events"))
            // UUID v7: ordered by when the event was noted.
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(string("code"))
            .col(uuid("subject_id"))
            // Compact JSON: a snapshot of the subject as the change left it.
            .col(text("payload"))
            .col(timestamp_with_time_zone("occurred_at"))
            .col(timestamp_with_time_zone_null("dispatched_at"))
            .foreign_key(&mut fk(
                "fk_domain_events_account",
                ("domain_events", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ix_domain_events_account", "domain_events", &["account_id", "id"], false)).await?;
        // What the dispatcher looks for: the few rows not yet dispatched, oldest first.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_domain_events_undispatched ON domain_events (id) WHERE dispatched_at IS NULL",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("domain_events")).to_owned()).await
    }
}
