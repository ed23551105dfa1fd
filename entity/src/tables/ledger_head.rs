use sea_orm::entity::prelude::*;

/// The head of one chain of an account: its genesis value and its last entry. Compared
/// with the entries, it reveals the deletion of the newest ones.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_heads")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub chain: String,
    pub genesis: String,
    pub last_sequence: i64,
    pub last_hash: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
