//! The checks a document's fields must pass before it is written: value lists, combined
//! fields, the buyer's country for OSS sales, the uniqueness of `oid`.

use super::*;
use crate::scope::InAccount;
use crate::vocabulary::{DocumentKind, DocumentStatus};

pub(super) fn validate_scalars(input: &DocumentInput, v: &mut Validator) {
    if let Some(s) = clean(&input.sell_date)
        && !is_sell_date(&s)
    {
        v.push("input.sell_date", FieldCode::Rule("sell_date"));
    }
    if let Some(p) = clean(&input.payment_to_kind)
        && !crate::clients::is_payment_to_kind(&p)
    {
        v.push("input.payment_to_kind", FieldCode::Rule("payment_to_kind"));
    }
    if let Some(c) = &input.currency
        && !crate::accounts::is_currency_code(c)
    {
        v.push("input.currency", FieldCode::Rule("currency_code"));
    }
    if let Some(l) = clean(&input.lang)
        && !crate::validation::is_lang_codes(&l)
    {
        v.push("input.lang", FieldCode::Rule("language_code"));
    }
    for (name, value, max) in [
        ("input.place", &input.place, MAX_LINE),
        ("input.payment_type", &input.payment_type, MAX_LINE),
        ("input.oid", &input.oid, MAX_LINE),
        ("input.description", &input.description, MAX_TEXT),
        ("input.internal_note", &input.internal_note, MAX_TEXT),
        ("input.buyer_name", &input.buyer.name, MAX_LINE),
        ("input.buyer_first_name", &input.buyer.first_name, MAX_LINE),
        ("input.buyer_last_name", &input.buyer.last_name, MAX_LINE),
        ("input.buyer_tax_no", &input.buyer.tax_no, MAX_LINE),
        ("input.buyer_tax_no_kind", &input.buyer.tax_no_kind, MAX_LINE),
        ("input.buyer_post_code", &input.buyer.post_code, MAX_LINE),
        ("input.buyer_city", &input.buyer.city, MAX_LINE),
        ("input.buyer_street", &input.buyer.street, MAX_LINE),
        ("input.buyer_country", &input.buyer.country, MAX_LINE),
        ("input.buyer_phone", &input.buyer.phone, MAX_LINE),
        ("input.seller_name", &input.seller_name, MAX_LINE),
        ("input.seller_tax_no", &input.seller_tax_no, MAX_LINE),
        ("input.category_name", &input.category_name, MAX_LINE),
    ] {
        if let Some(s) = value {
            v.max_len(name, s, max);
        }
    }
    if let Some(e) = clean(&input.buyer.email)
        && !crate::validation::is_email_list(&e)
    {
        v.push("input.buyer_email", FieldCode::InvalidEmail);
    }
    for (value, name, max) in input.texts.entries() {
        if let Some(s) = value {
            v.max_len(name, s, max);
        }
    }
    let t = &input.texts;
    for (value, name, allowed) in [
        (&t.sum_recovery, "input.sum_recovery", &SUM_RECOVERY[..]),
        (&t.exchange_kind, "input.exchange_kind", &EXCHANGE_KINDS[..]),
        (&t.accounting_status, "input.accounting_status", &ACCOUNTING_STATUSES[..]),
    ] {
        if let Some(x) = clean(value) {
            v.one_of(name, &x, allowed);
        }
    }
    if let Some(c) = clean(&t.exchange_currency)
        && !crate::accounts::is_currency_code(&c)
    {
        v.push("input.exchange_currency", FieldCode::Rule("currency_code"));
    }
    if let Some(e) = clean(&t.send_completion_to)
        && !crate::validation::is_email_list(&e)
    {
        v.push("input.send_completion_to", FieldCode::InvalidEmail);
    }
    if let Some(d) = clean(&t.advanced_payment_discount)
        && !crate::validation::parse_decimal(&d).is_some_and(|x| x >= Decimal::ZERO && x <= Decimal::ONE_HUNDRED)
    {
        v.push("input.advanced_payment_discount", FieldCode::OutOfRange { min: 0, max: 100 });
    }
    if input.prime_cee_value.is_some_and(|x| x < Decimal::ZERO) {
        v.push("input.prime_cee_value", FieldCode::Rule("positive_amount"));
    }
    if input.exchange_currency_rate.is_some_and(|x| x <= Decimal::ZERO) {
        v.push("input.exchange_currency_rate", FieldCode::Rule("positive_amount"));
    }
    if input.status.is_some_and(|st| st != DocumentStatus::Incomplete) {
        v.push("input.status", FieldCode::Rule("incomplete_only"));
    }
    if let Some(k) = input.kind
        && k != DocumentKind::Vat
        && input.status.is_some()
    {
        v.push("input.status", FieldCode::Rule("incomplete_invoice_only"));
    }
    for (i, p) in input.positions.iter().flatten().enumerate() {
        if let Some(d) = p.discount_percent
            && (d < Decimal::ZERO || d > Decimal::ONE_HUNDRED)
        {
            v.push(&field(i, "discount_percent"), FieldCode::OutOfRange { min: 0, max: 100 });
        }
        for (name, value, max) in [
            ("description", &p.description, MAX_TEXT),
            ("code", &p.code, MAX_LINE),
            ("quantity_unit", &p.quantity_unit, MAX_LINE),
            ("additional_info", &p.additional_info, MAX_TEXT),
        ] {
            if let Some(s) = value {
                v.max_len(&field(i, name), s, max);
            }
        }
    }
}

/// Kinds whose new sale lines join the catalogue: not credit notes (their lines are the
/// invoice's), advances and finals (built from an estimate), nor cash vouchers.
pub(super) fn catalogue_kind(kind: DocumentKind) -> bool {
    use DocumentKind::*;
    !matches!(kind, Correction | Advance | Final | Kp | Kw | PaymentReceipt)
}

/// `sell_date` as a date: the day, or the first of the month for `YYYY-MM`.
pub(super) fn sell_on(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok())
}

/// The European Union's member states (ISO 3166 alpha-2; Greece's `EL` is read as `GR`).
pub(super) const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV",
    "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// A country as its ISO code: a code as given, or an EU country's name in French or
/// English (departments often hold "France" rather than "FR").
pub(super) fn country_code(c: Option<String>) -> Option<String> {
    const NAMES: [(&str, &str); 27] = [
        ("autriche|austria", "AT"),
        ("belgique|belgium", "BE"),
        ("bulgarie|bulgaria", "BG"),
        ("chypre|cyprus", "CY"),
        ("tchequie|czechia|czech republic|republique tcheque", "CZ"),
        ("allemagne|germany", "DE"),
        ("danemark|denmark", "DK"),
        ("estonie|estonia", "EE"),
        ("espagne|spain", "ES"),
        ("finlande|finland", "FI"),
        ("france", "FR"),
        ("grece|greece", "GR"),
        ("croatie|croatia", "HR"),
        ("hongrie|hungary", "HU"),
        ("irlande|ireland", "IE"),
        ("italie|italy", "IT"),
        ("lituanie|lithuania", "LT"),
        ("luxembourg", "LU"),
        ("lettonie|latvia", "LV"),
        ("malte|malta", "MT"),
        ("pays-bas|netherlands", "NL"),
        ("pologne|poland", "PL"),
        ("portugal", "PT"),
        ("roumanie|romania", "RO"),
        ("suede|sweden", "SE"),
        ("slovenie|slovenia", "SI"),
        ("slovaquie|slovakia", "SK"),
    ];
    let c = c?.trim().to_owned();
    if c.len() == 2 {
        let code = c.to_ascii_uppercase();
        return Some(if code == "EL" { "GR".into() } else { code });
    }
    let key = crate::validation::search_key(&c);
    Some(
        NAMES
            .iter()
            .find(|(names, _)| names.split('|').any(|n| n == key))
            .map(|(_, code)| (*code).to_owned())
            .unwrap_or(key),
    )
}

/// The seed's `identify_oss`: a sale to a buyer in another EU country than the seller's
/// who is not VAT-registered (a private individual, or no tax number).
pub(super) fn is_oss_sale(am: &ActiveModel) -> bool {
    let (buyer, seller) = (country_code(value_of(&am.buyer_country)), country_code(value_of(&am.seller_country)));
    let registered = value_of(&am.buyer_company) && value_of(&am.buyer_tax_no).is_some_and(|t| !t.trim().is_empty());
    matches!(&buyer, Some(b) if EU.contains(&b.as_str())) && buyer != seller && !registered
}

/// Rules on the document as it will be saved (given fields and stored ones together).
pub(super) fn check_combined_fields(am: &ActiveModel) -> DomainResult<()> {
    let mut v = Validator::new();
    if value_of(&am.use_prime_cee) && value_of(&am.prime_cee_value).is_none() {
        v.push("input.prime_cee_value", FieldCode::Required);
    }
    if value_of(&am.exchange_currency).is_some() {
        match value_of(&am.exchange_kind).as_deref() {
            None => v.push("input.exchange_kind", FieldCode::Required),
            // Bank rates need a rate feed; an own rate is exact and always available.
            Some("own") => {
                if value_of(&am.exchange_currency_rate).is_none() {
                    v.push("input.exchange_currency_rate", FieldCode::Required);
                }
            }
            Some(_) => v.push("input.exchange_kind", FieldCode::Rule("exchange_kind_unsupported")),
        }
    }
    if value_of(&am.use_oss)
        && value_of(&am.buyer_country).is_some()
        && value_of(&am.buyer_country) == value_of(&am.seller_country)
    {
        v.push("input.use_oss", FieldCode::Rule("oss_same_country"));
    }
    v.finish()
}

/// The seed's `oid_unique: yes`: no other document of the account has this order number.
/// The account row is locked first so that two such documents cannot pass together.
pub(super) async fn check_oid_unique(db: &impl ConnectionTrait, actor: &Actor, am: &ActiveModel) -> DomainResult<()> {
    let Some(oid) = value_of(&am.oid) else {
        return Err(DomainError::field("input.oid", FieldCode::Required));
    };
    // `FOR NO KEY UPDATE`: serialises `oidUnique` creators without blocking the
    // foreign-key checks (`KEY SHARE`) of other inserts, which would deadlock with them.
    crate::tables::account::Entity::find_by_id(actor.account_id.0)
        .lock(sea_orm::sea_query::LockType::NoKeyUpdate)
        .one(db)
        .await?;
    let taken =
        Entity::find_in(actor).filter(Column::Oid.eq(oid)).filter(Column::Id.ne(value_of(&am.id))).count(db).await?;
    if taken > 0 { Err(DomainError::conflict(ConflictKind::OidTaken, Some("input.oid"))) } else { Ok(()) }
}
