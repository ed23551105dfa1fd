//! Certification closures (issue 4): one row per account × frequency × period, sealed in
//! the account's closures chain, with the CSV of the period's documents. Exactly once by a
//! unique index; never editable nor deletable (triggers on both backends) except for the
//! e-mail delivery columns, which the mailer updates after the closure is sealed.

use crate::helpers::{fk, index};
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000014_closures"
    }
}

/// The columns frozen once a closure is written: all but its e-mail's delivery state.
pub(crate) const SEALED_COLUMNS: &[&str] = &[
    "id",
    "account_id",
    "frequency",
    "period_start",
    "period_end",
    "time_zone",
    "starts_at",
    "ends_at",
    "document_count",
    "sales_count",
    "credit_count",
    "sales_net",
    "sales_tax",
    "sales_gross",
    "credits_net",
    "credits_tax",
    "credits_gross",
    "total_net",
    "total_tax",
    "total_gross",
    "vat_rows",
    "perpetual_total",
    "first_sequence",
    "last_sequence",
    "last_hash",
    "csv",
    "csv_sha256",
    "created_at",
];

fn changed(cols: &[&str]) -> String {
    cols.iter().map(|c| format!("NEW.{c} IS DISTINCT FROM OLD.{c}")).collect::<Vec<_>>().join(" OR ")
}

fn sqlite_changed(cols: &[&str]) -> String {
    cols.iter().map(|c| format!("NEW.{c} IS NOT OLD.{c}")).collect::<Vec<_>>().join(" OR ")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("closures"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            // `daily`, `monthly` or `yearly`.
            .col(string("frequency"))
            // First and last day of the period in the account's time zone (inclusive).
            .col(date("period_start"))
            .col(date("period_end"))
            .col(string("time_zone"))
            // The same period in UTC: [starts_at, ends_at).
            .col(timestamp_with_time_zone("starts_at"))
            .col(timestamp_with_time_zone("ends_at"))
            .col(big_integer("document_count"))
            .col(big_integer("sales_count"))
            .col(big_integer("credit_count"))
            // Money as text with two decimals, like every amount.
            .col(string("sales_net"))
            .col(string("sales_tax"))
            .col(string("sales_gross"))
            .col(string("credits_net"))
            .col(string("credits_tax"))
            .col(string("credits_gross"))
            .col(string("total_net"))
            .col(string("total_tax"))
            .col(string("total_gross"))
            // One line per VAT rate (layout in `entity::closures`).
            .col(text("vat_rows"))
            .col(string("perpetual_total"))
            .col(big_integer_null("first_sequence"))
            .col(big_integer_null("last_sequence"))
            .col(string("last_hash"))
            .col(text("csv"))
            .col(string("csv_sha256"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("email_sent_at"))
            .col(integer("email_attempts").default(0))
            .col(text_null("email_last_error"))
            // The sender working on it, so that two schedulers do not send it twice.
            .col(timestamp_with_time_zone_null("email_claimed_at"))
            .foreign_key(&mut fk(
                "fk_closures_account",
                ("closures", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t.to_owned()).await?;
        // Exactly one closure per account, frequency and period, whatever the schedulers.
        m.create_index(index("ux_closures_period", "closures", &["account_id", "frequency", "period_start"], true))
            .await?;
        // The mailer's scan of what is left to send.
        m.create_index(index("ix_closures_unsent", "closures", &["email_sent_at"], false)).await?;

        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER closures_sealed BEFORE UPDATE ON closures WHEN {} \
                     BEGIN SELECT RAISE(ABORT, 'closures are sealed'); END",
                    sqlite_changed(SEALED_COLUMNS)
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER closures_no_delete BEFORE DELETE ON closures \
                     BEGIN SELECT RAISE(ABORT, 'closures are sealed'); END",
                )
                .await?;
            }
            _ => {
                db.execute_unprepared(&format!(
                    "CREATE FUNCTION scelle_closures_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP = 'DELETE' OR {} THEN RAISE EXCEPTION 'closures are sealed'; END IF; \
                       RETURN NEW; \
                     END $$",
                    changed(SEALED_COLUMNS)
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER closures_sealed BEFORE UPDATE OR DELETE ON closures \
                     FOR EACH ROW EXECUTE FUNCTION scelle_closures_sealed()",
                )
                .await?;
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            DbBackend::Sqlite => {
                db.execute_unprepared("DROP TRIGGER closures_sealed").await?;
                db.execute_unprepared("DROP TRIGGER closures_no_delete").await?;
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER closures_sealed ON closures").await?;
                db.execute_unprepared("DROP FUNCTION scelle_closures_sealed()").await?;
            }
        }
        m.drop_table(Table::drop().table(Alias::new("closures")).to_owned()).await
    }
}
