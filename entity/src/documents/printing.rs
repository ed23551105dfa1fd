//! Copies of issued documents: the first print, e-mail or download is the original, each
//! later one a duplicate numbered 1, 2, 3… ("DUPLICATA n"), counted on the document and
//! journaled (DUPLICATE) in the same transaction.

use super::{Column, Entity, Model, get_for_update};
use crate::db::begin_write;
use crate::error::{DomainError, DomainResult, FieldCode};
use crate::journal::{Event, Origin, record};
use crate::scope::ScopedQuery;
use crate::tenant::Actor;
use crate::vocabulary::DocumentState;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

/// How a copy left: printed, e-mailed or downloaded.
pub const CHANNELS: [&str; 3] = ["print", "email", "download"];

pub struct PrintedCopy {
    pub document: Model,
    /// 0 for the original, then the duplicate's number.
    pub duplicate: i64,
}

/// Counts one more copy of an issued document. Only issued documents have copies: a
/// draft is a working file, printing it proves nothing (`not_issued`).
pub async fn print(db: &DatabaseConnection, actor: &Actor, id: Uuid, channel: &str) -> DomainResult<PrintedCopy> {
    if !CHANNELS.contains(&channel) {
        return Err(DomainError::field("channel", FieldCode::Rule("unknown_channel")));
    }
    let txn = begin_write(db).await?;
    // The row lock (PostgreSQL) or the write transaction (SQLite) serialises copies of
    // one document: two concurrent prints never get the same number.
    let doc = get_for_update(&txn, actor, id).await?;
    if doc.state != DocumentState::Issued {
        return Err(DomainError::field("id", FieldCode::Rule("not_issued")));
    }
    // Only this column changes: the document's fiscal columns stay untouched.
    Entity::update_many()
        .col_expr(Column::PrintCount, Expr::col(Column::PrintCount).add(1))
        .filter(Column::Id.eq(doc.id))
        .in_account(actor)
        .exec(&txn)
        .await?;
    let duplicate = i64::from(doc.print_count);
    if duplicate > 0 {
        let event = Event::Duplicate {
            document: doc.id,
            number: doc.number.clone().unwrap_or_default(),
            copy: duplicate,
            channel: channel.to_owned(),
        };
        record(&txn, actor.account_id, &Origin::of(actor), event);
    }
    let document = get_for_update(&txn, actor, id).await?;
    txn.commit().await?;
    Ok(PrintedCopy { document, duplicate })
}
