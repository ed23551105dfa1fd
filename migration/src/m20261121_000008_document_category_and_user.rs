//! A document's category (seed `category_id`) and the user who created it (seed
//! `user_id`). Neither has a foreign key: they are history, and deleting a category or a
//! user must never change an issued document.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000008_document_category_and_user"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for mut c in [uuid_null("category_id"), uuid_null("user_id")] {
            m.alter_table(Table::alter().table(Alias::new("documents")).add_column(&mut c).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in ["user_id", "category_id"] {
            m.alter_table(Table::alter().table(Alias::new("documents")).drop_column(Alias::new(c)).to_owned()).await?;
        }
        Ok(())
    }
}
