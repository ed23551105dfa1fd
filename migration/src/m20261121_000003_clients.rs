//! Contacts (clients): buyers and suppliers of an account, with every field of the
//! VosFactures "Champs fiche contact".

use crate::helpers::index;
use crate::sort::sort_string;
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000003_clients"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("clients"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(string("name"))
            // `validation::search_key(name shortcut first_name last_name)`, written by the application.
            .col(sort_string(m, "search_name", false))
            .col(boolean("company"))
            .col(string("kind"))
            .col(boolean("use_delivery_address"))
            .col(boolean("disable_auto_reminders"))
            .col(boolean("use_mass_payment"))
            .col(boolean("sepa_b2b"))
            // Decimal string (percent), see `validation::parse_decimal`.
            .col(string_null("discount"))
            .col(uuid_null("department_id"))
            .col(uuid_null("category_id"))
            .col(uuid_null("price_list_id"))
            .col(date_null("birth_date"))
            // JSON array of strings, and the same tags folded (`tags::keys_json`) for search.
            .col(text("tag_list"))
            .col(text("tag_keys"))
            // Finder keys written by the application (`clients::apply`): the tax number
            // without spaces or punctuation, the folded shortcut, the lower-case e-mail.
            .col(string_null("tax_no_key"))
            .col(string("name_key"))
            .col(string_null("shortcut_key"))
            .col(string_null("email_key"));
        for c in [
            "first_name",
            "last_name",
            "shortcut",
            "title",
            "post_code",
            "city",
            "street",
            "country",
            "tax_no_kind",
            "tax_no",
            "external_id",
            "phone",
            "mobile_phone",
            "fax",
            "email",
            "email_for_reminders",
            "www",
            "bank",
            "bank_account",
            "payment_to_kind",
            "default_tax",
            "default_payment_type",
            "person",
            "mass_payment_code",
            "accounting_id",
            "accounting_id2",
            "sepa_mandate_no",
            "chorus_identifier_type",
            "chorus_identifier",
            "chorus_service_code",
            "ingenico_id",
            "birth_insee_country",
            "birth_insee_department",
            "birth_insee_community",
            "birth_city",
            "insee_country",
            "insee_community",
            "street_kind",
            "urssaf_id",
        ] {
            t.col(string_null(c));
        }
        for c in ["note", "delivery_address"] {
            t.col(text_null(c));
        }
        t.col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_clients_account")
                    .from(Alias::new("clients"), Alias::new("account_id"))
                    .to(Alias::new("accounts"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::Restrict),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_clients_category")
                    .from(Alias::new("clients"), Alias::new("category_id"))
                    .to(Alias::new("categories"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::SetNull),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_clients_price_list")
                    .from(Alias::new("clients"), Alias::new("price_list_id"))
                    .to(Alias::new("price_lists"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::SetNull),
            )
            .foreign_key(
                ForeignKey::create()
                    .name("fk_clients_department")
                    .from(Alias::new("clients"), Alias::new("department_id"))
                    .to(Alias::new("departments"), Alias::new("id"))
                    .on_delete(ForeignKeyAction::SetNull),
            );
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ix_clients_account_search", "clients", &["account_id", "search_name"], false)).await?;
        m.create_index(index("ix_clients_account_updated", "clients", &["account_id", "updated_at"], false)).await?;
        m.create_index(index("ix_clients_account_external", "clients", &["account_id", "external_id"], false)).await?;
        m.create_index(index("ix_clients_account_tax_no", "clients", &["account_id", "tax_no_key"], false)).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("clients")).to_owned()).await
    }
}
