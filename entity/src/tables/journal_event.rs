use sea_orm::entity::prelude::*;

/// One event of an account's certification journal, sealed in its `events` chain.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "journal_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub sequence: i64,
    pub code: String,
    pub occurred_at: DateTimeUtc,
    pub user_id: Option<Uuid>,
    pub credential: String,
    pub ip: Option<String>,
    pub details: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
