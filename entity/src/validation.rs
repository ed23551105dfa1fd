//! Input checks that collect every problem at once, so a client fixes a form in one pass.

use crate::error::{DomainError, DomainResult, FieldCode, FieldError};
use rust_decimal::Decimal;
use std::str::FromStr;

/// Longest single-line text we accept (names, e-mails, codes).
pub const MAX_LINE: usize = 255;
/// Longest multi-line text (descriptions, templates, footers).
pub const MAX_TEXT: usize = 20_000;

#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, field: &str, code: FieldCode) {
        self.errors.push(FieldError::new(field, code));
    }

    /// A required text: present and not blank after trimming.
    pub fn required<'a>(&mut self, field: &str, value: Option<&'a str>) -> Option<&'a str> {
        match value.map(str::trim) {
            Some(v) if !v.is_empty() => Some(v),
            _ => {
                self.push(field, FieldCode::Required);
                None
            }
        }
    }

    /// A record's name: required when creating, not blank when given, one line long.
    pub fn name(&mut self, field: &str, value: Option<&str>, creating: bool) {
        match value {
            Some(n) => {
                if let Some(n) = self.required(field, Some(n)) {
                    self.max_len(field, n, MAX_LINE);
                }
            }
            None if creating => self.push(field, FieldCode::Required),
            None => {}
        }
    }

    pub fn max_len(&mut self, field: &str, value: &str, max: usize) {
        if value.chars().count() > max {
            self.push(field, FieldCode::TooLong { max });
        } else if has_control_characters(value) {
            self.push(field, FieldCode::Rule("control_characters"));
        }
    }

    pub fn min_len(&mut self, field: &str, value: &str, min: usize) {
        if value.chars().count() < min {
            self.push(field, FieldCode::TooShort { min });
        }
    }

    pub fn email(&mut self, field: &str, value: &str) {
        if !is_plausible_email(value) {
            self.push(field, FieldCode::InvalidEmail);
        } else {
            self.max_len(field, value, MAX_LINE);
        }
    }

    pub fn one_of(&mut self, field: &str, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.push(field, FieldCode::NotOneOf { allowed: allowed.iter().map(|s| s.to_string()).collect() });
        }
    }

    pub fn decimal(&mut self, field: &str, value: &str) -> Option<Decimal> {
        match parse_decimal(value) {
            Some(d) => Some(d),
            None => {
                self.push(field, FieldCode::InvalidDecimal);
                None
            }
        }
    }

    pub fn finish(self) -> DomainResult<()> {
        if self.errors.is_empty() { Ok(()) } else { Err(DomainError::Validation(self.errors)) }
    }
}

/// Control characters other than tab and line breaks: invisible, and PostgreSQL refuses NUL.
pub fn has_control_characters(s: &str) -> bool {
    s.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A deliberately simple e-mail check: one `@`, a non-empty local part, a dotted domain,
/// no spaces. Deliverability is proven by sending, not by a regex.
pub fn is_plausible_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.chars().any(char::is_whitespace)
}

/// Largest magnitude and scale accepted for a decimal input: far beyond any invoice, and
/// small enough that products and sums of them never overflow exact arithmetic.
pub const MAX_DECIMAL_DIGITS_BEFORE_POINT: u32 = 15;
pub const MAX_DECIMAL_SCALE: u32 = 6;

/// `parse_decimal` within the input bounds (|x| < 10^15, at most 6 decimals).
pub fn parse_bounded_decimal(s: &str) -> Option<Decimal> {
    let d = parse_decimal(s)?;
    let limit = Decimal::from(10u64.pow(MAX_DECIMAL_DIGITS_BEFORE_POINT));
    (d.abs() < limit && d.normalize().scale() <= MAX_DECIMAL_SCALE).then_some(d)
}

/// Parses a decimal written with a dot (`"150.0"`, `"-3"`); no exponent, no comma, no float.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.trim();
    if t.is_empty() || t.contains(['e', 'E', ',', '_']) {
        return None;
    }
    Decimal::from_str(t).ok()
}

/// A language code (`fr`) or two joined by a slash (`fr/de`, or the seed's `en / fr`).
pub fn is_lang_codes(s: &str) -> bool {
    let parts: Vec<&str> = s.split('/').map(str::trim).collect();
    parts.len() <= 2 && parts.iter().all(|p| p.len() == 2 && p.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The form of a text used for searching and sorting: accents folded to ASCII, lower
/// case, spaces collapsed. Computed here rather than in SQL because SQLite's `lower()`
/// only knows ASCII: "Émile" must match "emile" on both databases.
pub fn search_key(s: &str) -> String {
    deunicode::deunicode(s).to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Blank text becomes NULL, other text is trimmed (optional text fields of a patch).
pub fn clean(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Escapes `\`, `%` and `_` for a `LIKE … ESCAPE '\'` pattern: user text matches literally.
pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A condition "the column's text holds `text`", literally (`%` and `_` in it match
/// themselves): the one way a list filters on part of a name or an address.
pub fn contains_text(column: impl sea_orm::sea_query::IntoColumnRef, text: &str) -> sea_orm::sea_query::SimpleExpr {
    use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
    Expr::col(column).like(LikeExpr::new(format!("%{}%", escape_like(text))).escape('\\'))
}

/// Every address of a list separated by commas or semicolons is plausible.
pub fn is_email_list(s: &str) -> bool {
    s.split([',', ';']).map(str::trim).filter(|e| !e.is_empty()).all(is_plausible_email)
}

pub fn normalize_email(s: &str) -> String {
    s.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_keys_fold_case_and_accents() {
        assert_eq!(search_key("  Émile   & Fils SARL "), "emile & fils sarl");
        assert_eq!(search_key("Œuvre"), "oeuvre");
    }

    #[test]
    fn emails() {
        assert!(is_plausible_email("a@b.fr"));
        assert!(!is_plausible_email("a@b"));
        assert!(!is_plausible_email("@b.fr"));
        assert!(!is_plausible_email("a b@c.fr"));
        assert!(!is_plausible_email("a@@c.fr"));
    }

    #[test]
    fn bounded_decimals_and_control_characters() {
        assert!(parse_bounded_decimal("999999999999999.999999").is_some());
        assert!(parse_bounded_decimal("1000000000000000").is_none());
        assert!(parse_bounded_decimal("0.0000001").is_none());
        assert!(parse_bounded_decimal("1.50000000").is_some(), "trailing zeros do not count");
        assert!(has_control_characters("a\u{0}b"));
        assert!(!has_control_characters("ligne 1\nligne 2\tfin"));
        let mut v = Validator::new();
        v.max_len("name", "a\u{0}b", 10);
        assert!(v.finish().is_err());
    }

    #[test]
    fn decimals_are_exact_and_strict() {
        assert_eq!(parse_decimal("150.0").unwrap().to_string(), "150.0");
        assert_eq!(parse_decimal(" 0.10 ").unwrap().to_string(), "0.10");
        assert!(parse_decimal("1e3").is_none());
        assert!(parse_decimal("1,5").is_none());
        assert!(parse_decimal("abc").is_none());
    }

    #[test]
    fn validator_collects_all_errors() {
        let mut v = Validator::new();
        v.required("name", Some("  "));
        v.email("email", "nope");
        let Err(DomainError::Validation(errs)) = v.finish() else { panic!("expected errors") };
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].field, "name");
        assert_eq!(errs[1].code, FieldCode::InvalidEmail);
    }
}
