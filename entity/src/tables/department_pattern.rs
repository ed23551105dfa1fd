use sea_orm::entity::prelude::*;

/// A department's own numbering pattern for one document kind (seed `invoice_pattern`,
/// `pattern_estimate`…), used when the department has `use_pattern`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "department_patterns")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub department_id: Uuid,
    pub kind: String,
    pub pattern: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
