//! Scelle's schema migrations. Portable types only (no SQLite REAL for money, no
//! PostgreSQL-only column types) so that one migration set serves both backends.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261121_000001_tenants_and_auth;
mod m20261121_000002_catalogue;
mod m20261121_000003_clients;
mod m20261121_000004_number_series;
mod m20261121_000005_documents;
mod m20261121_000006_document_flows;
mod m20261121_000007_payments;
mod m20261121_000008_document_category_and_user;
mod m20261121_000009_document_extras;
mod m20261121_000010_document_amount_cents;
mod m20261121_000011_ledger;
mod m20261121_000012_ledger_append_only;
mod m20261121_000013_sealed_records_frozen;
mod m20261121_000014_closures;
mod m20261121_000015_journal_and_duplicates;
mod m20261201_000016_ledger_anchors;
mod m20261202_000017_document_list_indexes;
mod m20261202_000018_lookup_indexes;
mod m20261203_000019_domain_events;
mod m20261203_000020_webhooks;
mod sort;

pub use m20261121_000015_journal_and_duplicates::journal_triggers;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_tenants_and_auth::Migration),
            Box::new(m20261121_000002_catalogue::Migration),
            Box::new(m20261121_000003_clients::Migration),
            Box::new(m20261121_000004_number_series::Migration),
            Box::new(m20261121_000005_documents::Migration),
            Box::new(m20261121_000006_document_flows::Migration),
            Box::new(m20261121_000007_payments::Migration),
            Box::new(m20261121_000008_document_category_and_user::Migration),
            Box::new(m20261121_000009_document_extras::Migration),
            Box::new(m20261121_000010_document_amount_cents::Migration),
            Box::new(m20261121_000011_ledger::Migration),
            Box::new(m20261121_000012_ledger_append_only::Migration),
            Box::new(m20261121_000013_sealed_records_frozen::Migration),
            Box::new(m20261121_000014_closures::Migration),
            Box::new(m20261121_000015_journal_and_duplicates::Migration),
            Box::new(m20261201_000016_ledger_anchors::Migration),
            Box::new(m20261202_000017_document_list_indexes::Migration),
            Box::new(m20261202_000018_lookup_indexes::Migration),
            Box::new(m20261203_000019_domain_events::Migration),
            Box::new(m20261203_000020_webhooks::Migration),
        ]
    }
}
