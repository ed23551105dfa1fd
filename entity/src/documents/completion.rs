//! "Invoice to complete" (the seed's `status: incomplete`): an invoice created without
//! (or with partial) buyer details stays a draft with status `incomplete`; its buyer opens
//! the public link, fills in their details and validates. Validation issues the invoice
//! (number, frozen) with those details — a contact is recognised or created as for any
//! document — and, with `paidAfterCompletion`, marks it paid. Once validated the buyer can
//! no longer change it.

use super::*;
use crate::tenant::{Credential, Role, UserId};
use crate::vocabulary::{DocumentKind, DocumentState, DocumentStatus};

/// The actor for a buyer holding the public link: the document's account, no user.
fn link_actor(doc: &Model, client_ip: Option<std::net::IpAddr>) -> Actor {
    Actor {
        user_id: UserId(Uuid::nil()),
        account_id: crate::tenant::AccountId(doc.account_id),
        role: Role::Member,
        credential: Credential::PublicLink(doc.id),
        client_ip,
    }
}

/// The invoice waiting for its buyer behind this link, with its lines.
pub async fn to_complete(db: &DatabaseConnection, token: &str) -> DomainResult<(Model, Vec<pos::Model>)> {
    let doc = Entity::find()
        .filter(Column::ViewToken.eq(token))
        .filter(Column::Status.eq(crate::vocabulary::DocumentStatus::Incomplete))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("document"))?;
    let lines = lines_of(db, &doc).await?;
    Ok((doc, lines))
}

/// The lines of a document reached through its public link.
pub async fn lines_of(db: &DatabaseConnection, doc: &Model) -> DomainResult<Vec<pos::Model>> {
    positions(db, &link_actor(doc, None), doc.id).await
}

/// What the seller pre-filled, corrected by what the buyer typed.
fn completed_buyer(doc: &Model, typed: BuyerInput) -> BuyerInput {
    let pre = shown_buyer(doc);
    let pick = |t: Option<String>, pre: Option<String>| clean(&t).or(pre);
    BuyerInput {
        name: pick(typed.name, pre.name),
        first_name: pick(typed.first_name, pre.first_name),
        last_name: pick(typed.last_name, pre.last_name),
        company: typed.company.or(pre.company),
        tax_no: pick(typed.tax_no, pre.tax_no),
        tax_no_kind: pick(typed.tax_no_kind, pre.tax_no_kind),
        post_code: pick(typed.post_code, pre.post_code),
        city: pick(typed.city, pre.city),
        street: pick(typed.street, pre.street),
        country: pick(typed.country, pre.country),
        email: pick(typed.email, pre.email),
        phone: pick(typed.phone, pre.phone),
    }
}

/// The buyer validates their details: the invoice is issued with them.
pub async fn complete(
    db: &DatabaseConnection,
    token: &str,
    buyer: BuyerInput,
    client_ip: Option<std::net::IpAddr>,
) -> DomainResult<Model> {
    let txn = begin_write(db).await?;
    let found = Entity::find().filter(Column::ViewToken.eq(token)).lock_exclusive().one(&txn).await?;
    let Some(doc) = found else {
        return Err(DomainError::NotFound("document"));
    };
    if doc.status != DocumentStatus::Incomplete || doc.state != DocumentState::Draft || doc.kind != DocumentKind::Vat {
        return Err(if doc.completed_at.is_some() || doc.state == DocumentState::Issued {
            DomainError::conflict(ConflictKind::AlreadyCompleted, Some("token"))
        } else {
            DomainError::NotFound("document")
        });
    }
    let actor = link_actor(&doc, client_ip);
    let fields = completed_buyer(&doc, buyer);
    if fields.has_no_identity() {
        return Err(DomainError::field("input.buyer_name", FieldCode::Required));
    }
    let mut v = Validator::new();
    validate_scalars(&DocumentInput { buyer: fields.clone(), ..Default::default() }, &mut v);
    v.finish()?;
    // The document shows exactly what the buyer validated. The contact is the one the
    // seller chose, if any, and is left as it is; otherwise a new contact is made from
    // these details. Never a contact recognised from what an anonymous link holder typed:
    // that would show them someone else's details and bill that someone.
    let (client_id, fields) = match doc.client_id {
        Some(id) => (Some(id), fields),
        None => {
            let contact =
                crate::clients::create_in(&txn, &actor, fields.as_patch()).await.map_err(|e| e.prefixed("buyer"))?;
            let name = fields.name.clone().or(Some(contact.name.clone()));
            (Some(contact.id), BuyerInput { name, ..fields })
        }
    };
    // Issued today: the buyer may validate days later, and dates never go back in a series.
    let account = crate::accounts::find_account(&txn, actor.account_id).await?;
    let today = today(&account);
    let same_day_sale = doc.sell_date.as_deref() == Some(&doc.issue_date.format("%Y-%m-%d").to_string());
    let mut input = DocumentInput {
        issue_date: Some(today),
        sell_date: same_day_sale.then(|| today.format("%Y-%m-%d").to_string()),
        ..Default::default()
    };
    input.prepared.buyer_snapshot = Some((client_id, fields));
    let paid_after = doc.paid_after_completion;
    let written = write(&txn, &actor, Some(doc), &input).await?;
    let issued = issue_written(&txn, &actor, written).await?;
    let mut am: ActiveModel = issued.into();
    am.completed_at = Set(Some(Utc::now()));
    let done = am.update(&txn).await?;
    if paid_after && done.price_gross.value() > Decimal::ZERO {
        // Paid as any invoice is: by a payment applied to it, so that the paid amount,
        // the status and the payments list agree.
        let patch = crate::payments::PaymentPatch {
            price: Some(done.price_gross.value()),
            invoice_id: Some(Some(done.id)),
            paid: Some(true),
            name: Some(Some(crate::texts::Lang::of_document(&done.lang).payment_on_completion().into())),
            ..Default::default()
        };
        crate::payments::record_in(&txn, &actor, patch).await?;
    }
    let done = get(&txn, &actor, done.id).await?;
    txn.commit().await?;
    Ok(done)
}
