//! Documents' totals also as whole cents, so that lists order by amount in the database
//! (totals are stored as exact decimal text, which does not sort by value). Existing rows
//! are filled from their text totals.

use sea_orm_migration::sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000010_document_amount_cents"
    }
}

const COLUMNS: [(&str, &str); 3] =
    [("net_cents", "price_net"), ("tax_cents", "price_tax"), ("gross_cents", "price_gross")];

/// "12.34" → 1234, "-0.50" → -50 (totals are stored with exactly two decimals).
fn cents(text: &str) -> i64 {
    let negative = text.starts_with('-');
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let value: i64 = digits.parse().unwrap_or(0);
    if negative { -value } else { value }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (column, _) in COLUMNS {
            let mut c = big_integer(column).default(0).to_owned();
            m.alter_table(Table::alter().table(Alias::new("documents")).add_column(&mut c).to_owned()).await?;
        }
        let db = m.get_connection();
        let backend = db.get_database_backend();
        let rows = db
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, price_net, price_tax, price_gross FROM documents",
            ))
            .await?;
        for row in rows {
            let id: sea_orm_migration::sea_orm::prelude::Uuid = row.try_get("", "id")?;
            let mut update = Query::update();
            update.table(Alias::new("documents")).and_where(Expr::col(Alias::new("id")).eq(id));
            for (column, text_column) in COLUMNS {
                let text: String = row.try_get("", text_column)?;
                update.value(Alias::new(column), cents(&text));
            }
            m.exec_stmt(update).await?;
        }
        m.create_index(
            Index::create()
                .name("ix_documents_account_gross_cents")
                .table(Alias::new("documents"))
                .col(Alias::new("account_id"))
                .col(Alias::new("gross_cents"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("ix_documents_account_gross_cents").table(Alias::new("documents")).to_owned())
            .await?;
        for (column, _) in COLUMNS {
            m.alter_table(Table::alter().table(Alias::new("documents")).drop_column(Alias::new(column)).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cents_of_stored_totals() {
        assert_eq!(super::cents("12.34"), 1234);
        assert_eq!(super::cents("-0.50"), -50);
        assert_eq!(super::cents("0.00"), 0);
    }
}
