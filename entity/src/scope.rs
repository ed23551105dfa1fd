//! One tenant scope. Every table an account owns names its account (`Owned`), and every
//! query of such rows is scoped here (`Entity::find_in(actor)`, `.in_account(actor)`,
//! `Entity::delete_in(actor)`): what an actor may see of a table is decided in this one
//! place, so that a new kind of actor (a reseller acting for its client accounts, a
//! delegation, a plan's limits) changes this module and not a hundred queries.

use crate::tables;
use crate::tenant::{AccountId, Actor};
use sea_orm::{ColumnTrait, DeleteMany, EntityTrait, QueryFilter, Select, UpdateMany};

/// A table whose rows belong to one account.
pub trait Owned: EntityTrait {
    /// The column that names the owning account.
    const ACCOUNT: Self::Column;
}

/// Who a query is for: an actor, or an account (system work, verification).
pub trait Tenant: Copy {
    fn account(self) -> AccountId;
}

impl Tenant for AccountId {
    fn account(self) -> AccountId {
        self
    }
}

impl Tenant for &Actor {
    fn account(self) -> AccountId {
        self.account_id
    }
}

/// The one condition: the rows `tenant` may see of `E` (for subqueries built with
/// sea-query; entity queries use the traits below).
pub fn condition<E: Owned>(tenant: impl Tenant) -> sea_orm::sea_query::SimpleExpr {
    E::ACCOUNT.eq(tenant.account().0)
}

/// The scoped ways into an owned table.
pub trait InAccount: Owned + Sized {
    /// The table's rows that `tenant` may see.
    fn find_in(tenant: impl Tenant) -> Select<Self> {
        Self::find().filter(condition::<Self>(tenant))
    }

    /// A delete limited to `tenant`'s rows.
    fn delete_in(tenant: impl Tenant) -> DeleteMany<Self> {
        Self::delete_many().filter(condition::<Self>(tenant))
    }

    /// An update limited to `tenant`'s rows.
    fn update_in(tenant: impl Tenant) -> UpdateMany<Self> {
        Self::update_many().filter(condition::<Self>(tenant))
    }
}

impl<E: Owned> InAccount for E {}

/// Scoping a query already begun (`Entity::find_by_id(id).in_account(actor)`).
pub trait ScopedQuery<E: Owned>: QueryFilter + Sized {
    fn in_account(self, tenant: impl Tenant) -> Self {
        self.filter(condition::<E>(tenant))
    }
}

impl<E: Owned> ScopedQuery<E> for Select<E> {}
impl<E: Owned> ScopedQuery<E> for DeleteMany<E> {}
impl<E: Owned> ScopedQuery<E> for UpdateMany<E> {}

macro_rules! owned {
    ($($table:ident),* $(,)?) => {
        $(impl Owned for tables::$table::Entity {
            const ACCOUNT: Self::Column = tables::$table::Column::AccountId;
        })*
    };
}

owned!(
    api_token,
    category,
    client,
    closure,
    department,
    department_pattern,
    document,
    document_position,
    domain_event,
    final_advance,
    journal_event,
    ledger_entry,
    ledger_head,
    membership,
    number_series,
    payment,
    payment_allocation,
    price_list,
    price_list_position,
    product,
    product_package_item,
    session,
    webhook,
    webhook_delivery,
);

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, QueryTrait};

    #[test]
    fn every_scoped_query_names_the_account() {
        let account = AccountId(uuid::Uuid::from_u128(7));
        let find = tables::document::Entity::find_in(account).build(DbBackend::Postgres).to_string();
        assert!(find.ends_with(r#"WHERE "documents"."account_id" = '00000000-0000-0000-0000-000000000007'"#), "{find}");
        let by_id = tables::payment::Entity::find_by_id(uuid::Uuid::nil())
            .in_account(account)
            .build(DbBackend::Postgres)
            .to_string();
        assert!(by_id.contains(r#"AND "payments"."account_id" = '00000000-0000-0000-0000-000000000007'"#), "{by_id}");
        let delete = tables::client::Entity::delete_in(account).build(DbBackend::Postgres).to_string();
        assert_eq!(
            delete,
            r#"DELETE FROM "clients" WHERE "clients"."account_id" = '00000000-0000-0000-0000-000000000007'"#
        );
    }
}
