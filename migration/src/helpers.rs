//! Small builders shared by the migrations.

use sea_orm_migration::prelude::*;

/// A foreign key `from.0(from.1) → to(id)`.
pub fn fk(name: &str, from: (&str, &str), to: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(Alias::new(from.0), Alias::new(from.1))
        .to(Alias::new(to), Alias::new("id"))
        .on_delete(on_delete)
        .on_update(ForeignKeyAction::Restrict)
        .to_owned()
}

/// An index on `table(cols…)`, unique or not.
pub fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

/// Runs the statements of the connection's backend, in order (triggers and functions are
/// written per backend).
pub async fn run_per_backend(m: &SchemaManager<'_>, sqlite: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let statements = match m.get_database_backend() {
        sea_orm_migration::sea_orm::DbBackend::Sqlite => sqlite,
        _ => postgres,
    };
    for s in statements {
        m.get_connection().execute_unprepared(s).await?;
    }
    Ok(())
}
