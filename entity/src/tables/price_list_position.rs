use sea_orm::entity::prelude::*;

/// The price of one product in a price list: fixed, or a percentage of its catalogue price.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "price_list_positions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub price_list_id: Uuid,
    pub product_id: Uuid,
    pub use_percentage: bool,
    pub percentage: Option<crate::money::Exact>,
    pub price_net: Option<crate::money::Money>,
    pub price_gross: Option<crate::money::Money>,
    pub price_tax: Option<crate::money::Money>,
    pub use_tax: bool,
    pub tax: Option<String>,
    pub position: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
