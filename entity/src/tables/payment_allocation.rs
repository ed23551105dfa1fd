use sea_orm::entity::prelude::*;

/// The part of a payment applied to one document. A payment names its documents in order
/// (`position`); an unpaid payment keeps the links with a zero amount.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_allocations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub payment_id: Uuid,
    pub document_id: Uuid,
    pub position: i32,
    /// Canonical decimal text with two decimals.
    pub amount: crate::money::Money,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
