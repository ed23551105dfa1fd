//! Worked examples of the tax engine. Each states its inputs and the expected amounts,
//! computed by hand from the rules in the module documentation (also in docs/money-and-tax.md).

use super::*;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn t(s: &str) -> Tax {
    s.parse().unwrap()
}

fn line(q: &str, tax: &str, price: Price) -> LineInput {
    LineInput::new(d(q), t(tax), price)
}

fn with_discount(mut l: LineInput, v: &str) -> LineInput {
    l.discount = Some(d(v));
    l
}

const NET: CalculatingStrategy =
    CalculatingStrategy { position: PositionStrategy::Default, sum: SumStrategy::Sum, price_kind: PriceKind::Net };

fn totals(a: &DocumentAmounts) -> (String, String, String) {
    (a.net.to_string(), a.tax.to_string(), a.gross.to_string())
}

fn amounts(l: &LineAmounts) -> (String, String, String) {
    (l.total_net.to_string(), l.total_tax.to_string(), l.total_gross.to_string())
}

fn s3(a: &str, b: &str, c: &str) -> (String, String, String) {
    (a.into(), b.into(), c.into())
}

/// Seed, "Créer une nouvelle facture avec réduction", discount as a gross amount:
/// A 10.20 TTC at 20 % less 5.20; B 2 × 25 TTC at 0 %.
#[test]
fn seed_discount_amount() {
    let lines = [
        with_discount(line("1", "20", Price::TotalGross(d("10.20"))), "5.20"),
        with_discount(line("2", "0", Price::TotalGross(d("50"))), "0"),
    ];
    for strategy in [CalculatingStrategy::GROSS, NET] {
        let a = compute(&lines, &strategy, Some(DiscountKind::Amount)).unwrap();
        // 10.20 − 5.20 = 5.00 TTC; HT = 5.00 / 1.2 = 4.1666… → 4.17; TVA 0.83.
        assert_eq!(amounts(&a.lines[0]), s3("4.17", "0.83", "5.00"), "{strategy:?}");
        assert_eq!(a.lines[0].discount_gross, d("5.20"));
        assert_eq!(amounts(&a.lines[1]), s3("50.00", "0.00", "50.00"));
        assert_eq!(a.lines[1].unit_gross, d("25"));
        assert_eq!(totals(&a), s3("54.17", "0.83", "55.00"));
    }
}

/// Seed, same invoice with 20 % off the unit gross price of A: 10.20 → 8.16 TTC.
#[test]
fn seed_discount_percent_unit_gross() {
    let lines = [
        with_discount(line("1", "20", Price::TotalGross(d("10.20"))), "20"),
        line("2", "0", Price::TotalGross(d("50"))),
    ];
    let a = compute(&lines, &CalculatingStrategy::GROSS, Some(DiscountKind::PercentUnitGross)).unwrap();
    // 8.16 / 1.2 = 6.80 HT, TVA 1.36.
    assert_eq!(amounts(&a.lines[0]), s3("6.80", "1.36", "8.16"));
    assert_eq!(a.lines[0].discount_gross, d("2.04"));
    assert_eq!(a.lines[0].unit_gross, d("10.2"), "unit prices are reported before discount");
    assert_eq!(totals(&a), s3("56.80", "1.36", "58.16"));
}

/// Seed, "Créer une nouvelle facture avec sous-total": A 3 for 30.94 TTC, B 17.23 TTC,
/// both at 23 %, a subtotal, C 2 for 50 TTC at 0 %.
#[test]
fn seed_subtotal() {
    let mut sub = line("0", "disabled", Price::TotalGross(d("0")));
    sub.kind = LineKind::Subtotal;
    let lines = [
        line("3", "23", Price::TotalGross(d("30.94"))),
        line("1", "23", Price::TotalGross(d("17.23"))),
        sub,
        line("2", "0", Price::TotalGross(d("50"))),
    ];
    let a = compute(&lines, &CalculatingStrategy::GROSS, None).unwrap();
    // Gross totals are kept: 30.94 / 1.23 = 25.1544… → 25.15 HT, TVA 5.79.
    assert_eq!(amounts(&a.lines[0]), s3("25.15", "5.79", "30.94"));
    // 17.23 / 1.23 = 14.0081… → 14.01 HT, TVA 3.22.
    assert_eq!(amounts(&a.lines[1]), s3("14.01", "3.22", "17.23"));
    assert_eq!(amounts(&a.lines[2]), s3("39.16", "9.01", "48.17"), "subtotal of A and B");
    assert_eq!(totals(&a), s3("89.16", "9.01", "98.17"));
    assert_eq!(a.tax_summary.len(), 2, "the subtotal line adds no row");
    assert_eq!((a.tax_summary[0].tax, a.tax_summary[0].gross), (t("23"), d("48.17")));
}

/// The same line computed on its net amount loses the cent the gross basis keeps:
/// 30.94 / 1.23 → 25.15 HT, 25.15 × 0.23 = 5.7845 → 5.78, 25.15 + 5.78 = 30.93 TTC.
#[test]
fn net_basis_can_move_a_given_gross_total_by_a_cent() {
    let lines = [line("3", "23", Price::TotalGross(d("30.94")))];
    let a = compute(&lines, &NET, None).unwrap();
    assert_eq!(amounts(&a.lines[0]), s3("25.15", "5.78", "30.93"));
    assert_eq!(a.lines[0].unit_net, d("8.3848"), "30.94 / 1.23 / 3 = 8.38482…, reported to 4 decimals");
}

/// Three lines of 0.33 HT at 20 %: per line the tax is 0.066 → 0.07 (0.21 in all); per
/// total it is 0.99 × 0.2 = 0.198 → 0.20. The sum strategy decides which one counts.
#[test]
fn sum_strategies_differ_by_a_cent() {
    let lines = [
        line("1", "20", Price::UnitNet(d("0.33"))),
        line("1", "20", Price::UnitNet(d("0.33"))),
        line("1", "20", Price::UnitNet(d("0.33"))),
    ];
    let with = |sum| compute(&lines, &CalculatingStrategy { sum, ..NET }, None).unwrap();
    assert_eq!(totals(&with(SumStrategy::Sum)), s3("0.99", "0.21", "1.20"));
    assert_eq!(totals(&with(SumStrategy::KeepNet)), s3("0.99", "0.20", "1.19"));
    // Keep gross: 1.20 / 1.2 = 1.00 HT, TVA 0.20.
    assert_eq!(totals(&with(SumStrategy::KeepGross)), s3("1.00", "0.20", "1.20"));
    // Lines are the same whatever the sum strategy.
    assert_eq!(amounts(&with(SumStrategy::KeepNet).lines[0]), s3("0.33", "0.07", "0.40"));
}

/// 10 × 9.99 HT at 20 % with 15 % off: on the unit price, 9.99 × 0.85 = 8.4915 → 8.49
/// then × 10 = 84.90; on the total, 99.90 × 0.85 = 84.915 → 84.92.
#[test]
fn percent_on_unit_and_on_total_differ() {
    let lines = [with_discount(line("10", "20", Price::UnitNet(d("9.99"))), "15")];
    let unit = compute(&lines, &NET, Some(DiscountKind::PercentUnit)).unwrap();
    let total = compute(&lines, &NET, Some(DiscountKind::PercentTotal)).unwrap();
    assert_eq!(amounts(&unit.lines[0]), s3("84.90", "16.98", "101.88"));
    assert_eq!(amounts(&total.lines[0]), s3("84.92", "16.98", "101.90"));
    assert_eq!(unit.lines[0].discount_gross, d("18.00"), "119.88 − 101.88");
}

#[test]
fn percent_unit_on_a_gross_basis_rounds_the_net_unit_price() {
    // 12.00 TTC at 20 % = 10.00 HT; −33 % → 6.70 HT → 8.04 TTC per unit, × 3 = 24.12.
    let lines = [with_discount(line("3", "20", Price::UnitGross(d("12"))), "33")];
    let a = compute(&lines, &CalculatingStrategy::GROSS, Some(DiscountKind::PercentUnit)).unwrap();
    assert_eq!(amounts(&a.lines[0]), s3("20.10", "4.02", "24.12"));
}

#[test]
fn tax_keywords_and_summary_order() {
    let lines = [
        line("1", "disabled", Price::UnitNet(d("100"))),
        line("1", "5.5", Price::UnitNet(d("10"))),
        line("1", "np", Price::UnitNet(d("1"))),
        line("1", "20", Price::UnitNet(d("10"))),
        line("1", "0", Price::UnitNet(d("3"))),
    ];
    let a = compute(&lines, &NET, None).unwrap();
    let order: Vec<String> = a.tax_summary.iter().map(|r| r.tax.to_string()).collect();
    assert_eq!(order, ["20", "5.5", "0", "disabled", "np"]);
    assert_eq!(amounts(&a.lines[0]), s3("100.00", "0.00", "100.00"));
    // 10 × 5.5 % = 0.55.
    assert_eq!(totals(&a), s3("124.00", "2.55", "126.55"));
}

#[test]
fn rounding_is_half_away_from_zero_on_both_signs() {
    assert_eq!(round2(d("0.125")), d("0.13"));
    assert_eq!(round2(d("-0.125")), d("-0.13"));
    assert_eq!(round2(d("2.675")), d("2.68"), "exact decimals: no binary-float surprise");
    // A credit line: −1 × 10 HT at 20 %.
    let a = compute(&[line("-1", "20", Price::UnitNet(d("10")))], &NET, None).unwrap();
    assert_eq!(totals(&a), s3("-10.00", "-2.00", "-12.00"));
}

#[test]
fn text_lines_carry_nothing() {
    let mut text = line("0", "disabled", Price::UnitNet(d("0")));
    text.kind = LineKind::TextSeparator;
    let a = compute(&[text, line("2", "20", Price::UnitNet(d("5")))], &NET, None).unwrap();
    assert_eq!(amounts(&a.lines[0]), s3("0.00", "0.00", "0.00"), "a text line has no amount");
    assert_eq!(totals(&a), s3("10.00", "2.00", "12.00"));
}

/// Seed position example: "price_net": "59,00", "tax": "23", "price_gross": "72,57".
#[test]
fn unit_prices_are_derived_to_the_cent() {
    let p = unit_prices(t("23"), UnitPrice::Net(d("59.00"))).unwrap();
    assert_eq!((p.net, p.tax, p.gross), (d("59.00"), d("13.57"), d("72.57")));
    // Seed product example: "price_gross": "100" at 20 % → 83.33 HT.
    let p = unit_prices(t("20"), UnitPrice::Gross(d("100"))).unwrap();
    assert_eq!(
        (p.net.to_string(), p.tax.to_string(), p.gross.to_string()),
        ("83.33".into(), "16.67".into(), "100".into())
    );
    let p = unit_prices(t("disabled"), UnitPrice::Gross(d("12.5"))).unwrap();
    assert_eq!((p.net, p.tax), (d("12.50"), d("0")));
}

/// Sub-cent prices keep their precision: no negative or phantom tax.
#[test]
fn unit_prices_keep_the_given_precision() {
    let p = unit_prices(t("disabled"), UnitPrice::Gross(d("0.125"))).unwrap();
    assert_eq!((p.net, p.tax), (d("0.125"), d("0")));
    let p = unit_prices(t("0"), UnitPrice::Net(d("9.999"))).unwrap();
    assert_eq!((p.gross, p.tax), (d("9.999"), d("0")));
    // 0.1251 TTC at 0.01 %: 0.12508… → 0.1251 (4 decimals, like the price), tax 0.
    let p = unit_prices(t("0.01"), UnitPrice::Gross(d("0.1251"))).unwrap();
    assert!(p.tax >= Decimal::ZERO && p.net <= p.gross, "{p:?}");
}

/// A credit line of −120.00 TTC with 12.00 off credits −108.00, not −132.00.
#[test]
fn discounts_reduce_credits_too() {
    let l = [with_discount(line("-1", "20", Price::UnitGross(d("120"))), "12")];
    let a = compute(&l, &CalculatingStrategy::GROSS, Some(DiscountKind::Amount)).unwrap();
    assert_eq!(totals(&a), s3("-90.00", "-18.00", "-108.00"));
    let p = [with_discount(line("-1", "20", Price::UnitGross(d("120"))), "10")];
    let a = compute(&p, &CalculatingStrategy::GROSS, Some(DiscountKind::PercentTotal)).unwrap();
    assert_eq!(a.gross, d("-108.00"));
}

#[test]
fn amount_discounts_stay_within_the_line() {
    let l = |v: &str| [with_discount(line("1", "20", Price::UnitGross(d("12"))), v)];
    for bad in ["-1000", "12.01"] {
        assert_eq!(
            compute(&l(bad), &NET, Some(DiscountKind::Amount)),
            Err(TaxError::DiscountOutOfRange { line: 0 }),
            "{bad}"
        );
    }
    let all = compute(&l("12"), &CalculatingStrategy::GROSS, Some(DiscountKind::Amount)).unwrap();
    assert_eq!(totals(&all), s3("0.00", "0.00", "0.00"));
}

/// The reported discount is measured against the line computed without it: a discount
/// too small to change a cent reports 0.00, on either basis.
#[test]
fn a_negligible_discount_reports_zero() {
    let lines = [with_discount(line("1", "20", Price::TotalGross(d("10.20"))), "0.0001")];
    for s in [NET, CalculatingStrategy::GROSS] {
        let a = compute(&lines, &s, Some(DiscountKind::PercentTotal)).unwrap();
        assert_eq!(a.lines[0].discount_gross, d("0.00"), "{s:?}");
    }
}

#[test]
fn huge_documents_overflow_into_an_error_not_a_panic() {
    let big = d("300000000000000000000000000");
    let lines = vec![line("1", "0", Price::UnitNet(big)); 3];
    for s in [NET, CalculatingStrategy { sum: SumStrategy::KeepNet, ..NET }] {
        match compute(&lines, &s, None) {
            Ok(_) | Err(TaxError::Overflow { .. }) => {}
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn strategy_and_discount_names_round_trip() {
    for position in [PositionStrategy::Default, PositionStrategy::KeepGross] {
        for sum in [SumStrategy::Sum, SumStrategy::KeepGross, SumStrategy::KeepNet] {
            for price_kind in [PriceKind::Net, PriceKind::Gross] {
                let s = CalculatingStrategy { position, sum, price_kind };
                let (p, m, k) = s.names();
                assert_eq!(CalculatingStrategy::from_names(p, m, k), s);
            }
        }
    }
    for k in DiscountKind::ALL {
        assert_eq!(DiscountKind::parse(k.as_str()), Some(k));
    }
}

#[test]
fn an_empty_document_is_zero() {
    assert_eq!(totals(&compute(&[], &NET, None).unwrap()), s3("0.00", "0.00", "0.00"));
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    assert_eq!("120".parse::<Tax>(), Err(TaxError::InvalidTax));
    assert_eq!("-1".parse::<Tax>(), Err(TaxError::InvalidTax));
    assert_eq!("vingt".parse::<Tax>(), Err(TaxError::InvalidTax));
    assert_eq!(
        compute(&[line("0", "20", Price::TotalGross(d("10")))], &NET, None),
        Err(TaxError::TotalWithZeroQuantity { line: 0 })
    );
    let over = [with_discount(line("1", "20", Price::UnitNet(d("10"))), "120")];
    assert_eq!(compute(&over, &NET, Some(DiscountKind::PercentTotal)), Err(TaxError::DiscountOutOfRange { line: 0 }));
    let huge = [line("79228162514264337593543950335", "20", Price::UnitNet(d("79228162514264337593543950335")))];
    assert_eq!(compute(&huge, &NET, None), Err(TaxError::Overflow { line: 0 }));
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn money() -> impl Strategy<Value = Decimal> {
        (-1_000_000i64..1_000_000i64).prop_map(|c| Decimal::new(c, 2))
    }

    fn qty() -> impl Strategy<Value = Decimal> {
        (1i64..100_000i64).prop_map(|q| Decimal::new(q, 3))
    }

    fn tax() -> impl Strategy<Value = Tax> {
        prop_oneof![
            Just(Tax::Rate(Decimal::new(20, 0))),
            Just(Tax::Rate(Decimal::new(55, 1))),
            Just(Tax::Rate(Decimal::new(21, 1))),
            Just(Tax::Rate(Decimal::ZERO)),
            Just(Tax::Disabled),
        ]
    }

    fn price() -> impl Strategy<Value = Price> {
        prop_oneof![
            money().prop_map(Price::UnitNet),
            money().prop_map(Price::UnitGross),
            money().prop_map(Price::TotalNet),
            money().prop_map(Price::TotalGross),
        ]
    }

    fn lines() -> impl Strategy<Value = Vec<LineInput>> {
        prop::collection::vec(
            (qty(), tax(), price(), prop::option::of(0i64..100)).prop_map(|(q, t, p, disc)| LineInput {
                kind: LineKind::Normal,
                quantity: q,
                tax: t,
                price: p,
                discount: disc.map(Decimal::from),
            }),
            1..12,
        )
    }

    fn strategy() -> impl Strategy<Value = CalculatingStrategy> {
        (
            prop_oneof![Just(PositionStrategy::Default), Just(PositionStrategy::KeepGross)],
            prop_oneof![Just(SumStrategy::Sum), Just(SumStrategy::KeepNet), Just(SumStrategy::KeepGross)],
        )
            .prop_map(|(position, sum)| CalculatingStrategy { position, sum, price_kind: PriceKind::Net })
    }

    proptest! {
        #[test]
        fn amounts_are_cents_and_add_up(lines in lines(), s in strategy(), pct in prop::option::of(prop_oneof![
            Just(DiscountKind::PercentUnit), Just(DiscountKind::PercentUnitGross), Just(DiscountKind::PercentTotal)])) {
            let a = compute(&lines, &s, pct).unwrap();
            for l in &a.lines {
                prop_assert_eq!(l.total_net + l.total_tax, l.total_gross);
                prop_assert!(l.total_net.scale() == 2 && l.total_tax.scale() == 2 && l.total_gross.scale() == 2);
            }
            prop_assert_eq!(a.net + a.tax, a.gross);
            let rows_net: Decimal = a.tax_summary.iter().map(|r| r.net).sum();
            prop_assert_eq!(rows_net, a.net);
            let sum_net: Decimal = a.lines.iter().map(|l| l.total_net).sum();
            let sum_tax: Decimal = a.lines.iter().map(|l| l.total_tax).sum();
            let sum_gross: Decimal = a.lines.iter().map(|l| l.total_gross).sum();
            match s.sum {
                SumStrategy::Sum => {
                    prop_assert_eq!(a.net, sum_net);
                    prop_assert_eq!(a.gross, sum_gross);
                }
                SumStrategy::KeepNet => prop_assert_eq!(a.net, sum_net),
                SumStrategy::KeepGross => prop_assert_eq!(a.gross, sum_gross),
            }
            // Per-total and per-line tax differ by at most half a cent per line.
            let bound = Decimal::new(5, 3) * Decimal::from(lines.len() as i64) + Decimal::new(1, 2);
            prop_assert!((a.tax - sum_tax).abs() <= bound, "tax {} vs lines {}", a.tax, sum_tax);
        }
    }
}
