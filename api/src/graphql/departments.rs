//! Departments (seller companies): CRUD over GraphQL. Field names are the VosFactures
//! department fields in camelCase (seed 002, "Département vendeur").

use super::context::{CtxExt, ResultExt, maybe, parse_id};
use super::documents::DocumentKind;
use super::pagination::Page;
use super::scalars::Decimal;
use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::departments::{DepartmentFilter, DepartmentPatch};
use entity::pagination::PageRequest;
use entity::tables::department::Model;

macro_rules! department_types {
    ($(($f:ident, $lim:ident)),*) => {
        /// A seller company of the account. Documents show its name, address, tax number
        /// and bank details.
        #[derive(SimpleObject, Clone)]
        #[graphql(complex)]
        pub struct Department {
            pub id: ID,
            /// The main department is used when a document names none. Exactly one per account.
            pub main: bool,
            pub name: String,
            /// Opening cash balance (for cash documents).
            pub cash_init_state: Option<Decimal>,
            $(pub $f: Option<String>,)*
            pub own_email_settings: bool,
            pub email_pdf: bool,
            pub own_overdue_email_settings: bool,
            pub overdue_email_pdf: bool,
            pub restrict_warehouses: bool,
            /// Numbers its documents in series of its own, with `patterns` (seed `use_pattern`).
            pub use_pattern: bool,
            pub created_at: DateTime<Utc>,
            pub updated_at: DateTime<Utc>,
        }

        impl From<Model> for Department {
            fn from(m: Model) -> Self {
                Self {
                    id: ID(m.id.to_string()),
                    main: m.main,
                    name: m.name,
                    cash_init_state: m.cash_init_state.map(Into::into),
                    $($f: m.$f,)*
                    own_email_settings: m.own_email_settings,
                    email_pdf: m.email_pdf,
                    own_overdue_email_settings: m.own_overdue_email_settings,
                    overdue_email_pdf: m.overdue_email_pdf,
                    restrict_warehouses: m.restrict_warehouses,
                    use_pattern: m.use_pattern,
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                }
            }
        }

        /// Fields of a department. On update, an absent field is left as it is and
        /// `null` clears it. `name` is required on creation.
        #[derive(InputObject, Default)]
        pub struct DepartmentInput {
            pub name: Option<String>,
            /// `true` makes this the main department (the previous one stops being main).
            pub main: Option<bool>,
            pub cash_init_state: MaybeUndefined<Decimal>,
            $(pub $f: MaybeUndefined<String>,)*
            pub own_email_settings: Option<bool>,
            pub email_pdf: Option<bool>,
            pub own_overdue_email_settings: Option<bool>,
            pub overdue_email_pdf: Option<bool>,
            pub restrict_warehouses: Option<bool>,
            pub use_pattern: Option<bool>,
            /// Replaces the department's numbering patterns (one per kind), e.g.
            /// `{ kind: VAT, pattern: "Fyyyy.mm.nr" }`, `{ kind: ESTIMATE, pattern: "FA-yymm-nr-m" }`.
            pub patterns: Option<Vec<NumberingPatternInput>>,
        }

        impl From<DepartmentInput> for DepartmentPatch {
            fn from(i: DepartmentInput) -> Self {
                DepartmentPatch {
                    name: i.name,
                    main: i.main,
                    cash_init_state: maybe(i.cash_init_state, |d| d.0.to_string()),
                    $($f: maybe(i.$f, |s| s),)*
                    own_email_settings: i.own_email_settings,
                    email_pdf: i.email_pdf,
                    own_overdue_email_settings: i.own_overdue_email_settings,
                    overdue_email_pdf: i.overdue_email_pdf,
                    restrict_warehouses: i.restrict_warehouses,
                    use_pattern: i.use_pattern,
                    patterns: i.patterns.map(|ps| ps.into_iter().map(|p| (entity::DocumentKind::from(p.kind).as_str().to_owned(), p.pattern)).collect()),
                }
            }
        }
    };
}
entity::department_text_fields!(department_types);

/// A numbering pattern for one kind: `nr` the counter, `yyyy`/`yy` the year, `mm` the
/// month, `m` the month without zero; counters restart as the pattern implies.
#[derive(InputObject, SimpleObject, Clone)]
#[graphql(input_name = "NumberingPatternInput")]
pub struct NumberingPattern {
    pub kind: DocumentKind,
    pub pattern: String,
}

type NumberingPatternInput = NumberingPattern;

#[ComplexObject]
impl Department {
    /// The department's own numbering patterns (used with `usePattern`).
    async fn patterns(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<NumberingPattern>> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &self.id).gql(ctx)?;
        let rows = entity::departments::patterns_of(&ctx.app().db, actor, id).await.gql(ctx)?;
        Ok(rows
            .into_iter()
            .map(|p| NumberingPattern {
                // Checked when saved: a stored kind is always one of them.
                kind: entity::DocumentKind::parse(&p.kind).unwrap_or_default().into(),
                pattern: p.pattern,
            })
            .collect())
    }
}

#[derive(InputObject, Default)]
pub struct DepartmentFilterInput {
    /// Case-insensitive part of the name or shortcut.
    pub name: Option<String>,
    pub main: Option<bool>,
}

#[derive(Enum, Copy, Clone, Default, PartialEq, Eq)]
#[graphql(remote = "entity::departments::DepartmentOrder")]
pub enum DepartmentOrderBy {
    #[default]
    Name,
    NameDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

#[derive(Default)]
pub struct DepartmentQuery;

#[Object]
impl DepartmentQuery {
    /// Departments of the current account; `perPage` at most 100.
    async fn departments(
        &self,
        ctx: &Context<'_>,
        filter: Option<DepartmentFilterInput>,
        page: Option<i32>,
        per_page: Option<i32>,
        order: Option<DepartmentOrderBy>,
    ) -> async_graphql::Result<Page<Department>> {
        let actor = ctx.actor()?;
        let page = PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = DepartmentFilter { name: f.name, main: f.main };
        let result = entity::departments::list(&ctx.app().db, actor, &filter, order.unwrap_or_default().into(), page)
            .await
            .gql(ctx)?;
        Ok(Page::from_domain(result))
    }

    async fn department(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Department> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::departments::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}

#[derive(Default)]
pub struct DepartmentMutation;

#[Object]
impl DepartmentMutation {
    /// Owners and admins only.
    async fn create_department(&self, ctx: &Context<'_>, input: DepartmentInput) -> async_graphql::Result<Department> {
        let actor = ctx.actor()?;
        Ok(entity::departments::create(&ctx.app().db, actor, input.into()).await.gql(ctx)?.into())
    }

    /// Owners and admins only.
    async fn update_department(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: DepartmentInput,
    ) -> async_graphql::Result<Department> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::departments::update(&ctx.app().db, actor, id, input.into()).await.gql(ctx)?.into())
    }

    /// Deletes a department that is not the main one and has no documents. Returns the
    /// deleted department.
    async fn delete_department(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Department> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::departments::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
