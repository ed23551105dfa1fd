use sea_orm::entity::prelude::*;

/// One sealed record of a chain: `hash = SHA-256(previous_hash ‖ canonical)`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub chain: String,
    pub sequence: i64,
    pub subject_id: Uuid,
    pub version: i32,
    pub canonical: String,
    pub previous_hash: String,
    pub hash: String,
    pub sealed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
