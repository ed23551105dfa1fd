//! The ledger is append-only in the database itself, not only through the API: entries
//! can be neither changed nor deleted, and a head only moves forward (its sequence grows,
//! its genesis never changes). Triggers on both backends; the error names the rule.

use crate::helpers::run_per_backend as run;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000012_ledger_append_only"
    }
}

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries \
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
    "CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries \
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
    "CREATE TRIGGER ledger_heads_forward_only BEFORE UPDATE ON ledger_heads \
     WHEN NEW.last_sequence < OLD.last_sequence OR NEW.genesis <> OLD.genesis \
       OR NEW.account_id <> OLD.account_id OR NEW.chain <> OLD.chain \
     BEGIN SELECT RAISE(ABORT, 'ledger heads only move forward'); END",
    "CREATE TRIGGER ledger_heads_no_delete BEFORE DELETE ON ledger_heads \
     BEGIN SELECT RAISE(ABORT, 'ledger heads only move forward'); END",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION scelle_ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END $$",
    "CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries \
     FOR EACH ROW EXECUTE FUNCTION scelle_ledger_entries_append_only()",
    "CREATE FUNCTION scelle_ledger_heads_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
     BEGIN \
       IF TG_OP = 'DELETE' OR NEW.last_sequence < OLD.last_sequence OR NEW.genesis <> OLD.genesis \
          OR NEW.account_id <> OLD.account_id OR NEW.chain <> OLD.chain THEN \
         RAISE EXCEPTION 'ledger heads only move forward'; \
       END IF; \
       RETURN NEW; \
     END $$",
    "CREATE TRIGGER ledger_heads_forward_only BEFORE UPDATE OR DELETE ON ledger_heads \
     FOR EACH ROW EXECUTE FUNCTION scelle_ledger_heads_forward_only()",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER ledger_entries_no_update",
    "DROP TRIGGER ledger_entries_no_delete",
    "DROP TRIGGER ledger_heads_forward_only",
    "DROP TRIGGER ledger_heads_no_delete",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER ledger_entries_append_only ON ledger_entries",
    "DROP FUNCTION scelle_ledger_entries_append_only()",
    "DROP TRIGGER ledger_heads_forward_only ON ledger_heads",
    "DROP FUNCTION scelle_ledger_heads_forward_only()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, SQLITE_UP, POSTGRES_UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, SQLITE_DOWN, POSTGRES_DOWN).await
    }
}
