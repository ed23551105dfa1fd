//! The catalogue: categories, products, the components of packages ("lots"), and price
//! lists with their per-product prices.

use crate::helpers::{fk, index};
use crate::sort::sort_string;
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000002_catalogue"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Alias::new("categories"))
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string("name"))
                .col(sort_string(m, "search_name", false))
                .col(text_null("description"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_categories_account")
                        .from(Alias::new("categories"), Alias::new("account_id"))
                        .to(Alias::new("accounts"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_categories_account_search")
                .table(Alias::new("categories"))
                .col(Alias::new("account_id"))
                .col(Alias::new("search_name"))
                .to_owned(),
        )
        .await?;

        let mut t = Table::create();
        t.table(Alias::new("products"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(string("name"))
            // `validation::search_key(name code)`, written by the application.
            .col(sort_string(m, "search_name", false))
            .col(string("kind"))
            .col(string("tax"))
            .col(string("currency"))
            // Unit prices as canonical decimal strings (derived ones by `tax::unit_prices`).
            .col(string_null("price_net"))
            .col(string_null("price_gross"))
            .col(string_null("price_tax"))
            .col(string_null("purchase_tax"))
            .col(string_null("purchase_price_net"))
            .col(string_null("purchase_price_gross"))
            .col(string_null("purchase_price_tax"))
            // Which price was entered, `net` or `gross`: a tax change re-derives the other.
            .col(string_null("price_kind"))
            .col(string_null("purchase_price_kind"))
            .col(boolean("disabled"))
            .col(boolean("service"))
            .col(boolean("limited"))
            .col(boolean("package"))
            .col(boolean("use_oss"))
            .col(boolean("is_delivery"))
            .col(uuid_null("category_id"))
            .col(uuid_null("department_id"))
            .col(text("tag_list"))
            .col(text("tag_keys"))
            .col(sort_string(m, "code", true));
        for c in ["stock_level", "quantity", "weight", "size_height", "size_width", "size"] {
            t.col(string_null(c));
        }
        for c in [
            "quantity_unit",
            "ean_code",
            "weight_unit",
            "size_unit",
            "supplier_code",
            "additional_info",
            "accounting_id",
            "accounting_id2",
            "accounting_tax_code",
            "accounting_tax_code_exp",
            "accounting_activity_code",
            "accounting_sheet_code",
        ] {
            t.col(string_null(c));
        }
        t.col(text_null("description"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk(
                "fk_products_account",
                ("products", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_products_category",
                ("products", "category_id"),
                "categories",
                ForeignKeyAction::SetNull,
            ))
            .foreign_key(&mut fk(
                "fk_products_department",
                ("products", "department_id"),
                "departments",
                ForeignKeyAction::SetNull,
            ));
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ix_products_account_search", "products", &["account_id", "search_name"], false)).await?;
        m.create_index(index("ix_products_account_updated", "products", &["account_id", "updated_at"], false)).await?;
        // A code names one product of an account (find and update by code); NULLs are distinct.
        m.create_index(index("ux_products_account_code", "products", &["account_id", "code"], true)).await?;

        m.create_table(
            Table::create()
                .table(Alias::new("product_package_items"))
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(uuid("package_id"))
                .col(uuid("product_id"))
                .col(string("quantity"))
                .col(integer("position"))
                .foreign_key(&mut fk(
                    "fk_package_items_account",
                    ("product_package_items", "account_id"),
                    "accounts",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_package_items_package",
                    ("product_package_items", "package_id"),
                    "products",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_package_items_product",
                    ("product_package_items", "product_id"),
                    "products",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_package_items_package",
            "product_package_items",
            &["account_id", "package_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "ix_package_items_product",
            "product_package_items",
            &["account_id", "product_id"],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Alias::new("price_lists"))
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string("name"))
                .col(sort_string(m, "search_name", false))
                .col(text_null("description"))
                .col(string("currency"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_price_lists_account",
                    ("price_lists", "account_id"),
                    "accounts",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_price_lists_account_search", "price_lists", &["account_id", "search_name"], false))
            .await?;
        m.create_table(
            Table::create()
                .table(Alias::new("price_list_positions"))
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(uuid("price_list_id"))
                .col(uuid("product_id"))
                .col(boolean("use_percentage"))
                // Decimal strings; a percentage position has no fixed prices and vice versa.
                .col(string_null("percentage"))
                .col(string_null("price_net"))
                .col(string_null("price_gross"))
                .col(string_null("price_tax"))
                .col(boolean("use_tax"))
                .col(string_null("tax"))
                .col(integer("position"))
                .foreign_key(&mut fk(
                    "fk_price_list_positions_account",
                    ("price_list_positions", "account_id"),
                    "accounts",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_price_list_positions_list",
                    ("price_list_positions", "price_list_id"),
                    "price_lists",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "fk_price_list_positions_product",
                    ("price_list_positions", "product_id"),
                    "products",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        // One price per product in a list.
        m.create_index(index(
            "ux_price_list_positions_product",
            "price_list_positions",
            &["price_list_id", "product_id"],
            true,
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["price_list_positions", "price_lists", "product_package_items", "products", "categories"] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
