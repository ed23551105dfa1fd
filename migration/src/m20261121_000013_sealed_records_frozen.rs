//! Sealed records cannot change in the database either: once a document or a payment is
//! in its account's chain, triggers on SQLite and PostgreSQL refuse any change to its
//! fiscal columns (those its canonical form is made of, and the parties and amounts printed
//! on it), its deletion, and any change to its lines or allocations. Columns that follow
//! the document's life (status, amount paid, cancellation, e-mail and print counters) stay
//! writable. The API refuses first, with `DOCUMENT_SEALED` / `PAYMENT_SEALED`; these
//! triggers are the guard against anything that bypasses it.
//!
//! The protected columns are listed in the statements themselves: a landed migration never
//! changes, so a later change to the lists is a new migration.

use crate::helpers::run_per_backend as run;
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000013_sealed_records_frozen"
    }
}

const SQLITE_UP: &[&str] = &[
    "CREATE TRIGGER documents_sealed_no_update BEFORE UPDATE ON documents WHEN (OLD.account_id IS NOT NEW.account_id OR OLD.kind IS NOT NEW.kind OR OLD.state IS NOT NEW.state OR OLD.number IS NOT NEW.number OR OLD.issue_date IS NOT NEW.issue_date OR OLD.sell_date IS NOT NEW.sell_date OR OLD.issued_at IS NOT NEW.issued_at OR OLD.currency IS NOT NEW.currency OR OLD.price_net IS NOT NEW.price_net OR OLD.price_tax IS NOT NEW.price_tax OR OLD.price_gross IS NOT NEW.price_gross OR OLD.net_cents IS NOT NEW.net_cents OR OLD.tax_cents IS NOT NEW.tax_cents OR OLD.gross_cents IS NOT NEW.gross_cents OR OLD.buyer_name IS NOT NEW.buyer_name OR OLD.buyer_company IS NOT NEW.buyer_company OR OLD.buyer_tax_no IS NOT NEW.buyer_tax_no OR OLD.buyer_post_code IS NOT NEW.buyer_post_code OR OLD.buyer_street IS NOT NEW.buyer_street OR OLD.buyer_city IS NOT NEW.buyer_city OR OLD.buyer_country IS NOT NEW.buyer_country OR OLD.seller_name IS NOT NEW.seller_name OR OLD.seller_tax_no IS NOT NEW.seller_tax_no OR OLD.seller_post_code IS NOT NEW.seller_post_code OR OLD.seller_street IS NOT NEW.seller_street OR OLD.seller_city IS NOT NEW.seller_city OR OLD.seller_country IS NOT NEW.seller_country OR OLD.invoice_id IS NOT NEW.invoice_id OR OLD.reverse_charge IS NOT NEW.reverse_charge OR OLD.exchange_currency IS NOT NEW.exchange_currency OR OLD.exchange_currency_rate IS NOT NEW.exchange_currency_rate OR OLD.correction_reason IS NOT NEW.correction_reason OR OLD.payment_to IS NOT NEW.payment_to) AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.id) BEGIN SELECT RAISE(ABORT, 'sealed document: fiscal fields cannot change'); END",
    "CREATE TRIGGER documents_sealed_no_delete BEFORE DELETE ON documents WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.id) BEGIN SELECT RAISE(ABORT, 'sealed document: it cannot be deleted'); END",
    "CREATE TRIGGER document_positions_sealed_no_insert BEFORE INSERT ON document_positions WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = NEW.account_id AND e.chain = 'documents' AND e.subject_id = NEW.document_id) BEGIN SELECT RAISE(ABORT, 'sealed document: its lines cannot change'); END",
    "CREATE TRIGGER document_positions_sealed_no_update BEFORE UPDATE ON document_positions WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.document_id) BEGIN SELECT RAISE(ABORT, 'sealed document: its lines cannot change'); END",
    "CREATE TRIGGER document_positions_sealed_no_delete BEFORE DELETE ON document_positions WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.document_id) BEGIN SELECT RAISE(ABORT, 'sealed document: its lines cannot change'); END",
    "CREATE TRIGGER payments_sealed_no_update BEFORE UPDATE ON payments WHEN (OLD.account_id IS NOT NEW.account_id OR OLD.price IS NOT NEW.price OR OLD.price_cents IS NOT NEW.price_cents OR OLD.currency IS NOT NEW.currency OR OLD.paid_date IS NOT NEW.paid_date OR OLD.paid IS NOT NEW.paid OR OLD.kind IS NOT NEW.kind OR OLD.name IS NOT NEW.name OR OLD.created_at IS NOT NEW.created_at) AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'payments' AND e.subject_id = OLD.id) BEGIN SELECT RAISE(ABORT, 'sealed payment: it cannot change'); END",
    "CREATE TRIGGER payments_sealed_no_delete BEFORE DELETE ON payments WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'payments' AND e.subject_id = OLD.id) BEGIN SELECT RAISE(ABORT, 'sealed payment: it cannot be deleted'); END",
    "CREATE TRIGGER payment_allocations_sealed_no_insert BEFORE INSERT ON payment_allocations WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = NEW.account_id AND e.chain = 'payments' AND e.subject_id = NEW.payment_id) BEGIN SELECT RAISE(ABORT, 'sealed payment: its allocations cannot change'); END",
    "CREATE TRIGGER payment_allocations_sealed_no_update BEFORE UPDATE ON payment_allocations WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'payments' AND e.subject_id = OLD.payment_id) BEGIN SELECT RAISE(ABORT, 'sealed payment: its allocations cannot change'); END",
    "CREATE TRIGGER payment_allocations_sealed_no_delete BEFORE DELETE ON payment_allocations WHEN EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'payments' AND e.subject_id = OLD.payment_id) BEGIN SELECT RAISE(ABORT, 'sealed payment: its allocations cannot change'); END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER documents_sealed_no_update",
    "DROP TRIGGER documents_sealed_no_delete",
    "DROP TRIGGER document_positions_sealed_no_insert",
    "DROP TRIGGER document_positions_sealed_no_update",
    "DROP TRIGGER document_positions_sealed_no_delete",
    "DROP TRIGGER payments_sealed_no_update",
    "DROP TRIGGER payments_sealed_no_delete",
    "DROP TRIGGER payment_allocations_sealed_no_insert",
    "DROP TRIGGER payment_allocations_sealed_no_update",
    "DROP TRIGGER payment_allocations_sealed_no_delete",
];

const POSTGRES_UP: &[&str] = &[
    "CREATE FUNCTION scelle_documents_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN IF EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.id) THEN RAISE EXCEPTION 'sealed document: it cannot be deleted'; END IF; RETURN OLD; END IF; IF (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.state IS DISTINCT FROM NEW.state OR OLD.number IS DISTINCT FROM NEW.number OR OLD.issue_date IS DISTINCT FROM NEW.issue_date OR OLD.sell_date IS DISTINCT FROM NEW.sell_date OR OLD.issued_at IS DISTINCT FROM NEW.issued_at OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.price_net IS DISTINCT FROM NEW.price_net OR OLD.price_tax IS DISTINCT FROM NEW.price_tax OR OLD.price_gross IS DISTINCT FROM NEW.price_gross OR OLD.net_cents IS DISTINCT FROM NEW.net_cents OR OLD.tax_cents IS DISTINCT FROM NEW.tax_cents OR OLD.gross_cents IS DISTINCT FROM NEW.gross_cents OR OLD.buyer_name IS DISTINCT FROM NEW.buyer_name OR OLD.buyer_company IS DISTINCT FROM NEW.buyer_company OR OLD.buyer_tax_no IS DISTINCT FROM NEW.buyer_tax_no OR OLD.buyer_post_code IS DISTINCT FROM NEW.buyer_post_code OR OLD.buyer_street IS DISTINCT FROM NEW.buyer_street OR OLD.buyer_city IS DISTINCT FROM NEW.buyer_city OR OLD.buyer_country IS DISTINCT FROM NEW.buyer_country OR OLD.seller_name IS DISTINCT FROM NEW.seller_name OR OLD.seller_tax_no IS DISTINCT FROM NEW.seller_tax_no OR OLD.seller_post_code IS DISTINCT FROM NEW.seller_post_code OR OLD.seller_street IS DISTINCT FROM NEW.seller_street OR OLD.seller_city IS DISTINCT FROM NEW.seller_city OR OLD.seller_country IS DISTINCT FROM NEW.seller_country OR OLD.invoice_id IS DISTINCT FROM NEW.invoice_id OR OLD.reverse_charge IS DISTINCT FROM NEW.reverse_charge OR OLD.exchange_currency IS DISTINCT FROM NEW.exchange_currency OR OLD.exchange_currency_rate IS DISTINCT FROM NEW.exchange_currency_rate OR OLD.correction_reason IS DISTINCT FROM NEW.correction_reason OR OLD.payment_to IS DISTINCT FROM NEW.payment_to) AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.id) THEN RAISE EXCEPTION 'sealed document: fiscal fields cannot change'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER documents_sealed BEFORE UPDATE OR DELETE ON documents FOR EACH ROW EXECUTE FUNCTION scelle_documents_sealed()",
    "CREATE FUNCTION scelle_document_positions_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'documents' AND e.subject_id = OLD.document_id)) OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = NEW.account_id AND e.chain = 'documents' AND e.subject_id = NEW.document_id)) THEN RAISE EXCEPTION 'sealed document: its lines cannot change'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER document_positions_sealed BEFORE INSERT OR UPDATE OR DELETE ON document_positions FOR EACH ROW EXECUTE FUNCTION scelle_document_positions_sealed()",
    "CREATE FUNCTION scelle_payments_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN IF EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'payments' AND e.subject_id = OLD.id) THEN RAISE EXCEPTION 'sealed payment: it cannot be deleted'; END IF; RETURN OLD; END IF; IF (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.price IS DISTINCT FROM NEW.price OR OLD.price_cents IS DISTINCT FROM NEW.price_cents OR OLD.currency IS DISTINCT FROM NEW.currency OR OLD.paid_date IS DISTINCT FROM NEW.paid_date OR OLD.paid IS DISTINCT FROM NEW.paid OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.name IS DISTINCT FROM NEW.name OR OLD.created_at IS DISTINCT FROM NEW.created_at) AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'payments' AND e.subject_id = OLD.id) THEN RAISE EXCEPTION 'sealed payment: it cannot change'; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER payments_sealed BEFORE UPDATE OR DELETE ON payments FOR EACH ROW EXECUTE FUNCTION scelle_payments_sealed()",
    "CREATE FUNCTION scelle_payment_allocations_sealed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF (TG_OP <> 'INSERT' AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = OLD.account_id AND e.chain = 'payments' AND e.subject_id = OLD.payment_id)) OR (TG_OP <> 'DELETE' AND EXISTS (SELECT 1 FROM ledger_entries e WHERE e.account_id = NEW.account_id AND e.chain = 'payments' AND e.subject_id = NEW.payment_id)) THEN RAISE EXCEPTION 'sealed payment: its allocations cannot change'; END IF; IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$",
    "CREATE TRIGGER payment_allocations_sealed BEFORE INSERT OR UPDATE OR DELETE ON payment_allocations FOR EACH ROW EXECUTE FUNCTION scelle_payment_allocations_sealed()",
];

const POSTGRES_DOWN: &[&str] = &[
    "DROP TRIGGER documents_sealed ON documents",
    "DROP FUNCTION scelle_documents_sealed()",
    "DROP TRIGGER document_positions_sealed ON document_positions",
    "DROP FUNCTION scelle_document_positions_sealed()",
    "DROP TRIGGER payments_sealed ON payments",
    "DROP FUNCTION scelle_payments_sealed()",
    "DROP TRIGGER payment_allocations_sealed ON payment_allocations",
    "DROP FUNCTION scelle_payment_allocations_sealed()",
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
