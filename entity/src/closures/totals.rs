//! What a closure sums: the sealed documents of its period read back from their chain
//! entries, their totals by VAT rate, and the CSV that lists them.

use super::*;

/// Net, tax and gross of a set of documents.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amounts {
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
}

impl Amounts {
    fn add(&mut self, net: Decimal, tax: Decimal, gross: Decimal) {
        self.net += net;
        self.tax += tax;
        self.gross += gross;
    }

    pub fn plus(self, other: Amounts) -> Amounts {
        Amounts { net: self.net + other.net, tax: self.tax + other.tax, gross: self.gross + other.gross }
    }
}

/// One VAT rate's totals in a closure: sales (every fiscal kind but credit notes), credit
/// notes (kind `correction`, negative amounts) and their sum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VatTotals {
    /// The rate as documents write it (`20`, `5.5`, `zw`, `np`…).
    pub rate: String,
    pub sales: Amounts,
    pub credits: Amounts,
}

impl VatTotals {
    pub fn total(&self) -> Amounts {
        self.sales.plus(self.credits)
    }
}

/// A document as sealed in the documents chain, read back from its canonical form.
#[derive(Clone, Debug)]
pub struct SealedDocument {
    pub sequence: i64,
    pub hash: String,
    pub sealed_at: DateTime<Utc>,
    pub kind: String,
    pub number: String,
    pub issue_date: String,
    pub currency: String,
    pub buyer_name: String,
    pub buyer_tax_no: String,
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
    /// (rate, net, tax, gross) per VAT rate.
    pub vat: Vec<(String, Decimal, Decimal, Decimal)>,
}

impl SealedDocument {
    pub fn is_credit_note(&self) -> bool {
        self.kind == "correction"
    }
}

pub(super) fn dec(s: &str) -> DomainResult<Decimal> {
    crate::validation::parse_decimal(s).ok_or_else(|| DomainError::Internal(format!("sealed amount {s:?}")))
}

/// Reads a sealed document back from an entry's sequence, hash, time and canonical form
/// (`scelle-document-v1` or `-v2`).
/// Only the lines a closure needs are unescaped (a form has dozens, mostly its lines').
pub fn parse_form(
    sequence: i64,
    hash: &str,
    sealed_at: DateTime<Utc>,
    canonical: &str,
) -> DomainResult<SealedDocument> {
    let mut d = SealedDocument {
        sequence,
        hash: hash.to_owned(),
        sealed_at,
        kind: String::new(),
        number: String::new(),
        issue_date: String::new(),
        currency: String::new(),
        buyer_name: String::new(),
        buyer_tax_no: String::new(),
        net: Decimal::ZERO,
        tax: Decimal::ZERO,
        gross: Decimal::ZERO,
        vat: Vec::new(),
    };
    use crate::ledger::canonical::parts;
    for line in canonical.split('\n').filter(|l| !l.is_empty()) {
        let (key, raw) = line.split_once('=').unwrap_or((line, ""));
        let one = || parts(raw).concat();
        let value = || parts(raw).join("|");
        match key {
            "format" => {
                let value = value();
                if value != "scelle-document-v1" && value != "scelle-document-v2" {
                    return Err(DomainError::Internal(format!("unknown sealed format {value:?}")));
                }
            }
            "kind" => d.kind = one(),
            "number" => d.number = one(),
            "issue_date" => d.issue_date = one(),
            "currency" => d.currency = one(),
            "buyer_name" => d.buyer_name = one(),
            "buyer_tax_no" => d.buyer_tax_no = one(),
            "total_net" => d.net = dec(&value())?,
            "total_tax" => d.tax = dec(&value())?,
            "total_gross" => d.gross = dec(&value())?,
            "vat" => {
                let p = parts(raw);
                if p.len() != 4 {
                    return Err(DomainError::Internal(format!("sealed vat row {:?}", p.join("|"))));
                }
                d.vat.push((p[0].clone(), dec(&p[1])?, dec(&p[2])?, dec(&p[3])?));
            }
            _ => {}
        }
    }
    Ok(d)
}

/// The sums of a period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub document_count: i64,
    pub sales_count: i64,
    pub credit_count: i64,
    pub sales: Amounts,
    pub credits: Amounts,
    pub vat: Vec<VatTotals>,
}

impl Totals {
    pub fn total(&self) -> Amounts {
        self.sales.plus(self.credits)
    }
}

/// Numeric rates in increasing order, then the others (`zw`, `np`…) alphabetically.
pub(super) fn rate_order(rate: &str) -> (u8, Decimal, String) {
    match crate::validation::parse_decimal(rate) {
        Some(d) => (0, d, String::new()),
        None => (1, Decimal::ZERO, rate.to_owned()),
    }
}

/// A period's sums, document after document (a closure reads its period page by page).
#[derive(Default)]
pub struct Summing {
    totals: Totals,
    rates: BTreeMap<(u8, Decimal, String), VatTotals>,
}

impl Summing {
    pub fn add(&mut self, d: &SealedDocument) {
        let t = &mut self.totals;
        t.document_count += 1;
        let credit = d.is_credit_note();
        if credit {
            t.credit_count += 1;
            t.credits.add(d.net, d.tax, d.gross);
        } else {
            t.sales_count += 1;
            t.sales.add(d.net, d.tax, d.gross);
        }
        for (rate, net, tax, gross) in &d.vat {
            let row = self.rates.entry(rate_order(rate)).or_insert_with(|| VatTotals {
                rate: rate.clone(),
                sales: Amounts::default(),
                credits: Amounts::default(),
            });
            if credit { row.credits.add(*net, *tax, *gross) } else { row.sales.add(*net, *tax, *gross) }
        }
    }

    pub fn totals(self) -> Totals {
        Totals { vat: self.rates.into_values().collect(), ..self.totals }
    }
}

pub(super) fn money(d: Decimal) -> String {
    amount(d).to_string()
}

/// A closure's amount as stored: rounded to the cent.
pub(super) fn amount(d: Decimal) -> crate::money::Money {
    crate::tax::round2(d).into()
}

use crate::ledger::canonical::escape;

/// `vat_rows` and the canonical `vat` value: `rate|sales_net|sales_tax|sales_gross|credits_net|credits_tax|credits_gross`.
pub(super) fn vat_row(v: &VatTotals) -> String {
    format!(
        "{}|{}|{}|{}|{}|{}|{}",
        escape(&v.rate),
        money(v.sales.net),
        money(v.sales.tax),
        money(v.sales.gross),
        money(v.credits.net),
        money(v.credits.tax),
        money(v.credits.gross)
    )
}

/// The VAT rows stored on a closure.
pub fn vat_rows(c: &closure::Model) -> Vec<VatTotals> {
    c.vat_rows
        .split('\n')
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            let p = crate::ledger::canonical::parts(l);
            let d = |i: usize| crate::validation::parse_decimal(&p[i]).unwrap_or_default();
            (p.len() == 7).then(|| VatTotals {
                rate: p[0].clone(),
                sales: Amounts { net: d(1), tax: d(2), gross: d(3) },
                credits: Amounts { net: d(4), tax: d(5), gross: d(6) },
            })
        })
        .collect()
}

/// The CSV columns, in order (the README documents them).
pub const CSV_COLUMNS: [&str; 13] = [
    "sequence",
    "hash",
    "number",
    "kind",
    "issue_date",
    "sealed_at",
    "buyer_name",
    "buyer_tax_no",
    "currency",
    "net",
    "tax",
    "gross",
    "vat",
];

/// The period's documents, one row each in chain order, row after row: `,`-separated,
/// UTF-8, `\n` line ends, a header row, money with two decimals, `sealed_at` in UTC RFC
/// 3339, and `vat` the document's rates as `rate|net|tax|gross` joined with `;`.
pub struct CsvWriting(csv::Writer<Vec<u8>>);

fn csv_error(e: impl std::fmt::Display) -> DomainError {
    DomainError::Internal(format!("csv: {e}"))
}

impl CsvWriting {
    pub fn new() -> DomainResult<Self> {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
        w.write_record(CSV_COLUMNS).map_err(csv_error)?;
        Ok(Self(w))
    }

    pub fn add(&mut self, d: &SealedDocument) -> DomainResult<()> {
        let vat = d
            .vat
            .iter()
            .map(|(r, n, t, g)| format!("{}|{}|{}|{}", r, money(*n), money(*t), money(*g)))
            .collect::<Vec<_>>()
            .join(";");
        self.0
            .write_record([
                d.sequence.to_string().as_str(),
                &d.hash,
                &d.number,
                &d.kind,
                &d.issue_date,
                &d.sealed_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                &d.buyer_name,
                &d.buyer_tax_no,
                &d.currency,
                &money(d.net),
                &money(d.tax),
                &money(d.gross),
                &vat,
            ])
            .map_err(csv_error)
    }

    pub fn finish(self) -> DomainResult<String> {
        let bytes = self.0.into_inner().map_err(csv_error)?;
        String::from_utf8(bytes).map_err(csv_error)
    }
}
