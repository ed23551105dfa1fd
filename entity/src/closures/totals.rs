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

/// Reads a sealed document back from its entry (`scelle-document-v1`).
pub fn parse_sealed(e: &entry::Model) -> DomainResult<SealedDocument> {
    let mut d = SealedDocument {
        sequence: e.sequence,
        hash: e.hash.clone(),
        sealed_at: e.sealed_at,
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
    for (key, parts) in crate::ledger::canonical::parse(&e.canonical) {
        let value = parts.join("|");
        let one = || parts.concat();
        match key.as_str() {
            "format" if value != "scelle-document-v1" && value != "scelle-document-v2" => {
                return Err(DomainError::Internal(format!("unknown sealed format {value:?}")));
            }
            "kind" => d.kind = one(),
            "number" => d.number = one(),
            "issue_date" => d.issue_date = one(),
            "currency" => d.currency = one(),
            "buyer_name" => d.buyer_name = one(),
            "buyer_tax_no" => d.buyer_tax_no = one(),
            "total_net" => d.net = dec(&value)?,
            "total_tax" => d.tax = dec(&value)?,
            "total_gross" => d.gross = dec(&value)?,
            "vat" => {
                let p = &parts;
                if p.len() != 4 {
                    return Err(DomainError::Internal(format!("sealed vat row {value:?}")));
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

pub fn totals(docs: &[SealedDocument]) -> Totals {
    let mut t = Totals::default();
    let mut rates: BTreeMap<(u8, Decimal, String), VatTotals> = BTreeMap::new();
    for d in docs {
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
            let row = rates.entry(rate_order(rate)).or_insert_with(|| VatTotals {
                rate: rate.clone(),
                sales: Amounts::default(),
                credits: Amounts::default(),
            });
            if credit { row.credits.add(*net, *tax, *gross) } else { row.sales.add(*net, *tax, *gross) }
        }
    }
    t.vat = rates.into_values().collect();
    t
}

pub(super) fn money(d: Decimal) -> String {
    crate::tax::round2(d).to_string()
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

/// The period's documents, one row each in chain order: `,`-separated, UTF-8, `\n` line
/// ends, a header row, money with two decimals, `sealed_at` in UTC RFC 3339, and `vat` the
/// document's rates as `rate|net|tax|gross` joined with `;`.
pub fn csv(docs: &[SealedDocument]) -> DomainResult<String> {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::Any(b'\n')).from_writer(Vec::new());
    let err = |e: csv::Error| DomainError::Internal(format!("csv: {e}"));
    w.write_record(CSV_COLUMNS).map_err(err)?;
    for d in docs {
        let vat = d
            .vat
            .iter()
            .map(|(r, n, t, g)| format!("{}|{}|{}|{}", r, money(*n), money(*t), money(*g)))
            .collect::<Vec<_>>()
            .join(";");
        w.write_record([
            d.sequence.to_string(),
            d.hash.clone(),
            d.number.clone(),
            d.kind.clone(),
            d.issue_date.clone(),
            d.sealed_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            d.buyer_name.clone(),
            d.buyer_tax_no.clone(),
            d.currency.clone(),
            money(d.net),
            money(d.tax),
            money(d.gross),
            vat,
        ])
        .map_err(err)?;
    }
    let bytes = w.into_inner().map_err(|e| DomainError::Internal(format!("csv: {e}")))?;
    String::from_utf8(bytes).map_err(|e| DomainError::Internal(format!("csv: {e}")))
}
