//! The tax engine: line amounts, document totals and the per-rate tax summary, for every
//! calculating strategy and discount kind of the VosFactures model. Pure (no I/O), exact
//! (`rust_decimal`), and the only place where money is rounded.
//!
//! # The rules
//!
//! * **Rounding.** Money is rounded to the cent, half away from zero (`round2`): 0.125 →
//!   0.13, −0.125 → −0.13. Nothing else is rounded, except where a rule below says a
//!   discounted *unit* price is rounded to the cent.
//! * **Basis of a line** (`position` strategy). `Default`: the line is computed on its net
//!   amount — net = round2(unit net × quantity), tax = round2(net × rate), gross = net + tax.
//!   `KeepGross`: the line is computed on its gross amount — gross = round2(unit gross ×
//!   quantity), net = round2(gross ÷ (1 + rate)), tax = gross − net. A total given for the
//!   line on its own basis is kept as given (rounded to the cent), never rebuilt from a
//!   unit price.
//! * **Prices given.** A line gives one of: unit net, unit gross, total net, total gross.
//!   The others are derived exactly (unit = total ÷ quantity; gross = net × (1 + rate)).
//!   Derived unit prices are reported rounded to 4 decimals; they are informative, the
//!   line totals are authoritative.
//! * **Discounts** (`discount_kind`, one per document; each line gives its value; on a
//!   negative line, a credit, a discount reduces the amount credited):
//!   `PercentUnit` p: unit net becomes round2(unit net × (1 − p/100)), then the line is
//!   computed from it; `PercentUnitGross` p: the same on the unit gross price;
//!   `PercentTotal` p: the undiscounted line amount on its basis × (1 − p/100), rounded
//!   once; `Amount` d: d is a gross (TTC) amount taken off the line — from the gross
//!   amount on a gross basis, as d ÷ (1 + rate) from the net amount on a net basis.
//! * **Totals** (`sum` strategy), per tax rate then added up: `Sum`: net, tax and gross
//!   are the sums of the lines' values; `KeepNet`: net is the lines' sum, tax =
//!   round2(net × rate) once per rate, gross = net + tax; `KeepGross`: gross is the lines'
//!   sum, net = round2(gross ÷ (1 + rate)) once per rate, tax = gross − net. The document
//!   total is the sum of the per-rate rows, so it always equals the tax summary.
//! * **Tax keywords.** `disabled` (no tax column), `np` (not subject) and `zw` (exempt)
//!   have a zero rate and their own summary rows.
//! * **Text and subtotal lines** carry no amount into the totals; a subtotal line shows
//!   the sum of the normal lines since the previous subtotal.

use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Rounds money to the cent, half away from zero, always with two decimals ("2.00").
pub fn round2(d: Decimal) -> Decimal {
    let mut r = d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(2);
    r
}

/// An amount in whole cents (rounded to the cent first), for ordering and indexing;
/// `None` beyond an `i64` (amounts are bounded far below that).
pub fn cents(d: Decimal) -> Option<i64> {
    use rust_decimal::prelude::ToPrimitive;
    round2(d).checked_mul(Decimal::ONE_HUNDRED).and_then(|c| c.to_i64())
}

/// A unit price as stored and shown: at least two decimals ("85.00"), more only when it
/// has them ("0.0125").
pub fn unit_price(d: Decimal) -> crate::money::Money {
    let mut n = d.normalize();
    if n.scale() < 2 {
        n.rescale(2);
    }
    n.into()
}

fn round_unit(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero).normalize()
}

/// The tax of a line: a rate in percent, or a keyword with no tax.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Tax {
    /// A rate in percent, 0 to 100 (e.g. 20, 5.5).
    Rate(Decimal),
    /// "disabled": no tax at all (e.g. a micro-entreprise, "TVA non applicable").
    Disabled,
    /// "np": not subject to the tax.
    NotSubject,
    /// "zw": exempt.
    Exempt,
}

impl Tax {
    /// The rate as a fraction (0.2 for 20 %); zero for the keywords.
    pub fn fraction(self) -> Decimal {
        match self {
            Tax::Rate(r) => r / Decimal::ONE_HUNDRED,
            _ => Decimal::ZERO,
        }
    }

    fn sort_key(self) -> (u8, std::cmp::Reverse<Decimal>) {
        match self {
            Tax::Rate(r) => (0, std::cmp::Reverse(r)),
            Tax::Disabled => (1, std::cmp::Reverse(Decimal::ZERO)),
            Tax::NotSubject => (2, std::cmp::Reverse(Decimal::ZERO)),
            Tax::Exempt => (3, std::cmp::Reverse(Decimal::ZERO)),
        }
    }
}

/// Summary order: rates from highest to lowest, then `disabled`, `np`, `zw`.
impl Ord for Tax {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Tax {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Tax {
    type Err = TaxError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "disabled" => Ok(Tax::Disabled),
            "np" => Ok(Tax::NotSubject),
            "zw" => Ok(Tax::Exempt),
            other => {
                let r = crate::validation::parse_decimal(other).ok_or(TaxError::InvalidTax)?;
                if r < Decimal::ZERO || r > Decimal::ONE_HUNDRED {
                    return Err(TaxError::InvalidTax);
                }
                Ok(Tax::Rate(r.normalize()))
            }
        }
    }
}

impl fmt::Display for Tax {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tax::Rate(r) => write!(f, "{}", r.normalize()),
            Tax::Disabled => f.write_str("disabled"),
            Tax::NotSubject => f.write_str("np"),
            Tax::Exempt => f.write_str("zw"),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PositionStrategy {
    /// Lines are computed from their net amount.
    #[default]
    Default,
    /// Lines are computed from their gross amount.
    KeepGross,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SumStrategy {
    #[default]
    Sum,
    KeepGross,
    KeepNet,
}

/// Whether unit prices are typed net (HT) or gross (TTC) in forms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PriceKind {
    #[default]
    Net,
    Gross,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CalculatingStrategy {
    pub position: PositionStrategy,
    pub sum: SumStrategy,
    pub price_kind: PriceKind,
}

impl CalculatingStrategy {
    /// The seed's names (`position`, `sum`, `invoice_form_price_kind`), as stored.
    pub fn names(&self) -> (&'static str, &'static str, &'static str) {
        (
            match self.position {
                PositionStrategy::Default => "default",
                PositionStrategy::KeepGross => "keep_gross",
            },
            match self.sum {
                SumStrategy::Sum => "sum",
                SumStrategy::KeepGross => "keep_gross",
                SumStrategy::KeepNet => "keep_net",
            },
            match self.price_kind {
                PriceKind::Net => "net",
                PriceKind::Gross => "gross",
            },
        )
    }

    /// The strategy named by `names`; unknown names fall back to the defaults.
    pub fn from_names(position: &str, sum: &str, price_kind: &str) -> Self {
        CalculatingStrategy {
            position: if position == "keep_gross" { PositionStrategy::KeepGross } else { PositionStrategy::Default },
            sum: match sum {
                "keep_gross" => SumStrategy::KeepGross,
                "keep_net" => SumStrategy::KeepNet,
                _ => SumStrategy::Sum,
            },
            price_kind: if price_kind == "gross" { PriceKind::Gross } else { PriceKind::Net },
        }
    }

    /// The strategy for prices typed gross: lines and totals keep the gross amounts.
    pub const GROSS: CalculatingStrategy = CalculatingStrategy {
        position: PositionStrategy::KeepGross,
        sum: SumStrategy::Sum,
        price_kind: PriceKind::Gross,
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiscountKind {
    PercentUnit,
    PercentUnitGross,
    PercentTotal,
    Amount,
}

impl DiscountKind {
    pub const ALL: [DiscountKind; 4] =
        [DiscountKind::PercentUnit, DiscountKind::PercentUnitGross, DiscountKind::PercentTotal, DiscountKind::Amount];

    /// The seed's name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            DiscountKind::PercentUnit => "percent_unit",
            DiscountKind::PercentUnitGross => "percent_unit_gross",
            DiscountKind::PercentTotal => "percent_total",
            DiscountKind::Amount => "amount",
        }
    }

    pub fn parse(s: &str) -> Option<DiscountKind> {
        DiscountKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LineKind {
    #[default]
    Normal,
    TextSeparator,
    Subtotal,
}

/// The one price a line gives; the engine derives the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Price {
    UnitNet(Decimal),
    UnitGross(Decimal),
    TotalNet(Decimal),
    TotalGross(Decimal),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineInput {
    pub kind: LineKind,
    pub quantity: Decimal,
    pub tax: Tax,
    pub price: Price,
    /// The line's discount value, read according to the document's `DiscountKind`:
    /// a percentage for the percent kinds, a gross amount for `Amount`.
    pub discount: Option<Decimal>,
}

impl LineInput {
    pub fn new(quantity: Decimal, tax: Tax, price: Price) -> Self {
        Self { kind: LineKind::Normal, quantity, tax, price, discount: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LineAmounts {
    /// Unit prices before discount, as given or derived (derived ones rounded to 4
    /// decimals; informative: the totals are authoritative).
    pub unit_net: Decimal,
    pub unit_gross: Decimal,
    pub total_net: Decimal,
    pub total_tax: Decimal,
    pub total_gross: Decimal,
    /// Gross amount the discount took off the line (zero without discount).
    pub discount_gross: Decimal,
}

impl LineAmounts {
    /// All amounts 0.00 (text lines, and the start of a subtotal).
    pub fn zero() -> Self {
        let z = round2(Decimal::ZERO);
        Self {
            unit_net: Decimal::ZERO,
            unit_gross: Decimal::ZERO,
            total_net: z,
            total_tax: z,
            total_gross: z,
            discount_gross: z,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaxSummaryRow {
    pub tax: Tax,
    pub net: Decimal,
    pub tax_amount: Decimal,
    pub gross: Decimal,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentAmounts {
    /// One entry per input line, in order; text lines are all zero, subtotal lines carry
    /// the subtotal in `total_net`/`total_tax`/`total_gross`.
    pub lines: Vec<LineAmounts>,
    pub tax_summary: Vec<TaxSummaryRow>,
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaxError {
    /// Not a rate between 0 and 100 nor a tax keyword.
    InvalidTax,
    /// A line total was given with a zero quantity: no unit price can be derived.
    TotalWithZeroQuantity { line: usize },
    /// A percentage discount outside 0..=100.
    DiscountOutOfRange { line: usize },
    /// A number too large for exact decimal arithmetic.
    Overflow { line: usize },
}

fn checked(line: usize, v: Option<Decimal>) -> Result<Decimal, TaxError> {
    v.ok_or(TaxError::Overflow { line })
}

/// Computes one normal line.
fn compute_line(
    i: usize,
    l: &LineInput,
    s: &CalculatingStrategy,
    discount_kind: Option<DiscountKind>,
) -> Result<LineAmounts, TaxError> {
    let one_plus = Decimal::ONE + l.tax.fraction();
    let q = l.quantity;
    let per_unit = |total: Decimal| -> Result<Decimal, TaxError> {
        if q.is_zero() {
            if total.is_zero() { Ok(Decimal::ZERO) } else { Err(TaxError::TotalWithZeroQuantity { line: i }) }
        } else {
            checked(i, total.checked_div(q))
        }
    };
    // Unit prices before discount, exact.
    let (unit_net, unit_gross) = match l.price {
        Price::UnitNet(p) => (p, checked(i, p.checked_mul(one_plus))?),
        Price::UnitGross(p) => (checked(i, p.checked_div(one_plus))?, p),
        Price::TotalNet(t) => {
            let u = per_unit(t)?;
            (u, checked(i, u.checked_mul(one_plus))?)
        }
        Price::TotalGross(t) => {
            let u = per_unit(t)?;
            (checked(i, u.checked_div(one_plus))?, u)
        }
    };
    let gross_basis = s.position == PositionStrategy::KeepGross;
    // Undiscounted line amount on the line's basis: a total given on that basis is kept.
    let undiscounted = match (l.price, gross_basis) {
        (Price::TotalNet(t), false) | (Price::TotalGross(t), true) => t,
        (_, false) => checked(i, unit_net.checked_mul(q))?,
        (_, true) => checked(i, unit_gross.checked_mul(q))?,
    };
    let undiscounted_gross = match l.price {
        Price::TotalGross(t) => t,
        _ => checked(i, unit_gross.checked_mul(q))?,
    };

    let factor = |p: Decimal| -> Result<Decimal, TaxError> {
        if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED {
            return Err(TaxError::DiscountOutOfRange { line: i });
        }
        Ok(Decimal::ONE - p / Decimal::ONE_HUNDRED)
    };
    let on_basis =
        |un: Decimal, ug: Decimal| checked(i, if gross_basis { ug.checked_mul(q) } else { un.checked_mul(q) });
    let amount = match (discount_kind, l.discount.filter(|d| !d.is_zero())) {
        (None, _) | (_, None) => undiscounted,
        (Some(DiscountKind::PercentUnit), Some(p)) => {
            let un = round2(checked(i, unit_net.checked_mul(factor(p)?))?);
            on_basis(un, checked(i, un.checked_mul(one_plus))?)?
        }
        (Some(DiscountKind::PercentUnitGross), Some(p)) => {
            let ug = round2(checked(i, unit_gross.checked_mul(factor(p)?))?);
            on_basis(checked(i, ug.checked_div(one_plus))?, ug)?
        }
        (Some(DiscountKind::PercentTotal), Some(p)) => checked(i, undiscounted.checked_mul(factor(p)?))?,
        (Some(DiscountKind::Amount), Some(d)) => {
            // A gross amount between zero and the line's own gross amount.
            if d < Decimal::ZERO || d > undiscounted_gross.abs() {
                return Err(TaxError::DiscountOutOfRange { line: i });
            }
            let off = if gross_basis { d } else { checked(i, d.checked_div(one_plus))? };
            // On a negative line (a credit note) the discount reduces the amount credited.
            if undiscounted < Decimal::ZERO {
                checked(i, undiscounted.checked_add(off))?
            } else {
                checked(i, undiscounted.checked_sub(off))?
            }
        }
    };

    let rate = l.tax.fraction();
    let (net, tax, gross) = if gross_basis {
        let gross = round2(amount);
        let net = round2(checked(i, gross.checked_div(one_plus))?);
        (net, gross - net, gross)
    } else {
        let net = round2(amount);
        let tax = round2(checked(i, net.checked_mul(rate))?);
        (net, tax, net + tax)
    };
    // The discount is what it took off the line as computed without it, by the same rules.
    let discount_gross = if l.discount.is_some_and(|d| !d.is_zero()) && discount_kind.is_some() {
        let plain = compute_line(i, &LineInput { discount: None, ..*l }, s, None)?;
        plain.total_gross - gross
    } else {
        round2(Decimal::ZERO)
    };
    Ok(LineAmounts {
        unit_net: round_unit(unit_net),
        unit_gross: round_unit(unit_gross),
        total_net: net,
        total_tax: tax,
        total_gross: gross,
        discount_gross,
    })
}

/// A catalogue unit price as given: net (HT) or gross (TTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitPrice {
    Net(Decimal),
    Gross(Decimal),
}

/// A unit price split into its three amounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnitPrices {
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
}

/// Splits a catalogue unit price: the price given is kept exactly, the other one is
/// derived and rounded to as many decimals as the given one has (at least two: cents),
/// and the tax is their difference. So net + tax = gross, the tax is never negative for a
/// positive price, and a zero rate gives net = gross exactly (0.125 stays 0.125).
pub fn unit_prices(tax: Tax, given: UnitPrice) -> Result<UnitPrices, TaxError> {
    let one_plus = Decimal::ONE + tax.fraction();
    let overflow = TaxError::Overflow { line: 0 };
    let round_like = |d: Decimal, like: Decimal| {
        let dp = like.normalize().scale().max(2);
        let mut r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
        r.rescale(dp);
        r
    };
    Ok(match given {
        UnitPrice::Gross(gross) => {
            let net = round_like(gross.checked_div(one_plus).ok_or(overflow)?, gross);
            UnitPrices { net, tax: gross - net, gross }
        }
        UnitPrice::Net(net) => {
            let gross = round_like(net.checked_mul(one_plus).ok_or(overflow)?, net);
            UnitPrices { net, tax: gross - net, gross }
        }
    })
}

/// Computes every line, the per-rate summary and the document totals.
pub fn compute(
    lines: &[LineInput],
    strategy: &CalculatingStrategy,
    discount_kind: Option<DiscountKind>,
) -> Result<DocumentAmounts, TaxError> {
    let mut out = Vec::with_capacity(lines.len());
    let mut groups: BTreeMap<Tax, TaxSummaryRow> = BTreeMap::new();
    let mut since_subtotal = LineAmounts::zero();
    for (i, l) in lines.iter().enumerate() {
        match l.kind {
            LineKind::TextSeparator => out.push(LineAmounts::zero()),
            LineKind::Subtotal => {
                out.push(since_subtotal);
                since_subtotal = LineAmounts::zero();
            }
            LineKind::Normal => {
                let a = compute_line(i, l, strategy, discount_kind)?;
                let add = |x: Decimal, y: Decimal| x.checked_add(y).ok_or(TaxError::Overflow { line: i });
                since_subtotal.total_net = add(since_subtotal.total_net, a.total_net)?;
                since_subtotal.total_tax = add(since_subtotal.total_tax, a.total_tax)?;
                since_subtotal.total_gross = add(since_subtotal.total_gross, a.total_gross)?;
                let z = round2(Decimal::ZERO);
                let g = groups.entry(l.tax).or_insert(TaxSummaryRow { tax: l.tax, net: z, tax_amount: z, gross: z });
                g.net = add(g.net, a.total_net)?;
                g.tax_amount = add(g.tax_amount, a.total_tax)?;
                g.gross = add(g.gross, a.total_gross)?;
                out.push(a);
            }
        }
    }
    let overflow = TaxError::Overflow { line: lines.len() };
    let tax_summary: Vec<TaxSummaryRow> = groups
        .into_values()
        .map(|row| {
            let one_plus = Decimal::ONE + row.tax.fraction();
            Ok(match strategy.sum {
                SumStrategy::Sum => row,
                SumStrategy::KeepNet => {
                    let t = round2(row.net.checked_mul(row.tax.fraction()).ok_or(overflow)?);
                    TaxSummaryRow { tax_amount: t, gross: row.net.checked_add(t).ok_or(overflow)?, ..row }
                }
                SumStrategy::KeepGross => {
                    let n = round2(row.gross.checked_div(one_plus).ok_or(overflow)?);
                    TaxSummaryRow { net: n, tax_amount: row.gross - n, ..row }
                }
            })
        })
        .collect::<Result<_, TaxError>>()?;
    let sum = |f: fn(&TaxSummaryRow) -> Decimal| {
        tax_summary.iter().try_fold(Decimal::ZERO, |acc, r| acc.checked_add(f(r))).ok_or(overflow)
    };
    // Sums of cents are cents; `round2` only fixes the scale (an empty document is 0.00).
    let net = round2(sum(|r| r.net)?);
    let tax = round2(sum(|r| r.tax_amount)?);
    let gross = round2(sum(|r| r.gross)?);
    Ok(DocumentAmounts { lines: out, tax_summary, net, tax, gross })
}

#[cfg(test)]
mod tests;
