//! The last fields of the seed's document: `warehouse_id` (kept as given until stock
//! management exists), `show_attachments`, and a position's `additional_info`.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000009_document_extras"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, mut c) in [
            ("documents", string_null("warehouse_id")),
            ("documents", boolean("show_attachments").default(false).to_owned()),
            ("document_positions", text_null("additional_info")),
        ] {
            m.alter_table(Table::alter().table(Alias::new(table)).add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, c) in [
            ("document_positions", "additional_info"),
            ("documents", "show_attachments"),
            ("documents", "warehouse_id"),
        ] {
            m.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(c)).to_owned()).await?;
        }
        Ok(())
    }
}
