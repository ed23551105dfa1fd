//! Contacts (clients) of an account: create, update, find, delete. Every query is scoped
//! by the actor's account. Field names follow VosFactures' "Champs fiche contact".

use crate::db::begin_write;
use crate::error::{DomainError, DomainResult, FieldCode};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::client::{ActiveModel, Column, Entity, Model};
use crate::tax::Tax;
use crate::tenant::Actor;
use crate::validation::{MAX_LINE, MAX_TEXT, Validator, clean, contains_text, is_email_list, search_key};
use crate::vocabulary::EventCode;
use chrono::{NaiveDate, Utc};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

/// The optional text fields of a contact with their length limit, listed once (the API
/// layer builds its GraphQL types from the same list).
#[macro_export]
macro_rules! client_text_fields {
    ($cb:ident) => {
        $cb! {
            (first_name, LINE), (last_name, LINE), (shortcut, LINE), (title, LINE), (post_code, LINE),
            (city, LINE), (street, LINE), (country, LINE), (tax_no_kind, LINE), (tax_no, LINE),
            (external_id, LINE), (phone, LINE), (mobile_phone, LINE), (fax, LINE), (email, LINE),
            (email_for_reminders, LINE), (www, LINE), (bank, LINE), (bank_account, LINE),
            (payment_to_kind, LINE), (default_tax, LINE), (default_payment_type, LINE), (person, LINE),
            (mass_payment_code, LINE), (accounting_id, LINE), (accounting_id2, LINE), (sepa_mandate_no, LINE),
            (chorus_identifier_type, LINE), (chorus_identifier, LINE), (chorus_service_code, LINE),
            (ingenico_id, LINE), (birth_insee_country, LINE), (birth_insee_department, LINE),
            (birth_insee_community, LINE), (birth_city, LINE), (insee_country, LINE), (insee_community, LINE),
            (street_kind, LINE), (urssaf_id, LINE), (note, TEXT), (delivery_address, TEXT)
        }
    };
}

const LINE: usize = MAX_LINE;
const TEXT: usize = MAX_TEXT;

/// Contact kinds of the seed.
pub const KINDS: [&str; 3] = ["buyer", "seller", "both"];
/// Chorus Pro identifier types: 1 SIRET, 2 EU outside France, 3 outside the EU, 4 RIDET,
/// 5 Tahiti number, 6 other.
pub const CHORUS_IDENTIFIER_TYPES: [&str; 6] = ["1", "2", "3", "4", "5", "6"];

macro_rules! patch_struct {
    ($(($f:ident, $lim:ident)),*) => {
        /// A change to a contact. `None` leaves a field as it is; `Some(None)` clears it.
        #[derive(Clone, Debug, Default)]
        pub struct ClientPatch {
            pub name: Option<String>,
            pub company: Option<bool>,
            pub kind: Option<String>,
            pub use_delivery_address: Option<bool>,
            pub disable_auto_reminders: Option<bool>,
            pub use_mass_payment: Option<bool>,
            pub sepa_b2b: Option<bool>,
            pub discount: Option<Option<String>>,
            pub department_id: Option<Option<Uuid>>,
            pub category_id: Option<Option<Uuid>>,
            pub price_list_id: Option<Option<Uuid>>,
            pub birth_date: Option<Option<NaiveDate>>,
            pub tag_list: Option<Vec<String>>,
            $(pub $f: Option<Option<String>>,)*
        }

        impl ClientPatch {
            fn check_texts(&self, v: &mut Validator) {
                $(if let Some(Some(s)) = &self.$f { v.max_len(&format!("input.{}", stringify!($f)), s, $lim); })*
            }

            fn apply_texts(&self, am: &mut ActiveModel) {
                $(if let Some(value) = &self.$f { am.$f = Set(clean(value)); })*
            }
        }
    };
}
client_text_fields!(patch_struct);

fn present(v: &Option<Option<String>>) -> Option<&str> {
    v.as_ref().and_then(|o| o.as_deref()).map(str::trim).filter(|s| !s.is_empty())
}

/// Longest payment term accepted, in days (ten years).
pub const MAX_PAYMENT_DAYS: u16 = 3650;

/// `5` (days, at most ten years), `other_date` or `off`, as on documents.
pub fn is_payment_to_kind(s: &str) -> bool {
    s == "other_date" || s == "off" || s.parse::<u16>().is_ok_and(|d| d <= MAX_PAYMENT_DAYS)
}

impl ClientPatch {
    /// `current` is the contact being updated (None on creation).
    fn validate(&self, current: Option<&Model>) -> DomainResult<()> {
        let mut v = Validator::new();
        let company = self.company.or(current.map(|c| c.company)).unwrap_or(true);
        let last_name = match &self.last_name {
            Some(l) => l.as_deref().map(str::trim).filter(|s| !s.is_empty()),
            None => current.and_then(|c| c.last_name.as_deref()),
        };
        match (&self.name, current) {
            (Some(n), _) => {
                if let Some(n) = v.required("input.name", Some(n)) {
                    v.max_len("input.name", n, MAX_LINE);
                }
            }
            // A private individual may be named by first and last name alone.
            (None, None) if !company && last_name.is_some() => {}
            (None, None) => v.push("input.name", FieldCode::Required),
            (None, Some(_)) => {}
        }
        if !company && last_name.is_none() {
            v.push("input.last_name", FieldCode::Rule("individual_last_name"));
        }
        self.check_texts(&mut v);
        if let Some(k) = &self.kind {
            v.one_of("input.kind", k, &KINDS);
        }
        for (field, value) in [("input.email", &self.email), ("input.email_for_reminders", &self.email_for_reminders)] {
            if let Some(e) = present(value)
                && !is_email_list(e)
            {
                v.push(field, FieldCode::InvalidEmail);
            }
        }
        if let Some(d) = present(&self.discount) {
            match v.decimal("input.discount", d) {
                Some(x) if x < rust_decimal::Decimal::ZERO || x > rust_decimal::Decimal::ONE_HUNDRED => {
                    v.push("input.discount", FieldCode::OutOfRange { min: 0, max: 100 })
                }
                _ => {}
            }
        }
        if let Some(t) = present(&self.default_tax)
            && t.parse::<Tax>().is_err()
        {
            v.push("input.default_tax", FieldCode::Rule("tax_value"));
        }
        if let Some(p) = present(&self.payment_to_kind)
            && !is_payment_to_kind(p)
        {
            v.push("input.payment_to_kind", FieldCode::Rule("payment_to_kind"));
        }
        if let Some(c) = present(&self.chorus_identifier_type) {
            v.one_of("input.chorus_identifier_type", c, &CHORUS_IDENTIFIER_TYPES);
        }
        if let Some(tags) = &self.tag_list {
            crate::tags::validate(&mut v, "input.tag_list", tags);
        }
        v.finish()
    }
}

use crate::db::value_of;

fn apply(p: &ClientPatch, am: &mut ActiveModel) {
    p.apply_texts(am);
    if let Some(c) = p.company {
        am.company = Set(c);
    }
    if let Some(k) = &p.kind {
        am.kind = Set(k.clone());
    }
    for (src, dst) in [
        (p.use_delivery_address, &mut am.use_delivery_address),
        (p.disable_auto_reminders, &mut am.disable_auto_reminders),
        (p.use_mass_payment, &mut am.use_mass_payment),
        (p.sepa_b2b, &mut am.sepa_b2b),
    ] {
        if let Some(b) = src {
            *dst = Set(b);
        }
    }
    if let Some(d) = &p.discount {
        am.discount = Set(clean(d).and_then(|s| crate::validation::parse_decimal(&s)).map(|d| d.normalize().into()));
    }
    if let Some(d) = p.department_id {
        am.department_id = Set(d);
    }
    if let Some(c) = p.category_id {
        am.category_id = Set(c);
    }
    if let Some(l) = p.price_list_id {
        am.price_list_id = Set(l);
    }
    if let Some(b) = p.birth_date {
        am.birth_date = Set(b);
    }
    if let Some(tags) = &p.tag_list {
        am.tag_list = Set(crate::tags::to_json(tags));
        am.tag_keys = Set(crate::tags::keys_json(tags));
    }
    let first = value_of(&am.first_name).unwrap_or_default();
    let last = value_of(&am.last_name).unwrap_or_default();
    match &p.name {
        Some(n) => am.name = Set(n.trim().to_owned()),
        // An individual created by first and last name only is named "First Last" (seed).
        None if value_of(&am.name).is_empty() => am.name = Set(format!("{first} {last}").trim().to_owned()),
        None => {}
    }
    let shortcut = value_of(&am.shortcut).unwrap_or_default();
    am.search_name = Set(search_key(&format!("{} {shortcut} {first} {last}", value_of(&am.name))));
    am.name_key = Set(search_key(&value_of(&am.name)));
    am.shortcut_key = Set(Some(search_key(&shortcut)).filter(|k| !k.is_empty()));
    am.tax_no_key = Set(value_of(&am.tax_no).map(|t| tax_no_key(&t)).filter(|k| !k.is_empty()));
    am.email_key = Set(value_of(&am.email).map(|e| e.to_lowercase()));
}

/// A tax number as compared by the finder: letters and digits only, upper case
/// ("FR 52 524.457.672" and "fr52524457672" are the same number).
pub fn tax_no_key(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_uppercase).collect()
}

/// Tags of a stored contact.
pub fn tags_of(m: &Model) -> Vec<String> {
    crate::tags::from_json(&m.tag_list)
}

fn blank(actor: &Actor) -> ActiveModel {
    let now = Utc::now();
    ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(actor.account_id.0),
        name: Set(String::new()),
        search_name: Set(String::new()),
        company: Set(true),
        kind: Set("buyer".into()),
        use_delivery_address: Set(false),
        disable_auto_reminders: Set(false),
        use_mass_payment: Set(false),
        sepa_b2b: Set(false),
        discount: Set(None),
        department_id: Set(None),
        category_id: Set(None),
        price_list_id: Set(None),
        birth_date: Set(None),
        tag_list: Set("[]".into()),
        tag_keys: Set("[]".into()),
        tax_no_key: Set(None),
        name_key: Set(String::new()),
        shortcut_key: Set(None),
        email_key: Set(None),
        first_name: Set(None),
        last_name: Set(None),
        shortcut: Set(None),
        title: Set(None),
        post_code: Set(None),
        city: Set(None),
        street: Set(None),
        country: Set(None),
        tax_no_kind: Set(None),
        tax_no: Set(None),
        external_id: Set(None),
        phone: Set(None),
        mobile_phone: Set(None),
        fax: Set(None),
        email: Set(None),
        email_for_reminders: Set(None),
        www: Set(None),
        bank: Set(None),
        bank_account: Set(None),
        payment_to_kind: Set(None),
        default_tax: Set(None),
        default_payment_type: Set(None),
        person: Set(None),
        mass_payment_code: Set(None),
        accounting_id: Set(None),
        accounting_id2: Set(None),
        sepa_mandate_no: Set(None),
        chorus_identifier_type: Set(None),
        chorus_identifier: Set(None),
        chorus_service_code: Set(None),
        ingenico_id: Set(None),
        birth_insee_country: Set(None),
        birth_insee_department: Set(None),
        birth_insee_community: Set(None),
        birth_city: Set(None),
        insee_country: Set(None),
        insee_community: Set(None),
        street_kind: Set(None),
        urssaf_id: Set(None),
        note: Set(None),
        delivery_address: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
}

/// Departments, categories and price lists named by a contact must be the actor's account's.
async fn check_references(db: &impl ConnectionTrait, actor: &Actor, p: &ClientPatch) -> DomainResult<()> {
    if let Some(Some(id)) = p.department_id {
        crate::departments::require_in_account(db, actor, id, "input.department_id").await?;
    }
    if let Some(Some(id)) = p.category_id {
        crate::categories::require_in_account(db, actor, id, "input.category_id").await?;
    }
    if let Some(Some(id)) = p.price_list_id {
        crate::price_lists::require_in_account(db, actor, id, "input.price_list_id").await?;
    }
    Ok(())
}

pub async fn create(db: &DatabaseConnection, actor: &Actor, patch: ClientPatch) -> DomainResult<Model> {
    let txn = begin_write(db).await?;
    let created = create_in(&txn, actor, patch).await?;
    txn.commit().await?;
    Ok(created)
}

/// `create` inside the caller's transaction (a document creating its buyer).
pub async fn create_in(txn: &crate::db::WriteTxn, actor: &Actor, patch: ClientPatch) -> DomainResult<Model> {
    actor.require_writer()?;
    patch.validate(None)?;
    // The references are checked in the transaction that writes them.
    check_references(txn, actor, &patch).await?;
    let mut am = blank(actor);
    apply(&patch, &mut am);
    let created = am.insert(txn).await?;
    note(txn, actor, EventCode::ClientCreated, &created);
    Ok(created)
}

fn note(txn: &crate::db::WriteTxn, actor: &Actor, code: EventCode, c: &Model) {
    crate::domain_events::note(txn, actor.account_id, code, c.id, crate::domain_events::client_payload(c));
}

pub async fn update(db: &DatabaseConnection, actor: &Actor, id: Uuid, patch: ClientPatch) -> DomainResult<Model> {
    let txn = begin_write(db).await?;
    let updated = update_in(&txn, actor, id, patch).await?;
    txn.commit().await?;
    Ok(updated)
}

/// `update` inside the caller's transaction (a document's `buyerOverride`).
pub async fn update_in(txn: &crate::db::WriteTxn, actor: &Actor, id: Uuid, patch: ClientPatch) -> DomainResult<Model> {
    actor.require_writer()?;
    let current = get(txn, actor, id).await?;
    patch.validate(Some(&current))?;
    check_references(txn, actor, &patch).await?;
    let mut am: ActiveModel = current.into();
    apply(&patch, &mut am);
    am.updated_at = Set(Utc::now());
    let updated = am.update(txn).await?;
    note(txn, actor, EventCode::ClientUpdated, &updated);
    Ok(updated)
}

/// The contact a document's buyer details designate: by tax number, then e-mail, then
/// name (compared as the finders compare them); the oldest when several match. A contact
/// whose tax number differs from the one given is another buyer, never a match.
pub async fn recognise(
    db: &impl ConnectionTrait,
    actor: &Actor,
    name: Option<&str>,
    email: Option<&str>,
    tax_no: Option<&str>,
) -> DomainResult<Option<Model>> {
    let given_tax = tax_no.map(tax_no_key).filter(|k| !k.is_empty());
    let base = || {
        let q = Entity::find_in(actor).order_by_asc(Column::CreatedAt);
        match &given_tax {
            // Same tax number, or none recorded.
            Some(t) => q.filter(Column::TaxNoKey.eq(t.clone()).or(Column::TaxNoKey.is_null())),
            None => q,
        }
    };
    if let Some(t) = &given_tax
        && let Some(c) = base().filter(Column::TaxNoKey.eq(t.clone())).one(db).await?
    {
        return Ok(Some(c));
    }
    if let Some(e) = email.map(|e| e.trim().to_lowercase()).filter(|e| !e.is_empty())
        && let Some(c) = base().filter(Column::EmailKey.eq(e)).one(db).await?
    {
        return Ok(Some(c));
    }
    if let Some(n) = name.map(search_key).filter(|n| !n.is_empty())
        && let Some(c) = base().filter(Column::NameKey.eq(n)).one(db).await?
    {
        return Ok(Some(c));
    }
    Ok(None)
}

/// Deletes a contact. Documents keep their own copy of the buyer's details, so deleting
/// a contact never changes an issued document.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    actor.require_writer()?;
    let txn = begin_write(db).await?;
    let current = get(&txn, actor, id).await?;
    Entity::delete_many().filter(Column::Id.eq(id)).in_account(actor).exec(&txn).await?;
    note(&txn, actor, EventCode::ClientDeleted, &current);
    txn.commit().await?;
    Ok(current)
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> DomainResult<Model> {
    Entity::find_by_id(id).in_account(actor).one(db).await?.ok_or(DomainError::NotFound("client"))
}

/// The finders of the seed (`external_id`, `tax_no`, `name`, `shortcut`, `email`) plus
/// kind and tag. All given filters must match.
#[derive(Clone, Debug, Default)]
pub struct ClientFilter {
    /// Exact "Réf/code client".
    pub external_id: Option<String>,
    /// Exact tax number, ignoring case, spaces and punctuation.
    pub tax_no: Option<String>,
    /// Part of the name, shortcut, first or last name, ignoring case and accents.
    pub name: Option<String>,
    /// Exact shortcut, ignoring case and accents.
    pub shortcut: Option<String>,
    /// Part of the e-mail address(es), ignoring case.
    pub email: Option<String>,
    /// `buyer` also finds `both`; `seller` likewise.
    pub kind: Option<String>,
    pub tag: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientOrder {
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
    f: &ClientFilter,
    order: ClientOrder,
    page: PageRequest,
) -> DomainResult<Page<Model>> {
    let term = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    let mut q = Entity::find_in(actor);
    if let Some(x) = term(&f.external_id) {
        q = q.filter(Column::ExternalId.eq(x));
    }
    if let Some(x) = term(&f.tax_no) {
        q = q.filter(Column::TaxNoKey.eq(tax_no_key(&x)));
    }
    if let Some(x) = term(&f.name).map(|n| search_key(&n)) {
        q = q.filter(contains_text(Column::SearchName, &x));
    }
    if let Some(x) = term(&f.shortcut) {
        q = q.filter(Column::ShortcutKey.eq(search_key(&x)));
    }
    if let Some(x) = term(&f.email) {
        q = q.filter(contains_text(Column::EmailKey, &x.to_lowercase()));
    }
    if let Some(k) = term(&f.kind) {
        q = q.filter(Column::Kind.is_in([k, "both".to_owned()]));
    }
    if let Some(t) = term(&f.tag) {
        q = q.filter(crate::tags::contains(Column::TagKeys, &t));
    }
    let total_count = q.clone().count(db).await?;
    q = match order {
        ClientOrder::Name => q.order_by_asc(Column::SearchName),
        ClientOrder::NameDesc => q.order_by_desc(Column::SearchName),
        ClientOrder::CreatedAt => q.order_by_asc(Column::CreatedAt),
        ClientOrder::CreatedAtDesc => q.order_by_desc(Column::CreatedAt),
        ClientOrder::UpdatedAt => q.order_by_asc(Column::UpdatedAt),
        ClientOrder::UpdatedAtDesc => q.order_by_desc(Column::UpdatedAt),
    };
    let items = q.order_by_asc(Column::Id).offset(page.offset()).limit(page.per_page).all(db).await?;
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_to_kinds() {
        assert!(is_payment_to_kind("5"));
        assert!(is_payment_to_kind("other_date"));
        assert!(is_payment_to_kind("off"));
        assert!(!is_payment_to_kind("soon"));
    }

    #[test]
    fn an_individual_needs_a_last_name() {
        let p = ClientPatch { company: Some(false), first_name: Some(Some("Jean".into())), ..Default::default() };
        let Err(DomainError::Validation(errs)) = p.validate(None) else { panic!() };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["input.name", "input.last_name"]);
        let ok = ClientPatch { company: Some(false), last_name: Some(Some("Dupont".into())), ..Default::default() };
        assert!(ok.validate(None).is_ok(), "name is derived from first and last name");
    }
}
