//! Anchors outside the database (issue 9): chain heads and closures carry an Ed25519
//! signature made with a key the database does not hold; every account has its four chain
//! heads from its creation (a missing head is then always tampering); closures record the
//! heads of every chain; and the triggers freeze every field the canonical form version 2
//! seals (the parties' full identity and address, payment terms, OSS, exchange, prime CEE,
//! the numbering that gave the number…), as well as the new closure columns.
//!
//! Heads created here for accounts that had none are unsigned: the server signs them
//! when it adopts the database (see `entity::ledger::adoption`).

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, Statement, Value};
use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261201_000016_ledger_anchors"
    }
}

const CHAINS: [&str; 4] = ["documents", "payments", "closures", "events"];

/// Every document column a seal covers: what canonical form version 2 is made of, and
/// what it stands on (account, department, series and counter of the number, the
/// whole-cent copies of the totals). Frozen once the document is in its chain.
const DOCUMENT_SEALED: &[&str] = &[
    "account_id",
    "department_id",
    "kind",
    "test",
    "state",
    "number",
    "series_key",
    "number_counter",
    "issue_date",
    "sell_date",
    "issued_at",
    "payment_to",
    "payment_to_kind",
    "payment_type",
    "currency",
    "exchange_currency",
    "exchange_kind",
    "exchange_currency_rate",
    "reverse_charge",
    "use_oss",
    "use_prime_cee",
    "prime_cee_value",
    "price_net",
    "price_tax",
    "price_gross",
    "net_cents",
    "tax_cents",
    "gross_cents",
    "buyer_company",
    "buyer_name",
    "buyer_first_name",
    "buyer_last_name",
    "buyer_tax_no",
    "buyer_tax_no_kind",
    "buyer_street",
    "buyer_post_code",
    "buyer_city",
    "buyer_country",
    "seller_name",
    "seller_tax_no",
    "seller_tax_no_kind",
    "seller_street",
    "seller_post_code",
    "seller_city",
    "seller_country",
    "invoice_id",
    "correction_reason",
];

/// What migration 000013 froze (restored by `down`).
const DOCUMENT_SEALED_BEFORE: &[&str] = &[
    "account_id",
    "kind",
    "state",
    "number",
    "issue_date",
    "sell_date",
    "issued_at",
    "currency",
    "price_net",
    "price_tax",
    "price_gross",
    "net_cents",
    "tax_cents",
    "gross_cents",
    "buyer_name",
    "buyer_company",
    "buyer_tax_no",
    "buyer_post_code",
    "buyer_street",
    "buyer_city",
    "buyer_country",
    "seller_name",
    "seller_tax_no",
    "seller_post_code",
    "seller_street",
    "seller_city",
    "seller_country",
    "invoice_id",
    "reverse_charge",
    "exchange_currency",
    "exchange_currency_rate",
    "correction_reason",
    "payment_to",
];

/// The closure columns this migration adds, frozen like the others (000014).
const CLOSURE_ADDED: &[&str] = &["heads", "signed_at", "signature", "signing_key"];

/// Every closure column but the e-mail delivery state.
fn closure_sealed() -> Vec<&'static str> {
    [crate::m20261121_000014_closures::SEALED_COLUMNS, CLOSURE_ADDED].concat()
}

fn sqlite_changed(cols: &[&str]) -> String {
    cols.iter().map(|c| format!("OLD.{c} IS NOT NEW.{c}")).collect::<Vec<_>>().join(" OR ")
}

fn pg_changed(cols: &[&str]) -> String {
    cols.iter().map(|c| format!("OLD.{c} IS DISTINCT FROM NEW.{c}")).collect::<Vec<_>>().join(" OR ")
}

const SEALED_DOCUMENT: &str = "EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.id)";

fn document_triggers(backend: DbBackend, cols: &[&str]) -> Vec<String> {
    match backend {
        DbBackend::Sqlite => vec![
            "DROP TRIGGER documents_sealed_no_update".into(),
            format!(
                "CREATE TRIGGER documents_sealed_no_update BEFORE UPDATE ON documents WHEN ({}) AND {SEALED_DOCUMENT} \
                 BEGIN SELECT RAISE(ABORT, 'sealed document: fiscal fields cannot change'); END",
                sqlite_changed(cols)
            ),
        ],
        _ => vec![format!(
            "CREATE OR REPLACE FUNCTION scelle_documents_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP = 'DELETE' THEN IF {SEALED_DOCUMENT} THEN RAISE EXCEPTION 'sealed document: it cannot be deleted'; \
             END IF; RETURN OLD; END IF; \
             IF ({}) AND {SEALED_DOCUMENT} THEN RAISE EXCEPTION 'sealed document: fiscal fields cannot change'; END IF; \
             RETURN NEW; END $$",
            pg_changed(cols)
        )],
    }
}

fn closure_triggers(backend: DbBackend, cols: &[&str]) -> Vec<String> {
    match backend {
        DbBackend::Sqlite => vec![
            "DROP TRIGGER closures_sealed".into(),
            format!(
                "CREATE TRIGGER closures_sealed BEFORE UPDATE ON closures WHEN {} \
                 BEGIN SELECT RAISE(ABORT, 'closures are sealed'); END",
                sqlite_changed(cols)
            ),
        ],
        _ => vec![format!(
            "CREATE OR REPLACE FUNCTION scelle_closures_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
             IF TG_OP = 'DELETE' OR {} THEN RAISE EXCEPTION 'closures are sealed'; END IF; RETURN NEW; END $$",
            pg_changed(cols)
        )],
    }
}

/// Runs the statements in one call, so on one connection: another pooled SQLite
/// connection would prepare the CREATE against a schema still holding the dropped trigger.
async fn run(m: &SchemaManager<'_>, statements: Vec<String>) -> Result<(), DbErr> {
    m.get_connection().execute_unprepared(&statements.join(";\n")).await?;
    Ok(())
}

async fn add_columns(m: &SchemaManager<'_>, table: &str, cols: Vec<ColumnDef>) -> Result<(), DbErr> {
    // One column per statement: SQLite alters one thing at a time.
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

/// A random genesis value (64 hexadecimal characters) from two v4 UUIDs' random bits.
fn genesis() -> String {
    let (a, b) = (uuid::Uuid::new_v4().simple().to_string(), uuid::Uuid::new_v4().simple().to_string());
    format!("{a}{b}")
}

/// The four heads of every account that lacks them (accounts made before this version).
async fn create_missing_heads(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let backend = m.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT a.id, c.chain FROM accounts a CROSS JOIN (SELECT 'documents' AS chain UNION ALL SELECT 'payments' \
             UNION ALL SELECT 'closures' UNION ALL SELECT 'events') c \
             WHERE NOT EXISTS (SELECT 1 FROM ledger_heads h WHERE h.account_id = a.id AND h.chain = c.chain)",
        ))
        .await?;
    for r in rows {
        let account: uuid::Uuid = r.try_get_by_index(0)?;
        let chain: String = r.try_get_by_index(1)?;
        debug_assert!(CHAINS.contains(&chain.as_str()));
        let start = genesis();
        let insert = Query::insert()
            .into_table(Alias::new("ledger_heads"))
            .columns(
                ["id", "account_id", "chain", "genesis", "last_sequence", "last_hash", "updated_at"].map(Alias::new),
            )
            .values_panic([
                Value::from(uuid::Uuid::now_v7()).into(),
                Value::from(account).into(),
                chain.into(),
                start.clone().into(),
                0i64.into(),
                start.into(),
                Value::from(chrono::Utc::now()).into(),
            ])
            .to_owned();
        db.execute(&insert).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Signed checkpoint of each head: (account, chain, last sequence, last hash, signed_at).
        add_columns(
            m,
            "ledger_heads",
            vec![timestamp_with_time_zone_null("signed_at"), string_null("signature"), string_null("signing_key")],
        )
        .await?;
        // A closure records the heads of every chain (`chain|sequence|hash` per line) and
        // its block (its entry in the closures chain) is signed.
        add_columns(
            m,
            "closures",
            vec![
                text("heads").default("").to_owned(),
                timestamp_with_time_zone_null("signed_at"),
                string_null("signature"),
                string_null("signing_key"),
            ],
        )
        .await?;
        create_missing_heads(m).await?;
        let backend = m.get_database_backend();
        run(m, document_triggers(backend, DOCUMENT_SEALED)).await?;
        run(m, closure_triggers(backend, &closure_sealed())).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let backend = m.get_database_backend();
        run(m, document_triggers(backend, DOCUMENT_SEALED_BEFORE)).await?;
        run(m, closure_triggers(backend, crate::m20261121_000014_closures::SEALED_COLUMNS)).await?;
        drop_columns(m, "closures", CLOSURE_ADDED).await?;
        drop_columns(m, "ledger_heads", &["signed_at", "signature", "signing_key"]).await
    }
}
