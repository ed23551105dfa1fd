//! "Invoice to complete" (the seed's `status: incomplete`): an invoice created without
//! (or with partial) buyer details stays a draft with status `incomplete`; its buyer opens
//! the public link, fills in their details and validates. Validation issues the invoice
//! (number, frozen) with those details — a contact is recognised or created as for any
//! document — and, with `paidAfterCompletion`, marks it paid. Once validated the buyer can
//! no longer change it.

use super::*;
use crate::tenant::{Credential, Role, UserId};

/// The actor for a buyer holding the public link: the document's account, no user.
fn link_actor(doc: &Model) -> Actor {
    Actor {
        user_id: UserId(Uuid::nil()),
        account_id: crate::tenant::AccountId(doc.account_id),
        role: Role::Member,
        credential: Credential::PublicLink(doc.id),
    }
}

/// The invoice waiting for its buyer behind this link, with its lines.
pub async fn to_complete(db: &DatabaseConnection, token: &str) -> DomainResult<(Model, Vec<pos::Model>)> {
    let doc = Entity::find()
        .filter(Column::ViewToken.eq(token))
        .filter(Column::Status.eq("incomplete"))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("document"))?;
    let lines = lines_of(db, &doc).await?;
    Ok((doc, lines))
}

/// The lines of a document reached through its public link.
pub async fn lines_of(db: &DatabaseConnection, doc: &Model) -> DomainResult<Vec<pos::Model>> {
    positions(db, &link_actor(doc), doc.id).await
}

/// The buyer validates their details: the invoice is issued with them.
pub async fn complete(db: &DatabaseConnection, token: &str, buyer: BuyerInput) -> DomainResult<Model> {
    let txn = begin_write(db).await?;
    let found = Entity::find().filter(Column::ViewToken.eq(token)).lock_exclusive().one(&txn).await?;
    let Some(doc) = found else {
        return Err(DomainError::NotFound("document"));
    };
    if doc.status != "incomplete" {
        return Err(if doc.completed_at.is_some() || doc.state == "issued" {
            DomainError::conflict(ConflictKind::AlreadyCompleted, Some("token"))
        } else {
            DomainError::NotFound("document")
        });
    }
    let actor = link_actor(&doc);
    // The details shown are the ones the buyer gave, and the contact follows them.
    let input = DocumentInput { buyer, buyer_override: true, ..Default::default() };
    if input.buyer.is_empty() {
        return Err(DomainError::field("input.buyerName", FieldCode::Required));
    }
    let paid_after = doc.paid_after_completion;
    let written = write(&txn, &actor, Some(doc), &input).await?;
    let issued = issue_in(&txn, &actor, written).await?;
    let mut am: ActiveModel = issued.into();
    am.completed_at = Set(Some(Utc::now()));
    let done = am.update(&txn).await?;
    if paid_after {
        // Paid as any invoice is: by a payment applied to it, so that the paid amount,
        // the status and the payments list agree.
        let french = done.lang.starts_with("fr");
        let patch = crate::payments::PaymentPatch {
            price: Some(dec(&done.price_gross)),
            invoice_id: Some(Some(done.id)),
            paid: Some(true),
            name: Some(Some(if french { "Paiement à la validation" } else { "Payment on completion" }.into())),
            ..Default::default()
        };
        crate::payments::record_in(&txn, &actor, patch).await?;
    }
    let done = get(&txn, &actor, done.id).await?;
    txn.commit().await?;
    Ok(done)
}
