//! Page-number pagination shared by every list: `page` from 1, `per_page` 1..=100.

use crate::error::{DomainError, DomainResult, FieldCode, FieldError};

pub const MAX_PER_PAGE: u64 = 100;
pub const DEFAULT_PER_PAGE: u64 = 25;
/// Far beyond any real list, and small enough that `(page - 1) * per_page` fits an i64.
pub const MAX_PAGE: i64 = 1_000_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u64,
    pub per_page: u64,
}

impl PageRequest {
    /// Validates client values; `None` takes the defaults (page 1, 25 per page).
    pub fn new(page: Option<i64>, per_page: Option<i64>) -> DomainResult<Self> {
        let mut errors = Vec::new();
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(DEFAULT_PER_PAGE as i64);
        if !(1..=MAX_PAGE).contains(&page) {
            errors.push(FieldError::new("page", FieldCode::OutOfRange { min: 1, max: MAX_PAGE }));
        }
        if !(1..=MAX_PER_PAGE as i64).contains(&per_page) {
            errors.push(FieldError::new("per_page", FieldCode::OutOfRange { min: 1, max: MAX_PER_PAGE as i64 }));
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
        Ok(Self { page: page as u64, per_page: per_page as u64 })
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1) * self.per_page
    }
}

#[derive(Clone, Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total_count: u64,
    pub page: u64,
    pub per_page: u64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total_count: self.total_count,
            page: self.page,
            per_page: self.per_page,
        }
    }
}

/// One page of a filtered query: its matches counted, then `order`ed and cut to the page.
pub async fn fetch<E: sea_orm::EntityTrait>(
    db: &impl sea_orm::ConnectionTrait,
    filtered: sea_orm::Select<E>,
    order: impl FnOnce(sea_orm::Select<E>) -> sea_orm::Select<E>,
    page: PageRequest,
) -> DomainResult<Page<E::Model>>
where
    E::Model: Send + Sync,
{
    use sea_orm::{PaginatorTrait, QuerySelect};
    let total_count = filtered.clone().count(db).await?;
    let items = order(filtered).offset(page.offset()).limit(page.per_page).all(db).await?;
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(PageRequest::new(None, None).unwrap(), PageRequest { page: 1, per_page: 25 });
        assert_eq!(PageRequest::new(Some(3), Some(100)).unwrap().offset(), 200);
        assert!(PageRequest::new(Some(0), Some(10)).is_err());
        assert!(PageRequest::new(Some(i64::MAX), Some(100)).is_err());
        assert_eq!(PageRequest::new(Some(MAX_PAGE), Some(100)).unwrap().offset(), 99_999_900);
        assert!(PageRequest::new(Some(1), Some(101)).is_err());
        assert!(PageRequest::new(Some(1), Some(0)).is_err());
    }
}
