//! The baselines a figure is read against, measured in the same run on the same database
//! after the server has stopped:
//!
//! - **plain SQL issuing**: one transaction writing exactly the rows an issued, sealed
//!   3-line invoice writes (the counter moved, the document, its positions in one statement,
//!   the chain head read and locked, the chain entry with its SHA-256, the head moved),
//!   through the same driver (sqlx) with the same durability settings and, on SQLite, the
//!   same in-process writer queue as the server; the rows are copies of one the server
//!   issued. It does no validation, tax, numbering format, canonical form or signature:
//!   what it measures is the database's share.
//! - **SHA-256** over the same canonical bytes;
//! - **reading** the rows verification reads (documents, their positions and entries).

use crate::load::{Figure, measure};
use anyhow::Context;
use entity::tables::{document, document_position as position, ledger_entry, ledger_head};
use sea_orm::sqlx::{self, Row};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use sea_query_sqlx::SqlxBinder;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const SERIES: &str = "bench:baseline";

/// What the plain-SQL baseline copies: an issued invoice, its positions, its entry.
struct Template {
    document: document::Model,
    positions: Vec<position::Model>,
    canonical: String,
}

#[derive(Clone)]
enum Pool {
    Sqlite(sqlx::SqlitePool, Arc<tokio::sync::Mutex<()>>),
    Postgres(sqlx::PgPool),
}

pub struct Baseline {
    pool: Pool,
    template: Arc<Template>,
}

async fn template(db: &DatabaseConnection) -> anyhow::Result<Template> {
    let document = document::Entity::find()
        .filter(document::Column::State.eq("issued"))
        .filter(document::Column::Kind.eq("vat"))
        .order_by_desc(document::Column::IssuedAt)
        .one(db)
        .await?
        .context("no issued invoice to copy")?;
    let positions = position::Entity::find()
        .filter(position::Column::DocumentId.eq(document.id))
        .order_by_asc(position::Column::Position)
        .all(db)
        .await?;
    let canonical = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::SubjectId.eq(document.id))
        .one(db)
        .await?
        .context("the invoice to copy is not sealed")?
        .canonical;
    Ok(Template { document, positions, canonical })
}

/// One page of the documents chain after sequence `after`: its entries (in chain order,
/// as verification walks it), then their documents and the documents' positions (three
/// queries); evaluates to the page's last sequence and its size.
macro_rules! page {
    ($pool:expr, $builder:expr, $account:expr, $after:expr) => {{
        let entries = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::AccountId.eq($account))
            .filter(ledger_entry::Column::Chain.eq("documents"))
            .filter(ledger_entry::Column::Sequence.gt($after))
            .order_by_asc(ledger_entry::Column::Sequence)
            .limit(500)
            .into_query();
        let (sql, values) = entries.build_sqlx($builder);
        let mut conn = $pool.acquire().await?;
        let rows = sqlx::query_with(sqlx::AssertSqlSafe(sql), values).fetch_all(&mut *conn).await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.try_get::<Uuid, _>("subject_id")).collect::<Result<_, _>>()?;
        let last = match rows.last() {
            Some(r) => Some(r.try_get::<i64, _>("sequence")?),
            None => None,
        };
        if !ids.is_empty() {
            let documents = document::Entity::find()
                .filter(document::Column::AccountId.eq($account))
                .filter(document::Column::Id.is_in(ids.clone()))
                .into_query();
            let positions = position::Entity::find()
                .filter(position::Column::AccountId.eq($account))
                .filter(position::Column::DocumentId.is_in(ids.clone()))
                .into_query();
            for query in [documents, positions] {
                let (sql, values) = query.build_sqlx($builder);
                std::hint::black_box(sqlx::query_with(sqlx::AssertSqlSafe(sql), values).fetch_all(&mut *conn).await?);
            }
        }
        (last, ids.len())
    }};
}

impl Baseline {
    /// Opens the server's database with plain sqlx (its pragmas on every connection).
    pub async fn open(url: &str) -> anyhow::Result<Baseline> {
        let db = entity::db::connect(url).await?;
        let template = Arc::new(template(&db).await?);
        let pool = if url.starts_with("sqlite:") {
            use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
            let options: SqliteConnectOptions = url.parse()?;
            let options = options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            Pool::Sqlite(
                SqlitePoolOptions::new().max_connections(8).connect_with(options).await?,
                Arc::new(tokio::sync::Mutex::new(())),
            )
        } else {
            Pool::Postgres(sqlx::postgres::PgPoolOptions::new().max_connections(20).connect(url).await?)
        };
        let t = &template.document;
        let series = entity::tables::number_series::ActiveModel {
            id: sea_orm::Set(Uuid::now_v7()),
            account_id: sea_orm::Set(t.account_id),
            series_key: sea_orm::Set(SERIES.into()),
            current_period: sea_orm::Set(String::new()),
            last_number: sea_orm::Set(0),
            last_issue_date: sea_orm::Set(None),
            updated_at: sea_orm::Set(chrono::Utc::now()),
        };
        entity::tables::number_series::Entity::insert(series).exec_without_returning(&db).await?;
        db.close().await?;
        Ok(Baseline { pool, template })
    }

    /// Issues `n` plain-SQL invoices, `concurrency` at a time.
    pub async fn issue(&self, name: &str, n: usize, concurrency: usize) -> anyhow::Result<Figure> {
        measure(name, n, concurrency, |_| {
            let (pool, template) = (self.pool.clone(), self.template.clone());
            async move { issue_one(&pool, &template).await }
        })
        .await
    }

    /// SHA-256 chain hashes over the template's canonical bytes, one after the other.
    pub fn hash(&self, n: usize) -> Figure {
        let started = Instant::now();
        let mut previous = "0".repeat(64);
        let mut latencies = Vec::with_capacity(n);
        for _ in 0..n {
            let t = Instant::now();
            previous = entity::ledger::chain_hash(&previous, &self.template.canonical);
            latencies.push(t.elapsed());
        }
        std::hint::black_box(previous);
        Figure::of("SHA-256 of the canonical form (baseline)", 1, started.elapsed(), latencies)
    }

    /// Reads every sealed document of the account with its entry and positions, in pages
    /// of 500 entries in chain order: the rows verification reads. Returns documents per
    /// second.
    pub async fn read_sealed(&self) -> anyhow::Result<Figure> {
        let account = self.template.document.account_id;
        let started = Instant::now();
        let mut documents = 0usize;
        let mut after = 0i64;
        loop {
            let (last, n) = match &self.pool {
                Pool::Sqlite(p, _) => page!(p, sea_orm::sea_query::SqliteQueryBuilder, account, after),
                Pool::Postgres(p) => page!(p, sea_orm::sea_query::PostgresQueryBuilder, account, after),
            };
            documents += n;
            match last {
                Some(last) => after = last,
                None => break,
            }
        }
        let f = Figure::rate("reading sealed documents, positions, entries (baseline)", documents, started.elapsed());
        println!("{}", f.line());
        Ok(f)
    }
}

/// The statements of one plain-SQL issue, built as sea-query renders them.
struct Statements {
    document: sea_orm::sea_query::InsertStatement,
    positions: sea_orm::sea_query::InsertStatement,
    account: Uuid,
    document_id: Uuid,
}

fn statements(t: &Template, counter: i64) -> Statements {
    let mut d = t.document.clone();
    d.id = Uuid::now_v7();
    d.series_key = Some(SERIES.into());
    d.number = Some(format!("B-{counter}"));
    d.number_counter = Some(counter);
    d.view_token = Uuid::new_v4().simple().to_string();
    d.issued_at = Some(chrono::Utc::now());
    let document_id = d.id;
    let positions = t.positions.iter().map(|p| {
        let mut p = p.clone();
        p.id = Uuid::now_v7();
        p.document_id = document_id;
        position::ActiveModel::from(p)
    });
    Statements {
        account: d.account_id,
        document_id: d.id,
        document: document::Entity::insert(document::ActiveModel::from(d)).into_query(),
        positions: position::Entity::insert_many(positions).into_query(),
    }
}

macro_rules! issue_in {
    ($pool:expr, $builder:expr, $postgres:expr, $begin:expr, $lock:expr, $template:expr) => {{
        let mut conn = $pool.acquire().await?;
        sqlx::query($begin).execute(&mut *conn).await?;
        let done: anyhow::Result<()> = async {
            let t = $template;
            let now = chrono::Utc::now();
            let counter: i64 = sqlx::query(sqlx::AssertSqlSafe(rewrite(
                "UPDATE number_series SET last_number = last_number + 1, last_issue_date = ?, updated_at = ? \
                 WHERE account_id = ? AND series_key = ? RETURNING last_number",
                $postgres,
            )))
            .bind(t.document.issue_date)
            .bind(now)
            .bind(t.document.account_id)
            .bind(SERIES)
            .fetch_one(&mut *conn)
            .await?
            .try_get(0)?;
            let s = statements(t, counter);
            let (sql, values) = s.document.build_sqlx($builder);
            sqlx::query_with(sqlx::AssertSqlSafe(sql), values).execute(&mut *conn).await?;
            let (sql, values) = s.positions.build_sqlx($builder);
            sqlx::query_with(sqlx::AssertSqlSafe(sql), values).execute(&mut *conn).await?;
            let head = sqlx::query(sqlx::AssertSqlSafe(rewrite(
                &format!(
                    "SELECT id, last_sequence, last_hash FROM ledger_heads WHERE account_id = ? AND chain = ?{}",
                    $lock
                ),
                $postgres,
            )))
            .bind(s.account)
            .bind("documents")
            .fetch_one(&mut *conn)
            .await?;
            let (head_id, sequence, previous): (Uuid, i64, String) =
                (head.try_get(0)?, head.try_get(1)?, head.try_get(2)?);
            let hash = entity::ledger::chain_hash(&previous, &t.canonical);
            let entry = ledger_entry::Model {
                id: Uuid::now_v7(),
                account_id: s.account,
                chain: "documents".into(),
                sequence: sequence + 1,
                subject_id: s.document_id,
                version: 2,
                canonical: t.canonical.clone(),
                previous_hash: previous,
                hash: hash.clone(),
                sealed_at: now,
            };
            let (sql, values) =
                ledger_entry::Entity::insert(ledger_entry::ActiveModel::from(entry)).into_query().build_sqlx($builder);
            sqlx::query_with(sqlx::AssertSqlSafe(sql), values).execute(&mut *conn).await?;
            let (sql, values) = ledger_head::Entity::update_many()
                .col_expr(ledger_head::Column::LastSequence, sea_orm::sea_query::Expr::value(sequence + 1))
                .col_expr(ledger_head::Column::LastHash, sea_orm::sea_query::Expr::value(hash))
                .col_expr(ledger_head::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
                .filter(ledger_head::Column::Id.eq(head_id))
                .into_query()
                .build_sqlx($builder);
            sqlx::query_with(sqlx::AssertSqlSafe(sql), values).execute(&mut *conn).await?;
            Ok(())
        }
        .await;
        match done {
            Ok(()) => {
                sqlx::query("COMMIT").execute(&mut *conn).await?;
                Ok(())
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }};
}

async fn issue_one(pool: &Pool, template: &Template) -> anyhow::Result<()> {
    match pool {
        Pool::Sqlite(p, writer) => {
            let _turn = writer.lock().await;
            issue_in!(p, sea_orm::sea_query::SqliteQueryBuilder, false, "BEGIN IMMEDIATE", "", template)
        }
        Pool::Postgres(p) => {
            issue_in!(p, sea_orm::sea_query::PostgresQueryBuilder, true, "BEGIN", " FOR UPDATE", template)
        }
    }
}

/// `?` placeholders as PostgreSQL writes them (`$1`, `$2`…) when `postgres`.
fn rewrite(sql: &str, postgres: bool) -> String {
    if !postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}
