//! Writing a document from its input: the buyer, the seller, dates, lines and amounts
//! from the tax engine, in one row and its positions; a new document issued at once is
//! numbered before its insert (see `issuing`).

use super::*;
use crate::vocabulary::{DocumentKind, DocumentState, DocumentStatus};

pub(super) fn engine_error(e: tax::TaxError) -> DomainError {
    let (i, name, code) = engine_problem(e);
    DomainError::Validation(vec![FieldError::new(field(i, name), code)])
}

/// Which line, field and rule a tax-engine refusal is about.
pub(super) fn engine_problem(e: tax::TaxError) -> (usize, &'static str, FieldCode) {
    match e {
        tax::TaxError::InvalidTax => (0, "tax", FieldCode::Rule("tax_value")),
        tax::TaxError::TotalWithZeroQuantity { line } => (line, "quantity", FieldCode::Rule("positive_quantity")),
        tax::TaxError::DiscountOutOfRange { line } => (line, "discount", FieldCode::Rule("discount_range")),
        tax::TaxError::Overflow { line } => (line, "quantity", FieldCode::InvalidDecimal),
    }
}

/// A document as `write` left it, with what it loaded on the way, so that issuing it
/// next reads none of it again.
pub(super) struct Written {
    pub doc: Model,
    pub account: crate::tables::account::Model,
    pub dept: department::Model,
    /// Whether a line bills something (not only separators and subtotals).
    pub billable: bool,
}

/// Writes a document from a validated input: `current` is None for a new one. A new
/// document to issue at once (`prepared.issue_now`) is numbered before it is inserted,
/// unless it links to another document (a final's advances, a credit note's invoice): one
/// `INSERT` of the issued row instead of an `INSERT` of a draft and an `UPDATE`.
pub(super) async fn write(
    db: &crate::db::WriteTxn,
    actor: &Actor,
    current: Option<Model>,
    input: &DocumentInput,
) -> DomainResult<Written> {
    let mut v = Validator::new();
    validate_scalars(input, &mut v);
    v.finish()?;
    let account = crate::accounts::find_account(db, actor.account_id).await?;
    let now = Utc::now();
    let is_new = current.is_none();
    let mut am: ActiveModel = match &current {
        Some(m) => m.clone().into(),
        None => blank(actor, &account, now),
    };
    let kind = input.kind.unwrap_or_else(|| current.as_ref().map_or(DocumentKind::Vat, |m| m.kind));
    am.kind = Set(kind);

    let dept = match (input.department_id, &current) {
        (Some(id), _) => crate::departments::require_in_account(db, actor, id, "input.department_id").await?,
        (None, Some(m)) => crate::departments::get(db, actor, m.department_id).await?,
        // The seed's `seller_name`: the department of that name, created if needed.
        (None, None) => match clean(&input.seller_name) {
            Some(name) => {
                let tax_no = clean(&input.seller_tax_no);
                crate::departments::find_or_create_by_name(db, actor, &name, tax_no.as_deref()).await?
            }
            None => crate::departments::main_of(db, actor.account_id).await?,
        },
    };
    set_seller(&mut am, &dept);
    if is_new && !actor.user_id.0.is_nil() {
        am.user_id = Set(Some(actor.user_id.0));
    }
    if let Some(id) = input.category_id {
        am.category_id = Set(Some(crate::categories::require_in_account(db, actor, id, "input.category_id").await?.id));
    } else if let Some(name) = &input.category_name {
        am.category_id = Set(match clean(&Some(name.clone())) {
            Some(n) => {
                Some(crate::categories::find_or_create(db, actor, &n).await.map_err(|e| e.prefixed("category"))?.id)
            }
            None => None,
        });
    }

    let mut price_list = input.price_list_id;
    let copied_buyer = match &input.prepared.buyer_snapshot {
        Some((client_id, fields)) if input.client.is_none() && input.buyer.has_no_identity() => {
            set_buyer(&mut am, &Buyer { client_id: *client_id, fields: fields.clone() });
            true
        }
        _ => false,
    };
    if !copied_buyer
        && (is_new || input.client.is_some() || !input.buyer.has_no_identity())
        && let Some((buyer, contact)) = resolve_buyer(db, actor, input).await?
    {
        set_buyer(&mut am, &buyer);
        if let Some(c) = contact {
            if price_list.is_none() && input.use_prices_from_price_lists {
                price_list = c.price_list_id;
            }
            if input.payment_type.is_none() && is_new {
                am.payment_type = Set(c.default_payment_type.clone());
            }
        }
    }
    if let Some(list) = price_list {
        crate::price_lists::require_in_account(db, actor, list, "input.price_list_id").await?;
    }
    if !input.use_prices_from_price_lists {
        price_list = None;
    }

    // Dates: today in the account's time zone, due in 5 days unless told otherwise (seed).
    let issue_date = input.issue_date.or(current.as_ref().map(|m| m.issue_date)).unwrap_or_else(|| today(&account));
    am.issue_date = Set(issue_date);
    if let Some(s) = &input.sell_date {
        am.sell_date = Set(clean(&Some(s.clone())));
    } else if is_new {
        am.sell_date = Set(Some(issue_date.format("%Y-%m-%d").to_string()));
    }
    let kind_text = match (&input.payment_to, clean(&input.payment_to_kind)) {
        (Some(_), _) => Some("other_date".to_owned()),
        (None, Some(k)) => Some(k),
        (None, None) if is_new => Some(DEFAULT_PAYMENT_DAYS.to_string()),
        (None, None) => current.as_ref().and_then(|m| m.payment_to_kind.clone()),
    };
    let payment_to = match kind_text.as_deref() {
        Some("off") => None,
        Some("other_date") => input.payment_to.or(current.as_ref().and_then(|m| m.payment_to)),
        Some(days) => days.parse::<i64>().ok().map(|d| issue_date + Duration::days(d)),
        None => None,
    };
    if kind_text.as_deref() == Some("other_date") && payment_to.is_none() {
        return Err(DomainError::field("input.payment_to", FieldCode::Required));
    }
    am.payment_to_kind = Set(kind_text);
    am.payment_to = Set(payment_to);

    for (dst, src) in [
        (&mut am.place, &input.place),
        (&mut am.payment_type, &input.payment_type),
        (&mut am.description, &input.description),
        (&mut am.internal_note, &input.internal_note),
        (&mut am.oid, &input.oid),
    ] {
        if src.is_some() {
            *dst = Set(clean(src));
        }
    }
    if let Some(c) = &input.currency {
        am.currency = Set(crate::Currency::given("input.currency", c)?);
    }
    if let Some(l) = clean(&input.lang) {
        am.lang = Set(l);
    } else if is_new {
        am.lang = Set(dept.invoice_lang.clone().unwrap_or(account.language.clone()));
    }
    for (dst, src) in [
        (&mut am.income, input.income),
        (&mut am.test, input.test),
        (&mut am.show_discount, input.show_discount),
        (&mut am.reverse_charge, input.reverse_charge),
    ] {
        if let Some(b) = src {
            *dst = Set(b);
        }
    }
    if let Some(d) = input.discount_kind {
        am.discount_kind = Set(Some(d.as_str().to_owned()));
    }

    // Positions and amounts.
    let discount_kind = input.discount_kind.or(current.as_ref().and_then(stored_discount_kind));
    // Without a requested strategy, new positions typed gross only keep the gross amounts,
    // other new positions are computed from net; unchanged positions keep the stored one.
    let gross_only = |ps: &[PositionInput]| {
        ps.iter().any(|p| p.price_gross.is_some() || p.total_price_gross.is_some())
            && ps.iter().all(|p| p.price_net.is_none() && p.total_price_net.is_none())
    };
    // Position updates by id change some lines of the document: its strategy stays.
    let patching = input.positions.as_ref().is_some_and(|ps| ps.iter().any(|p| p.id.is_some() || p.destroy));
    let strategy = match (input.calculating_strategy, &current, &input.positions) {
        (Some(s), _, _) => s,
        (None, Some(m), None) => stored_strategy(m),
        (None, Some(m), Some(_)) if patching => stored_strategy(m),
        (None, Some(m), Some(ps)) => {
            let stored = stored_strategy(m);
            // Only an inferred strategy is inferred again; a chosen one stays.
            if stored == CalculatingStrategy::GROSS || stored == CalculatingStrategy::default() {
                if gross_only(ps) { CalculatingStrategy::GROSS } else { CalculatingStrategy::default() }
            } else {
                stored
            }
        }
        (None, None, Some(ps)) if gross_only(ps) => CalculatingStrategy::GROSS,
        (None, None, _) => CalculatingStrategy::default(),
    };
    let (p, s, k) = strategy.names();
    am.calc_position = Set(p.into());
    am.calc_sum = Set(s.into());
    am.calc_price_kind = Set(k.into());
    // Reverse charge (seed `reverse_charge`): the VAT is due by the buyer, so the document
    // charges none — every line is "not subject" (`np`), whatever tax it or its product has.
    let reverse_charge = value_of(&am.reverse_charge);
    let default_tax = if reverse_charge { Some("np") } else { dept.default_tax.as_deref() };
    let mut lines = match (&input.positions, &input.prepared.lines) {
        (Some(inputs), _) if patching => match &current {
            Some(m) => {
                patch_lines(db, actor, m, inputs, kind, &strategy, discount_kind, price_list, default_tax).await?
            }
            None => return Err(DomainError::field("input.positions.0.id", FieldCode::Rule("unknown_position"))),
        },
        (Some(inputs), _) => {
            resolve_lines(db, actor, kind, &strategy, discount_kind, inputs, price_list, default_tax).await?
        }
        (None, Some(prepared)) => prepared.clone(),
        (None, None) => match &current {
            Some(m) => stored_lines(db, actor, m.id, discount_kind).await?,
            None => Vec::new(),
        },
    };
    let income = input.income.or(current.as_ref().map(|m| m.income)).unwrap_or(true);
    if is_new && income && account.add_products_to_catalogue && catalogue_kind(kind) && input.positions.is_some() {
        catalogue::add_new_products(db, actor, &mut lines).await?;
    }
    if reverse_charge {
        for l in lines.iter_mut().filter(|l| l.input.kind == LineKind::Normal) {
            l.input.tax = Tax::NotSubject;
            for c in &mut l.children {
                c.input.tax = Tax::NotSubject;
            }
        }
        if is_new && clean(&input.description).is_none() {
            am.description =
                Set(Some(crate::texts::Lang::of_document(&value_of(&am.lang)).reverse_charge_mention().into()));
        }
    }
    // A final invoice's deductions always come from the advances linked to it.
    lines.retain(|l| l.stored_kind != "advance_deduction");
    if kind == DocumentKind::Final {
        let advances = match (&input.prepared.advances, &current) {
            (Some(a), _) => a.clone(),
            (None, Some(m)) => flows::deducted_advances(db, actor, m.id).await?,
            (None, None) => Vec::new(),
        };
        let lang = value_of(&am.lang);
        lines.extend(flows::deduction_lines(db, actor, &advances, &strategy, &lang).await?);
    }

    input.texts.apply(&mut am);
    input.flags.apply(&mut am);
    if let Some(v) = input.prime_cee_value {
        am.prime_cee_value = Set(Some(tax::round2(v).into()));
    }
    if let Some(r) = input.exchange_currency_rate {
        am.exchange_currency_rate = Set(Some(r.normalize().into()));
    }
    if let Some(from) = input.from_invoice_id.or(input.copy_from) {
        am.from_invoice_id = Set(Some(from));
    }
    if let Some(id) = input.invoice_id {
        am.invoice_id = Set(Some(id));
    }
    if is_new && input.status == Some(DocumentStatus::Incomplete) {
        am.status = Set(DocumentStatus::Incomplete);
    }
    if is_new && input.fill_default_descriptions && clean(&input.description).is_none() {
        am.description = Set(dept.invoice_description.clone());
    }
    am.sell_on = Set(value_of(&am.sell_date).as_deref().and_then(sell_on));
    if input.identify_oss {
        am.use_oss = Set(is_oss_sale(&am));
    }
    check_combined_fields(&am)?;
    if input.oid_unique {
        check_oid_unique(db, actor, &am).await?;
    }

    let engine: Vec<LineInput> = lines.iter().map(|l| l.input).collect();
    let amounts = tax::compute(&engine, &strategy, discount_kind).map_err(engine_error)?;
    am.price_net = Set(amounts.net.into());
    am.price_tax = Set(amounts.tax.into());
    am.price_gross = Set(amounts.gross.into());
    for (dst, amount) in
        [(&mut am.net_cents, amounts.net), (&mut am.tax_cents, amounts.tax), (&mut am.gross_cents, amounts.gross)]
    {
        *dst = Set(tax::cents(amount).ok_or(DomainError::field("input.positions", FieldCode::InvalidDecimal))?);
    }
    am.updated_at = Set(now);
    let billable = lines.iter().any(|l| is_billable(l.stored_kind));
    // A document linked to another (a credit note, an advance) is numbered after the
    // insert as before: `check_limits` locks the linked document first, and every path
    // must take that lock before the series' (issuing a draft, cancelling), or two of them
    // deadlock on PostgreSQL.
    let numbered =
        is_new && input.prepared.issue_now && input.prepared.advances.is_none() && input.invoice_id.is_none();
    if numbered {
        check_issuable(&am, &account, billable)?;
        take_number(db, actor, &mut am, &dept).await?;
    }
    let saved = if is_new { am.insert(db).await? } else { am.update(db).await? };
    store_lines(db, actor, &saved, is_new, &lines, &amounts.lines).await?;
    Ok(Written { doc: saved, account, dept, billable })
}

/// A line that bills something: not a text separator, not a subtotal.
pub(super) fn is_billable(stored_kind: &str) -> bool {
    stored_kind != "text_separator" && stored_kind != "subtotal"
}

pub(super) fn blank(actor: &Actor, account: &crate::tables::account::Model, now: chrono::DateTime<Utc>) -> ActiveModel {
    let zero = crate::money::Money::from(tax::round2(Decimal::ZERO));
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        department_id: Set(Uuid::nil()),
        client_id: Set(None),
        kind: Set(DocumentKind::Vat),
        income: Set(true),
        test: Set(false),
        state: Set(DocumentState::Draft),
        status: Set(DocumentStatus::Draft),
        number: Set(None),
        series_key: Set(None),
        number_counter: Set(None),
        issue_date: Set(now.date_naive()),
        payment_to: Set(None),
        buyer_company: Set(true),
        show_discount: Set(false),
        reverse_charge: Set(false),
        currency: Set(account.currency),
        lang: Set(account.language.clone()),
        calc_position: Set("default".into()),
        calc_sum: Set("sum".into()),
        calc_price_kind: Set("net".into()),
        price_net: Set(zero),
        price_tax: Set(zero),
        price_gross: Set(zero),
        paid: Set(zero),
        paid_date: Set(None),
        view_token: Set(crate::secret::generate("")),
        description: Set(None),
        internal_note: Set(None),
        sell_date: Set(None),
        payment_to_kind: Set(None),
        place: Set(None),
        payment_type: Set(None),
        oid: Set(None),
        discount_kind: Set(None),
        buyer_name: Set(None),
        buyer_first_name: Set(None),
        buyer_last_name: Set(None),
        buyer_tax_no: Set(None),
        buyer_tax_no_kind: Set(None),
        buyer_post_code: Set(None),
        buyer_city: Set(None),
        buyer_street: Set(None),
        buyer_country: Set(None),
        buyer_email: Set(None),
        buyer_phone: Set(None),
        seller_name: Set(None),
        seller_tax_no: Set(None),
        seller_tax_no_kind: Set(None),
        seller_post_code: Set(None),
        seller_city: Set(None),
        seller_street: Set(None),
        seller_country: Set(None),
        seller_email: Set(None),
        seller_phone: Set(None),
        seller_bank: Set(None),
        seller_bank_account: Set(None),
        seller_bank_swift: Set(None),
        seller_person: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        issued_at: Set(None),
        // The flow and additional fields take their column defaults (NULL, false).
        ..Default::default()
    }
}
