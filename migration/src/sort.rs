//! Columns that lists are sorted by.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string, string_null};

/// PostgreSQL sorts text by the database locale, which skips spaces and punctuation;
/// SQLite compares bytes. A sort column collates as `"C"` (bytes) on PostgreSQL so that
/// both databases list rows in the same order.
pub fn sort_string(m: &SchemaManager, name: &'static str, nullable: bool) -> ColumnDef {
    let mut c = if nullable { string_null(name) } else { string(name) };
    if m.get_database_backend() == sea_orm_migration::sea_orm::DbBackend::Postgres {
        c.extra("COLLATE \"C\"");
    }
    c
}
