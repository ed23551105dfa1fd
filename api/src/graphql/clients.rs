//! Contacts (clients) over GraphQL: every field of VosFactures' "Champs fiche contact" in
//! camelCase, the seed's finders as filters, and `order` including `UPDATED_AT`.

use super::context::{CtxExt, ResultExt, maybe, maybe_id, parse_id};
use super::pagination::Page;
use super::scalars::{Date, Decimal};
use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::clients::{ClientFilter, ClientPatch};
use entity::tables::client::Model;

macro_rules! client_types {
    ($(($f:ident, $lim:ident)),*) => {
        /// A contact: a buyer, a supplier, or both.
        #[derive(SimpleObject, Clone)]
        pub struct Client {
            pub id: ID,
            /// For a private individual: first name then last name.
            pub name: String,
            /// A business (`true`) or a private individual (`false`).
            pub company: bool,
            /// `buyer`, `seller` or `both`.
            pub kind: String,
            pub use_delivery_address: bool,
            /// `true`: no automatic payment reminders for this contact.
            pub disable_auto_reminders: bool,
            pub use_mass_payment: bool,
            pub sepa_b2b: bool,
            /// Default discount, in percent.
            pub discount: Option<Decimal>,
            /// Department the contact is restricted to ("restricted contact visibility").
            pub department_id: Option<ID>,
            pub category_id: Option<ID>,
            /// Price list whose prices apply to this contact's documents.
            pub price_list_id: Option<ID>,
            pub birth_date: Option<Date>,
            pub tag_list: Vec<String>,
            $(pub $f: Option<String>,)*
            pub created_at: DateTime<Utc>,
            pub updated_at: DateTime<Utc>,
        }

        impl From<Model> for Client {
            fn from(m: Model) -> Self {
                let tag_list = entity::clients::tags_of(&m);
                Self {
                    id: ID(m.id.to_string()),
                    name: m.name,
                    company: m.company,
                    kind: m.kind,
                    use_delivery_address: m.use_delivery_address,
                    disable_auto_reminders: m.disable_auto_reminders,
                    use_mass_payment: m.use_mass_payment,
                    sepa_b2b: m.sepa_b2b,
                    discount: m.discount.map(Into::into),
                    department_id: m.department_id.map(|d| ID(d.to_string())),
                    category_id: m.category_id.map(|d| ID(d.to_string())),
                    price_list_id: m.price_list_id.map(|d| ID(d.to_string())),
                    birth_date: m.birth_date.map(Date),
                    tag_list,
                    $($f: m.$f,)*
                    created_at: m.created_at,
                    updated_at: m.updated_at,
                }
            }
        }

        /// Fields of a contact. On update, an absent field is left as it is and `null`
        /// clears it. `name` is required on creation, except for a private individual
        /// (`company: false`) given a `lastName`: the name is then "firstName lastName".
        #[derive(InputObject, Default)]
        pub struct ClientInput {
            pub name: Option<String>,
            pub company: Option<bool>,
            /// `buyer` (default), `seller` or `both`.
            pub kind: Option<String>,
            pub use_delivery_address: Option<bool>,
            pub disable_auto_reminders: Option<bool>,
            pub use_mass_payment: Option<bool>,
            pub sepa_b2b: Option<bool>,
            pub discount: MaybeUndefined<Decimal>,
            pub department_id: MaybeUndefined<ID>,
            pub category_id: MaybeUndefined<ID>,
            pub price_list_id: MaybeUndefined<ID>,
            pub birth_date: MaybeUndefined<Date>,
            /// Replaces the contact's tags.
            pub tag_list: Option<Vec<String>>,
            $(pub $f: MaybeUndefined<String>,)*
        }

        impl ClientInput {
            fn into_patch(self) -> Result<ClientPatch, entity::DomainError> {
                let department_id = maybe_id("input.department_id", self.department_id)?;
                let category_id = maybe_id("input.category_id", self.category_id)?;
                let price_list_id = maybe_id("input.price_list_id", self.price_list_id)?;
                Ok(ClientPatch {
                    name: self.name,
                    company: self.company,
                    kind: self.kind,
                    use_delivery_address: self.use_delivery_address,
                    disable_auto_reminders: self.disable_auto_reminders,
                    use_mass_payment: self.use_mass_payment,
                    sepa_b2b: self.sepa_b2b,
                    discount: maybe(self.discount, |d| d.0.to_string()),
                    department_id,
                    category_id,
                    price_list_id,
                    birth_date: maybe(self.birth_date, |d| d.0),
                    tag_list: self.tag_list,
                    $($f: maybe(self.$f, |s| s),)*
                })
            }
        }
    };
}
entity::client_text_fields!(client_types);

/// The seed's finders; all given filters must match.
#[derive(InputObject, Default)]
pub struct ClientFilterInput {
    /// Exact "Réf/code client".
    pub external_id: Option<String>,
    /// Exact tax number (case, spaces and punctuation ignored).
    pub tax_no: Option<String>,
    /// Part of the name, shortcut, first or last name (case and accents ignored).
    pub name: Option<String>,
    /// Exact shortcut (case and accents ignored).
    pub shortcut: Option<String>,
    /// Part of the e-mail (case ignored).
    pub email: Option<String>,
    /// `buyer` or `seller`; contacts of kind `both` match either.
    pub kind: Option<String>,
    pub tag: Option<String>,
}

#[derive(Enum, Copy, Clone, Default, PartialEq, Eq)]
#[graphql(remote = "entity::clients::ClientOrder")]
pub enum ClientOrderBy {
    #[default]
    Name,
    NameDesc,
    CreatedAt,
    CreatedAtDesc,
    UpdatedAt,
    UpdatedAtDesc,
}

#[derive(Default)]
pub struct ClientQuery;

#[Object]
impl ClientQuery {
    /// Contacts of the current account; `perPage` at most 100.
    async fn clients(
        &self,
        ctx: &Context<'_>,
        filter: Option<ClientFilterInput>,
        page: Option<i32>,
        per_page: Option<i32>,
        order: Option<ClientOrderBy>,
    ) -> async_graphql::Result<Page<Client>> {
        let actor = ctx.actor()?;
        let page = entity::pagination::PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let f = filter.unwrap_or_default();
        let filter = ClientFilter {
            external_id: f.external_id,
            tax_no: f.tax_no,
            name: f.name,
            shortcut: f.shortcut,
            email: f.email,
            kind: f.kind,
            tag: f.tag,
        };
        let result = entity::clients::list(&ctx.app().db, actor, &filter, order.unwrap_or_default().into(), page)
            .await
            .gql(ctx)?;
        Ok(Page::from_domain(result))
    }

    async fn client(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Client> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::clients::get(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}

#[derive(Default)]
pub struct ClientMutation;

#[Object]
impl ClientMutation {
    /// Every role but accountant.
    async fn create_client(&self, ctx: &Context<'_>, input: ClientInput) -> async_graphql::Result<Client> {
        let actor = ctx.actor()?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::clients::create(&ctx.app().db, actor, patch).await.gql(ctx)?.into())
    }

    async fn update_client(&self, ctx: &Context<'_>, id: ID, input: ClientInput) -> async_graphql::Result<Client> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let patch = input.into_patch().gql(ctx)?;
        Ok(entity::clients::update(&ctx.app().db, actor, id, patch).await.gql(ctx)?.into())
    }

    /// Deletes a contact; documents keep their own copy of the buyer. Returns the deleted contact.
    async fn delete_client(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Client> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        Ok(entity::clients::delete(&ctx.app().db, actor, id).await.gql(ctx)?.into())
    }
}
