//! The account at scale. A data generator fills the bench's account through the domain
//! layer — `entity::documents::create_all`, the same code path as `createInvoice(issue:
//! true)` without HTTP and GraphQL, a few hundred issued invoices per transaction, each
//! numbered and sealed as the transaction commits — so that what the server then reads,
//! lists, verifies and closes is what it would have written itself. The figures it gives
//! are the generator's own speed, said as such, never a figure of the server.
//!
//! Its baseline, for closures: one SQL aggregate over the same sealed rows.

use crate::load::Figure;
use entity::tables::{document, ledger_entry, membership};
use entity::tenant::{AccountId, Actor, Credential, Role, UserId};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use std::path::Path;
use std::time::Instant;
use uuid::Uuid;

/// Documents per transaction: enough to amortise the commit and the head's move, small
/// enough that the server's own writes (none run meanwhile) would not wait long.
const BATCH: usize = 500;

pub struct Generator {
    db: DatabaseConnection,
    actor: Actor,
}

/// The i-th generated invoice: the shape the load sends (3 lines, buyer one of 50,
/// product one of 20, a separator).
fn invoice(i: usize) -> entity::documents::DocumentInput {
    use entity::documents::{BuyerInput, DocumentInput, PositionInput};
    let line =
        |name: String, tax: &str| PositionInput { name: Some(name), tax: Some(tax.into()), ..Default::default() };
    DocumentInput {
        buyer: BuyerInput {
            name: Some(format!("Client {}", i % 50)),
            tax_no: Some(format!("FR{:011}", i % 50)),
            ..Default::default()
        },
        positions: Some(vec![
            PositionInput {
                price_net: Some(Decimal::new(12050, 2)),
                quantity: Some(Decimal::from(3)),
                ..line(format!("Service {}", i % 20), "20")
            },
            PositionInput { price_gross: Some(Decimal::new(999, 2)), ..line("Livraison".into(), "5.5") },
            PositionInput { kind: Some("text_separator".into()), ..line("Remise".into(), "20") },
        ]),
        ..Default::default()
    }
}

impl Generator {
    /// Opens the server's database (the server stopped) as the account's owner, with the
    /// server's ledger key (`<data dir>/ledger_keys`), so that what it seals verifies.
    pub async fn open(url: &str, data_dir: &Path, account: Uuid) -> anyhow::Result<Generator> {
        let (ring, _) = entity::ledger::keys::KeyRing::load_or_create(&data_dir.join("ledger_keys"))?;
        // Installed once per process; a second generator finds it there.
        if entity::ledger::keys::installed().is_err() {
            entity::ledger::keys::install(ring)?;
        }
        let db = entity::db::connect(url).await?;
        let owner = membership::Entity::find()
            .filter(membership::Column::AccountId.eq(account))
            .one(&db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the bench account has no member"))?;
        let actor = Actor {
            user_id: UserId(owner.user_id),
            account_id: AccountId(account),
            role: Role::Owner,
            credential: Credential::System,
            client_ip: None,
        };
        Ok(Generator { db, actor })
    }

    /// The account's documents.
    pub async fn documents(&self) -> anyhow::Result<usize> {
        Ok(document::Entity::find()
            .filter(document::Column::AccountId.eq(self.actor.account_id.0))
            .count(&self.db)
            .await? as usize)
    }

    /// The account's sealed documents (entries of its documents chain).
    pub async fn sealed(&self) -> anyhow::Result<usize> {
        Ok(ledger_entry::Entity::find()
            .filter(ledger_entry::Column::AccountId.eq(self.actor.account_id.0))
            .filter(ledger_entry::Column::Chain.eq("documents"))
            .count(&self.db)
            .await? as usize)
    }

    /// Issues invoices until the account holds `target` documents; prints and returns the
    /// generator's rate (none when nothing was missing).
    pub async fn fill_to(&self, target: usize) -> anyhow::Result<Option<Figure>> {
        let have = self.documents().await?;
        if have >= target {
            return Ok(None);
        }
        let started = Instant::now();
        let mut made = 0;
        let mut last_report = Instant::now();
        while have + made < target {
            let n = BATCH.min(target - have - made);
            let inputs = (have + made..have + made + n).map(invoice).collect();
            made += entity::documents::create_all(&self.db, &self.actor, inputs, true).await?;
            if last_report.elapsed().as_secs() >= 10 {
                println!("  … {} documents", have + made);
                last_report = Instant::now();
            }
        }
        let figure = Figure::rate(
            &format!("data generator: issued, sealed invoices, {BATCH} per transaction (not the server)"),
            made,
            started.elapsed(),
        );
        println!("{}", figure.line());
        Ok(Some(figure))
    }

    /// The current month's bounds in the account's time zone, as a closure takes them.
    async fn month(
        &self,
    ) -> anyhow::Result<(chrono::NaiveDate, chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
        use entity::closures::{Frequency, day_starts_at};
        let account = entity::tables::account::Entity::find_by_id(self.actor.account_id.0)
            .one(&self.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the bench account is missing"))?;
        let tz = entity::closures::tz_of(&account);
        let start = Frequency::Monthly.start_of(chrono::Utc::now().with_timezone(&tz).date_naive());
        Ok((start, day_starts_at(tz, start), day_starts_at(tz, Frequency::Monthly.next(start))))
    }

    /// Closes the account's current month now, early — the bench's database is thrown
    /// away — and returns its rate in documents summed per second.
    pub async fn close_month(&self) -> anyhow::Result<Figure> {
        use entity::closures::{Frequency, close_period};
        let (start, _, _) = self.month().await?;
        let started = Instant::now();
        let created = close_period(&self.db, self.actor.account_id, Frequency::Monthly, start).await?;
        let took = started.elapsed();
        anyhow::ensure!(created, "the month was already closed");
        let closure = entity::tables::closure::Entity::find()
            .filter(entity::tables::closure::Column::AccountId.eq(self.actor.account_id.0))
            .filter(entity::tables::closure::Column::PeriodStart.eq(start))
            .one(&self.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("the closure is missing"))?;
        let figure =
            Figure::rate("monthly closure (documents summed per second)", closure.document_count as usize, took);
        println!("{}", figure.line());
        Ok(figure)
    }

    /// The closure's baseline: one aggregate over the month's sealed documents (their
    /// count and the three totals in cents), joined from the chain's entries as the
    /// closure finds them.
    pub async fn aggregate_month(&self) -> anyhow::Result<Figure> {
        use sea_orm::FromQueryResult;
        use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};
        #[derive(FromQueryResult)]
        struct Sums {
            n: i64,
            net: Option<i64>,
            tax: Option<i64>,
            gross: Option<i64>,
        }
        let (_, from, to) = self.month().await?;
        let (e, d) = (ledger_entry::Entity, document::Entity);
        let query = Query::select()
            .expr_as(Func::count(Expr::col((d, document::Column::Id))), "n")
            .expr_as(Func::sum(Expr::col((d, document::Column::NetCents))), "net")
            .expr_as(Func::sum(Expr::col((d, document::Column::TaxCents))), "tax")
            .expr_as(Func::sum(Expr::col((d, document::Column::GrossCents))), "gross")
            .from(e)
            .inner_join(d, Expr::col((d, document::Column::Id)).equals((e, ledger_entry::Column::SubjectId)))
            .and_where(Expr::col((e, ledger_entry::Column::AccountId)).eq(self.actor.account_id.0))
            .and_where(Expr::col((e, ledger_entry::Column::Chain)).eq("documents"))
            .and_where(Expr::col((e, ledger_entry::Column::SealedAt)).gte(from))
            .and_where(Expr::col((e, ledger_entry::Column::SealedAt)).lt(to))
            .to_owned();
        let statement = self.db.get_database_backend().build(&query);
        let started = Instant::now();
        let sums =
            Sums::find_by_statement(statement).one(&self.db).await?.ok_or_else(|| anyhow::anyhow!("no aggregate"))?;
        let took = started.elapsed();
        std::hint::black_box((sums.net, sums.tax, sums.gross));
        let figure = Figure::rate("one SQL aggregate over the same sealed rows", sums.n as usize, took);
        println!("{}", figure.line());
        Ok(figure)
    }

    pub async fn close(self) -> anyhow::Result<()> {
        Ok(self.db.close().await?)
    }
}
