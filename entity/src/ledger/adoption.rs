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
use super::store::{Chain, lock_unchecked, sign_head};
use crate::db::begin_write;
use crate::error::{DomainError, DomainResult};
use crate::journal::{Event, Origin, record};
use crate::tenant::AccountId;
use sea_orm::DatabaseConnection;

/// What an adoption did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Adopted {
    pub accounts: usize,
    pub sealed_late: usize,
    pub heads_signed: usize,
}

/// Adopts every account (see the module's documentation). An account whose chains do
/// not hold together (a head that does not name its newest entry) is left as it is and
/// named in the log: verification reports it; the others are adopted.
pub async fn adopt(db: &DatabaseConnection) -> DomainResult<Adopted> {
    let mut done = Adopted::default();
    for account in crate::accounts::all_ids(db).await? {
        match adopt_account(db, account).await {
            Ok(Some((late, signed))) => {
                done.accounts += 1;
                done.sealed_late += late;
                done.heads_signed += signed;
            }
            Ok(None) => {}
            Err(DomainError::Integrity(why)) => tracing::error!(account = %account.0, %why, "not adopted"),
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// One account: what was sealed late and how many heads were signed, or nothing to do.
async fn adopt_account(db: &DatabaseConnection, account: AccountId) -> DomainResult<Option<(usize, usize)>> {
    let key = keys::installed()?.key_id();
    let txn = begin_write(db).await?;
    // Every head locked first, in the writers' order, before any is changed.
    let mut unsigned = Vec::new();
    for chain in Chain::ALL {
        let h = lock_unchecked(&txn, account, chain).await?;
        if h.signature.is_none() {
            unsigned.push(h);
        }
    }
    let mut late = 0;
    for d in super::subjects::unsealed_documents(&txn, account).await? {
        txn.pending().document(account, d.id);
        let issued_at = d.issued_at.map(|t| t.to_rfc3339()).unwrap_or_default();
        let event = Event::SealedLate { chain: Chain::Documents.as_str(), subject: d.id, since: issued_at };
        record(&txn, account, &Origin::system(), event);
        late += 1;
    }
    for p in super::subjects::unsealed_payments(&txn, account).await? {
        txn.pending().payment(account, p.id);
        let event =
            Event::SealedLate { chain: Chain::Payments.as_str(), subject: p.id, since: p.created_at.to_rfc3339() };
        record(&txn, account, &Origin::system(), event);
        late += 1;
    }
    if late == 0 && unsigned.is_empty() {
        return Ok(None);
    }
    // Signed as they stand; those that move at commit are signed again then.
    let signed = unsigned.len();
    for h in unsigned {
        sign_head(&txn, h).await?;
    }
    record(&txn, account, &Origin::system(), Event::LedgerAdopted { key, sealed_late: late });
    txn.commit().await?;
    Ok(Some((late, signed)))
}
