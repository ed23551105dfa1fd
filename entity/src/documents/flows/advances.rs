//! Advance invoices from an estimate (by percent or amount, split over its VAT rates) and
//! the final invoice's deductions of them (negative lines per rate, each advance once).

use super::*;

/// The advance's lines: the amount split over the source's VAT rates in proportion to
/// their gross amounts, the last rate taking the rounding remainder.
pub(super) async fn advance_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    src: &Model,
    adv: &AdvanceInput,
    lang: &str,
) -> DomainResult<Vec<Line>> {
    let total = src.price_gross.value();
    let target = match adv.mode {
        AdvanceMode::Percent => {
            if adv.value <= Decimal::ZERO || adv.value > Decimal::ONE_HUNDRED {
                return Err(DomainError::field("input.advance_value", FieldCode::OutOfRange { min: 0, max: 100 }));
            }
            tax::round2(total * adv.value / Decimal::ONE_HUNDRED)
        }
        AdvanceMode::Amount => {
            if adv.value <= Decimal::ZERO || adv.value.scale() > 2 && adv.value != tax::round2(adv.value) {
                return Err(DomainError::field("input.advance_value", FieldCode::Rule("positive_amount")));
            }
            tax::round2(adv.value)
        }
    };
    let already = linked_issued_gross(db, actor, src.id, DocumentKind::Advance, None).await?;
    if target > total - already {
        return Err(DomainError::field("input.advance_value", FieldCode::Rule("advance_exceeds_estimate")));
    }
    let number = src.number.clone().unwrap_or_default();
    let percent = (adv.mode == AdvanceMode::Percent).then_some(adv.value);
    let name = clean(&adv.position_name).unwrap_or_else(|| Lang::of_document(lang).advance_line(percent, &number));
    let rows: Vec<tax::TaxSummaryRow> =
        tax_summary(db, actor, src).await?.into_iter().filter(|r| !r.gross.is_zero()).collect();
    if rows.is_empty() || total <= Decimal::ZERO {
        return Err(DomainError::field("input.copy_from", FieldCode::Rule("nothing_to_advance")));
    }
    let several = rows.len() > 1;
    // Each rate's share rounded to the cent; the rounding remainder (a few cents at most)
    // goes to the largest rate, so no share turns negative.
    let mut shares: Vec<Decimal> = rows.iter().map(|r| tax::round2(target * r.gross / total)).collect();
    let remainder = target - shares.iter().copied().sum::<Decimal>();
    let largest = (0..rows.len()).max_by_key(|&i| rows[i].gross).unwrap_or(0);
    shares[largest] += remainder;
    let lines = rows
        .iter()
        .zip(shares)
        .filter(|(_, share)| !share.is_zero())
        .map(|(r, share)| {
            let label = if several { format!("{name} ({})", r.tax) } else { name.clone() };
            Line::built("normal", label, Decimal::ONE, r.tax, Price::TotalGross(share))
        })
        .collect();
    Ok(lines)
}

/// The advances a new final invoice deducts: the ones named (issued advances of this
/// account, not deducted yet, of the same estimate when the final has one), or by default
/// every issued advance of its estimate not deducted yet.
pub(super) async fn advances_to_deduct(
    db: &impl ConnectionTrait,
    actor: &Actor,
    named: Option<&[Uuid]>,
    estimate: Option<Uuid>,
) -> DomainResult<Vec<Model>> {
    let deducted: Vec<Uuid> =
        final_advance::Entity::find_in(actor).all(db).await?.into_iter().map(|l| l.advance_id).collect();
    let Some(ids) = named else {
        let Some(estimate) = estimate else { return Ok(Vec::new()) };
        return Ok(standing_linked(actor, estimate, DocumentKind::Advance)
            .order_by_asc(Column::IssueDate)
            .order_by_asc(Column::NumberCounter)
            .all(db)
            .await?
            .into_iter()
            .filter(|a| !deducted.contains(&a.id))
            .collect());
    };
    let mut v = Validator::new();
    let mut out: Vec<Model> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let f = format!("input.invoice_ids.{i}");
        let a = referenced_document(db, actor, *id, &f).await?;
        if a.kind != DocumentKind::Advance {
            v.push(&f, FieldCode::Rule("not_an_advance"));
        } else if a.state != DocumentState::Issued || a.status == DocumentStatus::Cancelled {
            v.push(&f, FieldCode::Rule("source_not_issued"));
        } else if deducted.contains(&a.id) || out.iter().any(|o| o.id == a.id) {
            v.push(&f, FieldCode::Rule("advance_already_deducted"));
        } else if estimate.is_some() && a.invoice_id != estimate {
            v.push(&f, FieldCode::Rule("advance_of_other_estimate"));
        } else {
            out.push(a);
        }
    }
    v.finish()?;
    Ok(out)
}

/// The advances linked to a final invoice, in the order they were given.
pub(crate) async fn deducted_advances(
    db: &impl ConnectionTrait,
    actor: &Actor,
    final_id: Uuid,
) -> DomainResult<Vec<Model>> {
    let links = final_advance::Entity::find_in(actor)
        .filter(final_advance::Column::FinalId.eq(final_id))
        .order_by_asc(final_advance::Column::Id)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(links.len());
    for l in links {
        out.push(get(db, actor, l.advance_id).await?);
    }
    Ok(out)
}

/// One negative line per VAT rate of each advance, on the final invoice's basis (net or
/// gross), so that the final's totals are what is left to invoice.
pub(crate) async fn deduction_lines(
    db: &impl ConnectionTrait,
    actor: &Actor,
    advances: &[Model],
    strategy: &CalculatingStrategy,
    lang: &str,
) -> DomainResult<Vec<Line>> {
    let gross_basis = strategy.position == tax::PositionStrategy::KeepGross;
    let mut lines = Vec::new();
    for a in advances {
        let number = a.number.clone().unwrap_or_default();
        let name = Lang::of_document(lang).advance_deduction_line(&number, a.issue_date);
        for r in tax_summary(db, actor, a).await? {
            let price = if gross_basis { Price::TotalGross(-r.gross) } else { Price::TotalNet(-r.net) };
            lines.push(Line::built("advance_deduction", name.clone(), Decimal::NEGATIVE_ONE, r.tax, price));
        }
    }
    Ok(lines)
}

/// Records the advances a new final invoice deducts. The unique index on the advance
/// settles a race between two finals naming the same advance.
pub(crate) async fn link_advances(
    db: &impl ConnectionTrait,
    actor: &Actor,
    final_id: Uuid,
    advances: &[Model],
) -> DomainResult<()> {
    for (i, a) in advances.iter().enumerate() {
        let row = final_advance::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(actor.account_id.0),
            final_id: Set(final_id),
            advance_id: Set(a.id),
        };
        row.insert(db).await.on_unique(|| {
            DomainError::field(format!("input.invoice_ids.{i}"), FieldCode::Rule("advance_already_deducted"))
        })?;
    }
    Ok(())
}
