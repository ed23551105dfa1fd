//! Tenants (resellers → accounts → departments), users, memberships and the
//! authentication tables (sessions, rotating refresh tokens, API tokens, login throttling).
//!
//! Every tenant-owned table carries `account_id` and an index that starts with it.

use crate::helpers::{fk, index};
use crate::sort::sort_string;
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000001_tenants_and_auth"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("resellers")
                .col(uuid("id").primary_key())
                .col(string("name"))
                .col(string_null("contact_email"))
                .col(string("status"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("accounts")
                .col(uuid("id").primary_key())
                .col(uuid_null("reseller_id"))
                .col(string("name"))
                .col(string("prefix"))
                .col(string("language"))
                .col(string("time_zone"))
                .col(string("currency"))
                .col(string("status"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_accounts_reseller",
                    ("accounts", "reseller_id"),
                    "resellers",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_accounts_prefix", "accounts", &["prefix"], true)).await?;
        m.create_index(index("ix_accounts_reseller", "accounts", &["reseller_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("users")
                .col(uuid("id").primary_key())
                .col(string("email"))
                .col(string("password_hash"))
                .col(string_null("name"))
                .col(string("language"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("disabled_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_users_email", "users", &["email"], true)).await?;

        m.create_table(
            Table::create()
                .table("platform_admins")
                .col(uuid("user_id").primary_key())
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_platform_admins_user",
                    ("platform_admins", "user_id"),
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("memberships")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(uuid("user_id"))
                .col(string("role"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_memberships_account",
                    ("memberships", "account_id"),
                    "accounts",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_memberships_user",
                    ("memberships", "user_id"),
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_memberships_account_user", "memberships", &["account_id", "user_id"], true)).await?;
        m.create_index(index("ix_memberships_user", "memberships", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("departments")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(boolean("main"))
                .col(string("name"))
                // `validation::search_key(name + shortcut)`, written by the application, so that
                // search and sort ignore case and accents identically on SQLite and PostgreSQL.
                .col(sort_string(m, "search_name", false))
                .col(string_null("shortcut"))
                .col(string_null("kind"))
                .col(string_null("tax_no_kind"))
                .col(string_null("tax_no"))
                .col(string_null("post_code"))
                .col(string_null("city"))
                .col(string_null("street"))
                .col(string_null("country"))
                .col(string_null("person"))
                .col(string_null("email"))
                .col(string_null("phone"))
                .col(string_null("mobile_phone"))
                .col(string_null("www"))
                .col(string_null("fax"))
                .col(string_null("bank"))
                .col(string_null("bank_account"))
                .col(string_null("bank_swift"))
                .col(string_null("bank_account_currency"))
                .col(string_null("bank_accountancy_account"))
                .col(string_null("invoice_lang"))
                .col(text_null("invoice_description"))
                .col(string_null("default_tax"))
                .col(string_null("invoice_template_id"))
                // Money as a canonical decimal string: SQLite would coerce a NUMERIC to REAL.
                .col(string_null("cash_init_state"))
                .col(text_null("footer_content"))
                .col(string_null("footer_kind"))
                .col(boolean("own_email_settings"))
                .col(string_null("email_from"))
                .col(string_null("email_cc"))
                .col(string_null("email_subject"))
                .col(text_null("email_template"))
                .col(string_null("email_template_kind"))
                .col(boolean("email_pdf"))
                .col(boolean("own_overdue_email_settings"))
                .col(string_null("overdue_email_subject"))
                .col(text_null("overdue_email_template"))
                .col(string_null("overdue_email_template_kind"))
                .col(boolean("overdue_email_pdf"))
                .col(boolean("restrict_warehouses"))
                .col(string_null("warehouse_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_departments_account",
                    ("departments", "account_id"),
                    "accounts",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_departments_account_search", "departments", &["account_id", "search_name"], false))
            .await?;
        // At most one main department per account, whatever runs concurrently (a partial
        // unique index: both SQLite and PostgreSQL have them).
        m.create_index(
            index("ux_departments_one_main", "departments", &["account_id"], true)
                .and_where(Expr::col(Alias::new("main")).eq(true))
                .to_owned(),
        )
        .await?;

        // A login session: one per sign-in, the "family" of its rotating refresh tokens.
        // Access tokens name their session, so revoking it (logout, refresh-token reuse)
        // stops its access tokens at once instead of at expiry.
        m.create_table(
            Table::create()
                .table("sessions")
                .col(uuid("id").primary_key())
                .col(uuid("user_id"))
                .col(uuid("account_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(string_null("revoked_reason"))
                .foreign_key(&mut fk("fk_sessions_user", ("sessions", "user_id"), "users", ForeignKeyAction::Restrict))
                .foreign_key(&mut fk(
                    "fk_sessions_account",
                    ("sessions", "account_id"),
                    "accounts",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_sessions_account_user", "sessions", &["account_id", "user_id"], false)).await?;
        m.create_index(index("ix_sessions_user", "sessions", &["user_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("refresh_tokens")
                .col(uuid("id").primary_key())
                .col(uuid("session_id"))
                .col(string("token_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk(
                    "fk_refresh_tokens_session",
                    ("refresh_tokens", "session_id"),
                    "sessions",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_refresh_tokens_hash", "refresh_tokens", &["token_hash"], true)).await?;
        m.create_index(index("ix_refresh_tokens_session", "refresh_tokens", &["session_id"], false)).await?;

        m.create_table(
            Table::create()
                .table("api_tokens")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(uuid("created_by"))
                .col(string("name"))
                .col(string("token_hash"))
                .col(string("token_prefix"))
                .col(string("role"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk(
                    "fk_api_tokens_account",
                    ("api_tokens", "account_id"),
                    "accounts",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "fk_api_tokens_user",
                    ("api_tokens", "created_by"),
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ux_api_tokens_hash", "api_tokens", &["token_hash"], true)).await?;
        m.create_index(index("ix_api_tokens_account", "api_tokens", &["account_id", "created_at"], false)).await?;

        // Failed-login counter per normalised e-mail (also for unknown e-mails, so an
        // attacker cannot tell which ones exist by the throttling behaviour).
        m.create_table(
            Table::create()
                .table("login_throttles")
                .col(string("key").primary_key())
                .col(integer("failures"))
                .col(timestamp_with_time_zone("window_started_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "login_throttles",
            "api_tokens",
            "refresh_tokens",
            "sessions",
            "departments",
            "memberships",
            "platform_admins",
            "users",
            "accounts",
            "resellers",
        ] {
            m.drop_table(Table::drop().table(Alias::new(t)).to_owned()).await?;
        }
        Ok(())
    }
}
