//! Billing documents (every kind) and their positions.

use crate::helpers::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000005_documents"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("documents"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(uuid("department_id"))
            .col(uuid_null("client_id"))
            .col(string("kind"))
            .col(boolean("income"))
            .col(boolean("test"))
            // `draft` (editable, no number) or `issued` (numbered).
            .col(string("state"))
            .col(string("status"))
            .col(string_null("number"))
            .col(string_null("series_key"))
            // The counter behind the number, to order numbers as numbers.
            .col(big_integer_null("number_counter"))
            .col(date("issue_date"))
            .col(date_null("payment_to"))
            .col(boolean("buyer_company"))
            .col(boolean("show_discount"))
            .col(boolean("reverse_charge"))
            .col(string("currency"))
            .col(string("lang"))
            .col(string("calc_position"))
            .col(string("calc_sum"))
            .col(string("calc_price_kind"))
            // Totals as canonical decimal strings (two decimals).
            .col(string("price_net"))
            .col(string("price_tax"))
            .col(string("price_gross"))
            .col(string("paid"))
            .col(string("view_token"))
            .col(text_null("description"))
            .col(text_null("internal_note"));
        for c in [
            "sell_date",
            "payment_to_kind",
            "place",
            "payment_type",
            "oid",
            "discount_kind",
            "buyer_name",
            "buyer_first_name",
            "buyer_last_name",
            "buyer_tax_no",
            "buyer_tax_no_kind",
            "buyer_post_code",
            "buyer_city",
            "buyer_street",
            "buyer_country",
            "buyer_email",
            "buyer_phone",
            "seller_name",
            "seller_tax_no",
            "seller_tax_no_kind",
            "seller_post_code",
            "seller_city",
            "seller_street",
            "seller_country",
            "seller_email",
            "seller_phone",
            "seller_bank",
            "seller_bank_account",
            "seller_bank_swift",
            "seller_person",
        ] {
            t.col(string_null(c));
        }
        t.col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .col(timestamp_with_time_zone_null("issued_at"))
            .foreign_key(&mut fk(
                "fk_documents_account",
                ("documents", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            // A department with documents cannot be deleted.
            .foreign_key(&mut fk(
                "fk_documents_department",
                ("documents", "department_id"),
                "departments",
                ForeignKeyAction::Restrict,
            ));
        // No foreign key to the contact: the id is history, like the copied buyer details,
        // and deleting a contact must never change an issued document.
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ix_documents_account_issue_date", "documents", &["account_id", "issue_date"], false))
            .await?;
        m.create_index(index("ix_documents_account_client", "documents", &["account_id", "client_id"], false)).await?;
        // The last guard of numbering: a number appears once in a series (NULL for drafts).
        m.create_index(index("ux_documents_series_number", "documents", &["account_id", "series_key", "number"], true))
            .await?;
        m.create_index(index("ux_documents_view_token", "documents", &["view_token"], true)).await?;

        let mut p = Table::create();
        p.table(Alias::new("document_positions"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(uuid("document_id"))
            .col(integer("position"))
            .col(string("kind"))
            .col(uuid_null("product_id"))
            .col(string("name"))
            .col(string("quantity"))
            .col(string("tax"))
            // Which price the line gave (`unit_net`, `unit_gross`, `total_net`, `total_gross`) and its amount.
            .col(string("price_given"))
            .col(string("price_given_amount"))
            .col(string("price_net"))
            .col(string("price_gross"))
            .col(string("total_price_net"))
            .col(string("total_price_tax"))
            .col(string("total_price_gross"))
            .col(string("discount_gross"));
        for c in ["code", "quantity_unit", "discount", "discount_percent"] {
            p.col(string_null(c));
        }
        p.col(text_null("description"))
            .foreign_key(&mut fk(
                "fk_document_positions_account",
                ("document_positions", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_document_positions_document",
                ("document_positions", "document_id"),
                "documents",
                ForeignKeyAction::Cascade,
            ));
        // No foreign key to the product either, for the same reason.
        m.create_table(p.to_owned()).await?;
        m.create_index(index(
            "ix_document_positions_document",
            "document_positions",
            &["account_id", "document_id"],
            false,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("document_positions")).to_owned()).await?;
        m.drop_table(Table::drop().table(Alias::new("documents")).to_owned()).await
    }
}
