//! Departments (seller companies) of an account. Every query is scoped by the actor's
//! account; an account always has exactly one main department.

use crate::db::begin_write;
use crate::error::{ConflictKind, DomainError, DomainResult, FieldCode, OnConstraint};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::department::{self, ActiveModel, Column, Entity, Model};
use crate::tenant::{AccountId, Actor};
use crate::validation::{
    MAX_LINE, MAX_TEXT, Validator, clean, contains_text, is_plausible_email, parse_decimal, search_key,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// The optional text fields of a department, with their length limit, listed once.
/// `$cb!` receives `(field, LIMIT)` pairs; the API layer uses the same list for its
/// GraphQL input and output types, so a new field is added in one place.
#[macro_export]
macro_rules! department_text_fields {
    ($cb:ident) => {
        $cb! {
            (shortcut, LINE), (kind, LINE), (tax_no_kind, LINE), (tax_no, LINE), (post_code, LINE),
            (city, LINE), (street, LINE), (country, LINE), (person, LINE), (email, LINE), (phone, LINE),
            (mobile_phone, LINE), (www, LINE), (fax, LINE), (bank, LINE), (bank_account, LINE),
            (bank_swift, LINE), (bank_account_currency, LINE), (bank_accountancy_account, LINE),
            (invoice_lang, LINE), (invoice_description, TEXT), (default_tax, LINE),
            (invoice_template_id, LINE), (footer_content, TEXT), (footer_kind, LINE),
            (email_from, LINE), (email_cc, LINE), (email_subject, LINE), (email_template, TEXT),
            (email_template_kind, LINE), (overdue_email_subject, LINE), (overdue_email_template, TEXT),
            (overdue_email_template_kind, LINE), (warehouse_id, LINE)
        }
    };
}

/// The boolean fields of a department (`main` apart: it has its own rule).
#[macro_export]
macro_rules! department_bool_fields {
    ($cb:ident) => {
        $cb! { own_email_settings, email_pdf, own_overdue_email_settings, overdue_email_pdf, restrict_warehouses }
    };
}

const LINE: usize = MAX_LINE;
const TEXT: usize = MAX_TEXT;

macro_rules! patch_struct {
    ($(($f:ident, $lim:ident)),*) => {
        /// A change to a department. `None` leaves a field as it is; `Some(None)` clears it.
        #[derive(Clone, Debug, Default)]
        pub struct DepartmentPatch {
            pub name: Option<String>,
            pub main: Option<bool>,
            pub cash_init_state: Option<Option<String>>,
            $(pub $f: Option<Option<String>>,)*
            pub own_email_settings: Option<bool>,
            pub email_pdf: Option<bool>,
            pub own_overdue_email_settings: Option<bool>,
            pub overdue_email_pdf: Option<bool>,
            pub restrict_warehouses: Option<bool>,
            /// Numbering of its own (seed `use_pattern`).
            pub use_pattern: Option<bool>,
            /// `(kind, pattern)` pairs replacing the department's patterns (seed
            /// `invoice_pattern`, `pattern_estimate`…).
            pub patterns: Option<Vec<(String, String)>>,
        }

        impl DepartmentPatch {
            fn check_texts(&self, v: &mut Validator) {
                $(if let Some(Some(s)) = &self.$f { v.max_len(&format!("input.{}", stringify!($f)), s, $lim); })*
            }

            fn apply_texts(&self, am: &mut ActiveModel) {
                $(if let Some(value) = &self.$f { am.$f = Set(clean(value)); })*
            }
        }
    };
}
department_text_fields!(patch_struct);

macro_rules! apply_bools {
    ($($f:ident),*) => {
        fn apply_bools(p: &DepartmentPatch, am: &mut ActiveModel) {
            $(if let Some(b) = p.$f { am.$f = Set(b); })*
        }
    };
}
department_bool_fields!(apply_bools);

impl DepartmentPatch {
    fn validate(&self, creating: bool) -> DomainResult<()> {
        let mut v = Validator::new();
        v.name("input.name", self.name.as_deref(), creating);
        self.check_texts(&mut v);
        if let Some(Some(s)) = &self.email
            && !s.trim().is_empty()
        {
            v.email("input.email", s.trim());
        }
        for (field, value) in [("input.email_from", &self.email_from), ("input.email_cc", &self.email_cc)] {
            if let Some(Some(s)) = value
                && s.split([',', ';']).map(str::trim).any(|e| !e.is_empty() && !is_plausible_email(e))
            {
                v.push(field, FieldCode::InvalidEmail);
            }
        }
        if let Some(Some(c)) = &self.bank_account_currency
            && !c.trim().is_empty()
            && !crate::accounts::is_currency_code(c.trim())
        {
            v.push("input.bank_account_currency", FieldCode::Rule("currency_code"));
        }
        if let Some(Some(l)) = &self.invoice_lang
            && !l.trim().is_empty()
            && !crate::validation::is_lang_codes(l.trim())
        {
            v.push("input.invoice_lang", FieldCode::Rule("language_code"));
        }
        if let Some(Some(t)) = &self.default_tax
            && !t.trim().is_empty()
            && t.trim().parse::<crate::tax::Tax>().is_err()
        {
            v.push("input.default_tax", FieldCode::Rule("tax_value"));
        }
        if let Some(Some(c)) = &self.cash_init_state
            && !c.trim().is_empty()
        {
            v.decimal("input.cash_init_state", c);
        }
        for (i, (kind, pattern)) in self.patterns.iter().flatten().enumerate() {
            v.one_of(&format!("input.patterns.{i}.kind"), kind, &crate::vocabulary::DocumentKind::names());
            if self.patterns.iter().flatten().take(i).any(|(k, _)| k == kind) {
                v.push(&format!("input.patterns.{i}.kind"), FieldCode::Rule("duplicate_kind"));
            }
            if pattern.parse::<crate::numbering::Pattern>().is_err() {
                v.push(&format!("input.patterns.{i}.pattern"), FieldCode::Rule("numbering_pattern"));
            }
        }
        v.finish()
    }
}

/// A department with every optional field empty (used for the main department at sign-up).
pub fn blank(account: AccountId, name: &str, now: DateTime<Utc>) -> ActiveModel {
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.0),
        main: Set(false),
        name: Set(name.to_owned()),
        search_name: Set(search_key(name)),
        shortcut: Set(None),
        kind: Set(None),
        tax_no_kind: Set(None),
        tax_no: Set(None),
        post_code: Set(None),
        city: Set(None),
        street: Set(None),
        country: Set(None),
        person: Set(None),
        email: Set(None),
        phone: Set(None),
        mobile_phone: Set(None),
        www: Set(None),
        fax: Set(None),
        bank: Set(None),
        bank_account: Set(None),
        bank_swift: Set(None),
        bank_account_currency: Set(None),
        bank_accountancy_account: Set(None),
        invoice_lang: Set(None),
        invoice_description: Set(None),
        default_tax: Set(None),
        invoice_template_id: Set(None),
        cash_init_state: Set(None),
        footer_content: Set(None),
        footer_kind: Set(None),
        own_email_settings: Set(false),
        email_from: Set(None),
        email_cc: Set(None),
        email_subject: Set(None),
        email_template: Set(None),
        email_template_kind: Set(None),
        email_pdf: Set(true),
        own_overdue_email_settings: Set(false),
        overdue_email_subject: Set(None),
        overdue_email_template: Set(None),
        overdue_email_template_kind: Set(None),
        overdue_email_pdf: Set(true),
        restrict_warehouses: Set(false),
        warehouse_id: Set(None),
        use_pattern: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

fn apply(p: &DepartmentPatch, am: &mut ActiveModel) {
    if let Some(n) = &p.name {
        am.name = Set(n.trim().to_owned());
    }
    if let Some(c) = &p.cash_init_state {
        // Stored in canonical form so that "150.0" and "150.00" read back the same way.
        am.cash_init_state = Set(clean(c).and_then(|s| parse_decimal(&s)).map(|d| d.normalize().into()));
    }
    p.apply_texts(am);
    if let Some(b) = p.use_pattern {
        am.use_pattern = Set(b);
    }
    apply_bools(p, am);
    let name = match &am.name {
        sea_orm::ActiveValue::Set(n) | sea_orm::ActiveValue::Unchanged(n) => n.clone(),
        sea_orm::ActiveValue::NotSet => String::new(),
    };
    let shortcut = match &am.shortcut {
        sea_orm::ActiveValue::Set(s) | sea_orm::ActiveValue::Unchanged(s) => s.clone().unwrap_or_default(),
        sea_orm::ActiveValue::NotSet => String::new(),
    };
    am.search_name = Set(search_key(&format!("{name} {shortcut}")));
}

#[derive(Clone, Debug, Default)]
pub struct DepartmentFilter {
    /// Substring of the name or the shortcut, ignoring case and accents.
    pub name: Option<String>,
    pub main: Option<bool>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DepartmentOrder {
    #[default]
    Name,
    NameDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &DepartmentFilter,
    order: DepartmentOrder,
    page: PageRequest,
) -> DomainResult<Page<Model>> {
    let mut q = Entity::find_in(actor);
    if let Some(term) = filter.name.as_deref().map(search_key).filter(|s| !s.is_empty()) {
        q = q.filter(contains_text(Column::SearchName, &term));
    }
    if let Some(main) = filter.main {
        q = q.filter(Column::Main.eq(main));
    }
    let total_count = q.clone().count(db).await?;
    q = match order {
        DepartmentOrder::Name => q.order_by_asc(Column::SearchName),
        DepartmentOrder::NameDesc => q.order_by_desc(Column::SearchName),
        DepartmentOrder::CreatedAt => q.order_by_asc(Column::CreatedAt),
        DepartmentOrder::CreatedAtDesc => q.order_by_desc(Column::CreatedAt),
        DepartmentOrder::UpdatedAt => q.order_by_asc(Column::UpdatedAt),
        DepartmentOrder::UpdatedAtDesc => q.order_by_desc(Column::UpdatedAt),
    };
    let items = q.order_by_asc(Column::Id).offset(page.offset()).limit(page.per_page).all(db).await?;
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}

/// One department of the actor's account; another account's id is simply not found.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("department"))
}

/// Refuses a department id that is not one of the actor's account (named as `field`).
pub async fn require_in_account(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    field: &str,
) -> DomainResult<Model> {
    crate::error::referenced(get(db, actor, id).await, field, "unknown_department")
}

/// The main department of an account (documents default to it).
pub async fn main_of(db: &impl ConnectionTrait, account: AccountId) -> DomainResult<Model> {
    Entity::find_in(account).filter(Column::Main.eq(true)).one(db).await?.ok_or(DomainError::NotFound("department"))
}

/// Clears the main flag of the account's departments (before another becomes main).
async fn demote_mains(db: &impl ConnectionTrait, account: AccountId) -> DomainResult<()> {
    Entity::update_many()
        .col_expr(Column::Main, Expr::value(false))
        .col_expr(Column::UpdatedAt, Expr::value(Utc::now()))
        .in_account(account)
        .filter(Column::Main.eq(true))
        .exec(db)
        .await?;
    Ok(())
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, patch: DepartmentPatch) -> DomainResult<Model> {
    actor.require_manager()?;
    patch.validate(true)?;
    let now = Utc::now();
    let mut am = blank(actor.account_id, "", now);
    apply(&patch, &mut am);
    let main = patch.main == Some(true);
    am.main = Set(main);
    let txn = begin_write(db).await?;
    if main {
        // Demote first: the partial unique index allows one main department at a time.
        demote_mains(&txn, actor.account_id).await?;
    }
    let created = am.insert(&txn).await.on_unique(concurrent)?;
    replace_patterns(&txn, actor, created.id, &patch).await?;
    let before = serde_json::json!({ "usePattern": false, "patterns": {} });
    journal_numbering(&txn, actor, &created, before).await?;
    txn.commit().await?;
    Ok(created)
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: DepartmentPatch) -> DomainResult<Model> {
    actor.require_manager()?;
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    patch.validate(false)?;
    let before = numbering_of(&txn, actor, &current).await?;
    if current.main && patch.main == Some(false) {
        return Err(DomainError::field("input.main", FieldCode::Rule("main_department_required")));
    }
    let promote = patch.main == Some(true) && !current.main;
    if promote {
        demote_mains(&txn, actor.account_id).await?;
    }
    let mut am: ActiveModel = current.into();
    apply(&patch, &mut am);
    if promote {
        am.main = Set(true);
    }
    am.updated_at = Set(Utc::now());
    let updated = am.update(&txn).await.on_unique(concurrent)?;
    replace_patterns(&txn, actor, updated.id, &patch).await?;
    journal_numbering(&txn, actor, &updated, before).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn replace_patterns(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    patch: &DepartmentPatch,
) -> DomainResult<()> {
    use crate::tables::department_pattern as dp;
    let Some(patterns) = &patch.patterns else { return Ok(()) };
    dp::Entity::delete_in(actor).filter(dp::Column::DepartmentId.eq(id)).exec(db).await?;
    // A pattern of its own must print numbers no other series prints: not the kind's
    // default (the account's series), not another department's pattern for the kind.
    let others = dp::Entity::find_in(actor).filter(dp::Column::DepartmentId.ne(id)).all(db).await?;
    let mut v = Validator::new();
    for (i, (kind, pattern)) in patterns.iter().enumerate() {
        let p = pattern.trim();
        if crate::vocabulary::DocumentKind::parse(kind).is_some_and(|k| p == crate::numbering::default_pattern(k))
            || others.iter().any(|o| &o.kind == kind && o.pattern == p)
        {
            v.push(&format!("input.patterns.{i}.pattern"), FieldCode::Rule("pattern_in_use"));
        }
    }
    v.finish()?;
    for (kind, pattern) in patterns {
        dp::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(actor.account_id.0),
            department_id: Set(id),
            kind: Set(kind.clone()),
            pattern: Set(pattern.trim().to_owned()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// What decides a department's numbers: its own numbering switch and patterns by kind.
async fn numbering_of(db: &impl ConnectionTrait, actor: &Actor, d: &Model) -> DomainResult<serde_json::Value> {
    let patterns: serde_json::Map<String, serde_json::Value> =
        patterns_of(db, actor, d.id).await?.into_iter().map(|p| (p.kind, p.pattern.into())).collect();
    Ok(serde_json::json!({ "usePattern": d.use_pattern, "patterns": patterns }))
}

/// Journals NUMBERING_PATTERN_CHANGED when the department's numbering differs from
/// `before`, in the transaction that changed it.
async fn journal_numbering(
    txn: &crate::db::WriteTxn,
    actor: &Actor,
    d: &Model,
    before: serde_json::Value,
) -> DomainResult<()> {
    let after = numbering_of(txn, actor, d).await?;
    if after != before {
        let event =
            crate::journal::Event::NumberingPatternChanged { department: d.id, name: d.name.clone(), before, after };
        crate::journal::record(txn, actor.account_id, &crate::journal::Origin::of(actor), event);
    }
    Ok(())
}

/// A department's numbering patterns by kind.
pub async fn patterns_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> DomainResult<Vec<crate::tables::department_pattern::Model>> {
    use crate::tables::department_pattern as dp;
    Ok(dp::Entity::find_in(actor)
        .filter(dp::Column::DepartmentId.eq(id))
        .order_by_asc(dp::Column::Kind)
        .all(db)
        .await?)
}

/// The seed's `seller_name` without `department_id`: the account's department with that
/// name (case and accents ignored); otherwise a new one with that name and tax number,
/// which only owners and admins may create (`unknown_department` for the others).
pub async fn find_or_create_by_name(
    db: &impl ConnectionTrait,
    actor: &Actor,
    name: &str,
    tax_no: Option<&str>,
) -> DomainResult<Model> {
    let key = search_key(name);
    let all = Entity::find_in(actor).order_by_asc(Column::CreatedAt).all(db).await?;
    if let Some(found) = all.into_iter().find(|d| search_key(&d.name) == key) {
        return Ok(found);
    }
    if actor.require_manager().is_err() {
        return Err(DomainError::field("input.seller_name", FieldCode::Rule("unknown_department")));
    }
    let patch = DepartmentPatch {
        name: Some(name.to_owned()),
        tax_no: tax_no.map(|t| Some(t.to_owned())),
        ..Default::default()
    };
    patch.validate(true).map_err(|e| e.prefixed("seller"))?;
    let mut am = blank(actor.account_id, "", Utc::now());
    apply(&patch, &mut am);
    Ok(am.insert(db).await?)
}

/// A unique violation here can only be two requests moving the main department at once.
fn concurrent() -> DomainError {
    DomainError::conflict(ConflictKind::ConcurrentModification, Some("input.main"))
}

/// Deletes a department that is neither the main one nor used by documents or payments.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_manager()?;
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    if current.main {
        return Err(DomainError::conflict(ConflictKind::MainDepartmentDeletion, Some("id")));
    }
    // `main = false` in the delete itself: a promotion committed since the read above
    // makes this delete nothing instead of removing the new main department. Documents
    // and payments that name the department keep it (their foreign keys restrict).
    let deleted = department::Entity::delete_many()
        .filter(Column::Id.eq(id))
        .in_account(actor)
        .filter(Column::Main.eq(false))
        .exec(&txn)
        .await
        .on_foreign_key(|| DomainError::conflict(ConflictKind::DepartmentInUse, Some("id")))?
        .rows_affected;
    if deleted != 1 {
        return Err(DomainError::conflict(ConflictKind::ConcurrentModification, Some("id")));
    }
    txn.commit().await?;
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invoice_langs() {
        use crate::validation::is_lang_codes;
        assert!(is_lang_codes("fr"));
        assert!(is_lang_codes("fr/de"));
        assert!(is_lang_codes("en / fr"));
        assert!(!is_lang_codes("french"));
        assert!(!is_lang_codes("fr/de/en"));
    }

    #[test]
    fn patch_validation_names_fields() {
        let p = DepartmentPatch {
            email: Some(Some("x".into())),
            default_tax: Some(Some("200".into())),
            cash_init_state: Some(Some("1,5".into())),
            ..Default::default()
        };
        let Err(DomainError::Validation(errs)) = p.validate(true) else { panic!() };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["input.name", "input.email", "input.default_tax", "input.cash_init_state"]);
    }
}
