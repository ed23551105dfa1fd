//! Accounts (tenants), users and memberships: sign-up and the reads around them.

use crate::db::begin_write;
use crate::error::{ConflictKind, DomainError, DomainResult, FieldCode, OnConstraint};
use crate::scope::ScopedQuery;
use crate::tables::{account, department, membership, user};
use crate::tenant::{AccountId, Role, UserId};
use crate::validation::{MAX_LINE, Validator, normalize_email};
use crate::vocabulary::Currency;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 256;
pub const LANGUAGES: [&str; 2] = ["fr", "en"];
pub const DEFAULT_TIME_ZONE: &str = "Europe/Paris";
pub const DEFAULT_CURRENCY: &str = "EUR";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountStatus {
    Active,
    Suspended,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Closed => "closed",
        }
    }
}

/// What a person types to sign up, before the password is hashed.
pub struct SignUpForm<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub account_name: &'a str,
    pub language: Option<&'a str>,
    pub time_zone: Option<&'a str>,
    pub currency: Option<&'a str>,
    /// Where the sign-up came from, for the journal.
    pub ip: Option<std::net::IpAddr>,
}

/// Checks every field of a sign-up form at once (before the costly password hash).
pub fn validate_sign_up(f: &SignUpForm<'_>) -> DomainResult<()> {
    let mut v = Validator::new();
    if let Some(email) = v.required("input.email", Some(f.email)) {
        v.email("input.email", email);
    }
    if f.password.is_empty() {
        v.push("input.password", FieldCode::Required);
    } else {
        v.min_len("input.password", f.password, MIN_PASSWORD_LEN);
        v.max_len("input.password", f.password, MAX_PASSWORD_LEN);
    }
    if let Some(name) = v.required("input.account_name", Some(f.account_name)) {
        v.max_len("input.account_name", name, MAX_LINE);
    }
    if let Some(lang) = f.language {
        v.one_of("input.language", lang, &LANGUAGES);
    }
    if let Some(tz) = f.time_zone
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        v.push("input.time_zone", FieldCode::Rule("unknown_time_zone"));
    }
    if let Some(cur) = f.currency
        && !is_currency_code(cur)
    {
        v.push("input.currency", FieldCode::Rule("currency_code"));
    }
    v.finish()
}

/// A change to the account's settings (owners and admins). `None` leaves a field.
#[derive(Clone, Debug, Default)]
pub struct AccountSettings {
    pub name: Option<String>,
    pub language: Option<String>,
    pub time_zone: Option<String>,
    pub currency: Option<String>,
    pub add_products_to_catalogue: Option<bool>,
}

/// Closes the account (owners only): nobody can sign in to it or use its tokens any more,
/// and nothing is deleted — the law keeps sealed documents, payments, closures and the
/// journal for at least six years, so "deleting" an account only deactivates it.
pub async fn close(db: &DatabaseConnection, actor: &crate::tenant::Actor) -> DomainResult<account::Model> {
    if actor.role != Role::Owner {
        return Err(DomainError::Forbidden);
    }
    let current =
        account::Entity::find_by_id(actor.account_id.0).one(db).await?.ok_or(DomainError::NotFound("account"))?;
    let mut am: account::ActiveModel = current.into();
    am.status = Set(AccountStatus::Closed.as_str().to_owned());
    am.updated_at = Set(Utc::now());
    let txn = begin_write(db).await?;
    let closed = am.update(&txn).await?;
    txn.commit().await?;
    Ok(closed)
}

pub async fn update_settings(
    db: &DatabaseConnection,
    actor: &crate::tenant::Actor,
    s: AccountSettings,
) -> DomainResult<account::Model> {
    use sea_orm::{ActiveModelTrait, Set};
    actor.require_manager()?;
    let mut v = Validator::new();
    if let Some(name) = &s.name
        && let Some(n) = v.required("input.name", Some(name))
    {
        v.max_len("input.name", n, MAX_LINE);
    }
    if let Some(lang) = &s.language {
        v.one_of("input.language", lang, &LANGUAGES);
    }
    if let Some(tz) = &s.time_zone
        && tz.parse::<chrono_tz::Tz>().is_err()
    {
        v.push("input.time_zone", FieldCode::Rule("unknown_time_zone"));
    }
    if let Some(cur) = &s.currency
        && !is_currency_code(cur)
    {
        v.push("input.currency", FieldCode::Rule("currency_code"));
    }
    v.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let before = find_account(&txn, actor.account_id).await?;
    let mut am: account::ActiveModel = before.clone().into();
    if let Some(n) = s.name {
        am.name = Set(n.trim().to_owned());
    }
    if let Some(l) = s.language {
        am.language = Set(l);
    }
    if let Some(t) = s.time_zone {
        am.time_zone = Set(t);
    }
    if let Some(c) = s.currency {
        am.currency = Set(Currency::given("input.currency", &c)?);
    }
    if let Some(b) = s.add_products_to_catalogue {
        am.add_products_to_catalogue = Set(b);
    }
    am.updated_at = Set(Utc::now());
    let after = am.update(&txn).await?;
    let changes: Vec<(&'static str, serde_json::Value, serde_json::Value)> = [
        ("name", before.name.into(), after.name.clone().into()),
        ("language", before.language.into(), after.language.clone().into()),
        ("timeZone", before.time_zone.into(), after.time_zone.clone().into()),
        ("currency", before.currency.as_str().into(), after.currency.as_str().into()),
        ("addProductsToCatalogue", before.add_products_to_catalogue.into(), after.add_products_to_catalogue.into()),
    ]
    .into_iter()
    .filter(|(_, b, a)| b != a)
    .collect();
    // Settings shown on or applied to documents: journaled when they really change.
    if !changes.is_empty() {
        let event = crate::journal::Event::SettingsChanged { changes };
        crate::journal::record(&txn, actor.account_id, &crate::journal::Origin::of(actor), event);
    }
    txn.commit().await?;
    Ok(after)
}

/// ISO 4217 shape: three upper-case ASCII letters (`vocabulary::Currency`).
pub fn is_currency_code(s: &str) -> bool {
    crate::vocabulary::Currency::parse(s).is_some()
}

pub struct SignedUp {
    pub user: user::Model,
    pub account: account::Model,
}

/// Creates the user, the account, its main department and the owner membership in one
/// transaction: either all exist afterwards or none does.
pub async fn sign_up(db: &DatabaseConnection, f: &SignUpForm<'_>, password_hash: String) -> DomainResult<SignedUp> {
    // Two sign-ups choosing the same free prefix at once: the loser's transaction is
    // aborted by the unique index; a new attempt sees the prefix taken and picks another.
    let mut attempts = 0;
    loop {
        attempts += 1;
        match try_sign_up(db, f, password_hash.clone()).await {
            Err(DomainError::Conflict { kind: ConflictKind::PrefixTaken, .. }) if attempts < 3 => continue,
            other => return other,
        }
    }
}

async fn try_sign_up(db: &DatabaseConnection, f: &SignUpForm<'_>, password_hash: String) -> DomainResult<SignedUp> {
    validate_sign_up(f)?;
    let email = normalize_email(f.email);
    let now = Utc::now();
    let language = f.language.unwrap_or("fr").to_owned();
    let account_name = f.account_name.trim().to_owned();

    let txn = begin_write(db).await?;
    if user::Entity::find().filter(user::Column::Email.eq(&email)).one(&txn).await?.is_some() {
        return Err(DomainError::conflict(ConflictKind::EmailTaken, Some("input.email")));
    }
    let prefix = free_prefix(&txn, &account_name).await?;

    let user = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        password_hash: Set(password_hash),
        name: Set(None),
        language: Set(language.clone()),
        created_at: Set(now),
        updated_at: Set(now),
        disabled_at: Set(None),
    }
    .insert(&txn)
    .await
    .on_unique(|| DomainError::conflict(ConflictKind::EmailTaken, Some("input.email")))?;

    let account = account::ActiveModel {
        id: Set(Uuid::now_v7()),
        reseller_id: Set(None),
        name: Set(account_name.clone()),
        prefix: Set(prefix),
        language: Set(language.clone()),
        time_zone: Set(f.time_zone.unwrap_or(DEFAULT_TIME_ZONE).to_owned()),
        currency: Set(Currency::given("input.currency", f.currency.unwrap_or(DEFAULT_CURRENCY))?),
        status: Set(AccountStatus::Active.as_str().to_owned()),
        add_products_to_catalogue: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .on_unique(|| DomainError::conflict(ConflictKind::PrefixTaken, None))?;

    membership::ActiveModel {
        id: Set(Uuid::now_v7()),
        account_id: Set(account.id),
        user_id: Set(user.id),
        role: Set(Role::Owner.as_str().to_owned()),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;

    let mut main = crate::departments::blank(AccountId(account.id), &account_name, now);
    main.main = Set(true);
    main.invoice_lang = Set(Some(language));
    department::ActiveModel::insert(main, &txn).await?;
    // Its four chains start with the account, each head signed.
    crate::ledger::store::create_heads(&txn, AccountId(account.id)).await?;

    let added = crate::journal::Event::UserAdded { user: user.id, email: user.email.clone(), role: Role::Owner };
    crate::journal::record(&txn, AccountId(account.id), &crate::journal::Origin::password(user.id, f.ip), added);
    txn.commit().await?;
    Ok(SignedUp { user, account })
}

/// A URL-safe prefix from the account name, made unique with a random suffix if needed.
async fn free_prefix(txn: &impl sea_orm::ConnectionTrait, name: &str) -> DomainResult<String> {
    let base = slug(name);
    let mut candidate = base.clone();
    for _ in 0..8 {
        let taken = account::Entity::find().filter(account::Column::Prefix.eq(&candidate)).one(txn).await?.is_some();
        if !taken {
            return Ok(candidate);
        }
        candidate = format!("{base}-{}", &Uuid::new_v4().simple().to_string()[..6]);
    }
    Err(DomainError::conflict(ConflictKind::PrefixTaken, None))
}

/// Lower-case ASCII letters and digits joined by single dashes, at most 40 characters.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in deunicode::deunicode(name).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut s: String = out.trim_end_matches('-').chars().take(40).collect();
    s = s.trim_end_matches('-').to_owned();
    if s.is_empty() { "account".to_owned() } else { s }
}

pub async fn find_user(db: &impl sea_orm::ConnectionTrait, id: UserId) -> DomainResult<user::Model> {
    user::Entity::find_by_id(id.0).one(db).await?.ok_or(DomainError::NotFound("user"))
}

pub async fn find_user_by_email(db: &impl sea_orm::ConnectionTrait, email: &str) -> DomainResult<Option<user::Model>> {
    Ok(user::Entity::find().filter(user::Column::Email.eq(normalize_email(email))).one(db).await?)
}

/// The actor's own account (never another one: the id comes from the credential).
pub async fn find_account(db: &impl sea_orm::ConnectionTrait, id: AccountId) -> DomainResult<account::Model> {
    account::Entity::find_by_id(id.0).one(db).await?.ok_or(DomainError::NotFound("account"))
}

/// A user's memberships with their accounts, oldest first.
pub async fn memberships_of(
    db: &impl sea_orm::ConnectionTrait,
    user: UserId,
) -> DomainResult<Vec<(membership::Model, account::Model)>> {
    let rows = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user.0))
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|m| m.account_id).collect();
    let accounts = account::Entity::find().filter(account::Column::Id.is_in(ids)).all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|m| {
            let a = accounts.iter().find(|a| a.id == m.account_id)?.clone();
            Some((m, a))
        })
        .collect())
}

/// The user's role in the account, if they are a member of it.
pub async fn role_in(
    db: &impl sea_orm::ConnectionTrait,
    user: UserId,
    account: AccountId,
) -> DomainResult<Option<Role>> {
    let m =
        membership::Entity::find().filter(membership::Column::UserId.eq(user.0)).in_account(account).one(db).await?;
    Ok(m.and_then(|m| Role::parse(&m.role)))
}

pub fn is_active(a: &account::Model) -> bool {
    a.status == AccountStatus::Active.as_str()
}

/// Every account's id, in id order (for the commands that go over all of them).
pub async fn all_ids(db: &impl sea_orm::ConnectionTrait) -> DomainResult<Vec<AccountId>> {
    use sea_orm::{QueryOrder, QuerySelect};
    let ids: Vec<Uuid> = account::Entity::find()
        .select_only()
        .column(account::Column::Id)
        .order_by_asc(account::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(AccountId).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("Boulangerie Émile & Fils"), "boulangerie-emile-fils");
        assert_eq!(slug("  --  "), "account");
        assert_eq!(slug("Œuvre"), "oeuvre");
        assert_eq!(slug(&"x".repeat(80)).len(), 40);
    }

    #[test]
    fn sign_up_form_reports_every_field() {
        let f = SignUpForm {
            email: "nope",
            password: "short",
            account_name: " ",
            language: Some("de"),
            time_zone: Some("Mars/Olympus"),
            currency: Some("eur"),
            ip: None,
        };
        let Err(DomainError::Validation(errs)) = validate_sign_up(&f) else { panic!() };
        let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "input.email",
                "input.password",
                "input.account_name",
                "input.language",
                "input.time_zone",
                "input.currency"
            ]
        );
    }
}
