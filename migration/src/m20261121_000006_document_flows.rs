//! What the document flows need: links between documents (created from, functional link,
//! advances deducted by a final invoice), credit-note and cancellation details, currency
//! conversion, the seed's additional fields, "invoice to complete" options, per-department
//! numbering patterns and the account's catalogue option.
//!
//! SQLite adds one column per `ALTER TABLE`, hence one statement per column.

use crate::helpers::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000006_document_flows"
    }
}

async fn add_columns(m: &SchemaManager<'_>, table: &str, cols: Vec<ColumnDef>) -> Result<(), DbErr> {
    for mut c in cols {
        m.alter_table(Table::alter().table(Alias::new(table)).add_column(&mut c).to_owned()).await?;
    }
    Ok(())
}

async fn drop_columns(m: &SchemaManager<'_>, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    for c in cols {
        m.alter_table(Table::alter().table(Alias::new(table)).drop_column(Alias::new(*c)).to_owned()).await?;
    }
    Ok(())
}

const DOCUMENT_TEXTS: [&str; 22] = [
    "cancel_reason",
    "correction_reason",
    "corrected_content_before",
    "corrected_content_after",
    "exchange_currency",
    "exchange_kind",
    "exchange_currency_rate",
    "prime_cee_value",
    "title",
    "buyer_title",
    "additional_invoice_field",
    "sum_recovery",
    "interest_rate",
    "advanced_payment_discount",
    "conditional_notes",
    "description_long",
    "buyer_note",
    "buyer_mobile_phone",
    "delivery_address",
    "seller_www",
    "seller_fax",
    "additional_info_desc",
];

const DOCUMENT_FLAGS: [&str; 9] = [
    "use_oss",
    "use_prime_cee",
    "hide_tax",
    "use_delivery_address",
    "additional_info",
    "split_payment",
    "paid_after_completion",
    "send_after_completion",
    "prevent_send_email_to_complete",
];

const DOCUMENT_OTHERS: [&str; 7] = [
    "from_invoice_id",
    "invoice_id",
    "sell_on",
    "accounting_status",
    "send_completion_to",
    "cancelled_at",
    "completed_at",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut cols: Vec<ColumnDef> = DOCUMENT_TEXTS.iter().map(|c| text_null(*c)).collect();
        cols.extend(DOCUMENT_FLAGS.iter().map(|c| boolean(*c).default(false).to_owned()));
        cols.extend([
            // "Created from" (similar document, invoice from an estimate…): history only.
            uuid_null("from_invoice_id"),
            // The functional link: advance → estimate, final → estimate, credit note → invoice.
            uuid_null("invoice_id"),
            // `sell_date` as a date (first of the month for `YYYY-MM`), to search on it.
            date_null("sell_on"),
            string_null("accounting_status"),
            string_null("send_completion_to"),
            timestamp_with_time_zone_null("cancelled_at"),
            timestamp_with_time_zone_null("completed_at"),
        ]);
        add_columns(m, "documents", cols).await?;
        m.create_index(index("ix_documents_invoice", "documents", &["account_id", "invoice_id"], false)).await?;
        m.create_index(index("ix_documents_from_invoice", "documents", &["account_id", "from_invoice_id"], false))
            .await?;
        m.create_index(index("ix_documents_account_sell_on", "documents", &["account_id", "sell_on"], false)).await?;

        // A credit-note line keeps the line as it was and as it becomes (seed
        // `correction_before_attributes` / `correction_after_attributes`) as child rows.
        add_columns(m, "document_positions", vec![uuid_null("parent_id")]).await?;

        // Advances deducted by a final invoice; an advance is deducted once.
        let mut t = Table::create();
        t.table(Alias::new("final_advances"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(uuid("final_id"))
            .col(uuid("advance_id"))
            .foreign_key(&mut fk(
                "fk_final_advances_account",
                ("final_advances", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_final_advances_final",
                ("final_advances", "final_id"),
                "documents",
                ForeignKeyAction::Cascade,
            ))
            .foreign_key(&mut fk(
                "fk_final_advances_advance",
                ("final_advances", "advance_id"),
                "documents",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ux_final_advances_advance", "final_advances", &["advance_id"], true)).await?;
        m.create_index(index("ix_final_advances_final", "final_advances", &["account_id", "final_id"], false)).await?;

        // Independent numbering per department (seed `use_pattern`, `invoice_pattern`…).
        add_columns(m, "departments", vec![boolean("use_pattern").default(false).to_owned()]).await?;
        let mut p = Table::create();
        p.table(Alias::new("department_patterns"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(uuid("department_id"))
            .col(string("kind"))
            .col(string("pattern"))
            .foreign_key(&mut fk(
                "fk_department_patterns_account",
                ("department_patterns", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_department_patterns_department",
                ("department_patterns", "department_id"),
                "departments",
                ForeignKeyAction::Cascade,
            ));
        m.create_table(p.to_owned()).await?;
        m.create_index(index("ux_department_patterns_kind", "department_patterns", &["department_id", "kind"], true))
            .await?;

        // New products on documents join the catalogue unless the account turns it off.
        add_columns(m, "accounts", vec![boolean("add_products_to_catalogue").default(true).to_owned()]).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_columns(m, "accounts", &["add_products_to_catalogue"]).await?;
        m.drop_table(Table::drop().table(Alias::new("department_patterns")).to_owned()).await?;
        drop_columns(m, "departments", &["use_pattern"]).await?;
        m.drop_table(Table::drop().table(Alias::new("final_advances")).to_owned()).await?;
        drop_columns(m, "document_positions", &["parent_id"]).await?;
        for ix in ["ix_documents_invoice", "ix_documents_from_invoice", "ix_documents_account_sell_on"] {
            m.drop_index(Index::drop().name(ix).table(Alias::new("documents")).to_owned()).await?;
        }
        drop_columns(m, "documents", &DOCUMENT_OTHERS).await?;
        drop_columns(m, "documents", &DOCUMENT_FLAGS).await?;
        drop_columns(m, "documents", &DOCUMENT_TEXTS).await
    }
}
