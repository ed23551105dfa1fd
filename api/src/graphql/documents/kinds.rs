//! The value lists of documents and lines: the seed's names as GraphQL enums, and the
//! calculating strategy.

use super::*;

/// A GraphQL enum over the seed's value names: `as_str` gives the stored name, `parse` reads
/// it back. One table per enum instead of a hand-written match each way.
macro_rules! seed_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vm])* $variant,)* }

        impl $name {
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }

            pub(crate) fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

/// Document kinds (the seed's `kind`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::DocumentKind")]
pub enum DocumentKind {
    /// Invoice ("facture").
    Vat,
    Proforma,
    /// Advance invoice ("facture d'acompte").
    Advance,
    /// Final invoice ("facture de solde").
    Final,
    /// Credit note ("facture d'avoir").
    Correction,
    Receipt,
    InvoiceOther,
    /// Estimate ("devis").
    Estimate,
    ClientOrder,
    MaintenanceRequest,
    PaymentReceipt,
    /// Cash-in voucher.
    Kp,
    /// Cash-out voucher.
    Kw,
}

/// `DRAFT` until issued; then the seed's statuses.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::DocumentStatus")]
pub enum DocumentStatus {
    Draft,
    Issued,
    Sent,
    Paid,
    Partial,
    Rejected,
    Accepted,
    Incomplete,
    /// Cancelled (`cancelInvoice`); a fiscal document is cancelled by a credit note.
    Cancelled,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::DiscountKind")]
pub enum DiscountKind {
    /// % of the unit net price.
    PercentUnit,
    /// % of the unit gross price.
    PercentUnitGross,
    /// % of the line total.
    PercentTotal,
    /// A gross amount off the line.
    Amount,
}

seed_enum!(
    PositionKind {
        Normal = "normal",
        TextSeparator = "text_separator",
        Subtotal = "subtotal",
        /// A credit-note line (the difference), with `correctionBefore` / `correctionAfter`.
        Correction = "correction",
        /// The line as it was, on a credit-note line (output only).
        CorrectionBefore = "correction_before",
        /// The line as it becomes, on a credit-note line (output only).
        CorrectionAfter = "correction_after",
        /// An advance deducted by a final invoice (built by the server, output only).
        AdvanceDeduction = "advance_deduction",
    }
);

seed_enum!(
    /// The seed's `sum_recovery`: show the fixed recovery-cost indemnity mention or not.
    SumRecovery {
        ClientProfessionnel = "client_professionnel",
        ClientParticulier = "client_particulier",
    }
);

seed_enum!(
    /// Where a conversion rate comes from (the seed's `exchange_kind`). Only `OWN` (a rate
    /// you give in `exchangeCurrencyRate`) is computed today; the bank feeds are refused.
    ExchangeKind {
        Ecb = "ecb",
        Nbp = "nbp",
        Cbr = "cbr",
        Nbu = "nbu",
        Nbg = "nbg",
        Nbt = "nbt",
        Own = "own",
    }
);

/// How an advance is computed from its estimate (the seed's `advance_creation_mode`).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AdvanceCreationMode {
    /// `advanceValue` percent of the estimate's total.
    Percent,
    /// `advanceValue` as a gross amount.
    Amount,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::PositionStrategy")]
pub enum PositionStrategy {
    /// Lines computed from their net amount.
    Default,
    /// Lines computed from their gross amount.
    KeepGross,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::SumStrategy")]
pub enum SumStrategy {
    Sum,
    KeepGross,
    KeepNet,
}

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::tax::PriceKind")]
pub enum PriceKind {
    Net,
    Gross,
}

/// How amounts are computed (see docs/money-and-tax.md).
#[derive(SimpleObject, InputObject, Clone, Copy)]
#[graphql(input_name = "CalculatingStrategyInput")]
pub struct CalculatingStrategy {
    pub position: PositionStrategy,
    pub sum: SumStrategy,
    pub invoice_form_price_kind: PriceKind,
}

impl From<entity::tax::CalculatingStrategy> for CalculatingStrategy {
    fn from(s: entity::tax::CalculatingStrategy) -> Self {
        Self { position: s.position.into(), sum: s.sum.into(), invoice_form_price_kind: s.price_kind.into() }
    }
}

impl From<CalculatingStrategy> for entity::tax::CalculatingStrategy {
    fn from(s: CalculatingStrategy) -> Self {
        Self { position: s.position.into(), sum: s.sum.into(), price_kind: s.invoice_form_price_kind.into() }
    }
}
