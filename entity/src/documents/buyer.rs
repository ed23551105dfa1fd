//! Who a document is for and from: buyer recognition (the seed's rules) and the copied
//! buyer and seller details.

use super::*;
/// The buyer details a document shows, and the contact behind them.
pub(super) struct Buyer {
    pub(super) client_id: Option<Uuid>,
    pub(super) fields: BuyerInput,
}

pub(super) fn buyer_of(c: &client::Model) -> Buyer {
    Buyer {
        client_id: Some(c.id),
        fields: BuyerInput {
            name: Some(c.name.clone()),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            company: Some(c.company),
            tax_no: c.tax_no.clone(),
            tax_no_kind: c.tax_no_kind.clone(),
            post_code: c.post_code.clone(),
            city: c.city.clone(),
            street: c.street.clone(),
            country: c.country.clone(),
            email: c.email.clone(),
            phone: c.phone.clone(),
        },
    }
}

/// The seed's buyer rules: `clientId` names the contact (its details show on the
/// document; with `buyerOverride` the given details show and update the contact);
/// `clientId: -1` creates a contact; otherwise the contact is recognised by tax number,
/// e-mail or name, and created when none matches.
pub(super) async fn resolve_buyer(
    db: &crate::db::WriteTxn,
    actor: &Actor,
    input: &DocumentInput,
) -> DomainResult<Option<(Buyer, Option<client::Model>)>> {
    let b = &input.buyer;
    let existing = match input.client {
        Some(BuyerRef::Existing(id)) => Some(crate::error::referenced(
            crate::clients::get(db, actor, id).await,
            "input.client_id",
            "unknown_client",
        )?),
        Some(BuyerRef::New) => None,
        None if b.has_no_identity() => return Ok(None),
        None => {
            crate::clients::recognise(db, actor, b.name.as_deref(), b.email.as_deref(), b.tax_no.as_deref()).await?
        }
    };
    let contact = match existing {
        // Override applies to the contact named by `clientId`, never to a recognised one.
        Some(c) if input.buyer_override && matches!(input.client, Some(BuyerRef::Existing(_))) && b.has_any() => {
            crate::clients::update_in(db, actor, c.id, b.as_patch()).await.map_err(|e| e.prefixed("buyer"))?
        }
        Some(c) => c,
        None => {
            if b.has_no_identity() {
                return Err(DomainError::field("input.buyer_name", FieldCode::Required));
            }
            crate::clients::create_in(db, actor, b.as_patch()).await.map_err(|e| e.prefixed("buyer"))?
        }
    };
    Ok(Some((buyer_of(&contact), Some(contact))))
}

pub(super) fn set_buyer(am: &mut ActiveModel, b: &Buyer) {
    let f = &b.fields;
    am.client_id = Set(b.client_id);
    am.buyer_name = Set(f.name.clone());
    am.buyer_first_name = Set(f.first_name.clone());
    am.buyer_last_name = Set(f.last_name.clone());
    am.buyer_company = Set(f.company.unwrap_or(true));
    am.buyer_tax_no = Set(f.tax_no.clone());
    am.buyer_tax_no_kind = Set(f.tax_no_kind.clone());
    am.buyer_post_code = Set(f.post_code.clone());
    am.buyer_city = Set(f.city.clone());
    am.buyer_street = Set(f.street.clone());
    am.buyer_country = Set(f.country.clone());
    am.buyer_email = Set(f.email.clone());
    am.buyer_phone = Set(f.phone.clone());
}

pub(super) fn set_seller(am: &mut ActiveModel, d: &department::Model) {
    am.department_id = Set(d.id);
    am.seller_name = Set(Some(d.name.clone()));
    am.seller_tax_no = Set(d.tax_no.clone());
    am.seller_tax_no_kind = Set(d.tax_no_kind.clone());
    am.seller_post_code = Set(d.post_code.clone());
    am.seller_city = Set(d.city.clone());
    am.seller_street = Set(d.street.clone());
    am.seller_country = Set(d.country.clone());
    am.seller_email = Set(d.email.clone());
    am.seller_phone = Set(d.phone.clone());
    am.seller_bank = Set(d.bank.clone());
    am.seller_bank_account = Set(d.bank_account.clone());
    am.seller_bank_swift = Set(d.bank_swift.clone());
    am.seller_person = Set(d.person.clone());
    am.seller_www = Set(d.www.clone());
    am.seller_fax = Set(d.fax.clone());
}

/// The buyer details a document shows (copied onto it when it was written).
pub(super) fn shown_buyer(d: &Model) -> BuyerInput {
    BuyerInput {
        name: d.buyer_name.clone(),
        first_name: d.buyer_first_name.clone(),
        last_name: d.buyer_last_name.clone(),
        company: Some(d.buyer_company),
        tax_no: d.buyer_tax_no.clone(),
        tax_no_kind: d.buyer_tax_no_kind.clone(),
        post_code: d.buyer_post_code.clone(),
        city: d.buyer_city.clone(),
        street: d.buyer_street.clone(),
        country: d.buyer_country.clone(),
        email: d.buyer_email.clone(),
        phone: d.buyer_phone.clone(),
    }
}
