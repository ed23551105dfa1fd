//! The closure e-mails' queue: which are due, claiming one, marking it sent or failed.

use super::*;

/// A closure whose e-mail is still to send, with what the e-mail needs.
#[derive(Clone, Debug)]
pub struct PendingEmail {
    pub closure: closure::Model,
    /// `fr` or `en`.
    pub language: String,
    pub account_name: String,
    /// The owners' e-mail addresses.
    pub recipients: Vec<String>,
    /// The closure's entry hash in the closures chain ("block hash").
    pub block_hash: String,
    pub block_sequence: i64,
}

/// Closures whose e-mail is not sent yet (and not given up), oldest first, at most `limit`.
pub async fn pending_emails(db: &impl ConnectionTrait, limit: u64) -> DomainResult<Vec<PendingEmail>> {
    let rows = closure::Entity::find()
        .filter(closure::Column::EmailSentAt.is_null())
        .filter(closure::Column::EmailAttempts.lt(MAX_EMAIL_ATTEMPTS))
        .order_by_asc(closure::Column::CreatedAt)
        .order_by_asc(closure::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for c in rows {
        let account = AccountId(c.account_id);
        let Some(a) = account::Entity::find_by_id(c.account_id).one(db).await? else { continue };
        let Some(e) = crate::ledger::store::entry_of(db, account, Chain::Closures, c.id).await? else { continue };
        let owners = Query::select()
            .column(membership::Column::UserId)
            .from(membership::Entity)
            .and_where(crate::scope::condition::<membership::Entity>(crate::AccountId(c.account_id)))
            .and_where(membership::Column::Role.eq(Role::Owner.as_str()))
            .to_owned();
        let recipients: Vec<String> = user::Entity::find()
            .select_only()
            .column(user::Column::Email)
            .filter(user::Column::Id.in_subquery(owners))
            .filter(user::Column::DisabledAt.is_null())
            .order_by_asc(user::Column::Email)
            .into_tuple()
            .all(db)
            .await?;
        let language = if a.language == "fr" { "fr" } else { "en" }.to_owned();
        out.push(PendingEmail {
            closure: c,
            language,
            account_name: a.name,
            recipients,
            block_hash: e.hash,
            block_sequence: e.sequence,
        });
    }
    Ok(out)
}

/// Closure e-mails not sent yet, and among them those whose last attempt failed (for
/// monitoring).
pub async fn email_backlog(db: &impl ConnectionTrait) -> DomainResult<(u64, u64)> {
    let waiting = closure::Entity::find().filter(closure::Column::EmailSentAt.is_null()).count(db).await?;
    let failing = closure::Entity::find()
        .filter(closure::Column::EmailSentAt.is_null())
        .filter(closure::Column::EmailLastError.is_not_null())
        .count(db)
        .await?;
    Ok((waiting, failing))
}

/// How long a sender owns an e-mail it claimed: after that (it crashed), another may send it.
pub const EMAIL_CLAIM_SECS: i64 = 300;

/// Claims a closure's e-mail for sending: true for one caller only, so that several
/// schedulers running at once do not send it twice. Counts the attempt.
pub async fn claim_email(db: &DatabaseConnection, id: Uuid, now: DateTime<Utc>) -> DomainResult<bool> {
    let stale = now - chrono::Duration::seconds(EMAIL_CLAIM_SECS);
    let txn = begin_write(db).await?;
    let r = closure::Entity::update_many()
        .col_expr(closure::Column::EmailClaimedAt, Expr::value(Some(now)))
        .col_expr(closure::Column::EmailAttempts, Expr::col(closure::Column::EmailAttempts).add(1))
        .filter(closure::Column::Id.eq(id))
        .filter(closure::Column::EmailSentAt.is_null())
        .filter(closure::Column::EmailClaimedAt.is_null().or(closure::Column::EmailClaimedAt.lt(stale)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(r.rows_affected == 1)
}

/// Records a delivered e-mail (only the delivery columns change: the rest is sealed).
pub async fn mark_email_sent(db: &DatabaseConnection, id: Uuid, at: DateTime<Utc>) -> DomainResult<()> {
    let txn = begin_write(db).await?;
    closure::Entity::update_many()
        .col_expr(closure::Column::EmailSentAt, Expr::value(Some(at)))
        .col_expr(closure::Column::EmailLastError, Expr::value(Option::<String>::None))
        .filter(closure::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await
}

/// Records a failed delivery and releases the claim: the next run tries again.
pub async fn mark_email_failed(db: &DatabaseConnection, id: Uuid, error: &str) -> DomainResult<()> {
    let error: String = error.chars().take(1000).collect();
    let txn = begin_write(db).await?;
    closure::Entity::update_many()
        .col_expr(closure::Column::EmailLastError, Expr::value(Some(error)))
        .col_expr(closure::Column::EmailClaimedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(closure::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    txn.commit().await
}
