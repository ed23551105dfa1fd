//! Adoption: bringing a database written before signed heads (or before sealing in the
//! issuing transaction) under the installation's key. Run once, when the key is created
//! at the first start of this version, or by the operator (`scelle keys adopt`); never on
//! its own otherwise, because signing whatever the database holds is exactly what an
//! attacker with database access would want done.
//!
//! For each account: what was issued or paid but never sealed (a sealing job lost before
//! this version) is sealed now, in issue order, each journaled SEALED_LATE; then every
//! head still unsigned is signed as it stands, and LEDGER_ADOPTED is journaled with the
//! key's public part.

use super::keys;
use super::store::{Chain, sign_head};
use crate::db::begin_write;
use crate::error::DomainResult;
use crate::journal::{Event, Origin, record};
use crate::tables::ledger_head as head;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

/// What an adoption did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Adopted {
    pub accounts: usize,
    pub sealed_late: usize,
    pub heads_signed: usize,
}

pub async fn adopt(db: &DatabaseConnection) -> DomainResult<Adopted> {
    let key = keys::installed()?.key_id();
    let mut done = Adopted::default();
    for account in crate::accounts::all_ids(db).await? {
        let id = account.0;
        let txn = begin_write(db).await?;
        let mut late = 0;
        for d in super::subjects::unsealed_documents(&*txn, account).await? {
            txn.pending().document(account, d.id);
            let issued_at = d.issued_at.map(|t| t.to_rfc3339()).unwrap_or_default();
            let event = Event::SealedLate { chain: Chain::Documents.as_str(), subject: d.id, since: issued_at };
            record(&txn, account, &Origin::system(), event);
            late += 1;
        }
        for p in super::subjects::unsealed_payments(&*txn, account).await? {
            txn.pending().payment(account, p.id);
            let event =
                Event::SealedLate { chain: Chain::Payments.as_str(), subject: p.id, since: p.created_at.to_rfc3339() };
            record(&txn, account, &Origin::system(), event);
            late += 1;
        }
        let unsigned = head::Entity::find()
            .filter(head::Column::AccountId.eq(id))
            .filter(head::Column::Signature.is_null())
            .all(&*txn)
            .await?;
        if late == 0 && unsigned.is_empty() {
            continue;
        }
        // Heads that will move at commit are signed then; the others now.
        let heads_signed = unsigned.len();
        for h in unsigned {
            sign_head(&*txn, h).await?;
        }
        record(&txn, account, &Origin::system(), Event::LedgerAdopted { key: key.clone(), sealed_late: late });
        txn.commit().await?;
        done.accounts += 1;
        done.sealed_late += late;
        done.heads_signed += heads_signed;
    }
    Ok(done)
}
