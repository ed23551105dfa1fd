use sea_orm::entity::prelude::*;

/// The head of one chain of an account: its genesis value and its last entry, signed.
/// Compared with the entries, it reveals the deletion of the newest ones; its signature
/// reveals a chain rewritten with recomputed hashes.
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
    /// The Ed25519 signature of the checkpoint (account, chain, last sequence, last hash,
    /// `signed_at`), by the key `signing_key` (its public key, hex), which the database
    /// does not hold: see `ledger::keys`.
    pub signed_at: Option<DateTimeUtc>,
    pub signature: Option<String>,
    pub signing_key: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
