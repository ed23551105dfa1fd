//! Webhooks (issue 13): an account's endpoints (`webhooks`, the seed's `kind`, `url`,
//! `api_token`, `active`, with a Standard Webhooks signing secret), and one delivery per
//! endpoint and domain event (`webhook_deliveries`: the queue and its log at once, as in
//! omicron's deliverator). A delivery is claimed for a while by the worker sending it
//! (`claimed_until`): one that crashed mid-send is sent again once its claim lapses.

use crate::helpers::{fk, index};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261203_000020_webhooks"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let mut t = Table::create();
        t.table(Alias::new("webhooks"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            // The seed's kind: `invoice:create`, `client:update`…
            .col(string("kind"))
            .col(text("url"))
            // The endpoint's own token, sent in every body (the seed's `api_token`).
            .col(string_null("api_token"))
            .col(boolean("active"))
            // `whsec_…`: the signing secret, and the one it replaced while a rotation lasts.
            .col(string("secret"))
            .col(string_null("previous_secret"))
            .col(timestamp_with_time_zone_null("previous_secret_until"))
            // Deliveries that failed for good in a row; at the limit the endpoint is disabled.
            .col(integer("consecutive_failures"))
            .col(timestamp_with_time_zone_null("disabled_at"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .foreign_key(&mut fk(
                "fk_webhooks_account",
                ("webhooks", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ));
        m.create_table(t.to_owned()).await?;
        m.create_index(index("ix_webhooks_account_kind", "webhooks", &["account_id", "kind"], false)).await?;

        let mut d = Table::create();
        d.table(Alias::new("webhook_deliveries"))
            .col(uuid("id").primary_key())
            .col(uuid("account_id"))
            .col(uuid("webhook_id"))
            // The domain event delivered; none for a test delivery.
            .col(uuid_null("event_id"))
            // What is sent: the body is fixed when the delivery is made, so every attempt
            // (and a redelivery) sends the same bytes under the same `webhook-id`.
            .col(string("kind"))
            .col(text("body"))
            // pending, delivered, failed
            .col(string("status"))
            .col(integer("attempts"))
            .col(timestamp_with_time_zone("next_attempt_at"))
            .col(timestamp_with_time_zone_null("claimed_until"))
            .col(integer_null("last_status_code"))
            .col(text_null("last_error"))
            .col(text_null("last_response"))
            .col(big_integer_null("last_duration_ms"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone_null("delivered_at"))
            .foreign_key(&mut fk(
                "fk_webhook_deliveries_account",
                ("webhook_deliveries", "account_id"),
                "accounts",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(&mut fk(
                "fk_webhook_deliveries_webhook",
                ("webhook_deliveries", "webhook_id"),
                "webhooks",
                ForeignKeyAction::Cascade,
            ));
        m.create_table(d.to_owned()).await?;
        // One delivery per endpoint and event, whoever dispatches it and however often.
        m.create_index(index("ux_webhook_deliveries_event", "webhook_deliveries", &["webhook_id", "event_id"], true))
            .await?;
        m.create_index(index("ix_webhook_deliveries_log", "webhook_deliveries", &["webhook_id", "created_at"], false))
            .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Alias::new("webhook_deliveries")).to_owned()).await?;
        m.drop_table(Table::drop().table(Alias::new("webhooks")).to_owned()).await
    }
}
