//! Amounts as the domain stores them and reads them back. Amounts are stored as exact
//! decimal text (`"120.50"`: SQLite would turn a NUMERIC column into a float), and the
//! tables hold them as [`Money`] (amounts) and [`Exact`] (quantities, rates, percentages):
//! decimals that read back from their column here, in one place. A stored value that does
//! not read back in exactly the form the code writes (`"0120.50"`, `" 3"`, `"1e3"`) was
//! changed behind the code's back: reading the row fails as undecodable
//! (`error::is_undecodable`), which verification names and the API reports as an integrity
//! failure, never a silent zero. The rounding rules themselves are the tax engine's
//! (`tax`); docs/money-and-tax.md writes them down.

use crate::error::DomainResult;
use crate::tables::document;
use crate::tax::round2;
use rust_decimal::Decimal;
use sea_orm::DeriveValueType;

/// A stored text that is not a decimal in the form the code writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undecodable(pub String);

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "stored value {:?} is not a decimal in canonical form", self.0)
    }
}

impl std::error::Error for Undecodable {}

/// Defines a decimal kept as its exact text in a column. Equality is the stored form's
/// (`1.5` and `1.50` differ, as their sealed hashes do); arithmetic is done on
/// [`Decimal`] (`value()`), never on the stored type.
macro_rules! decimal_text {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, Default, DeriveValueType)]
        #[sea_orm(value_type = "String")]
        pub struct $name(Decimal);

        impl $name {
            pub const ZERO: Self = Self(Decimal::ZERO);

            /// The decimal itself, for arithmetic.
            pub fn value(self) -> Decimal {
                self.0
            }
        }

        impl From<Decimal> for $name {
            fn from(d: Decimal) -> Self {
                Self(d)
            }
        }

        impl From<$name> for Decimal {
            fn from(m: $name) -> Self {
                m.0
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                // Same value and scale is same text (a zero's sign is never written).
                self.0 == other.0 && self.0.scale() == other.0.scale()
            }
        }

        impl Eq for $name {}

        /// The stored and sealed form: `Decimal`'s, which keeps the scale (`120.50`).
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }

        /// Reads a stored value back: a decimal written with a dot, in exactly the form
        /// `Display` gives it, so that what is hashed is what is stored.
        impl std::str::FromStr for $name {
            type Err = Undecodable;

            fn from_str(s: &str) -> Result<Self, Undecodable> {
                match crate::validation::parse_decimal(s) {
                    Some(d) if d.to_string() == s => Ok(Self(d)),
                    _ => Err(Undecodable(s.to_owned())),
                }
            }
        }
    };
}

decimal_text!(
    /// An amount of money in a document's, payment's or product's currency, as stored
    /// (`"120.50"`, `"-3.00"`).
    Money
);

decimal_text!(
    /// An exact decimal that is not an amount: a quantity (`"2.5"`), an exchange rate, a
    /// discount percentage.
    Exact
);

/// What the buyer of a document has to pay: its gross total less the CEE bonus (seed
/// `use_prime_cee`, `prime_cee_value`), to the cent.
pub fn amount_to_pay(d: &document::Model) -> DomainResult<Decimal> {
    let bonus = match (d.use_prime_cee, d.prime_cee_value) {
        (true, Some(v)) => v.value(),
        _ => Decimal::ZERO,
    };
    Ok(round2(d.price_gross.value() - bonus))
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
    let (Some(currency), Some(rate)) = (&d.exchange_currency, d.exchange_currency_rate) else {
        return Ok(None);
    };
    let rate = rate.value();
    let convert = |amount: Money| round2(amount.value() * rate);
    Ok(Some(Exchanged {
        currency: currency.clone(),
        rate,
        net: convert(d.price_net),
        tax: convert(d.price_tax),
        gross: convert(d.price_gross),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    #[test]
    fn stored_amounts_read_back_in_the_form_written_or_say_why() {
        for good in ["120.50", "-3", "0", "0.00", "1.000000"] {
            assert_eq!(Money::from_str(good).unwrap().to_string(), good);
        }
        // A negative zero (a tiny negative amount rounded) is written without its sign,
        // and reads back as the same text; "-0.00" itself was never written.
        let rounded = Money::from(round2(Decimal::new(-1, 3)));
        assert_eq!(Money::from_str(&rounded.to_string()).unwrap(), rounded);
        assert_eq!(rounded.to_string(), "0.00");
        assert!(Money::from_str("-0.00").is_err());
        assert_eq!(Money::from_str("-3").unwrap().value(), Decimal::from(-3));
        for bad in ["", "1e3", "1,5", "abc", "NaN", " 3", "3 ", "0120.50", "+1.5", "1.", ".5"] {
            assert_eq!(Money::from_str(bad), Err(Undecodable(bad.to_owned())), "{bad}");
        }
    }

    #[test]
    fn equality_is_the_stored_forms() {
        let a = Money::from_str("1.5").unwrap();
        assert_ne!(a, Money::from_str("1.50").unwrap());
        assert_eq!(a, Money::from(Decimal::new(15, 1)));
        assert_eq!(a.value(), Money::from_str("1.50").unwrap().value());
    }

    proptest! {
        /// Whatever decimal the code writes reads back as the same text and value.
        #[test]
        fn every_written_decimal_reads_back(m in any::<i64>(), scale in 0u32..=12) {
            let d = Decimal::new(m, scale);
            let text = Money::from(d).to_string();
            let back = Money::from_str(&text).unwrap();
            prop_assert_eq!(back.to_string(), text);
            prop_assert_eq!(back.value(), d);
        }
    }
}
