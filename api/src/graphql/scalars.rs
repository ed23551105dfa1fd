//! `Decimal`: exact decimal numbers travel as strings ("12.50"), never as floats.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decimal(pub rust_decimal::Decimal);

/// An exact decimal number written as a string with a dot, e.g. "1234.50", below 10^15 in
/// size with at most 6 decimals. JSON numbers are refused: most JSON parsers turn them
/// into binary floats and lose cents.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => entity::validation::parse_bounded_decimal(&s).map(Decimal).ok_or_else(|| {
                InputValueError::custom(format!(
                    "\"{s}\" is not a decimal number like \"12.50\" (below 10^15, at most 6 decimals)"
                ))
            }),
            Value::Number(_) => Err(InputValueError::custom("send decimals as strings, e.g. \"12.50\"")),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl Decimal {
    /// A decimal the model stored as canonical text (a column that may be empty).
    pub fn stored(s: &Option<String>) -> Option<Decimal> {
        entity::validation::stored_decimal(s.as_deref()).map(Decimal)
    }

    /// A decimal column that always holds a value (amounts, quantities), for display. A
    /// value changed by hand into something that is not a decimal shows as zero, and is
    /// logged as an integrity problem (every write that needs it refuses it:
    /// `entity::money::stored`; verification names the sealed record).
    pub fn stored_amount(s: &str) -> Decimal {
        match entity::money::stored(s) {
            Ok(d) => Decimal(d),
            Err(e) => {
                tracing::error!(error = %e, "a stored amount does not read back; shown as zero");
                Decimal(rust_decimal::Decimal::ZERO)
            }
        }
    }
}

/// A calendar date, `YYYY-MM-DD`, years 1000 to 9999.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(s) => chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .ok()
                .filter(|d| (1000..=9999).contains(&chrono::Datelike::year(d)))
                .map(Date)
                .ok_or_else(|| {
                    InputValueError::custom(format!("\"{s}\" is not a date like \"2026-11-21\" (years 1000 to 9999)"))
                }),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}
