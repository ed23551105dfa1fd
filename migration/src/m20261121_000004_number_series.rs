//! Numbering counters: one row per series of documents.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000004_number_series"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("number_series"))
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                // Which documents share the counter (department, kind family, test or not).
                .col(string("series_key"))
                // The period the counter counts in (`numbering::Pattern::period_key`).
                .col(string("current_period"))
                .col(big_integer("last_number"))
                .col(date_null("last_issue_date"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_number_series_account")
                        .from(Alias::new("number_series"), Alias::new("account_id"))
                        .to(Alias::new("accounts"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_number_series_key")
                .table(Alias::new("number_series"))
                .col(Alias::new("account_id"))
                .col(Alias::new("series_key"))
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("number_series")).to_owned()).await
    }
}
