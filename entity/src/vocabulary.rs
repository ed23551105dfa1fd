//! The domain's words for what a document is and where it stands: stored as the seed's
//! names (`vat`, `issued`, `paid`…), spoken as Rust types everywhere above the tables, so
//! that a misspelt kind or state is a compile error rather than a silent mismatch. The
//! transports map these (GraphQL's enums are `remote` copies); the canonical forms sealed
//! into the chains carry `as_str`, which therefore never changes for a variant.

use sea_orm::entity::prelude::*;

/// Defines a stored enum with its seed names: `as_str`, `parse`, `ALL`.
macro_rules! stored_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
        #[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
        pub enum $name { $($(#[$vm])* #[sea_orm(string_value = $text)] $variant,)* }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The seed's name, as stored and as sealed.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text,)* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)* _ => None }
            }

            /// Every seed name, for validation messages and checks of text input.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        /// The first listed: what a new document starts as (an invoice, a draft).
        impl Default for $name {
            fn default() -> Self {
                Self::ALL[0]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

stored_enum!(
    /// Document kinds (the seed's `kind`).
    DocumentKind {
        /// Invoice ("facture").
        Vat = "vat",
        Proforma = "proforma",
        /// Advance invoice ("facture d'acompte").
        Advance = "advance",
        /// Final invoice ("facture de solde").
        Final = "final",
        /// Credit note ("facture d'avoir").
        Correction = "correction",
        Receipt = "receipt",
        InvoiceOther = "invoice_other",
        /// Estimate ("devis").
        Estimate = "estimate",
        ClientOrder = "client_order",
        MaintenanceRequest = "maintenance_request",
        PaymentReceipt = "payment_receipt",
        /// Cash-in voucher.
        Kp = "kp",
        /// Cash-out voucher.
        Kw = "kw",
    }
);

impl DocumentKind {
    /// Kinds that record a sale or a payment: once issued they are frozen and sealed.
    pub fn is_fiscal(self) -> bool {
        use DocumentKind::*;
        matches!(self, Vat | Advance | Final | Correction | Receipt | InvoiceOther | PaymentReceipt | Kp | Kw)
    }

    /// Kinds a payment can be applied to: those that ask a buyer for money. Estimates,
    /// orders and work orders ask for nothing yet; credit notes give money back; payment
    /// receipts and cash vouchers record a payment themselves.
    pub fn is_payable(self) -> bool {
        use DocumentKind::*;
        matches!(self, Vat | Advance | Final | Receipt | InvoiceOther | Proforma)
    }

    pub fn fiscal() -> Vec<Self> {
        Self::ALL.iter().copied().filter(|k| k.is_fiscal()).collect()
    }
}

stored_enum!(
    /// Whether a document has been issued: a draft has no number and can change.
    DocumentState {
        Draft = "draft",
        Issued = "issued",
    }
);

stored_enum!(
    /// `draft` until issued; then the seed's statuses.
    DocumentStatus {
        Draft = "draft",
        Issued = "issued",
        Sent = "sent",
        Paid = "paid",
        Partial = "partial",
        Rejected = "rejected",
        Accepted = "accepted",
        Incomplete = "incomplete",
        /// Cancelled (`cancelInvoice`); a fiscal document is cancelled by a credit note.
        Cancelled = "cancelled",
    }
);

stored_enum!(
    /// What happened in an account: the codes of the outbox (`domain_events`), stable
    /// once published (webhooks and consumers key on them; docs/api/events.md lists them).
    EventCode {
        DocumentCreated = "document.created",
        DocumentUpdated = "document.updated",
        DocumentDeleted = "document.deleted",
        /// A document got its number (a draft issued, or created issued).
        DocumentIssued = "document.issued",
        /// An issued fiscal document entered its account's documents chain.
        DocumentSealed = "document.sealed",
        PaymentCreated = "payment.created",
        PaymentUpdated = "payment.updated",
        PaymentDeleted = "payment.deleted",
        /// A payment was recorded as received (created paid, or marked paid).
        PaymentPaid = "payment.paid",
        /// A paid payment entered its account's payments chain.
        PaymentSealed = "payment.sealed",
        ClientCreated = "client.created",
        ClientUpdated = "client.updated",
        ClientDeleted = "client.deleted",
        ProductCreated = "product.created",
        ProductUpdated = "product.updated",
        ProductDeleted = "product.deleted",
        /// A period was closed (daily, monthly or yearly closure).
        ClosureDone = "closure.done",
    }
);

stored_enum!(
    /// Where a webhook delivery stands.
    DeliveryStatus {
        /// Waiting for its (next) attempt.
        Pending = "pending",
        /// The endpoint answered 2xx.
        Delivered = "delivered",
        /// Given up: out of attempts, or its endpoint was disabled.
        Failed = "failed",
    }
);

/// A currency, by its ISO 4217 code (`EUR`, `CHF`): three upper-case letters, as stored
/// and as sealed. Only the shape is checked: the seed accepts any currency a seller
/// invoices in, and the code list changes more often than Scelle does.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, sea_orm::DeriveValueType)]
#[sea_orm(value_type = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub const EUR: Currency = Currency(*b"EUR");

    /// A code of the right shape, or `None`.
    pub fn parse(s: &str) -> Option<Currency> {
        let b = s.as_bytes();
        (b.len() == 3 && b.iter().all(u8::is_ascii_uppercase)).then(|| Currency([b[0], b[1], b[2]]))
    }

    /// A currency given for `field` (the inputs carry text, checked by their validators
    /// with the same rule): the field error when it is not a code.
    pub fn given(field: &str, s: &str) -> crate::DomainResult<Currency> {
        Currency::parse(s).ok_or_else(|| crate::DomainError::field(field, crate::FieldCode::Rule("currency_code")))
    }

    pub fn as_str(&self) -> &str {
        // Three ASCII letters, checked when made.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored text that is not a currency code.
#[derive(Debug)]
pub struct NotACurrency(pub String);

impl std::fmt::Display for NotACurrency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?} is not an ISO 4217 currency code", self.0)
    }
}

impl std::error::Error for NotACurrency {}

impl std::str::FromStr for Currency {
    type Err = NotACurrency;

    fn from_str(s: &str) -> Result<Self, NotACurrency> {
        Currency::parse(s).ok_or_else(|| NotACurrency(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_fiscal_kinds_are_the_seeds() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(DocumentKind::ALL.len(), 13);
        assert_eq!(
            DocumentKind::fiscal().iter().map(|k| k.as_str()).collect::<Vec<_>>(),
            ["vat", "advance", "final", "correction", "receipt", "invoice_other", "payment_receipt", "kp", "kw"]
        );
        assert_eq!(DocumentStatus::parse("cancelled"), Some(DocumentStatus::Cancelled));
        assert_eq!(DocumentState::parse("bogus"), None);
    }

    #[test]
    fn currencies_are_three_upper_case_letters() {
        assert_eq!(Currency::parse("EUR"), Some(Currency::EUR));
        assert_eq!(Currency::parse("CHF").unwrap().to_string(), "CHF");
        for bad in ["eur", "EU", "EURO", "E1R", "", " EUR", "ÉUR"] {
            assert_eq!(Currency::parse(bad), None, "{bad}");
        }
    }
}
