//! Document lines: from position inputs (with catalogue products and price lists) or
//! from stored rows to tax-engine lines, with every problem reported by position.

use super::*;
/// A line ready for the tax engine and for storage.
pub(super) struct Line {
    pub(super) input: LineInput,
    pub(super) product_id: Option<Uuid>,
    pub(super) name: String,
    pub(super) description: Option<String>,
    pub(super) code: Option<String>,
    pub(super) quantity_unit: Option<String>,
    pub(super) discount: Option<Decimal>,
    pub(super) discount_percent: Option<Decimal>,
}

pub(super) fn kind_of_line(k: Option<&str>) -> Option<LineKind> {
    match k.unwrap_or("normal") {
        "normal" => Some(LineKind::Normal),
        "text_separator" => Some(LineKind::TextSeparator),
        "subtotal" => Some(LineKind::Subtotal),
        _ => None,
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

/// Turns position inputs into engine lines: catalogue products fill what the line leaves
/// out (name, code, unit, tax, price — from the price list when asked), and every problem
/// is reported with its position.
#[allow(clippy::too_many_arguments)]
pub(super) async fn resolve_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: &str,
    strategy: &CalculatingStrategy,
    discount_kind: Option<DiscountKind>,
    inputs: &[PositionInput],
    price_list: Option<Uuid>,
    default_tax: Option<&str>,
) -> DomainResult<Vec<Line>> {
    let mut v = Validator::new();
    let ids: Vec<Uuid> = inputs.iter().filter_map(|p| p.product_id).collect();
    let products: std::collections::HashMap<Uuid, product::Model> = product::Entity::find()
        .filter(product::Column::AccountId.eq(actor.account_id.0))
        .filter(product::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let listed: std::collections::HashMap<Uuid, crate::price_lists::ListedPrice> = match price_list {
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
    let mut lines = Vec::with_capacity(inputs.len());
    for (i, p) in inputs.iter().enumerate() {
        let Some(line_kind) = kind_of_line(p.kind.as_deref()) else {
            v.push(
                &field(i, "kind"),
                FieldCode::NotOneOf { allowed: vec!["text_separator".into(), "subtotal".into()] },
            );
            continue;
        };
        let product = match p.product_id {
            Some(id) => match products.get(&id) {
                Some(prod) => Some(prod),
                None => {
                    v.push(&field(i, "productId"), FieldCode::Rule("unknown_product"));
                    continue;
                }
            },
            None => None,
        };
        let text = |given: &Option<String>, from_product: Option<&Option<String>>| {
            clean(given).or_else(|| from_product.and_then(|f| f.clone()))
        };
        let name = clean(&p.name).or_else(|| product.map(|x| x.name.clone()));
        if line_kind != LineKind::Normal {
            lines.push(Line {
                input: LineInput {
                    kind: line_kind,
                    quantity: Decimal::ZERO,
                    tax: Tax::Disabled,
                    price: Price::UnitNet(Decimal::ZERO),
                    discount: None,
                },
                product_id: None,
                name: name.unwrap_or_default(),
                description: clean(&p.description),
                code: None,
                quantity_unit: None,
                discount: None,
                discount_percent: None,
            });
            continue;
        }
        let Some(name) = name else {
            v.push(&field(i, "name"), FieldCode::Required);
            continue;
        };
        if name.chars().count() > MAX_LINE {
            v.push(&field(i, "name"), FieldCode::TooLong { max: MAX_LINE });
        }
        let quantity = p.quantity.unwrap_or(Decimal::ONE);
        // Only a credit note takes quantities back; elsewhere a quantity is positive.
        if kind != "correction" && quantity <= Decimal::ZERO {
            v.push(&field(i, "quantity"), FieldCode::Rule("positive_quantity"));
        }
        let listed_price = product.and_then(|prod| listed.get(&prod.id));
        // The tax of a listed price comes with it, unless the line gives one.
        let tax_text = p
            .tax
            .clone()
            .or_else(|| listed_price.map(|l| l.tax.clone()))
            .or_else(|| product.map(|x| x.tax.clone()))
            .or(default_tax.map(str::to_owned));
        let tax: Tax = match tax_text.as_deref().map(str::parse::<Tax>) {
            Some(Ok(t)) => t,
            Some(Err(_)) => {
                v.push(&field(i, "tax"), FieldCode::Rule("tax_value"));
                continue;
            }
            None => {
                v.push(&field(i, "tax"), FieldCode::Required);
                continue;
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
        let price = match given.as_slice() {
            [one] => Some(*one),
            [] => product.and_then(|prod| {
                // A listed price first, then the catalogue price, on the document's price kind.
                let (net, gross) = match listed_price.and_then(|l| l.prices) {
                    Some(u) => (Some(u.net), Some(u.gross)),
                    None => (
                        prod.price_net.as_deref().and_then(crate::validation::parse_decimal),
                        prod.price_gross.as_deref().and_then(crate::validation::parse_decimal),
                    ),
                };
                match strategy.price_kind {
                    PriceKind::Gross => gross.map(Price::UnitGross).or(net.map(Price::UnitNet)),
                    PriceKind::Net => net.map(Price::UnitNet).or(gross.map(Price::UnitGross)),
                }
            }),
            _ => {
                v.push(&field(i, "priceGross"), FieldCode::Rule("one_price"));
                continue;
            }
        };
        let Some(price) = price else {
            v.push(&field(i, "priceGross"), FieldCode::Required);
            continue;
        };
        if matches!(price, Price::UnitNet(x) | Price::UnitGross(x) | Price::TotalNet(x) | Price::TotalGross(x) if x < Decimal::ZERO)
        {
            v.push(&field(i, "priceGross"), FieldCode::OutOfRange { min: 0, max: i64::MAX });
        }
        let discount_value = match discount_kind {
            Some(DiscountKind::Amount) => p.discount,
            Some(_) => p.discount_percent,
            None => None,
        };
        lines.push(Line {
            input: LineInput { kind: LineKind::Normal, quantity, tax, price, discount: discount_value },
            product_id: product.map(|x| x.id),
            name,
            description: text(&p.description, product.map(|x| &x.description)),
            code: text(&p.code, product.map(|x| &x.code)),
            quantity_unit: text(&p.quantity_unit, product.map(|x| &x.quantity_unit)),
            discount: p.discount,
            discount_percent: p.discount_percent,
        });
    }
    v.finish()?;
    Ok(lines)
}

/// The stored lines of a document, as engine input (to recompute after a change that
/// leaves the positions alone, e.g. a new calculating strategy).
pub(super) async fn stored_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    dk: Option<DiscountKind>,
) -> DomainResult<Vec<Line>> {
    Ok(positions(db, actor, id)
        .await?
        .into_iter()
        .map(|p| {
            let discount = match dk {
                Some(DiscountKind::Amount) => p.discount.as_deref().map(dec),
                Some(_) => p.discount_percent.as_deref().map(dec),
                None => None,
            };
            Line {
                input: LineInput {
                    kind: kind_of_line(Some(&p.kind)).unwrap_or_default(),
                    quantity: dec(&p.quantity),
                    tax: p.tax.parse().unwrap_or(Tax::Disabled),
                    price: price_from_stored(&p.price_given, dec(&p.price_given_amount)),
                    discount,
                },
                product_id: p.product_id,
                name: p.name,
                description: p.description,
                code: p.code,
                quantity_unit: p.quantity_unit,
                discount: p.discount.as_deref().map(dec),
                discount_percent: p.discount_percent.as_deref().map(dec),
            }
        })
        .collect())
}
