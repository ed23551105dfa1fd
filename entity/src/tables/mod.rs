//! SeaORM table definitions: plain data, no behaviour.

pub mod account;
pub mod api_token;
pub mod category;
pub mod client;
pub mod closure;
pub mod department;
pub mod department_pattern;
pub mod document;
pub mod document_position;
pub mod final_advance;
pub mod ledger_entry;
pub mod ledger_head;
pub mod login_throttle;
pub mod membership;
pub mod number_series;
pub mod payment;
pub mod payment_allocation;
pub mod platform_admin;
pub mod price_list;
pub mod price_list_position;
pub mod product;
pub mod product_package_item;
pub mod refresh_token;
pub mod reseller;
pub mod session;
pub mod user;
