//! Document lines: from position inputs (with catalogue products and price lists) or
//! from stored rows to tax-engine lines, with every problem reported by position.
//!
//! Line kinds: `normal`; `text_separator` and `subtotal` (no amount of their own);
//! `correction`, a credit-note line holding the difference, with the line as it was and
//! as it becomes as child rows (`correction_before` / `correction_after`, not counted);
//! `advance_deduction`, built by the server on a final invoice from the advances it
//! deducts (never taken from input).

use super::*;
use crate::scope::InAccount;
use crate::vocabulary::DocumentKind;
use std::collections::HashMap;

/// A line ready for the tax engine and for storage.
#[derive(Clone, Debug)]
pub struct Line {
    /// The stored position's id, kept when the line is written again.
    pub(super) id: Option<Uuid>,
    pub(super) input: LineInput,
    /// The stored kind (`normal`, `correction`, `advance_deduction`, …).
    pub(super) stored_kind: &'static str,
    pub(super) product_id: Option<Uuid>,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) code: Option<String>,
    pub(super) quantity_unit: Option<String>,
    pub(super) discount: Option<Decimal>,
    pub(super) discount_percent: Option<Decimal>,
    pub(super) additional_info: Option<String>,
    /// A credit-note line's `correction_before` and `correction_after` rows.
    pub(super) children: Vec<Line>,
}

impl Line {
    /// A server-built line (advance, deduction): one amount, one tax.
    pub(super) fn built(stored_kind: &'static str, name: String, quantity: Decimal, tax: Tax, price: Price) -> Line {
        Line {
            id: None,
            input: LineInput::new(quantity, tax, price),
            stored_kind,
            product_id: None,
            name,
            description: None,
            code: None,
            quantity_unit: None,
            discount: None,
            discount_percent: None,
            additional_info: None,
            children: Vec::new(),
        }
    }
}

/// Stored kinds a client may send, and how the engine treats them.
pub(super) fn kind_of_line(k: Option<&str>) -> Option<(LineKind, &'static str)> {
    match k.unwrap_or("normal") {
        "normal" => Some((LineKind::Normal, "normal")),
        "text_separator" => Some((LineKind::TextSeparator, "text_separator")),
        "subtotal" => Some((LineKind::Subtotal, "subtotal")),
        "correction" => Some((LineKind::Normal, "correction")),
        _ => None,
    }
}

pub(super) fn stored_kind_of(k: &str) -> (LineKind, &'static str) {
    match k {
        "advance_deduction" => (LineKind::Normal, "advance_deduction"),
        "correction_before" => (LineKind::Normal, "correction_before"),
        "correction_after" => (LineKind::Normal, "correction_after"),
        other => kind_of_line(Some(other)).unwrap_or((LineKind::Normal, "normal")),
    }
}

pub(super) fn price_given_name(p: &Price) -> (&'static str, Decimal) {
    match *p {
        Price::UnitNet(d) => ("unit_net", d),
        Price::UnitGross(d) => ("unit_gross", d),
        Price::TotalNet(d) => ("total_net", d),
        Price::TotalGross(d) => ("total_gross", d),
    }
}

pub(super) fn price_from_stored(given: &str, amount: Decimal) -> Price {
    match given {
        "unit_net" => Price::UnitNet(amount),
        "total_net" => Price::TotalNet(amount),
        "total_gross" => Price::TotalGross(amount),
        _ => Price::UnitGross(amount),
    }
}

fn price_amount(p: Price) -> Decimal {
    price_given_name(&p).1
}

fn same_price_kind(a: Price, b: Price) -> bool {
    price_given_name(&a).0 == price_given_name(&b).0
}

/// What every line of one document shares while it is resolved.
struct Context<'a> {
    kind: DocumentKind,
    strategy: &'a CalculatingStrategy,
    discount_kind: Option<DiscountKind>,
    default_tax: Option<&'a str>,
    products: HashMap<Uuid, product::Model>,
    listed: HashMap<Uuid, crate::price_lists::ListedPrice>,
}

/// Turns position inputs into engine lines: catalogue products fill what the line leaves
/// out (name, code, unit, tax, price — from the price list when asked), and every problem
/// is reported with its position.
#[allow(clippy::too_many_arguments)]
pub(super) async fn resolve_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: DocumentKind,
    strategy: &CalculatingStrategy,
    discount_kind: Option<DiscountKind>,
    inputs: &[PositionInput],
    price_list: Option<Uuid>,
    default_tax: Option<&str>,
) -> DomainResult<Vec<Line>> {
    let mut v = Validator::new();
    let ids: Vec<Uuid> = inputs.iter().filter_map(|p| p.product_id).collect();
    let products: HashMap<Uuid, product::Model> = if ids.is_empty() {
        HashMap::new()
    } else {
        product::Entity::find_in(actor)
            .filter(product::Column::Id.is_in(ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p))
            .collect()
    };
    let listed = match price_list {
        Some(list) if !ids.is_empty() => {
            let known: Vec<Uuid> = ids.iter().copied().filter(|id| products.contains_key(id)).collect();
            crate::price_lists::prices_for_products_in(db, actor, list, &known)
                .await?
                .into_iter()
                .filter(|p| p.from_price_list)
                .map(|p| (p.product_id, p))
                .collect()
        }
        _ => Default::default(),
    };
    let cx = Context { kind, strategy, discount_kind, default_tax, products, listed };
    let mut lines = Vec::with_capacity(inputs.len());
    for (i, p) in inputs.iter().enumerate() {
        if let Some(line) = resolve_one(&cx, &mut v, i, "", p, None) {
            lines.push(line);
        }
    }
    v.finish()?;
    Ok(lines)
}

/// One position (or, with `sub`, a credit-note line's before/after row); `None` when it
/// has errors, which are in `v`.
fn resolve_one(
    cx: &Context<'_>,
    v: &mut Validator,
    i: usize,
    sub: &str,
    p: &PositionInput,
    parent: Option<&Line>,
) -> Option<Line> {
    let f = |name: &str| field(i, &format!("{sub}{name}"));
    let (line_kind, stored_kind) = match (parent, kind_of_line(p.kind.as_deref())) {
        (Some(_), _) => (
            LineKind::Normal,
            if sub.starts_with("correction_before") { "correction_before" } else { "correction_after" },
        ),
        (None, Some(k)) => k,
        (None, None) => {
            let allowed = ["text_separator", "subtotal", "correction"].map(String::from).to_vec();
            v.push(&f("kind"), FieldCode::NotOneOf { allowed });
            return None;
        }
    };
    let is_correction = stored_kind == "correction";
    if is_correction && cx.kind != DocumentKind::Correction {
        v.push(&f("kind"), FieldCode::Rule("correction_line_outside_credit_note"));
        return None;
    }
    if !is_correction && (p.correction_before.is_some() || p.correction_after.is_some()) {
        v.push(&f("correction_before"), FieldCode::Rule("correction_line_only"));
        return None;
    }
    let product = match p.product_id {
        Some(id) => match cx.products.get(&id) {
            Some(prod) => Some(prod),
            None => {
                v.push(&f("product_id"), FieldCode::Rule("unknown_product"));
                return None;
            }
        },
        None => None,
    };
    let text = |given: &Option<String>, from_product: Option<&Option<String>>| {
        clean(given).or_else(|| from_product.and_then(|f| f.clone()))
    };
    let name = clean(&p.name).or_else(|| product.map(|x| x.name.clone())).or_else(|| parent.map(|l| l.name.clone()));
    if line_kind != LineKind::Normal {
        return Some(Line {
            input: LineInput {
                kind: line_kind,
                quantity: Decimal::ZERO,
                tax: Tax::Disabled,
                price: Price::UnitNet(Decimal::ZERO),
                discount: None,
            },
            stored_kind,
            name: name.unwrap_or_default(),
            description: clean(&p.description),
            ..Line::built(stored_kind, String::new(), Decimal::ZERO, Tax::Disabled, Price::UnitNet(Decimal::ZERO))
        });
    }
    let Some(name) = name else {
        v.push(&f("name"), FieldCode::Required);
        return None;
    };
    if name.chars().count() > MAX_LINE {
        v.push(&f("name"), FieldCode::TooLong { max: MAX_LINE });
    }
    // The line as it was and as it becomes, resolved first: the difference may come from them.
    let mut children = Vec::new();
    if is_correction {
        for (key, child) in [("correction_before.", &p.correction_before), ("correction_after.", &p.correction_after)] {
            if let Some(c) = child {
                // The line's tax applies to its before/after rows unless they give one.
                let mut c = (**c).clone();
                c.tax = c.tax.or_else(|| p.tax.clone());
                let partial =
                    Line::built("normal", name.clone(), Decimal::ZERO, Tax::Disabled, Price::UnitNet(Decimal::ZERO));
                let row = resolve_one(cx, v, i, key, &c, Some(&partial))?;
                // Computed alone for display: its problems are reported at its own path.
                if let Err(e) = tax::compute(std::slice::from_ref(&row.input), cx.strategy, cx.discount_kind) {
                    let (_, name, code) = engine_problem(e);
                    v.push(&field(i, &format!("{key}{name}")), code);
                    return None;
                }
                children.push(row);
            }
        }
    }
    let listed_price = product.and_then(|prod| cx.listed.get(&prod.id));
    // The tax of a listed price comes with it, unless the line gives one.
    let tax_text = p
        .tax
        .clone()
        .or_else(|| listed_price.map(|l| l.tax.clone()))
        .or_else(|| product.map(|x| x.tax.clone()))
        .or_else(|| children.first().map(|c| c.input.tax.to_string()))
        .or(cx.default_tax.map(str::to_owned));
    let tax: Tax = match tax_text.as_deref().map(str::parse::<Tax>) {
        Some(Ok(t)) => t,
        Some(Err(_)) => {
            v.push(&f("tax"), FieldCode::Rule("tax_value"));
            return None;
        }
        None => {
            v.push(&f("tax"), FieldCode::Required);
            return None;
        }
    };
    let given: Vec<Price> = [
        p.total_price_gross.map(Price::TotalGross),
        p.price_gross.map(Price::UnitGross),
        p.total_price_net.map(Price::TotalNet),
        p.price_net.map(Price::UnitNet),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut quantity = p.quantity;
    let price = match given.as_slice() {
        [one] => Some(*one),
        [] if children.len() == 2 => {
            // The seed's credit-note line: the difference between after and before, which
            // must give the same kind of price on the same tax to be subtracted.
            let (b, a) = (&children[0].input, &children[1].input);
            if b.tax != a.tax
                || !same_price_kind(b.price, a.price)
                || !matches!(a.price, Price::TotalGross(_) | Price::TotalNet(_))
            {
                v.push(&f("total_price_gross"), FieldCode::Rule("correction_needs_amount"));
                return None;
            }
            let diff = price_amount(a.price) - price_amount(b.price);
            // A price-only correction (same quantity) is one unit of the difference.
            let q = a.quantity - b.quantity;
            let q = if q.is_zero() && !diff.is_zero() {
                if diff < Decimal::ZERO { Decimal::NEGATIVE_ONE } else { Decimal::ONE }
            } else {
                q
            };
            quantity = quantity.or(Some(q));
            Some(match a.price {
                Price::TotalNet(_) => Price::TotalNet(diff),
                _ => Price::TotalGross(diff),
            })
        }
        [] => product.and_then(|prod| {
            // A listed price first, then the catalogue price, on the document's price kind.
            let (net, gross) = match listed_price.and_then(|l| l.prices) {
                Some(u) => (Some(u.net), Some(u.gross)),
                None => (prod.price_net.map(|v| v.value()), prod.price_gross.map(|v| v.value())),
            };
            match cx.strategy.price_kind {
                PriceKind::Gross => gross.map(Price::UnitGross).or(net.map(Price::UnitNet)),
                PriceKind::Net => net.map(Price::UnitNet).or(gross.map(Price::UnitGross)),
            }
        }),
        _ => {
            v.push(&f("price_gross"), FieldCode::Rule("one_price"));
            return None;
        }
    };
    let Some(price) = price else {
        v.push(&f("price_gross"), FieldCode::Required);
        return None;
    };
    let quantity = quantity.unwrap_or(Decimal::ONE);
    // Only a credit-note line takes quantities back; elsewhere (the before/after rows
    // included) a quantity is positive, or zero for an "after" row that removes the line.
    let after_row = stored_kind == "correction_after";
    if !is_correction && (quantity < Decimal::ZERO || (quantity.is_zero() && !after_row)) {
        v.push(&f("quantity"), FieldCode::Rule("positive_quantity"));
    }
    // Unit prices are never negative; a total carries the sign of its quantity.
    let negative = match price {
        Price::UnitNet(x) | Price::UnitGross(x) => x < Decimal::ZERO,
        Price::TotalNet(x) | Price::TotalGross(x) => {
            x < Decimal::ZERO && !(is_correction && quantity < Decimal::ZERO)
                || x > Decimal::ZERO && quantity < Decimal::ZERO
        }
    };
    if negative {
        v.push(&f("price_gross"), FieldCode::Rule("price_sign"));
    }
    let discount_value = match cx.discount_kind {
        Some(DiscountKind::Amount) => p.discount,
        Some(_) => p.discount_percent,
        None => None,
    };
    Some(Line {
        input: LineInput { kind: LineKind::Normal, quantity, tax, price, discount: discount_value },
        stored_kind,
        product_id: product.map(|x| x.id),
        name,
        description: text(&p.description, product.map(|x| &x.description)),
        code: text(&p.code, product.map(|x| &x.code)),
        quantity_unit: text(&p.quantity_unit, product.map(|x| &x.quantity_unit)),
        discount: p.discount,
        discount_percent: p.discount_percent,
        additional_info: text(&p.additional_info, product.map(|x| &x.additional_info)),
        children,
        id: None,
    })
}

/// The seed's position updates (`positions: [{ id, … }]`, `{ id, _destroy: 1 }`, new ones
/// listed last): starting from the stored lines, a position naming an `id` changes that
/// line (given fields over stored ones) or, with `destroy`, removes it; a position without
/// `id` is added at the end. Every resulting line is validated again; kept lines keep their
/// ids. Problems are reported by the line's place on the document.
#[allow(clippy::too_many_arguments)]
pub(super) async fn patch_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    current: &Model,
    inputs: &[PositionInput],
    kind: DocumentKind,
    strategy: &CalculatingStrategy,
    discount_kind: Option<DiscountKind>,
    price_list: Option<Uuid>,
    default_tax: Option<&str>,
) -> DomainResult<Vec<Line>> {
    let stored: Vec<Line> = stored_lines(db, actor, current.id, stored_discount_kind(current))
        .await?
        .into_iter()
        .filter(|l| l.stored_kind != "advance_deduction")
        .collect();
    let mut v = Validator::new();
    for (i, p) in inputs.iter().enumerate() {
        match p.id {
            Some(id) if !stored.iter().any(|l| l.id == Some(id)) => {
                v.push(&field(i, "id"), FieldCode::Rule("unknown_position"))
            }
            None if p.destroy => v.push(&field(i, "id"), FieldCode::Required),
            _ => {}
        }
    }
    v.finish()?;
    let mut merged: Vec<(PositionInput, Option<&Line>)> = Vec::new();
    for l in &stored {
        match inputs.iter().find(|p| p.id.is_some() && p.id == l.id) {
            Some(p) if p.destroy => {}
            Some(p) => merged.push((overlay(input_of(l), p), Some(l))),
            None => merged.push((input_of(l), Some(l))),
        }
    }
    merged.extend(inputs.iter().filter(|p| p.id.is_none()).map(|p| (p.clone(), None)));
    let all: Vec<PositionInput> = merged.iter().map(|(p, _)| p.clone()).collect();
    let mut lines = resolve_lines(db, actor, kind, strategy, discount_kind, &all, price_list, default_tax).await?;
    for (line, (given, from)) in lines.iter_mut().zip(&merged) {
        if let Some(src) = from {
            line.id = src.id;
            if given.product_id.is_none() {
                line.product_id = src.product_id;
            }
        }
    }
    Ok(lines)
}

/// A stored line as the input that would write it again (its product apart: a product
/// deleted since must not make the line invalid).
fn input_of(l: &Line) -> PositionInput {
    let (mut price_net, mut price_gross, mut total_price_net, mut total_price_gross) = (None, None, None, None);
    match l.input.price {
        Price::UnitNet(x) => price_net = Some(x),
        Price::UnitGross(x) => price_gross = Some(x),
        Price::TotalNet(x) => total_price_net = Some(x),
        Price::TotalGross(x) => total_price_gross = Some(x),
    }
    let child = |i: usize| l.children.get(i).map(|c| Box::new(input_of(c)));
    PositionInput {
        kind: Some(l.stored_kind.to_owned()),
        product_id: None,
        name: Some(l.name.clone()),
        description: l.description.clone(),
        code: l.code.clone(),
        quantity: Some(l.input.quantity),
        quantity_unit: l.quantity_unit.clone(),
        tax: Some(l.input.tax.to_string()),
        price_net,
        price_gross,
        total_price_net,
        total_price_gross,
        discount: l.discount,
        discount_percent: l.discount_percent,
        correction_before: child(0),
        correction_after: child(1),
        additional_info: l.additional_info.clone(),
        id: l.id,
        destroy: false,
    }
}

/// The fields a position update gives, over the stored ones; a new price replaces the old.
fn overlay(mut base: PositionInput, p: &PositionInput) -> PositionInput {
    macro_rules! over {
        ($($f:ident),*) => { $( if p.$f.is_some() { base.$f = p.$f.clone(); } )* };
    }
    if p.price_net.is_some() || p.price_gross.is_some() || p.total_price_net.is_some() || p.total_price_gross.is_some()
    {
        base.price_net = None;
        base.price_gross = None;
        base.total_price_net = None;
        base.total_price_gross = None;
    }
    over!(
        kind,
        product_id,
        name,
        description,
        code,
        quantity,
        quantity_unit,
        tax,
        price_net,
        price_gross,
        total_price_net,
        total_price_gross,
        discount,
        discount_percent,
        correction_before,
        correction_after,
        additional_info
    );
    base
}
