//! Canonical form, version 1: what Scelle sealed before version 2 (kept so that entries
//! sealed then still verify). Money rounded to two decimals, quantities without trailing
//! zeros, timestamps to the second, only the parties' name, tax number and postcode.
//! Never written any more: new entries use version 2 (the parent module).

use super::escape;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

pub const VERSION: u32 = 1;

/// Who sells or buys, as the document shows it.
#[derive(Clone, Debug, Default)]
pub struct Party {
    pub name: Option<String>,
    pub tax_no: Option<String>,
    pub post_code: Option<String>,
}

/// One VAT rate's totals (the document's tax summary row).
#[derive(Clone, Debug)]
pub struct VatRow {
    pub tax: String,
    pub net: Decimal,
    pub tax_amount: Decimal,
    pub gross: Decimal,
}

#[derive(Clone, Debug)]
pub struct Line {
    pub kind: String,
    pub name: String,
    pub quantity: Decimal,
    pub tax: String,
    pub total_net: Decimal,
    pub total_gross: Decimal,
}

/// An issued fiscal document as sealed.
#[derive(Clone, Debug)]
pub struct Document {
    pub kind: String,
    pub number: String,
    pub issue_date: NaiveDate,
    pub sell_date: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub currency: String,
    pub seller: Party,
    pub buyer: Party,
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
    pub vat: Vec<VatRow>,
    pub lines: Vec<Line>,
    /// The number of the document it corrects or cancels (credit notes), if any.
    pub corrects: Option<String>,
}

/// A payment as sealed, with the numbers of the documents it pays.
#[derive(Clone, Debug)]
pub struct Payment {
    pub recorded_at: DateTime<Utc>,
    pub paid_date: Option<NaiveDate>,
    pub paid: bool,
    pub price: Decimal,
    pub currency: String,
    pub kind: String,
    pub name: Option<String>,
    /// (document number, amount applied), in the order applied.
    pub allocations: Vec<(String, Decimal)>,
}

fn money(d: Decimal) -> String {
    crate::tax::round2(d).to_string()
}

fn quantity(d: Decimal) -> String {
    d.normalize().to_string()
}

fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(escape).unwrap_or_default()
}

struct Out(Vec<String>);

impl Out {
    fn put(&mut self, key: &str, value: impl AsRef<str>) {
        self.0.push(format!("{key}={}", value.as_ref()));
    }

    fn party(&mut self, prefix: &str, p: &Party) {
        self.put(&format!("{prefix}_name"), opt(&p.name));
        self.put(&format!("{prefix}_tax_no"), opt(&p.tax_no));
        self.put(&format!("{prefix}_post_code"), opt(&p.post_code));
    }
}

/// The canonical form of a sealed document.
pub fn document(d: &Document) -> String {
    let mut o = Out(Vec::new());
    o.put("format", format!("scelle-document-v{VERSION}"));
    o.put("kind", escape(&d.kind));
    o.put("number", escape(&d.number));
    o.put("issue_date", d.issue_date.format("%Y-%m-%d").to_string());
    o.put("sell_date", opt(&d.sell_date));
    o.put("issued_at", timestamp(d.issued_at));
    o.put("currency", escape(&d.currency));
    o.party("seller", &d.seller);
    o.party("buyer", &d.buyer);
    o.put("total_net", money(d.net));
    o.put("total_tax", money(d.tax));
    o.put("total_gross", money(d.gross));
    for r in &d.vat {
        o.put("vat", format!("{}|{}|{}|{}", escape(&r.tax), money(r.net), money(r.tax_amount), money(r.gross)));
    }
    for l in &d.lines {
        o.put(
            "line",
            format!(
                "{}|{}|{}|{}|{}|{}",
                escape(&l.kind),
                escape(&l.name),
                quantity(l.quantity),
                escape(&l.tax),
                money(l.total_net),
                money(l.total_gross)
            ),
        );
    }
    o.put("corrects", opt(&d.corrects));
    o.0.join("\n")
}

/// The canonical form of a sealed payment.
pub fn payment(p: &Payment) -> String {
    let mut o = Out(Vec::new());
    o.put("format", format!("scelle-payment-v{VERSION}"));
    o.put("recorded_at", timestamp(p.recorded_at));
    o.put("paid_date", p.paid_date.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default());
    o.put("paid", if p.paid { "1" } else { "0" });
    o.put("price", money(p.price));
    o.put("currency", escape(&p.currency));
    o.put("kind", escape(&p.kind));
    o.put("name", opt(&p.name));
    for (number, amount) in &p.allocations {
        o.put("allocation", format!("{}|{}", escape(number), money(*amount)));
    }
    o.0.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn sample() -> Document {
        Document {
            kind: "vat".into(),
            number: "F-2026-1".into(),
            issue_date: NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(),
            sell_date: Some("2026-11".into()),
            issued_at: DateTime::parse_from_rfc3339("2026-11-21T09:30:05.123+01:00").unwrap().with_timezone(&Utc),
            currency: "EUR".into(),
            seller: Party {
                name: Some("Société Chose".into()),
                tax_no: Some("FR5252445767".into()),
                post_code: Some("75007".into()),
            },
            buyer: Party { name: Some("Client | Untel\nBis".into()), tax_no: None, post_code: Some("06000".into()) },
            net: dec("100"),
            tax: dec("20"),
            gross: dec("120.0"),
            vat: vec![VatRow { tax: "20".into(), net: dec("100"), tax_amount: dec("20"), gross: dec("120") }],
            lines: vec![Line {
                kind: "normal".into(),
                name: "Pose \\ dépose".into(),
                quantity: dec("2.500"),
                tax: "20".into(),
                total_net: dec("100"),
                total_gross: dec("120"),
            }],
            corrects: None,
        }
    }

    #[test]
    fn document_layout_is_fixed() {
        assert_eq!(
            document(&sample()),
            "format=scelle-document-v1\nkind=vat\nnumber=F-2026-1\nissue_date=2026-11-21\nsell_date=2026-11\n\
             issued_at=2026-11-21T08:30:05Z\ncurrency=EUR\nseller_name=Société Chose\nseller_tax_no=FR5252445767\n\
             seller_post_code=75007\nbuyer_name=Client \\| Untel\\nBis\nbuyer_tax_no=\nbuyer_post_code=06000\n\
             total_net=100.00\ntotal_tax=20.00\ntotal_gross=120.00\nvat=20|100.00|20.00|120.00\n\
             line=normal|Pose \\\\ dépose|2.5|20|100.00|120.00\ncorrects="
        );
    }

    #[test]
    fn any_change_changes_the_hash() {
        let base = document(&sample());
        let mut changed = sample();
        changed.lines[0].total_gross = dec("120.01");
        assert_ne!(crate::ledger::chain_hash("", &base), crate::ledger::chain_hash("", &document(&changed)));
        // Escaping keeps distinct values distinct: a name containing the separator is not
        // the same record as two fields.
        let mut a = sample();
        a.lines[0].name = "A|1".into();
        let mut b = sample();
        b.lines[0].name = "A".into();
        b.lines[0].quantity = dec("1");
        assert_ne!(document(&a), document(&b));
    }

    #[test]
    fn payment_layout_is_fixed() {
        let p = Payment {
            recorded_at: DateTime::parse_from_rfc3339("2026-11-21T10:00:00Z").unwrap().with_timezone(&Utc),
            paid_date: NaiveDate::from_ymd_opt(2026, 11, 20),
            paid: true,
            price: dec("200"),
            currency: "EUR".into(),
            kind: "api".into(),
            name: Some("Titre du paiement".into()),
            allocations: vec![("F-2026-1".into(), dec("100")), ("F-2026-2".into(), dec("100.0"))],
        };
        assert_eq!(
            payment(&p),
            "format=scelle-payment-v1\nrecorded_at=2026-11-21T10:00:00Z\npaid_date=2026-11-20\npaid=1\nprice=200.00\n\
             currency=EUR\nkind=api\nname=Titre du paiement\nallocation=F-2026-1|100.00\nallocation=F-2026-2|100.00"
        );
    }
}
