use sea_orm::entity::prelude::*;

/// Something that happened in an account, written in the transaction that did it (the
/// outbox: `crate::domain_events`).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub code: crate::vocabulary::EventCode,
    pub subject_id: Uuid,
    pub payload: String,
    pub occurred_at: DateTimeUtc,
    pub dispatched_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
