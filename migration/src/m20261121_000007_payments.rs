//! Payments ("Paiements"), their allocations to documents, and the date a document became
//! fully paid.

use crate::helpers::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000007_payments"
    }
}

/// The seed's optional text fields of a payment, all nullable.
const TEXT_COLUMNS: [&str; 24] = [
    "name",
    "description",
    "comment",
    "oid",
    "provider",
    "provider_response",
    "provider_status",
    "provider_title",
    "invoice_comment",
    "promocode",
    "first_name",
    "last_name",
    "street",
    "city",
    "post_code",
    "country",
    "phone",
    "email",
    "invoice_name",
    "invoice_street",
    "invoice_city",
    "invoice_post_code",
    "invoice_country",
    "invoice_tax_no",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("payments"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(uuid_null("department_id"))
            // No foreign key to the contact or the product: the ids are history, like on documents.
            .col(uuid_null("client_id"))
            .col(uuid_null("product_id"))
            // The amount as a canonical decimal string (two decimals), and the same in cents
            // so that lists sort by value identically on both databases (text sorts as text).
            .col(string("price"))
            .col(big_integer("price_cents"))
            .col(string("currency"))
            .col(date_null("paid_date"))
            .col(boolean("paid"))
            .col(string("kind").default("api"))
            .col(string_null("quantity"));
        for c in TEXT_COLUMNS {
            t.col(text_null(c));
        }
        t.col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk(
                "fk_payments_account",
                ("payments", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_payments_department",
                ("payments", "department_id"),
                "departments",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ix_payments_account_paid_date", "payments", &["account_id", "paid_date"], false)).await?;

        let mut a = Table::create();
        a.table(Alias::new("payment_allocations"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(uuid("payment_id"))
            .col(uuid("document_id"))
            // The order the invoices were given in: the amount is applied in this order.
            .col(integer("position"))
            .col(string("amount"))
            .foreign_key(&mut fk(
                "fk_payment_allocations_account",
                ("payment_allocations", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_payment_allocations_payment",
                ("payment_allocations", "payment_id"),
                "payments",
                ForeignKeyAction::Cascade,
            ))
            // A document with payments is never removed under them (the domain refuses first).
            .foreign_key(&mut fk(
                "fk_payment_allocations_document",
                ("payment_allocations", "document_id"),
                "documents",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(a.to_owned()).await?;
        m.create_index(index(
            "ix_payment_allocations_document",
            "payment_allocations",
            &["account_id", "document_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ux_payment_allocations_payment_document",
            "payment_allocations",
            &["payment_id", "document_id"],
            true,
        ))
        .await?;

        m.alter_table(Table::alter().table(Alias::new("documents")).add_column(date_null("paid_date")).to_owned()).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(Alias::new("documents")).drop_column(Alias::new("paid_date")).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Alias::new("payment_allocations")).to_owned()).await?;
        m.drop_table(Table::drop().table(Alias::new("payments")).to_owned()).await
    }
}
