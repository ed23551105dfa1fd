use sea_orm::entity::prelude::*;

/// The tenant. Every tenant-owned row points here through `account_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "accounts")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub reseller_id: Option<Uuid>,
    pub name: String,
    /// Unique, URL-safe handle of the account (VosFactures' "prefix" / sub-domain).
    pub prefix: String,
    pub language: String,
    pub time_zone: String,
    pub currency: crate::vocabulary::Currency,
    /// `active`, `suspended` or `closed` (see `accounts::AccountStatus`).
    pub status: String,
    /// New products named on documents join the catalogue (seed default: yes).
    pub add_products_to_catalogue: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
