//! Billing documents: drafts, issuing (numbering), freezing, reading and listing.
//!
//! A document is created as a **draft** (editable, no number) or issued at once. Issuing
//! takes the next number of its series (`number_series`) in the same transaction and
//! copies the seller's details from the department. An issued **fiscal** document
//! (`FISCAL_KINDS`) is frozen: it can be neither changed nor deleted (corrections are
//! credit notes). Non-fiscal kinds (estimates, proformas, orders, work orders) stay
//! editable. Amounts always come from the tax engine (`tax::compute`).

use crate::db::{begin_write, value_of};
use crate::error::{ConflictKind, DomainError, DomainResult, FieldCode, FieldError};
use crate::numbering::{Pattern, default_pattern};
use crate::pagination::{Page, PageRequest};
use crate::tables::document::{ActiveModel, Column, Entity, Model};
use crate::tables::{client, department, document_position as pos, product};
use crate::tax::{self, CalculatingStrategy, DiscountKind, LineInput, LineKind, Price, PriceKind, Tax};
use crate::tenant::Actor;
use crate::validation::{MAX_LINE, MAX_TEXT, Validator, clean};
use chrono::{Datelike, Duration, NaiveDate, SubsecRound, Utc};
use rust_decimal::Decimal;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// Every document kind of the seed.
pub const KINDS: [&str; 13] = [
    "vat",
    "proforma",
    "advance",
    "final",
    "correction",
    "receipt",
    "invoice_other",
    "estimate",
    "client_order",
    "maintenance_request",
    "payment_receipt",
    "kp",
    "kw",
];

/// Kinds that record a sale or a payment: once issued they are frozen and, later, sealed.
pub const FISCAL_KINDS: [&str; 9] =
    ["vat", "advance", "final", "correction", "receipt", "invoice_other", "payment_receipt", "kp", "kw"];

pub const DEFAULT_PAYMENT_DAYS: i64 = 5;

pub fn is_fiscal(kind: &str) -> bool {
    FISCAL_KINDS.contains(&kind)
}

/// The seed's `sum_recovery` values, `exchange_kind` values and the one forced `accounting_status`.
pub const SUM_RECOVERY: [&str; 2] = ["client_professionnel", "client_particulier"];
pub const EXCHANGE_KINDS: [&str; 7] = ["ecb", "nbp", "cbr", "nbu", "nbg", "nbt", "own"];
pub const ACCOUNTING_STATUSES: [&str; 1] = ["exported"];

fn field(i: usize, name: &str) -> String {
    format!("input.positions.{i}.{name}")
}

fn stored_strategy(m: &Model) -> CalculatingStrategy {
    CalculatingStrategy::from_names(&m.calc_position, &m.calc_sum, &m.calc_price_kind)
}

fn stored_discount_kind(m: &Model) -> Option<DiscountKind> {
    m.discount_kind.as_deref().and_then(DiscountKind::parse)
}

/// `YYYY-MM-DD`, `YYYY-MM` or `off` (the seed's sell date).
pub fn is_sell_date(s: &str) -> bool {
    s == "off"
        || NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
        || NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").is_ok() && s.len() == 7
}

fn dec(s: &str) -> Decimal {
    crate::validation::parse_decimal(s).unwrap_or_default()
}

mod buyer;
mod catalogue;
pub mod completion;
pub mod flows;
mod lines;
mod listing;
pub mod printing;

use buyer::*;
use lines::*;
pub use listing::*;

mod checks;
mod input;
mod reads;

use checks::*;
pub use input::*;
pub use reads::*;

fn engine_error(e: tax::TaxError) -> DomainError {
    let (i, name, code) = engine_problem(e);
    DomainError::Validation(vec![FieldError::new(field(i, name), code)])
}

/// Which line, field and rule a tax-engine refusal is about.
fn engine_problem(e: tax::TaxError) -> (usize, &'static str, FieldCode) {
    match e {
        tax::TaxError::InvalidTax => (0, "tax", FieldCode::Rule("tax_value")),
        tax::TaxError::TotalWithZeroQuantity { line } => (line, "quantity", FieldCode::Rule("positive_quantity")),
        tax::TaxError::DiscountOutOfRange { line } => (line, "discount", FieldCode::Rule("discount_range")),
        tax::TaxError::Overflow { line } => (line, "quantity", FieldCode::InvalidDecimal),
    }
}

/// Today in the account's time zone (a document's default issue date).
pub(crate) fn today(account: &crate::tables::account::Model) -> NaiveDate {
    let tz: chrono_tz::Tz = account.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    Utc::now().with_timezone(&tz).date_naive()
}

/// A document as `write` left it, with what it loaded on the way, so that issuing it
/// next reads none of it again.
pub(super) struct Written {
    pub doc: Model,
    account: crate::tables::account::Model,
    dept: department::Model,
    /// Whether a line bills something (not only separators and subtotals).
    billable: bool,
}

/// Writes a document from a validated input: `current` is None for a new one. A new
/// document to issue at once (`prepared.issue_now`) is numbered before it is inserted,
/// unless it links to another document (a final's advances, a credit note's invoice): one
/// `INSERT` of the issued row instead of an `INSERT` of a draft and an `UPDATE`.
async fn write(
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
    let kind = input.kind.clone().unwrap_or_else(|| current.as_ref().map(|m| m.kind.clone()).unwrap_or("vat".into()));
    am.kind = Set(kind.clone());

    let dept = match (input.department_id, &current) {
        (Some(id), _) => crate::departments::require_in_account(db, actor, id, "input.departmentId").await?,
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
        am.category_id = Set(Some(crate::categories::require_in_account(db, actor, id, "input.categoryId").await?.id));
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
        crate::price_lists::require_in_account(db, actor, list, "input.priceListId").await?;
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
        return Err(DomainError::field("input.paymentTo", FieldCode::Required));
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
        am.currency = Set(c.clone());
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
                patch_lines(db, actor, m, inputs, &kind, &strategy, discount_kind, price_list, default_tax).await?
            }
            None => return Err(DomainError::field("input.positions.0.id", FieldCode::Rule("unknown_position"))),
        },
        (Some(inputs), _) => {
            resolve_lines(db, actor, &kind, &strategy, discount_kind, inputs, price_list, default_tax).await?
        }
        (None, Some(prepared)) => prepared.clone(),
        (None, None) => match &current {
            Some(m) => stored_lines(db, actor, m.id, discount_kind).await?,
            None => Vec::new(),
        },
    };
    let income = input.income.or(current.as_ref().map(|m| m.income)).unwrap_or(true);
    if is_new && income && account.add_products_to_catalogue && catalogue_kind(&kind) && input.positions.is_some() {
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
            let french = value_of(&am.lang).starts_with("fr");
            am.description = Set(Some(
                if french {
                    "Mécanisme d'autoliquidation : la TVA est due par le preneur assujetti"
                } else {
                    "Reverse charge: the VAT is due by the taxable customer"
                }
                .into(),
            ));
        }
    }
    // A final invoice's deductions always come from the advances linked to it.
    lines.retain(|l| l.stored_kind != "advance_deduction");
    if kind == "final" {
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
        am.prime_cee_value = Set(Some(tax::round2(v).to_string()));
    }
    if let Some(r) = input.exchange_currency_rate {
        am.exchange_currency_rate = Set(Some(r.normalize().to_string()));
    }
    if let Some(from) = input.from_invoice_id.or(input.copy_from) {
        am.from_invoice_id = Set(Some(from));
    }
    if let Some(id) = input.invoice_id {
        am.invoice_id = Set(Some(id));
    }
    if is_new && input.status.as_deref() == Some("incomplete") {
        am.status = Set("incomplete".into());
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
    am.price_net = Set(amounts.net.to_string());
    am.price_tax = Set(amounts.tax.to_string());
    am.price_gross = Set(amounts.gross.to_string());
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
fn is_billable(stored_kind: &str) -> bool {
    stored_kind != "text_separator" && stored_kind != "subtotal"
}

fn blank(actor: &Actor, account: &crate::tables::account::Model, now: chrono::DateTime<Utc>) -> ActiveModel {
    let zero = tax::round2(Decimal::ZERO).to_string();
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        department_id: Set(Uuid::nil()),
        client_id: Set(None),
        kind: Set("vat".into()),
        income: Set(true),
        test: Set(false),
        state: Set("draft".into()),
        status: Set("draft".into()),
        number: Set(None),
        series_key: Set(None),
        number_counter: Set(None),
        issue_date: Set(now.date_naive()),
        payment_to: Set(None),
        buyer_company: Set(true),
        show_discount: Set(false),
        reverse_charge: Set(false),
        currency: Set(account.currency.clone()),
        lang: Set(account.language.clone()),
        calc_position: Set("default".into()),
        calc_sum: Set("sum".into()),
        calc_price_kind: Set("net".into()),
        price_net: Set(zero.clone()),
        price_tax: Set(zero.clone()),
        price_gross: Set(zero.clone()),
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

/// The series a document is numbered in: its kind, test documents apart; a department
/// with its own numbering (`use_pattern`) has its own series, with its pattern for the
/// kind or the default one.
async fn series_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: &str,
    test: bool,
    dept: &department::Model,
) -> DomainResult<(String, Pattern)> {
    let (mut key, mut base) = (kind.to_owned(), default_pattern(kind).to_owned());
    // Only a pattern of its own gives a department its own series: with the default
    // pattern, a series apart would print the account's numbers a second time.
    if dept.use_pattern
        && let Some(p) = crate::departments::patterns_of(db, actor, dept.id).await?.into_iter().find(|p| p.kind == kind)
    {
        key = format!("department:{}:{}", dept.id, kind);
        base = p.pattern;
    }
    if test {
        key.push_str(":test");
        base = format!("TEST-{base}");
    }
    // Patterns are checked when saved; a stored one that no longer parses (or is too
    // long with its test prefix) falls back to the kind's default rather than blocking.
    let pattern = base.parse().or_else(|_| default_pattern(kind).parse()).expect("valid default pattern");
    Ok((key, pattern))
}

/// Numbers a stored draft (see `issue_written`).
async fn issue_in(txn: &crate::db::WriteTxn, actor: &Actor, m: Model) -> DomainResult<Model> {
    let billable = positions(txn, actor, m.id).await?.iter().any(|p| is_billable(&p.kind));
    let account = crate::accounts::find_account(txn, actor.account_id).await?;
    let dept = crate::departments::get(txn, actor, m.department_id).await?;
    issue_written(txn, actor, Written { doc: m, account, dept, billable }).await
}

/// Numbers a draft just written: checks it can be issued, takes the next number of its
/// series, copies the seller's current details. Runs in the caller's write transaction.
async fn issue_written(txn: &crate::db::WriteTxn, actor: &Actor, written: Written) -> DomainResult<Model> {
    let Written { doc: m, account, dept, billable } = written;
    let mut am: ActiveModel = m.clone().into();
    check_issuable(&am, &account, billable)?;
    flows::check_limits(txn, actor, &m).await?;
    take_number(txn, actor, &mut am, &dept).await?;
    let issued = am.update(txn).await?;
    after_issue(txn, actor, &issued).await?;
    Ok(issued)
}

/// Whether a document can be issued as it stands: a draft, with a buyer when fiscal,
/// something billed, not dated in the future. The one place of these rules, for a draft
/// issued later and for a document issued as it is created.
fn check_issuable(am: &ActiveModel, account: &crate::tables::account::Model, billable: bool) -> DomainResult<()> {
    if value_of(&am.state) != "draft" {
        return Err(DomainError::conflict(ConflictKind::DocumentIssued, Some("id")));
    }
    let mut v = Validator::new();
    if is_fiscal(&value_of(&am.kind)) && value_of(&am.buyer_name).as_deref().is_none_or(|n| n.trim().is_empty()) {
        v.push("input.buyerName", FieldCode::Required);
    }
    if !billable {
        v.push("input.positions", FieldCode::Required);
    }
    // Never issued in the future: a mistyped year would block the series until then,
    // since dates cannot go backwards in a series.
    if value_of(&am.issue_date) > today(account) {
        v.push("input.issueDate", FieldCode::Rule("issue_date_in_future"));
    }
    v.finish()
}

/// Takes the next number of the document's series and marks it issued, with the seller's
/// current details.
async fn take_number(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    am: &mut ActiveModel,
    dept: &department::Model,
) -> DomainResult<()> {
    let (kind, test, issue_date) = (value_of(&am.kind), value_of(&am.test), value_of(&am.issue_date));
    let (series, pattern) = series_of(txn, actor, &kind, test, dept).await?;
    let allocated = crate::number_series::allocate(txn, actor.account_id, &series, &pattern, issue_date).await?;
    set_seller(am, dept);
    am.number = Set(Some(allocated.number));
    am.number_counter = Set(Some(allocated.counter));
    am.series_key = Set(Some(series));
    am.state = Set("issued".into());
    am.status = Set("issued".into());
    // Microseconds: what PostgreSQL keeps, so the sealed form reads back as it is stored.
    let now = Utc::now().trunc_subsecs(6);
    am.issued_at = Set(Some(now));
    am.updated_at = Set(now);
    Ok(())
}

/// What follows an issue in its transaction: the seal noted for the commit, the journal's
/// test-mode event, an invoice's amount to pay after a credit note.
async fn after_issue(txn: &crate::db::WriteTxn, actor: &Actor, issued: &Model) -> DomainResult<()> {
    // Sealed when this transaction commits (see `db::WriteTxn`): issued and sealed together.
    if is_fiscal(&issued.kind) {
        txn.pending().document(actor.account_id, issued.id);
    }
    if issued.test {
        let number = issued.number.clone().unwrap_or_default();
        let event = crate::journal::Event::TestModeUsed { document: issued.id, number };
        crate::journal::record(txn, actor.account_id, &crate::journal::Origin::of(actor), event);
    }
    if let (true, Some(invoice)) = (issued.kind == "correction", issued.invoice_id) {
        crate::payments::refresh_after_credit(txn, actor, invoice).await?;
    }
    Ok(())
}

/// Creates a document in the caller's write transaction: flows first (copy, advance,
/// final, credit note), then the document, its links and limits, then its number.
async fn create_in(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    mut input: DocumentInput,
    issue: bool,
) -> DomainResult<Model> {
    // Each step boxed: a flow (a cancellation issuing its credit note) nests these, and
    // their states inline made debug builds overflow a server worker's 2 MiB stack.
    input.prepared.issue_now = issue;
    Box::pin(flows::prepare(txn, actor, &mut input)).await?;
    let written = Box::pin(write(txn, actor, None, &input)).await?;
    if let Some(advances) = &input.prepared.advances {
        Box::pin(flows::link_advances(txn, actor, written.doc.id, advances)).await?;
    }
    Box::pin(flows::check_limits(txn, actor, &written.doc)).await?;
    match issue {
        // Numbered as it was written (see `write`).
        true if written.doc.state == "issued" => {
            Box::pin(after_issue(txn, actor, &written.doc)).await?;
            Ok(written.doc)
        }
        true => Box::pin(issue_written(txn, actor, written)).await,
        false => Ok(written.doc),
    }
}

/// Creates a document as a draft, or issued when `issue` is true.
pub async fn create(db: &DatabaseConnection, actor: &Actor, input: DocumentInput, issue: bool) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let doc = create_in(&txn, actor, input, issue).await?;
    txn.commit().await?;
    Ok(doc)
}

/// Creates several documents in one write transaction, all or none, each exactly as
/// `create` would (flows, numbering, sealing when the transaction commits): one commit and
/// one move of each chain head for all of them. For the bench's data generator and for
/// imports; a request creates one document.
pub async fn create_all(
    db: &DatabaseConnection,
    actor: &Actor,
    inputs: Vec<DocumentInput>,
    issue: bool,
) -> DomainResult<usize> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let count = inputs.len();
    for input in inputs {
        create_in(&txn, actor, input, issue).await?;
    }
    txn.commit().await?;
    Ok(count)
}

/// Issues a draft: it gets its number and, for fiscal kinds, is frozen from then on.
pub async fn issue(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let doc = get_for_update(&txn, actor, id).await?;
    let doc = issue_in(&txn, actor, doc).await?;
    txn.commit().await?;
    Ok(doc)
}

/// Changes a draft, or an issued non-fiscal document. An issued fiscal document is frozen.
pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, input: DocumentInput) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state == "issued" && is_fiscal(&current.kind) {
        return Err(DomainError::Sealed(crate::SealedRecord::Document));
    }
    if current.status == "cancelled" {
        return Err(DomainError::conflict(ConflictKind::DocumentCancelled, Some("id")));
    }
    // Flows happen when a document is created; its links never change afterwards.
    let mut v = Validator::new();
    for (given, name) in [
        (input.copy_from.is_some(), "input.copyFrom"),
        (input.advance.is_some(), "input.advanceCreationMode"),
        (input.advance_ids.is_some(), "input.invoiceIds"),
        (input.total_correction.is_some(), "input.totalCorrection"),
        (input.invoice_id.is_some(), "input.invoiceId"),
        (input.from_invoice_id.is_some(), "input.fromInvoiceId"),
        (input.status.is_some(), "input.status"),
        (input.oid_unique, "input.oidUnique"),
        (input.seller_name.is_some(), "input.sellerName"),
    ] {
        if given {
            v.push(name, FieldCode::Rule("creation_only"));
        }
    }
    // A linked document keeps the kind its link was checked for; an invoice to complete
    // stays an invoice.
    if input.kind.as_ref().is_some_and(|k| k != &current.kind)
        && (current.kind == "final"
            || input.kind.as_deref() == Some("final")
            || current.invoice_id.is_some()
            || current.status == "incomplete")
    {
        v.push("input.kind", FieldCode::Rule("kind_fixed"));
    }
    if input.currency.as_ref().is_some_and(|c| c != &current.currency) && current.invoice_id.is_some() {
        v.push("input.currency", FieldCode::Rule("currency_mismatch"));
    }
    v.finish()?;
    if current.state == "issued" {
        // An issued document keeps what its number stands on: kind, date, series, seller.
        let mut v = Validator::new();
        if input.kind.as_ref().is_some_and(|k| k != &current.kind) {
            v.push("input.kind", FieldCode::Rule("fixed_once_issued"));
        }
        if input.issue_date.is_some_and(|d| d != current.issue_date) {
            v.push("input.issueDate", FieldCode::Rule("fixed_once_issued"));
        }
        if input.test.is_some_and(|t| t != current.test) {
            v.push("input.test", FieldCode::Rule("fixed_once_issued"));
        }
        if input.department_id.is_some_and(|d| d != current.department_id) {
            v.push("input.departmentId", FieldCode::Rule("fixed_once_issued"));
        }
        v.finish()?;
    }
    let before = current.clone();
    let doc = write(&txn, actor, Some(current), &input).await?.doc;
    flows::check_advances_still_covered(&txn, actor, &doc).await?;
    flows::check_limits(&txn, actor, &doc).await?;
    let doc = crate::payments::after_document_update(&txn, actor, &before, doc).await?;
    txn.commit().await?;
    Ok(doc)
}

/// Statuses that can be set by hand once a document is issued (the seed's `change_status`);
/// `incomplete` belongs to the "invoice to complete" flow.
pub const SETTABLE_STATUSES: [&str; 6] = ["issued", "sent", "paid", "partial", "rejected", "accepted"];

/// Changes the status of an issued document. The status is not a fiscal field, so it may
/// change on a frozen document; a draft has no status until it is issued.
pub async fn change_status(db: &DatabaseConnection, actor: &Actor, id: Uuid, status: &str) -> DomainResult<Model> {
    actor.require_writer()?;
    let mut v = Validator::new();
    v.one_of("status", status, &SETTABLE_STATUSES);
    v.finish()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state != "issued" {
        return Err(DomainError::field("id", FieldCode::Rule("issue_first")));
    }
    if current.status == "cancelled" {
        return Err(DomainError::conflict(ConflictKind::DocumentCancelled, Some("id")));
    }
    let mut am: ActiveModel = current.into();
    am.status = Set(status.to_owned());
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a draft or a non-fiscal document. An issued fiscal document is never deleted:
/// it is corrected by a credit note.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state == "issued" && is_fiscal(&current.kind) {
        return Err(DomainError::Sealed(crate::SealedRecord::Document));
    }
    crate::payments::refuse_if_paid(&txn, actor, id).await?;
    flows::refuse_if_linked(&txn, actor, id).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).filter(Column::AccountId.eq(actor.account_id.0)).exec(&txn).await?;
    txn.commit().await?;
    Ok(current)
}

/// Cancels an issued document (the seed's `cancel`): a fiscal one by issuing a total
/// credit note for it, dated today, linked to it; either way it is marked `cancelled` with
/// the reason. Nothing is erased. Returns the cancelled document and the credit note.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: Option<String>,
) -> DomainResult<(Model, Option<Model>)> {
    actor.require_writer()?;
    if let Some(r) = &reason {
        let mut v = Validator::new();
        v.max_len("reason", r, MAX_LINE);
        v.finish()?;
    }
    let txn = begin_write(db).await?;
    let current = get_for_update(&txn, actor, id).await?;
    if current.state != "issued" {
        return Err(DomainError::field("id", FieldCode::Rule("draft_delete_instead")));
    }
    if current.status == "cancelled" {
        return Err(DomainError::conflict(ConflictKind::DocumentCancelled, Some("id")));
    }
    let credit_note = if is_fiscal(&current.kind) {
        if !flows::CORRECTABLE.contains(&current.kind.as_str()) {
            return Err(DomainError::field("id", FieldCode::Rule("not_cancellable")));
        }
        // A cancellation takes back the whole invoice: after partial credit notes it would
        // credit too much, so those invoices are corrected by a further credit note instead.
        if !flows::credited(&txn, actor, id).await?.is_zero() {
            return Err(DomainError::field("id", FieldCode::Rule("already_corrected")));
        }
        Box::pin(flows::release_before_cancel(&txn, actor, &current)).await?;
        let french = current.lang.starts_with("fr");
        let default_reason = if french { "Annulation" } else { "Cancellation" };
        let input = DocumentInput {
            kind: Some("correction".into()),
            copy_from: Some(id),
            total_correction: Some(true),
            texts: Texts {
                correction_reason: Some(clean(&reason).unwrap_or(default_reason.into())),
                ..Default::default()
            },
            ..Default::default()
        };
        Some(Box::pin(create_in(&txn, actor, input, true)).await?)
    } else {
        None
    };
    let mut am: ActiveModel = current.into();
    am.status = Set("cancelled".into());
    am.cancel_reason = Set(clean(&reason));
    am.cancelled_at = Set(Some(Utc::now()));
    am.updated_at = Set(Utc::now());
    let cancelled = am.update(&txn).await?;
    txn.commit().await?;
    Ok((cancelled, credit_note))
}

/// `get` with the row locked until the transaction ends (`FOR UPDATE` on PostgreSQL; on
/// SQLite the write transaction of `db::begin_write` already excludes other writers), so
/// that issuing, changing and deleting one document never interleave.
async fn get_for_update(txn: &crate::db::WriteTxn, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id)
        .filter(Column::AccountId.eq(actor.account_id.0))
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound("document"))
}
