//! Canonical forms of what the ledger seals. Pure and deterministic: a fixed field order,
//! one `key=value` record per line (`\n`, no trailing newline), no database ids. Version 2
//! (written now) covers every field the database triggers freeze and writes every stored
//! value exactly as stored (decimals keep their text: `10.231` stays `10.231`);
//! version 1 (`v1`) is kept to verify what was sealed before it. `docs/certification.md`
//! is the specification, with a worked example that a test checks.
//!
//! Values: `\` is written `\\`, a line feed `\n`, a carriage return `\r` and `|` (the
//! separator inside multi-part values) `\|`; absent values are empty; booleans `0`/`1`;
//! dates `YYYY-MM-DD`; timestamps UTC with microseconds `YYYY-MM-DDTHH:MM:SS.ffffffZ`.

pub mod v1;

use chrono::{DateTime, NaiveDate, Utc};

/// The version new entries are written in.
pub const VERSION: u32 = 2;

/// A value as written in a canonical form (`\\`, `\n`, `\r`, `\|` escaped).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '|' => out.push_str("\\|"),
            c => out.push(c),
        }
    }
    out
}

/// The version a canonical form says it is in (its first record, `format=scelle-<what>-v<n>`):
/// what an entry records as its `version`, so the two never disagree.
pub fn version_of(canonical: &str) -> crate::error::DomainResult<i32> {
    canonical
        .split('\n')
        .next()
        .and_then(|l| l.strip_prefix("format=scelle-"))
        .and_then(|l| l.rsplit_once("-v"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| {
            crate::error::DomainError::Internal(format!("a canonical form without its format: {canonical:.40}"))
        })
}

/// A timestamp as version 2 writes it: UTC, microseconds (what PostgreSQL keeps).
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map(escape).unwrap_or_default()
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

/// The records of a form being written.
#[derive(Default)]
struct Out(Vec<String>);

impl Out {
    fn put(&mut self, key: &str, value: impl AsRef<str>) {
        self.0.push(format!("{key}={}", value.as_ref()));
    }

    /// A multi-part value: each part escaped, joined with `|`.
    fn parts<S: AsRef<str>>(&mut self, key: &str, parts: &[S]) {
        let joined: Vec<String> = parts.iter().map(|p| escape(p.as_ref())).collect();
        self.put(key, joined.join("|"));
    }

    fn finish(self) -> String {
        self.0.join("\n")
    }
}

/// A seller or buyer as the document shows it. Only buyers have `company`, `first_name`
/// and `last_name` records (a buyer may be a private person).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Party {
    /// A business (`1`) or a private person (`0`).
    pub company: bool,
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub tax_no: Option<String>,
    pub tax_no_kind: Option<String>,
    pub street: Option<String>,
    pub post_code: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

/// One VAT rate's totals (the document's tax summary row, as `taxSummary` shows it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VatRow {
    pub tax: String,
    pub net: String,
    pub tax_amount: String,
    pub gross: String,
}

/// One stored line (a credit note's before/after rows included), every value as stored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub position: i32,
    /// The `position` of the line it belongs to (a credit note's before/after rows).
    pub parent: Option<i32>,
    pub kind: String,
    pub name: String,
    pub code: Option<String>,
    pub description: Option<String>,
    pub quantity: String,
    pub quantity_unit: Option<String>,
    pub tax: String,
    /// Which price was given (`unit_net`, `unit_gross`, `total_net`, `total_gross`) and its amount.
    pub price_given: String,
    pub price_given_amount: String,
    pub price_net: String,
    pub price_gross: String,
    pub discount: Option<String>,
    pub discount_percent: Option<String>,
    pub total_net: String,
    pub total_tax: String,
    pub total_gross: String,
    pub additional_info: Option<String>,
}

/// An issued fiscal document as sealed (version 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub kind: String,
    pub number: String,
    pub test: bool,
    /// `issued` when sealed: a sealed document put back to `draft` no longer matches.
    pub state: String,
    pub issue_date: NaiveDate,
    pub sell_date: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub payment_to: Option<NaiveDate>,
    pub payment_to_kind: Option<String>,
    pub payment_type: Option<String>,
    pub currency: String,
    pub exchange_currency: Option<String>,
    pub exchange_kind: Option<String>,
    pub exchange_rate: Option<String>,
    pub reverse_charge: bool,
    pub oss: bool,
    /// The prime CEE deducted from what is to pay, when one is used.
    pub prime_cee: Option<String>,
    pub seller: Party,
    pub buyer: Party,
    pub total_net: String,
    pub total_tax: String,
    pub total_gross: String,
    pub vat: Vec<VatRow>,
    pub lines: Vec<Line>,
    /// The number of the document it is linked to: the invoice a credit note corrects or
    /// cancels, the estimate of an advance or a final.
    pub linked: Option<String>,
    pub correction_reason: Option<String>,
}

impl Party {
    fn write(&self, o: &mut Out, prefix: &str, buyer: bool) {
        if buyer {
            o.put(&format!("{prefix}_company"), flag(self.company));
            o.put(&format!("{prefix}_name"), opt(&self.name));
            o.put(&format!("{prefix}_first_name"), opt(&self.first_name));
            o.put(&format!("{prefix}_last_name"), opt(&self.last_name));
        } else {
            o.put(&format!("{prefix}_name"), opt(&self.name));
        }
        for (key, value) in [
            ("tax_no", &self.tax_no),
            ("tax_no_kind", &self.tax_no_kind),
            ("street", &self.street),
            ("post_code", &self.post_code),
            ("city", &self.city),
            ("country", &self.country),
        ] {
            o.put(&format!("{prefix}_{key}"), opt(value));
        }
    }
}

/// The canonical form (version 2) of a sealed document.
pub fn document(d: &Document) -> String {
    let mut o = Out::default();
    o.put("format", "scelle-document-v2");
    o.put("kind", escape(&d.kind));
    o.put("number", escape(&d.number));
    o.put("test", flag(d.test));
    o.put("state", escape(&d.state));
    o.put("issue_date", date(d.issue_date));
    o.put("sell_date", opt(&d.sell_date));
    o.put("issued_at", timestamp(d.issued_at));
    o.put("payment_to", d.payment_to.map(date).unwrap_or_default());
    o.put("payment_to_kind", opt(&d.payment_to_kind));
    o.put("payment_type", opt(&d.payment_type));
    o.put("currency", escape(&d.currency));
    o.put("exchange_currency", opt(&d.exchange_currency));
    o.put("exchange_kind", opt(&d.exchange_kind));
    o.put("exchange_rate", opt(&d.exchange_rate));
    o.put("reverse_charge", flag(d.reverse_charge));
    o.put("oss", flag(d.oss));
    o.put("prime_cee", opt(&d.prime_cee));
    d.seller.write(&mut o, "seller", false);
    d.buyer.write(&mut o, "buyer", true);
    o.put("total_net", escape(&d.total_net));
    o.put("total_tax", escape(&d.total_tax));
    o.put("total_gross", escape(&d.total_gross));
    for r in &d.vat {
        o.parts("vat", &[&r.tax, &r.net, &r.tax_amount, &r.gross]);
    }
    for l in &d.lines {
        let none = String::new;
        o.parts(
            "line",
            &[
                l.position.to_string(),
                l.parent.map(|p| p.to_string()).unwrap_or_default(),
                l.kind.clone(),
                l.name.clone(),
                l.code.clone().unwrap_or_else(none),
                l.description.clone().unwrap_or_else(none),
                l.quantity.clone(),
                l.quantity_unit.clone().unwrap_or_else(none),
                l.tax.clone(),
                l.price_given.clone(),
                l.price_given_amount.clone(),
                l.price_net.clone(),
                l.price_gross.clone(),
                l.discount.clone().unwrap_or_else(none),
                l.discount_percent.clone().unwrap_or_else(none),
                l.total_net.clone(),
                l.total_tax.clone(),
                l.total_gross.clone(),
                l.additional_info.clone().unwrap_or_else(none),
            ],
        );
    }
    o.put("linked", opt(&d.linked));
    o.put("correction_reason", opt(&d.correction_reason));
    o.finish()
}

/// A paid payment as sealed (version 2), with the numbers of the documents it pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payment {
    pub recorded_at: DateTime<Utc>,
    pub paid_date: Option<NaiveDate>,
    pub paid: bool,
    pub price: String,
    pub currency: String,
    pub kind: String,
    pub name: Option<String>,
    /// (document number, amount applied as stored), in the order applied.
    pub allocations: Vec<(String, String)>,
}

/// The canonical form (version 2) of a sealed payment.
pub fn payment(p: &Payment) -> String {
    let mut o = Out::default();
    o.put("format", "scelle-payment-v2");
    o.put("recorded_at", timestamp(p.recorded_at));
    o.put("paid_date", p.paid_date.map(date).unwrap_or_default());
    o.put("paid", flag(p.paid));
    o.put("price", escape(&p.price));
    o.put("currency", escape(&p.currency));
    o.put("kind", escape(&p.kind));
    o.put("name", opt(&p.name));
    for (number, amount) in &p.allocations {
        o.parts("allocation", &[number, amount]);
    }
    o.finish()
}

/// Reads a canonical form back: its records in order, each value split into its parts at
/// the unescaped `|` and unescaped. The inverse of the writers above, for readers of
/// archives (the JSON next to each sealed record is this, so it always says what was sealed).
pub fn parse(canonical: &str) -> Vec<(String, Vec<String>)> {
    canonical
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            (key.to_owned(), parts(value))
        })
        .collect()
}

/// One value's parts: split at the unescaped `|`, each unescaped (the inverse of `escape`
/// and of the `|`-joined multi-part values).
pub fn parts(value: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        let last = parts.last_mut().expect("one part at least");
        match c {
            '\\' => match chars.next() {
                Some('n') => last.push('\n'),
                Some('r') => last.push('\r'),
                Some(other) => last.push(other),
                None => last.push('\\'),
            },
            '|' => parts.push(String::new()),
            c => last.push(c),
        }
    }
    parts
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The worked example of `docs/certification.md`.
    pub fn sample() -> Document {
        let party = |name: &str| Party { name: Some(name.into()), ..Default::default() };
        Document {
            kind: "vat".into(),
            number: "F-2026-12-0001".into(),
            test: false,
            state: "issued".into(),
            issue_date: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            sell_date: Some("2026-12-01".into()),
            issued_at: DateTime::parse_from_rfc3339("2026-12-01T09:30:05.123456Z").unwrap().to_utc(),
            payment_to: NaiveDate::from_ymd_opt(2026, 12, 6),
            payment_to_kind: Some("5".into()),
            payment_type: Some("transfer".into()),
            currency: "EUR".into(),
            exchange_currency: None,
            exchange_kind: None,
            exchange_rate: None,
            reverse_charge: false,
            oss: false,
            prime_cee: None,
            seller: Party {
                tax_no: Some("FR40303265045".into()),
                street: Some("1 rue de la Paix".into()),
                post_code: Some("75002".into()),
                city: Some("Paris".into()),
                country: Some("FR".into()),
                ..party("Atelier Alice")
            },
            buyer: Party {
                company: true,
                street: Some("2 quai | des Chartrons".into()),
                post_code: Some("33000".into()),
                city: Some("Bordeaux".into()),
                country: Some("FR".into()),
                ..party("Client SARL")
            },
            total_net: "100.00".into(),
            total_tax: "20.00".into(),
            total_gross: "120.00".into(),
            vat: vec![VatRow {
                tax: "20".into(),
                net: "100.00".into(),
                tax_amount: "20.00".into(),
                gross: "120.00".into(),
            }],
            lines: vec![Line {
                position: 1,
                parent: None,
                kind: "normal".into(),
                name: "Pose \\ dépose".into(),
                quantity: "2.5".into(),
                quantity_unit: Some("h".into()),
                tax: "20".into(),
                price_given: "unit_net".into(),
                price_given_amount: "40".into(),
                price_net: "40.00".into(),
                price_gross: "48.00".into(),
                total_net: "100.00".into(),
                total_tax: "20.00".into(),
                total_gross: "120.00".into(),
                ..Default::default()
            }],
            linked: None,
            correction_reason: None,
        }
    }

    /// The example's canonical form and hash, as `docs/certification.md` gives them.
    pub const SAMPLE_CANONICAL: &str = "format=scelle-document-v2\nkind=vat\nnumber=F-2026-12-0001\ntest=0\nstate=issued\n\
issue_date=2026-12-01\nsell_date=2026-12-01\nissued_at=2026-12-01T09:30:05.123456Z\npayment_to=2026-12-06\n\
payment_to_kind=5\npayment_type=transfer\ncurrency=EUR\nexchange_currency=\nexchange_kind=\nexchange_rate=\n\
reverse_charge=0\noss=0\nprime_cee=\nseller_name=Atelier Alice\n\
seller_tax_no=FR40303265045\nseller_tax_no_kind=\nseller_street=1 rue de la Paix\nseller_post_code=75002\n\
seller_city=Paris\nseller_country=FR\nbuyer_company=1\nbuyer_name=Client SARL\nbuyer_first_name=\n\
buyer_last_name=\nbuyer_tax_no=\nbuyer_tax_no_kind=\nbuyer_street=2 quai \\| des Chartrons\n\
buyer_post_code=33000\nbuyer_city=Bordeaux\nbuyer_country=FR\ntotal_net=100.00\ntotal_tax=20.00\n\
total_gross=120.00\nvat=20|100.00|20.00|120.00\n\
line=1||normal|Pose \\\\ dépose|||2.5|h|20|unit_net|40|40.00|48.00|||100.00|20.00|120.00|\nlinked=\n\
correction_reason=";

    #[test]
    fn document_layout_is_fixed() {
        assert_eq!(document(&sample()), SAMPLE_CANONICAL);
    }

    /// `docs/certification.md` is the specification: its worked example must be what the
    /// code writes, to the byte and the hash.
    #[test]
    fn the_specification_s_worked_example_is_the_code_s() {
        let doc = include_str!("../../../docs/certification.md");
        let block = |marker: &str| -> String {
            let after = &doc[doc.find(marker).unwrap_or_else(|| panic!("{marker} in the doc")) + marker.len()..];
            let start = after.find("```text\n").expect("a text block") + "```text\n".len();
            let end = after[start..].find("\n```").expect("the block ends");
            after[start..start + end].to_owned()
        };
        assert_eq!(block("<!-- worked-example:canonical -->"), SAMPLE_CANONICAL);
        let genesis = "3c9d4ef1a7b25e60c8f3d21b9a74e05f6b1c8d3e2f4a5b6c7d8e9f0a1b2c3d4e";
        assert!(doc.contains(genesis));
        assert_eq!(block("<!-- worked-example:hash -->"), crate::ledger::chain_hash(genesis, &document(&sample())));
    }

    #[test]
    fn forms_name_their_version() {
        assert_eq!(version_of(SAMPLE_CANONICAL).unwrap(), 2);
        assert_eq!(version_of("format=scelle-event-v1\ncode=LOGIN").unwrap(), 1);
        assert!(version_of("code=LOGIN").is_err());
    }

    #[test]
    fn stored_text_is_sealed_as_it_is() {
        // 10.231 is not rounded to 10.23: what the API shows is what is sealed.
        let mut d = sample();
        d.total_gross = "10.231".into();
        assert!(document(&d).contains("\ntotal_gross=10.231\n"));
        assert_ne!(document(&d), document(&Document { total_gross: "10.23".into(), ..sample() }));
    }

    #[test]
    fn every_field_is_in_the_form() {
        let base = document(&sample());
        type Change = fn(&mut Document);
        let changes: [Change; 13] = [
            |d| d.buyer.street = Some("3 quai".into()),
            |d| d.buyer.city = None,
            |d| d.buyer.country = Some("BE".into()),
            |d| d.payment_to = None,
            |d| d.payment_to_kind = Some("30".into()),
            |d| d.reverse_charge = true,
            |d| d.oss = true,
            |d| d.exchange_rate = Some("1.1".into()),
            |d| d.seller.country = Some("DE".into()),
            |d| d.lines[0].quantity_unit = None,
            |d| d.lines[0].price_given_amount = "40.0".into(),
            |d| d.linked = Some("F-1".into()),
            |d| d.test = true,
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut d = sample();
            change(&mut d);
            assert_ne!(document(&d), base, "change {i} is not sealed");
        }
    }

    #[test]
    fn payment_layout_is_fixed() {
        let p = Payment {
            recorded_at: DateTime::parse_from_rfc3339("2026-12-01T10:00:00.5Z").unwrap().to_utc(),
            paid_date: NaiveDate::from_ymd_opt(2026, 11, 30),
            paid: true,
            price: "200.00".into(),
            currency: "EUR".into(),
            kind: "api".into(),
            name: Some("Titre".into()),
            allocations: vec![("F-2026-1".into(), "100.00".into()), ("F-2026-2".into(), "100".into())],
        };
        assert_eq!(
            payment(&p),
            "format=scelle-payment-v2\nrecorded_at=2026-12-01T10:00:00.500000Z\npaid_date=2026-11-30\npaid=1\n\
             price=200.00\ncurrency=EUR\nkind=api\nname=Titre\nallocation=F-2026-1|100.00\nallocation=F-2026-2|100"
        );
    }

    #[test]
    fn parse_reads_back_what_was_written() {
        let records = parse(&document(&sample()));
        let get = |k: &str| records.iter().filter(|(key, _)| key == k).map(|(_, v)| v.clone()).collect::<Vec<_>>();
        assert_eq!(get("buyer_street"), vec![vec!["2 quai | des Chartrons".to_owned()]]);
        assert_eq!(get("line")[0][3], "Pose \\ dépose");
        assert_eq!(get("line")[0].len(), 19);
        assert_eq!(get("total_gross"), vec![vec!["120.00".to_owned()]]);
    }
}
