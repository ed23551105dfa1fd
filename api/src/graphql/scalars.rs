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

/// Amounts and exact values as the tables hold them (`entity::money`): a stored value
/// that does not read back never reaches here, the row fails to load instead.
impl From<entity::money::Money> for Decimal {
    fn from(m: entity::money::Money) -> Self {
        Decimal(m.value())
    }
}

impl From<entity::money::Exact> for Decimal {
    fn from(e: entity::money::Exact) -> Self {
        Decimal(e.value())
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
