//! Certification closures over GraphQL: `closures(frequency, page, perPage)` and
//! `closure(id)`, for owners, admins and accountants. The CSV is also served over HTTP at
//! `GET /closures/{id}.csv` (see `http/files.rs`).

use super::context::{CtxExt, ResultExt, parse_id};
use super::pagination::Page;
use super::scalars::{Date, Decimal};
use async_graphql::{ComplexObject, Context, Enum, ID, SimpleObject};
use chrono::{DateTime, Utc};
use entity::closures::{Amounts, Frequency};
use entity::ledger::store::{Chain, entry_of};
use entity::tables::closure;
use entity::tenant::AccountId;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ClosureFrequency {
    Daily,
    Monthly,
    Yearly,
}

impl From<ClosureFrequency> for Frequency {
    fn from(f: ClosureFrequency) -> Self {
        match f {
            ClosureFrequency::Daily => Frequency::Daily,
            ClosureFrequency::Monthly => Frequency::Monthly,
            ClosureFrequency::Yearly => Frequency::Yearly,
        }
    }
}

/// Totals excluding tax, tax, and including tax.
#[derive(SimpleObject, Clone)]
pub struct ClosureAmounts {
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
}

impl From<Amounts> for ClosureAmounts {
    fn from(a: Amounts) -> Self {
        let r = |d| Decimal(entity::tax::round2(d));
        Self { net: r(a.net), tax: r(a.tax), gross: r(a.gross) }
    }
}

/// One VAT rate's totals in a closure.
#[derive(SimpleObject, Clone)]
pub struct ClosureVatTotal {
    /// The rate as documents write it (`20`, `5.5`, `zw`…).
    pub rate: String,
    /// Every fiscal kind but credit notes.
    pub sales: ClosureAmounts,
    /// Credit notes (negative amounts).
    pub credits: ClosureAmounts,
    /// Sales plus credit notes.
    pub total: ClosureAmounts,
}

/// Where a closure is sealed in the account's closures chain.
#[derive(SimpleObject, Clone)]
pub struct ClosureSeal {
    /// `sealed`.
    pub status: String,
    pub sequence: i64,
    /// The entry's hash ("block hash"): `SHA-256(previousHash ‖ canonical)`.
    pub hash: String,
    pub previous_hash: String,
    pub sealed_at: DateTime<Utc>,
    /// `SHA-256`.
    pub algorithm: String,
    /// The sealed canonical form (`format=scelle-closure-v1` …).
    pub canonical: String,
}

/// A certification closure: the documents sealed in one day, month or year of the
/// account's time zone, summed and sealed. Never changes once made (its e-mail state aside).
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct Closure {
    pub id: ID,
    pub frequency: ClosureFrequency,
    /// First day of the period, in `timeZone`.
    pub period_start: Date,
    /// Last day of the period (inclusive), in `timeZone`.
    pub period_end: Date,
    pub time_zone: String,
    /// The period as instants: documents sealed in `[startsAt, endsAt)`.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub document_count: i64,
    pub sales_count: i64,
    pub credit_count: i64,
    pub sales: ClosureAmounts,
    pub credits: ClosureAmounts,
    /// Sales plus credit notes.
    pub total: ClosureAmounts,
    /// Per VAT rate, numeric rates increasing then the others.
    pub vat: Vec<ClosureVatTotal>,
    /// Turnover excluding tax (`total.net`).
    pub turnover: Decimal,
    /// The period's grand total including tax (`total.gross`).
    pub period_total: Decimal,
    /// The previous closure's of the same frequency plus `periodTotal`.
    pub perpetual_total: Decimal,
    /// The documents chain sequences the closure covers (null when nothing was sealed).
    pub first_sequence: Option<i64>,
    pub last_sequence: Option<i64>,
    /// The documents chain's hash at the end of the period.
    pub last_hash: String,
    /// SHA-256 of the CSV's exact bytes ("file hash").
    pub csv_sha256: String,
    /// The CSV of the period's documents (also at `GET /closures/{id}.csv`).
    pub csv: String,
    pub email_sent_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The head of every chain when the closure was made (the closures chain: before this
    /// closure). Verification checks that each chain still holds them. Empty on closures
    /// made before version 2 of the canonical form.
    pub heads: Vec<super::certification::ChainHead>,
    /// The signature of the closure's block (its entry in the closures chain), made with a
    /// key the database does not hold; null on closures made before signatures existed.
    pub signature: Option<super::certification::LedgerSignature>,
    #[graphql(skip)]
    pub account_id: uuid::Uuid,
    #[graphql(skip)]
    pub row_id: uuid::Uuid,
}

impl From<closure::Model> for Closure {
    fn from(c: closure::Model) -> Self {
        let d = |m: entity::money::Money| Decimal::from(m);
        let vat = entity::closures::vat_rows(&c)
            .into_iter()
            .map(|v| ClosureVatTotal {
                total: v.total().into(),
                rate: v.rate,
                sales: v.sales.into(),
                credits: v.credits.into(),
            })
            .collect();
        let amounts = |n, t, g| ClosureAmounts { net: d(n), tax: d(t), gross: d(g) };
        let heads = entity::closures::recorded_heads(&c)
            .unwrap_or_default()
            .into_iter()
            .map(|h| super::certification::ChainHead { chain: h.chain.into(), sequence: h.sequence, hash: h.hash })
            .collect();
        Self {
            id: ID(c.id.to_string()),
            frequency: match c.frequency.as_str() {
                "daily" => ClosureFrequency::Daily,
                "monthly" => ClosureFrequency::Monthly,
                _ => ClosureFrequency::Yearly,
            },
            period_start: Date(c.period_start),
            period_end: Date(c.period_end),
            time_zone: c.time_zone.clone(),
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            document_count: c.document_count,
            sales_count: c.sales_count,
            credit_count: c.credit_count,
            sales: amounts(c.sales_net, c.sales_tax, c.sales_gross),
            credits: amounts(c.credits_net, c.credits_tax, c.credits_gross),
            total: amounts(c.total_net, c.total_tax, c.total_gross),
            vat,
            turnover: d(c.total_net),
            period_total: d(c.total_gross),
            perpetual_total: d(c.perpetual_total),
            first_sequence: c.first_sequence,
            last_sequence: c.last_sequence,
            last_hash: c.last_hash.clone(),
            csv_sha256: c.csv_sha256.clone(),
            csv: c.csv,
            email_sent_at: c.email_sent_at,
            created_at: c.created_at,
            heads,
            signature: super::certification::LedgerSignature::of(
                c.signed_at,
                c.signature.clone(),
                c.signing_key.clone(),
            ),
            account_id: c.account_id,
            row_id: c.id,
        }
    }
}

#[ComplexObject]
impl Closure {
    /// The closure's seal in the account's closures chain.
    async fn certification(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ClosureSeal>> {
        let e = entry_of(&ctx.app().db, AccountId(self.account_id), Chain::Closures, self.row_id).await.gql(ctx)?;
        Ok(e.map(|e| ClosureSeal {
            status: "sealed".into(),
            sequence: e.sequence,
            hash: e.hash,
            previous_hash: e.previous_hash,
            sealed_at: e.sealed_at,
            algorithm: entity::ledger::ALGORITHM.into(),
            canonical: e.canonical,
        }))
    }
}

#[derive(Default)]
pub struct ClosureQuery;

#[async_graphql::Object]
impl ClosureQuery {
    /// The account's closures, newest period first; `perPage` at most 100. Owners, admins
    /// and accountants.
    async fn closures(
        &self,
        ctx: &Context<'_>,
        frequency: Option<ClosureFrequency>,
        page: Option<i32>,
        per_page: Option<i32>,
    ) -> async_graphql::Result<Page<Closure>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let result = entity::closures::list(&ctx.app().db, actor, frequency.map(Into::into), page).await.gql(ctx)?;
        Ok(Page::from_domain(result))
    }

    async fn closure(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Closure> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::closures::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
