//! What is sealed: the canonical form of documents and payments read from their rows (in
//! the version an entry was written in, so that older entries still verify), and the
//! appending of what a write transaction issued or was paid into the account's chains.
//! A document is sealed when it is issued (fiscal kinds only), a payment when it is paid,
//! in the transaction that does it.

use super::canonical::{self, v1};
use super::store::{Appender, Chain, system_actor};
use crate::error::{DomainError, DomainResult};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::{document, document_position as pos, payment};
use crate::tenant::{AccountId, Actor};
use crate::vocabulary::DocumentState;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// What verification compares an entry with: the canonical form, in `version`, of the
/// entry's subject as its rows are now (`None`: the subject is gone). The one place that
/// knows where each chain's subjects live, so that verification reads them through this
/// narrow door rather than reaching into the modules it certifies.
pub(crate) async fn current_form(
    db: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    subject: Uuid,
    version: u32,
) -> DomainResult<Option<String>> {
    let actor = system_actor(account);
    Ok(match chain {
        Chain::Documents => match crate::documents::get(db, &actor, subject).await {
            Ok(d) => Some(document_form(db, &actor, &d, version).await?),
            Err(DomainError::NotFound(_)) => None,
            Err(other) => return Err(other),
        },
        Chain::Payments => match crate::payments::get(db, &actor, subject).await {
            Ok(p) => Some(payment_form(db, &actor, &p, version).await?),
            Err(DomainError::NotFound(_)) => None,
            Err(other) => return Err(other),
        },
        // A journal event is its own row: sealed as written, compared as it is now.
        Chain::Events => crate::journal::find(db, account, subject).await?.map(|j| crate::journal::canonical(&j)),
        Chain::Closures => match crate::closures::find_in_account(db, account, subject).await? {
            Some(c) => Some(crate::closures::canonical(&c, version)?),
            None => None,
        },
    })
}

/// The canonical form, in `version`, of a document as its rows are now.
pub async fn document_form(
    db: &impl ConnectionTrait,
    actor: &Actor,
    d: &document::Model,
    version: u32,
) -> DomainResult<String> {
    match version {
        1 => document_v1(db, actor, d).await,
        2 => document_v2(db, actor, d).await,
        v => Err(DomainError::Integrity(format!("unknown canonical version {v}"))),
    }
}

async fn linked_number(db: &impl ConnectionTrait, actor: &Actor, id: Option<Uuid>) -> DomainResult<Option<String>> {
    Ok(match id {
        Some(id) => crate::documents::get(db, actor, id).await.ok().and_then(|l| l.number),
        None => None,
    })
}

async fn document_v2(db: &impl ConnectionTrait, actor: &Actor, d: &document::Model) -> DomainResult<String> {
    let rows = crate::documents::all_positions(db, actor, d.id).await?;
    let linked = linked_number(db, actor, d.invoice_id).await?;
    document_v2_of(d, &rows, linked)
}

/// Documents read together, page by page, for verification: their rows, positions and
/// the numbers of the documents they link to, in three queries for the whole page.
pub(crate) struct DocumentPage {
    documents: HashMap<Uuid, Readable<document::Model>>,
    positions: HashMap<Uuid, Readable<Vec<pos::Model>>>,
    numbers: HashMap<Uuid, Option<String>>,
}

/// A subject's rows, or why they no longer read back.
type Readable<T> = Result<T, String>;

/// `read` over all of `ids` in one query; when some row no longer reads back, over one id
/// at a time, so that only the subjects whose rows do not read back are lost (and named).
async fn one_query_or_each<T, F, Fut>(ids: &[Uuid], read: F) -> DomainResult<HashMap<Uuid, Readable<T>>>
where
    F: Fn(Vec<Uuid>) -> Fut,
    Fut: std::future::Future<Output = Result<HashMap<Uuid, T>, sea_orm::DbErr>>,
{
    match read(ids.to_vec()).await {
        Ok(found) => Ok(found.into_iter().map(|(id, t)| (id, Ok(t))).collect()),
        Err(e) if crate::error::is_undecodable(&e) => {
            let mut out = HashMap::new();
            for id in ids {
                match read(vec![*id]).await {
                    Ok(found) => out.extend(found.into_iter().map(|(id, t)| (id, Ok(t)))),
                    Err(e) if crate::error::is_undecodable(&e) => {
                        out.insert(*id, Err(e.to_string()));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(out)
        }
        Err(e) => Err(e.into()),
    }
}

impl DocumentPage {
    pub(crate) async fn read(db: &impl ConnectionTrait, account: AccountId, ids: &[Uuid]) -> DomainResult<Self> {
        use sea_orm::QueryOrder;
        let documents = one_query_or_each(ids, |ids| async move {
            let rows = document::Entity::find_in(account).filter(document::Column::Id.is_in(ids));
            Ok(rows.all(db).await?.into_iter().map(|d| (d.id, d)).collect())
        })
        .await?;
        let positions = one_query_or_each(ids, |ids| async move {
            let mut by_document: HashMap<Uuid, Vec<pos::Model>> = HashMap::new();
            for row in pos::Entity::find_in(account)
                .filter(pos::Column::DocumentId.is_in(ids))
                .order_by_asc(pos::Column::DocumentId)
                .order_by_asc(pos::Column::Position)
                .all(db)
                .await?
            {
                by_document.entry(row.document_id).or_default().push(row);
            }
            Ok(by_document)
        })
        .await?;
        let linked: Vec<Uuid> = documents.values().filter_map(|d| d.as_ref().ok()?.invoice_id).collect();
        let numbers = if linked.is_empty() {
            HashMap::new()
        } else {
            document::Entity::find()
                .select_only()
                .column(document::Column::Id)
                .column(document::Column::Number)
                .in_account(account)
                .filter(document::Column::Id.is_in(linked))
                .into_tuple::<(Uuid, Option<String>)>()
                .all(db)
                .await?
                .into_iter()
                .collect()
        };
        Ok(DocumentPage { documents, positions, numbers })
    }

    /// The document's canonical form in `version` 2 from the page (None: not found, deleted).
    pub(crate) fn form_v2(&self, id: Uuid) -> Option<DomainResult<String>> {
        let unreadable = |why: &String| DomainError::Integrity(why.clone());
        let d = match self.documents.get(&id)? {
            Ok(d) => d,
            Err(why) => return Some(Err(unreadable(why))),
        };
        let rows = match self.positions.get(&id) {
            None => &[][..],
            Some(Ok(rows)) => rows.as_slice(),
            Some(Err(why)) => return Some(Err(unreadable(why))),
        };
        let linked = d.invoice_id.and_then(|l| self.numbers.get(&l).cloned().flatten());
        Some(document_v2_of(d, rows, linked))
    }
}

/// Version 2 of a document's canonical form from its row, its position rows in order and
/// the number of the document it links to.
fn document_v2_of(d: &document::Model, rows: &[pos::Model], linked: Option<String>) -> DomainResult<String> {
    let vat = crate::documents::tax_summary_of_rows(d, rows)?;
    let position_of: HashMap<Uuid, i32> = rows.iter().map(|r| (r.id, r.position)).collect();
    let lines = rows
        .iter()
        .map(|r: &pos::Model| canonical::Line {
            position: r.position,
            parent: r.parent_id.and_then(|p| position_of.get(&p).copied()),
            kind: r.kind.clone(),
            name: r.name.clone(),
            code: r.code.clone(),
            description: r.description.clone(),
            quantity: r.quantity.to_string(),
            quantity_unit: r.quantity_unit.clone(),
            tax: r.tax.clone(),
            price_given: r.price_given.clone(),
            price_given_amount: r.price_given_amount.to_string(),
            price_net: r.price_net.to_string(),
            price_gross: r.price_gross.to_string(),
            discount: r.discount.map(|v| v.to_string()),
            discount_percent: r.discount_percent.map(|v| v.to_string()),
            total_net: r.total_price_net.to_string(),
            total_tax: r.total_price_tax.to_string(),
            total_gross: r.total_price_gross.to_string(),
            additional_info: r.additional_info.clone(),
        })
        .collect();
    Ok(canonical::document(&canonical::Document {
        kind: d.kind.as_str().to_owned(),
        number: d.number.clone().unwrap_or_default(),
        test: d.test,
        state: d.state.as_str().to_owned(),
        issue_date: d.issue_date,
        sell_date: d.sell_date.clone(),
        issued_at: d.issued_at.unwrap_or(d.created_at),
        payment_to: d.payment_to,
        payment_to_kind: d.payment_to_kind.clone(),
        payment_type: d.payment_type.clone(),
        currency: d.currency.to_string(),
        exchange_currency: d.exchange_currency.clone(),
        exchange_kind: d.exchange_kind.clone(),
        exchange_rate: d.exchange_currency_rate.map(|v| v.to_string()),
        reverse_charge: d.reverse_charge,
        oss: d.use_oss,
        prime_cee: d.prime_cee_value.map(|v| v.to_string()).filter(|_| d.use_prime_cee),
        seller: canonical::Party {
            company: true,
            name: d.seller_name.clone(),
            first_name: None,
            last_name: None,
            tax_no: d.seller_tax_no.clone(),
            tax_no_kind: d.seller_tax_no_kind.clone(),
            street: d.seller_street.clone(),
            post_code: d.seller_post_code.clone(),
            city: d.seller_city.clone(),
            country: d.seller_country.clone(),
        },
        buyer: canonical::Party {
            company: d.buyer_company,
            name: d.buyer_name.clone(),
            first_name: d.buyer_first_name.clone(),
            last_name: d.buyer_last_name.clone(),
            tax_no: d.buyer_tax_no.clone(),
            tax_no_kind: d.buyer_tax_no_kind.clone(),
            street: d.buyer_street.clone(),
            post_code: d.buyer_post_code.clone(),
            city: d.buyer_city.clone(),
            country: d.buyer_country.clone(),
        },
        total_net: d.price_net.to_string(),
        total_tax: d.price_tax.to_string(),
        total_gross: d.price_gross.to_string(),
        vat: vat
            .into_iter()
            .map(|r| canonical::VatRow {
                tax: r.tax.to_string(),
                net: r.net.to_string(),
                tax_amount: r.tax_amount.to_string(),
                gross: r.gross.to_string(),
            })
            .collect(),
        lines,
        linked,
        correction_reason: d.correction_reason.clone(),
    }))
}

/// Version 1, as Scelle wrote it before version 2.
async fn document_v1(db: &impl ConnectionTrait, actor: &Actor, d: &document::Model) -> DomainResult<String> {
    let (lines, vat) = crate::documents::positions_and_tax_summary(db, actor, d).await?;
    let corrects = match d.kind {
        crate::vocabulary::DocumentKind::Correction => linked_number(db, actor, d.invoice_id).await?,
        _ => None,
    };
    let party = |name: &Option<String>, tax_no: &Option<String>, post_code: &Option<String>| v1::Party {
        name: name.clone(),
        tax_no: tax_no.clone(),
        post_code: post_code.clone(),
    };
    Ok(v1::document(&v1::Document {
        kind: d.kind.as_str().to_owned(),
        number: d.number.clone().unwrap_or_default(),
        issue_date: d.issue_date,
        sell_date: d.sell_date.clone(),
        issued_at: d.issued_at.unwrap_or(d.created_at),
        currency: d.currency.to_string(),
        seller: party(&d.seller_name, &d.seller_tax_no, &d.seller_post_code),
        buyer: party(&d.buyer_name, &d.buyer_tax_no, &d.buyer_post_code),
        net: d.price_net.value(),
        tax: d.price_tax.value(),
        gross: d.price_gross.value(),
        vat: vat
            .into_iter()
            .map(|r| v1::VatRow { tax: r.tax.to_string(), net: r.net, tax_amount: r.tax_amount, gross: r.gross })
            .collect(),
        lines: lines
            .into_iter()
            .map(|l| v1::Line {
                kind: l.kind,
                name: l.name,
                quantity: l.quantity.value(),
                tax: l.tax,
                total_net: l.total_price_net.value(),
                total_gross: l.total_price_gross.value(),
            })
            .collect(),
        corrects,
    }))
}

/// The canonical form, in `version`, of a payment as its rows are now, with the numbers
/// of the documents it pays.
pub async fn payment_form(
    db: &impl ConnectionTrait,
    actor: &Actor,
    p: &crate::payments::Payment,
    version: u32,
) -> DomainResult<String> {
    let numbers: HashMap<Uuid, String> = document::Entity::find_in(actor)
        .filter(document::Column::Id.is_in(p.allocations.iter().map(|a| a.document_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.number.unwrap_or_default()))
        .collect();
    let number = |id: &Uuid| numbers.get(id).cloned().unwrap_or_default();
    match version {
        1 => Ok(v1::payment(&v1::Payment {
            recorded_at: p.model.created_at,
            paid_date: p.model.paid_date,
            paid: p.model.paid,
            price: p.model.price.value(),
            currency: p.model.currency.to_string(),
            kind: p.model.kind.clone(),
            name: p.model.name.clone(),
            allocations: p.allocations.iter().map(|a| (number(&a.document_id), a.amount.value())).collect(),
        })),
        2 => Ok(canonical::payment(&canonical::Payment {
            recorded_at: p.model.created_at,
            paid_date: p.model.paid_date,
            paid: p.model.paid,
            price: p.model.price.to_string(),
            currency: p.model.currency.to_string(),
            kind: p.model.kind.clone(),
            name: p.model.name.clone(),
            allocations: p.allocations.iter().map(|a| (number(&a.document_id), a.amount.to_string())).collect(),
        })),
        v => Err(DomainError::Integrity(format!("unknown canonical version {v}"))),
    }
}

/// Appends the subjects `ids` of one account to `chain` (documents or payments), in the
/// order given, reading each as the transaction left it. Only what is to be sealed is:
/// an issued fiscal document, a paid payment.
// Sealing writes the current version, which the page builds (`form_v2`).
const _: () = assert!(canonical::VERSION == 2);

pub(crate) async fn seal(
    txn: &impl ConnectionTrait,
    account: AccountId,
    chain: Chain,
    ids: &[Uuid],
) -> DomainResult<Vec<super::store::Sealed>> {
    let actor = system_actor(account);
    let mut appender = Appender::open(txn, account, chain).await?;
    let mut forms = Vec::with_capacity(ids.len());
    match chain {
        Chain::Documents => {
            // The rows of many documents in three queries (a group commit seals dozens).
            for chunk in ids.chunks(500) {
                let page = DocumentPage::read(txn, account, chunk).await?;
                for id in chunk {
                    let d = page.documents.get(id).ok_or(DomainError::NotFound("document"))?;
                    let d = d.as_ref().map_err(|why| DomainError::Integrity(why.clone()))?;
                    if d.state != DocumentState::Issued || !d.kind.is_fiscal() {
                        continue;
                    }
                    forms.push((*id, page.form_v2(*id).expect("the document was read above")?));
                }
            }
        }
        Chain::Payments => {
            for id in ids {
                let p = crate::payments::get(txn, &actor, *id).await?;
                if p.model.paid {
                    forms.push((*id, payment_form(txn, &actor, &p, canonical::VERSION).await?));
                }
            }
        }
        Chain::Closures | Chain::Events => {
            return Err(DomainError::Internal(format!("{} are sealed by their own writers", chain.as_str())));
        }
    }
    let sealed = appender.push_all(txn, forms).await?;
    appender.finish(txn).await?;
    Ok(sealed)
}

/// Issued fiscal documents of the account without an entry, oldest first.
pub async fn unsealed_documents(db: &impl ConnectionTrait, account: AccountId) -> DomainResult<Vec<document::Model>> {
    use sea_orm::QueryOrder;
    Ok(document::Entity::find_in(account)
        .filter(document::Column::State.eq(crate::vocabulary::DocumentState::Issued))
        .filter(document::Column::Kind.is_in(crate::vocabulary::DocumentKind::fiscal()))
        .filter(document::Column::Id.not_in_subquery(super::store::sealed_subjects(account, Chain::Documents)))
        .order_by_asc(document::Column::IssuedAt)
        .order_by_asc(document::Column::Id)
        .all(db)
        .await?)
}

/// Paid payments of the account without an entry, oldest first.
pub async fn unsealed_payments(db: &impl ConnectionTrait, account: AccountId) -> DomainResult<Vec<payment::Model>> {
    use sea_orm::QueryOrder;
    Ok(payment::Entity::find_in(account)
        .filter(payment::Column::Paid.eq(true))
        .filter(payment::Column::Id.not_in_subquery(super::store::sealed_subjects(account, Chain::Payments)))
        .order_by_asc(payment::Column::CreatedAt)
        .order_by_asc(payment::Column::Id)
        .all(db)
        .await?)
}
