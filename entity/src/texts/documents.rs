//! What the domain writes on documents when the input does not say: line names of
//! advances and deductions, the reverse-charge mention, a cancellation's reason, the name
//! of a payment made at completion. In the document's language (`Lang::of_document`).

use super::Lang;
use chrono::NaiveDate;
use rust_decimal::Decimal;

impl Lang {
    /// The line of an advance invoice taken from an estimate: a percentage of it, or an amount.
    pub fn advance_line(self, percent: Option<Decimal>, estimate_number: &str) -> String {
        match (percent, self) {
            (Some(p), Lang::Fr) => format!("Acompte de {}% sur devis n° {estimate_number}", p.normalize()),
            (Some(p), Lang::En) => format!("{}% advance on estimate no. {estimate_number}", p.normalize()),
            (None, Lang::Fr) => format!("Acompte sur devis n° {estimate_number}"),
            (None, Lang::En) => format!("Advance on estimate no. {estimate_number}"),
        }
    }

    /// The line of a final invoice that deducts an advance invoice.
    pub fn advance_deduction_line(self, advance_number: &str, issued: NaiveDate) -> String {
        match self {
            Lang::Fr => format!("Acompte n° {advance_number} du {}", issued.format("%d/%m/%Y")),
            Lang::En => format!("Advance invoice no. {advance_number} of {issued}"),
        }
    }

    /// The mention a reverse-charge document carries when it has no description of its own.
    pub fn reverse_charge_mention(self) -> &'static str {
        match self {
            Lang::Fr => "Mécanisme d'autoliquidation : la TVA est due par le preneur assujetti",
            Lang::En => "Reverse charge: the VAT is due by the taxable customer",
        }
    }

    /// The reason of a credit note that cancels an invoice, when none is given.
    pub fn cancellation_reason(self) -> &'static str {
        match self {
            Lang::Fr => "Annulation",
            Lang::En => "Cancellation",
        }
    }

    /// The name of the payment recorded when a buyer completes an invoice marked paid.
    pub fn payment_on_completion(self) -> &'static str {
        match self {
            Lang::Fr => "Paiement à la validation",
            Lang::En => "Payment on completion",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_is_written_in_its_own_language() {
        assert_eq!(Lang::of_document("fr"), Lang::Fr);
        assert_eq!(Lang::of_document("FR_fr"), Lang::Fr);
        assert_eq!(Lang::of_document("de"), Lang::En);
        let pct = Some(Decimal::new(3000, 2));
        assert_eq!(Lang::Fr.advance_line(pct, "D-2026-4"), "Acompte de 30% sur devis n° D-2026-4");
        assert_eq!(Lang::En.advance_line(None, "D-2026-4"), "Advance on estimate no. D-2026-4");
        let day = NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        assert_eq!(Lang::Fr.advance_deduction_line("FA-2026-1", day), "Acompte n° FA-2026-1 du 09/03/2026");
        assert_eq!(Lang::En.advance_deduction_line("FA-2026-1", day), "Advance invoice no. FA-2026-1 of 2026-03-09");
    }
}
