//! The certification event journal (`events`) and copies of issued documents
//! (`printInvoice`, duplicates).

use super::context::{CtxExt, ResultExt, parse_id};
use super::documents::Invoice;
use super::pagination::Page;
use async_graphql::{Context, Enum, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::journal::{CODES, CredentialKind};
use entity::pagination::PageRequest;
use entity::texts::Lang;
use std::collections::BTreeMap;

/// A journal event's stable code (the table in docs/certification.md says when each is written and what
/// `details` holds).
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum EventCode {
    Login,
    LoginFailed,
    UserInvited,
    UserAdded,
    RoleChanged,
    UserRemoved,
    ApiTokenCreated,
    ApiTokenRevoked,
    SettingsChanged,
    NumberingPatternChanged,
    Duplicate,
    TestModeUsed,
    ClosureCreated,
    ArchiveExported,
    VerificationRun,
    VerificationFailed,
    ServiceStarted,
    ServiceStopped,
    /// Sealed when the database was adopted, after an older version left it unsealed.
    SealedLate,
    /// The database was adopted by a signing key.
    LedgerAdopted,
    /// A webhook endpoint was disabled after repeated failed deliveries.
    WebhookDisabled,
}

impl EventCode {
    /// In the order of `entity::journal::CODES`, which holds the stored spelling (the
    /// length ties the two lists at compile time).
    const ALL: [EventCode; CODES.len()] = [
        EventCode::Login,
        EventCode::LoginFailed,
        EventCode::UserInvited,
        EventCode::UserAdded,
        EventCode::RoleChanged,
        EventCode::UserRemoved,
        EventCode::ApiTokenCreated,
        EventCode::ApiTokenRevoked,
        EventCode::SettingsChanged,
        EventCode::NumberingPatternChanged,
        EventCode::Duplicate,
        EventCode::TestModeUsed,
        EventCode::ClosureCreated,
        EventCode::ArchiveExported,
        EventCode::VerificationRun,
        EventCode::VerificationFailed,
        EventCode::ServiceStarted,
        EventCode::ServiceStopped,
        EventCode::SealedLate,
        EventCode::LedgerAdopted,
        EventCode::WebhookDisabled,
    ];

    fn as_str(self) -> &'static str {
        CODES[Self::ALL.iter().position(|c| *c == self).expect("listed")]
    }

    fn parse(s: &str) -> Option<Self> {
        CODES.iter().position(|c| *c == s).map(|i| Self::ALL[i])
    }
}

/// How the author of an event proved who they are.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "CredentialKind", remote = "entity::journal::CredentialKind")]
pub enum CredentialKindGql {
    /// A sign-in attempt with e-mail and password (LOGIN, LOGIN_FAILED).
    Password,
    /// A login session's access token.
    Session,
    /// An API token.
    ApiToken,
    /// The public link of a document (its buyer).
    PublicLink,
    /// The server itself (service start and stop, jobs).
    System,
}

/// The user an event names.
#[derive(SimpleObject, Clone)]
pub struct EventUser {
    pub id: ID,
    /// `null` when the user no longer exists.
    pub email: Option<String>,
}

/// One event of the account's certification journal, with its seal in the `events` chain.
#[derive(SimpleObject)]
pub struct JournalEvent {
    pub id: ID,
    pub code: EventCode,
    pub occurred_at: DateTime<Utc>,
    /// Who acted; `null` for the system or a document's public link.
    pub user: Option<EventUser>,
    pub credential: CredentialKindGql,
    /// The client's IP address, when the event came from a request.
    pub ip: Option<String>,
    /// Compact JSON, exactly as sealed (its content per code is in docs/certification.md).
    pub details: String,
    /// Position in the account's `events` chain (1, 2, 3… without gaps).
    pub sequence: i64,
    /// `SHA-256(previousHash ‖ canonical form)`, 64 lower-case hexadecimal characters.
    pub hash: Option<String>,
    pub previous_hash: Option<String>,
}

#[derive(Default)]
pub struct JournalQuery;

#[Object]
impl JournalQuery {
    /// The account's event journal, newest first (owners, admins and accountants),
    /// optionally of one code.
    async fn events(
        &self,
        ctx: &Context<'_>,
        page: Option<i32>,
        per_page: Option<i32>,
        code: Option<EventCode>,
    ) -> async_graphql::Result<Page<JournalEvent>> {
        let actor = ctx.actor()?;
        let page = PageRequest::new(page.map(i64::from), per_page.map(i64::from)).gql(ctx)?;
        let db = &ctx.app().db;
        let listed = entity::journal::list(db, actor, code.map(EventCode::as_str), page).await.gql(ctx)?;
        let mut emails = BTreeMap::new();
        for id in listed.items.iter().filter_map(|l| l.event.user_id) {
            if let std::collections::btree_map::Entry::Vacant(v) = emails.entry(id) {
                let user = entity::accounts::find_user(db, entity::UserId(id)).await.ok();
                v.insert(user.map(|u| u.email));
            }
        }
        Ok(Page::from_domain(listed.map(|l| {
            let e = l.event;
            JournalEvent {
                id: ID(e.id.to_string()),
                code: EventCode::parse(&e.code).unwrap_or(EventCode::ServiceStarted),
                occurred_at: e.occurred_at,
                user: e.user_id.map(|u| EventUser { id: ID(u.to_string()), email: emails.get(&u).cloned().flatten() }),
                credential: CredentialKind::parse(&e.credential).unwrap_or(CredentialKind::System).into(),
                ip: e.ip,
                details: e.details,
                sequence: e.sequence,
                hash: l.hash,
                previous_hash: l.previous_hash,
            }
        })))
    }
}

/// How a copy of a document leaves.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PrintChannel {
    Print,
    Email,
    Download,
}

impl PrintChannel {
    fn as_str(self) -> &'static str {
        match self {
            PrintChannel::Print => "print",
            PrintChannel::Email => "email",
            PrintChannel::Download => "download",
        }
    }
}

/// A copy of an issued document.
#[derive(SimpleObject)]
pub struct PrintedCopy {
    pub invoice: Invoice,
    /// 0 for the original, then 1, 2, 3… for each duplicate.
    pub copy_number: i64,
    pub duplicate: bool,
    /// What the copy must show: `DUPLICATA n` (French) or `DUPLICATE n` (English, by
    /// `Accept-Language`); `null` for the original.
    pub mention: Option<String>,
}

#[derive(Default)]
pub struct JournalMutation;

#[Object]
impl JournalMutation {
    /// Counts one copy of an issued document about to be printed, sent or downloaded:
    /// the first is the original, each later one a duplicate, numbered and journaled
    /// (DUPLICATE). A draft has no copies (VALIDATION_FAILED, rule `not_issued`).
    async fn print_invoice(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(desc = "Default: PRINT.")] channel: Option<PrintChannel>,
    ) -> async_graphql::Result<PrintedCopy> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id).gql(ctx)?;
        let copy = entity::documents::printing::print(
            &ctx.app().db,
            actor,
            id,
            channel.unwrap_or(PrintChannel::Print).as_str(),
        )
        .await
        .gql(ctx)?;
        let n = copy.duplicate;
        let mention = (n > 0).then(|| match ctx.lang() {
            Lang::Fr => format!("DUPLICATA {n}"),
            Lang::En => format!("DUPLICATE {n}"),
        });
        Ok(PrintedCopy { invoice: copy.document.into(), copy_number: n, duplicate: n > 0, mention })
    }
}
