//! One page type for every list: `{ items totalCount page perPage }`.

use super::api_tokens::ApiToken;
use super::categories::Category;
use super::clients::Client;
use super::closures::Closure;
use super::departments::Department;
use super::documents::Invoice;
use super::domain_events::DomainEvent;
use super::journal::JournalEvent;
use super::payments::Payment;
use super::price_lists::PriceList;
use super::products::Product;
use super::webhooks::{Webhook, WebhookDelivery};
use async_graphql::{OutputType, SimpleObject};

#[derive(SimpleObject)]
#[graphql(concrete(name = "DepartmentPage", params(Department)))]
#[graphql(concrete(name = "ApiTokenPage", params(ApiToken)))]
#[graphql(concrete(name = "ClientPage", params(Client)))]
#[graphql(concrete(name = "CategoryPage", params(Category)))]
#[graphql(concrete(name = "ProductPage", params(Product)))]
#[graphql(concrete(name = "PriceListPage", params(PriceList)))]
#[graphql(concrete(name = "InvoicePage", params(Invoice)))]
#[graphql(concrete(name = "PaymentPage", params(Payment)))]
#[graphql(concrete(name = "JournalEventPage", params(JournalEvent)))]
#[graphql(concrete(name = "ClosurePage", params(Closure)))]
#[graphql(concrete(name = "DomainEventPage", params(DomainEvent)))]
#[graphql(concrete(name = "WebhookPage", params(Webhook)))]
#[graphql(concrete(name = "WebhookDeliveryPage", params(WebhookDelivery)))]
pub struct Page<T: OutputType> {
    pub items: Vec<T>,
    /// Number of items over all pages.
    pub total_count: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T: OutputType> Page<T> {
    pub fn from_domain<U>(p: entity::pagination::Page<U>) -> Self
    where
        T: From<U>,
    {
        Page {
            items: p.items.into_iter().map(T::from).collect(),
            total_count: p.total_count,
            page: p.page,
            per_page: p.per_page,
        }
    }
}
