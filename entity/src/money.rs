//! Amounts as the domain stores them and reads them back. Amounts are stored as exact
//! decimal text (`"120.50"`: SQLite would turn a NUMERIC column into a float) and read back
//! here, in one place: a stored amount that does not read back was changed behind the
//! code's back, which is an integrity error, never a silent zero. The rounding rules
//! themselves are the tax engine's (`tax`); docs/money-and-tax.md writes them down.

use crate::error::{DomainError, DomainResult};
use crate::tables::document;
use crate::tax::round2;
use rust_decimal::Decimal;

/// A stored amount (`"120.50"`, `"-3"`).
pub fn stored(s: &str) -> DomainResult<Decimal> {
    crate::validation::parse_decimal(s)
        .ok_or_else(|| DomainError::Integrity(format!("stored amount {s:?} is not a decimal")))
}

/// What the buyer of a document has to pay: its gross total less the CEE bonus (seed
/// `use_prime_cee`, `prime_cee_value`), to the cent.
pub fn amount_to_pay(d: &document::Model) -> DomainResult<Decimal> {
    let gross = stored(&d.price_gross)?;
    let bonus = match (d.use_prime_cee, d.prime_cee_value.as_deref()) {
        (true, Some(v)) => stored(v)?,
        _ => Decimal::ZERO,
    };
    Ok(round2(gross - bonus))
}

/// A document's totals in the currency it asks to be converted into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchanged {
    pub currency: String,
    pub rate: Decimal,
    pub net: Decimal,
    pub tax: Decimal,
    pub gross: Decimal,
}

/// The totals converted at the document's rate (seed `exchange_currency`,
/// `exchange_currency_rate`), each rounded to the cent on its own; `None` when no
/// conversion is asked (no currency, or no rate yet).
pub fn exchanged(d: &document::Model) -> DomainResult<Option<Exchanged>> {
    let (Some(currency), Some(rate)) = (&d.exchange_currency, d.exchange_currency_rate.as_deref()) else {
        return Ok(None);
    };
    let rate = stored(rate)?;
    let convert = |amount: &str| -> DomainResult<Decimal> { Ok(round2(stored(amount)? * rate)) };
    Ok(Some(Exchanged {
        currency: currency.clone(),
        rate,
        net: convert(&d.price_net)?,
        tax: convert(&d.price_tax)?,
        gross: convert(&d.price_gross)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_amounts_read_back_or_say_why() {
        assert_eq!(stored("120.50").unwrap().to_string(), "120.50");
        assert_eq!(stored("-3").unwrap(), Decimal::from(-3));
        for bad in ["", "1e3", "1,5", "abc", "NaN"] {
            assert!(matches!(stored(bad), Err(DomainError::Integrity(_))), "{bad}");
        }
    }
}
