//! Products (the catalogue) and the components of packages ("lots").

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000003_products"
    }
}

fn fk(name: &str, from: (&str, &str), to: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(on_delete)
        .to_owned()
}

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("products"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(string("name"))
            // `validation::search_key(name code)`, written by the application.
            .col(string("search_name"))
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
            .col(boolean("disabled"))
            .col(boolean("service"))
            .col(boolean("limited"))
            .col(boolean("package"))
            .col(boolean("use_oss"))
            .col(boolean("is_delivery"))
            .col(uuid_null("category_id"))
            .col(uuid_null("department_id"))
            .col(text("tag_list"));
        for c in ["stock_level", "quantity", "weight", "size_height", "size_width", "size"] {
            t.col(string_null(c));
        }
        for c in [
            "code",
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
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("product_package_items")).to_owned()).await?;
        m.drop_table(Table::drop().table(Alias::new("products")).to_owned()).await
    }
}
