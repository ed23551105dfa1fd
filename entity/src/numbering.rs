//! Document numbering patterns: parsing, validation, the counter's reset period, and
//! formatting. Pure (no I/O); the issuing code takes the counter row of a series under a
//! lock and asks this module for the number.
//!
//! # Patterns
//!
//! A pattern is literal text with tokens (VosFactures' `invoice_pattern`, e.g. `F/nr`,
//! `Fyyyy.mm.nr`, `FA-yymm-nr-m`):
//!
//! | token | replaced by |
//! |---|---|
//! | `yyyy` | year of the issue date, 4 digits |
//! | `yy` | year, 2 digits |
//! | `mm` | month, 2 digits |
//! | `dd` | day, 2 digits |
//! | `nr` | the counter of the series |
//! | `nr-y`, `nr-m`, `nr-d` | the counter, reset every year / month / day |
//!
//! A plain `nr` resets at the finest date unit the pattern shows: never for `F/nr`, every
//! year for `F-yyyy-nr`, every month for `Fyyyy.mm.nr`. A pattern must show what its
//! counter resets on — `F/nr-m` would give "F/1" every month — so such a pattern is
//! refused: numbers must never repeat in a series. A backslash makes the next character
//! literal, for text that contains token letters (`Co\mmande-nr` prints `Commande-1`).

use crate::vocabulary::DocumentKind;
use chrono::{Datelike, NaiveDate};
use std::fmt;
use std::str::FromStr;

/// How often the counter of a series starts again from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reset {
    Never,
    Yearly,
    Monthly,
    Daily,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Text(String),
    Year4,
    Year2,
    Month,
    Day,
    Counter,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    tokens: Vec<Token>,
    reset: Reset,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternError {
    Empty,
    TooLong,
    /// No `nr`: every document would get the same number.
    NoCounter,
    /// More than one counter token.
    SeveralCounters,
    /// The counter resets more often than the date tokens tell periods apart.
    WouldRepeat,
}

pub const MAX_PATTERN_LEN: usize = 64;

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let source = s.trim();
        if source.is_empty() {
            return Err(PatternError::Empty);
        }
        if source.chars().count() > MAX_PATTERN_LEN {
            return Err(PatternError::TooLong);
        }
        let mut tokens = Vec::new();
        let mut explicit_reset = None;
        let mut counters = 0;
        let mut rest = source;
        let mut text = String::new();
        while !rest.is_empty() {
            // `\` makes the next character literal ("Co\mmande" prints "Commande").
            if let Some(after) = rest.strip_prefix('\\') {
                if let Some(c) = after.chars().next() {
                    text.push(c);
                    rest = &after[c.len_utf8()..];
                } else {
                    rest = after;
                }
                continue;
            }
            // Longest token first: `yyyy` before `yy`, `nr-m` before `nr`.
            let matched = [
                ("yyyy", Some(Token::Year4), None),
                ("yy", Some(Token::Year2), None),
                ("mm", Some(Token::Month), None),
                ("dd", Some(Token::Day), None),
                ("nr-y", Some(Token::Counter), Some(Reset::Yearly)),
                ("nr-m", Some(Token::Counter), Some(Reset::Monthly)),
                ("nr-d", Some(Token::Counter), Some(Reset::Daily)),
                ("nr", Some(Token::Counter), None),
            ]
            .into_iter()
            .find(|(t, _, _)| rest.starts_with(t));
            match matched {
                Some((t, Some(token), reset)) => {
                    if !text.is_empty() {
                        tokens.push(Token::Text(std::mem::take(&mut text)));
                    }
                    if token == Token::Counter {
                        counters += 1;
                        explicit_reset = reset.or(explicit_reset);
                    }
                    tokens.push(token);
                    rest = &rest[t.len()..];
                }
                _ => {
                    let c = rest.chars().next().expect("non-empty");
                    text.push(c);
                    rest = &rest[c.len_utf8()..];
                }
            }
        }
        if !text.is_empty() {
            tokens.push(Token::Text(text));
        }
        match counters {
            0 => return Err(PatternError::NoCounter),
            1 => {}
            _ => return Err(PatternError::SeveralCounters),
        }
        let has = |t: &Token| tokens.contains(t);
        let year = has(&Token::Year4) || has(&Token::Year2);
        // The finest period the printed number tells apart.
        let shown = match (year, has(&Token::Month), has(&Token::Day)) {
            (true, true, true) => Reset::Daily,
            (true, true, false) => Reset::Monthly,
            (true, false, _) => Reset::Yearly,
            // A month or day without the year repeats every year.
            (false, _, _) => Reset::Never,
        };
        let reset = explicit_reset.unwrap_or(shown);
        if reset > shown {
            return Err(PatternError::WouldRepeat);
        }
        Ok(Pattern { source: source.to_owned(), tokens, reset })
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl Pattern {
    pub fn reset(&self) -> Reset {
        self.reset
    }

    /// The period a document issued on `date` counts in: documents of one series and
    /// one period share a counter.
    pub fn period_key(&self, date: NaiveDate) -> String {
        match self.reset {
            Reset::Never => String::new(),
            Reset::Yearly => format!("{:04}", date.year()),
            Reset::Monthly => format!("{:04}-{:02}", date.year(), date.month()),
            Reset::Daily => format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()),
        }
    }

    /// The number of the `n`-th document of its period, issued on `date`.
    pub fn format(&self, date: NaiveDate, n: u64) -> String {
        let mut out = String::new();
        for t in &self.tokens {
            match t {
                Token::Text(s) => out.push_str(s),
                Token::Year4 => out.push_str(&format!("{:04}", date.year())),
                Token::Year2 => out.push_str(&format!("{:02}", date.year().rem_euclid(100))),
                Token::Month => out.push_str(&format!("{:02}", date.month())),
                Token::Day => out.push_str(&format!("{:02}", date.day())),
                Token::Counter => out.push_str(&n.to_string()),
            }
        }
        out
    }
}

/// The pattern used when a department sets none for a document kind: a prefix per kind,
/// the year, and a counter reset every year (e.g. `F-2026-1`).
pub fn default_pattern(kind: DocumentKind) -> &'static str {
    use DocumentKind::*;
    match kind {
        Vat => "F-yyyy-nr",
        Correction => "AV-yyyy-nr",
        Advance => "FA-yyyy-nr",
        Final => "FS-yyyy-nr",
        Receipt => "R-yyyy-nr",
        InvoiceOther => "FO-yyyy-nr",
        Estimate => "D-yyyy-nr",
        Proforma => "PRO-yyyy-nr",
        ClientOrder => "BC-yyyy-nr",
        MaintenanceRequest => "BI-yyyy-nr",
        PaymentReceipt => "RP-yyyy-nr",
        Kp => "BE-yyyy-nr",
        Kw => "BS-yyyy-nr",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        s.parse().unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The seed's three examples.
    #[test]
    fn seed_patterns() {
        let f = p("F/nr");
        assert_eq!(f.reset(), Reset::Never);
        assert_eq!(f.format(day(2026, 11, 21), 42), "F/42");
        assert_eq!(f.period_key(day(2026, 11, 21)), f.period_key(day(2031, 1, 1)), "one counter forever");

        let monthly = p("Fyyyy.mm.nr");
        assert_eq!(monthly.reset(), Reset::Monthly);
        assert_eq!(monthly.format(day(2026, 3, 5), 7), "F2026.03.7");
        assert_ne!(monthly.period_key(day(2026, 3, 31)), monthly.period_key(day(2026, 4, 1)));

        let estimate = p("FA-yymm-nr-m");
        assert_eq!(estimate.reset(), Reset::Monthly);
        assert_eq!(estimate.format(day(2026, 11, 21), 3), "FA-2611-3");
        assert_eq!(estimate.period_key(day(2026, 11, 1)), "2026-11");
    }

    #[test]
    fn resets_follow_the_pattern() {
        assert_eq!(p("F-yyyy-nr").reset(), Reset::Yearly);
        assert_eq!(p("F-yyyy-mm-nr-y").reset(), Reset::Yearly, "explicit yearly under a monthly pattern");
        assert_eq!(p("yyyymmdd-nr").reset(), Reset::Daily);
        assert_eq!(p("F-mm-nr").reset(), Reset::Never, "a month without a year repeats: the counter never resets");
        assert_eq!(p("F-yyyy-nr").period_key(day(2027, 1, 1)), "2027");
        assert_eq!(p("yy/nr").format(day(2005, 1, 1), 1), "05/1");
    }

    #[test]
    fn patterns_that_would_repeat_numbers_are_refused() {
        assert_eq!("F/nr-m".parse::<Pattern>(), Err(PatternError::WouldRepeat));
        assert_eq!("F-mm-nr-m".parse::<Pattern>(), Err(PatternError::WouldRepeat), "a month without a year");
        assert_eq!("F-yyyy-nr-d".parse::<Pattern>(), Err(PatternError::WouldRepeat));
        assert_eq!("F-yyyy".parse::<Pattern>(), Err(PatternError::NoCounter));
        assert_eq!("nr-nr".parse::<Pattern>(), Err(PatternError::SeveralCounters));
        assert_eq!("  ".parse::<Pattern>(), Err(PatternError::Empty));
        assert_eq!("x".repeat(65).parse::<Pattern>(), Err(PatternError::TooLong));
    }

    #[test]
    fn every_default_pattern_is_valid_and_yearly() {
        for &kind in DocumentKind::ALL {
            let pattern = p(default_pattern(kind));
            assert_eq!(pattern.reset(), Reset::Yearly, "{kind}");
        }
        assert_eq!(p(default_pattern(DocumentKind::Vat)).format(day(2026, 11, 21), 1), "F-2026-1");
    }

    #[test]
    fn token_letters_can_be_escaped() {
        assert_eq!(p("Comm-nr").format(day(2026, 5, 1), 1), "Co05-1", "unescaped, mm is the month");
        assert_eq!(p("Co\\mmande-nr").format(day(2026, 5, 1), 1), "Commande-1");
        assert_eq!(p("A\\nr-nr").format(day(2026, 5, 1), 2), "Anr-2");
    }

    #[test]
    fn unicode_text_is_kept() {
        assert_eq!(p("Écho-nr").format(day(2026, 1, 1), 9), "Écho-9");
    }
}
