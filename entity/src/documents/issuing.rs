//! Issuing: whether a document can be issued, the next number of its series, what follows
//! in the same transaction (the seal noted for the commit, the journal, credit notes'
//! effect on their invoice). The one place of these rules, for a draft issued later and
//! for a document issued as it is created.

use super::*;
use crate::vocabulary::DocumentKind;

/// The series a document is numbered in: its kind, test documents apart; a department
/// with its own numbering (`use_pattern`) has its own series, with its pattern for the
/// kind or the default one.
pub(super) async fn series_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    kind: DocumentKind,
    test: bool,
    dept: &department::Model,
) -> DomainResult<(String, Pattern)> {
    let (mut key, mut base) = (kind.as_str().to_owned(), default_pattern(kind).to_owned());
    // Only a pattern of its own gives a department its own series: with the default
    // pattern, a series apart would print the account's numbers a second time.
    if dept.use_pattern
        && let Some(p) =
            crate::departments::patterns_of(db, actor, dept.id).await?.into_iter().find(|p| p.kind == kind.as_str())
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
pub(super) async fn issue_in(txn: &crate::db::WriteTxn, actor: &Actor, m: Model) -> DomainResult<Model> {
    let billable = positions(txn, actor, m.id).await?.iter().any(|p| is_billable(&p.kind));
    let account = crate::accounts::find_account(txn, actor.account_id).await?;
    let dept = crate::departments::get(txn, actor, m.department_id).await?;
    issue_written(txn, actor, Written { doc: m, account, dept, billable }).await
}

/// Numbers a draft just written: checks it can be issued, takes the next number of its
/// series, copies the seller's current details. Runs in the caller's write transaction.
pub(super) async fn issue_written(txn: &crate::db::WriteTxn, actor: &Actor, written: Written) -> DomainResult<Model> {
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
pub(super) fn check_issuable(
    am: &ActiveModel,
    account: &crate::tables::account::Model,
    billable: bool,
) -> DomainResult<()> {
    if value_of(&am.state) != DocumentState::Draft {
        return Err(DomainError::conflict(ConflictKind::DocumentIssued, Some("id")));
    }
    let mut v = Validator::new();
    if value_of(&am.kind).is_fiscal() && value_of(&am.buyer_name).as_deref().is_none_or(|n| n.trim().is_empty()) {
        v.push("input.buyer_name", FieldCode::Required);
    }
    if !billable {
        v.push("input.positions", FieldCode::Required);
    }
    // Never issued in the future: a mistyped year would block the series until then,
    // since dates cannot go backwards in a series.
    if value_of(&am.issue_date) > today(account) {
        v.push("input.issue_date", FieldCode::Rule("issue_date_in_future"));
    }
    v.finish()
}

/// Takes the next number of the document's series and marks it issued, with the seller's
/// current details.
pub(super) async fn take_number(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    am: &mut ActiveModel,
    dept: &department::Model,
) -> DomainResult<()> {
    let (kind, test, issue_date) = (value_of(&am.kind), value_of(&am.test), value_of(&am.issue_date));
    let (series, pattern) = series_of(txn, actor, kind, test, dept).await?;
    let allocated = crate::number_series::allocate(txn, actor.account_id, &series, &pattern, issue_date).await?;
    set_seller(am, dept);
    am.number = Set(Some(allocated.number));
    am.number_counter = Set(Some(allocated.counter));
    am.series_key = Set(Some(series));
    am.state = Set(DocumentState::Issued);
    am.status = Set(DocumentStatus::Issued);
    // Microseconds: what PostgreSQL keeps, so the sealed form reads back as it is stored.
    let now = Utc::now().trunc_subsecs(6);
    am.issued_at = Set(Some(now));
    am.updated_at = Set(now);
    Ok(())
}

/// What follows an issue in its transaction: the seal noted for the commit, the journal's
/// test-mode event, an invoice's amount to pay after a credit note.
pub(super) async fn after_issue(txn: &crate::db::WriteTxn, actor: &Actor, issued: &Model) -> DomainResult<()> {
    // Sealed when this transaction commits (see `db::WriteTxn`): issued and sealed together.
    if issued.kind.is_fiscal() {
        txn.pending().document(actor.account_id, issued.id);
    }
    crate::domain_events::note_document(txn, actor, crate::vocabulary::EventCode::DocumentIssued, issued);
    if issued.test {
        let number = issued.number.clone().unwrap_or_default();
        let event = crate::journal::Event::TestModeUsed { document: issued.id, number };
        crate::journal::record(txn, actor.account_id, &crate::journal::Origin::of(actor), event);
    }
    if let (true, Some(invoice)) = (issued.kind == DocumentKind::Correction, issued.invoice_id) {
        crate::payments::refresh_after_credit(txn, actor, invoice).await?;
    }
    Ok(())
}
