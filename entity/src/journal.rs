//! The certification event journal: technical events with stable codes (logins, user
//! and token changes, settings that affect documents, duplicates, service starts…), each
//! a row of `journal_events` sealed in the account's `events` chain in the same write
//! transaction. Codes are written here only: one `Event` variant per code.
//!
//! Canonical form, version 1 (fixed order, one `key=value` per line, `\n`, no trailing
//! newline; docs/certification.md, "The event journal", gives the layout):
//!
//! ```text
//! format=scelle-event-v1
//! code=LOGIN
//! occurred_at=2026-11-21T17:32:05.123456Z
//! user=0193…            (empty for the system or a public link)
//! credential=password
//! ip=127.0.0.1          (empty when unknown)
//! details={"session":"…"}
//! ```

use crate::db::{WriteTxn, begin_write};
use crate::error::{DomainError, DomainResult};
use crate::ledger::store::{Appender, Chain};
use crate::pagination::{Page, PageRequest};
use crate::scope::{InAccount, ScopedQuery};
use crate::tables::journal_event as je;
use crate::tables::ledger_entry as entry;
use crate::tenant::{AccountId, Actor, Credential, Role};
use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::{Value, json};
use std::sync::OnceLock;
use uuid::Uuid;

/// The first line of every event's canonical form.
pub const FORMAT: &str = "scelle-event-v1";

/// One journal event. Each variant is one stable code (`Event::code`); its fields are
/// what `details` holds.
#[derive(Clone, Debug)]
pub enum Event {
    /// A sign-in with a password opened a session (sign-up included; refreshing or
    /// switching accounts is not a login).
    Login {
        session: Uuid,
    },
    /// A known user's password was refused (or the user is disabled). Written in every
    /// account the user belongs to.
    LoginFailed {
        email: String,
        reason: &'static str,
    },
    UserInvited {
        email: String,
        role: Role,
    },
    UserAdded {
        user: Uuid,
        email: String,
        role: Role,
    },
    RoleChanged {
        user: Uuid,
        from: Role,
        to: Role,
    },
    UserRemoved {
        user: Uuid,
        email: String,
    },
    ApiTokenCreated {
        token: Uuid,
        name: String,
        role: Role,
    },
    ApiTokenRevoked {
        token: Uuid,
        name: String,
    },
    /// Account settings changed: `(field, before, after)` for each field that changed.
    SettingsChanged {
        changes: Vec<(&'static str, Value, Value)>,
    },
    /// A department's numbering changed (its own numbering switched, patterns replaced).
    NumberingPatternChanged {
        department: Uuid,
        name: String,
        before: Value,
        after: Value,
    },
    /// An issued document printed, sent or downloaded again: duplicate number `copy`.
    Duplicate {
        document: Uuid,
        number: String,
        copy: i64,
        channel: String,
    },
    /// A test document was issued.
    TestModeUsed {
        document: Uuid,
        number: String,
    },
    ClosureCreated {
        closure: Uuid,
        period: String,
    },
    /// An archive was exported; `manifest_sha256` is the SHA-256 of its `manifest.json`,
    /// which lists every file's hash: journaling it chains the archive.
    ArchiveExported {
        archive: Uuid,
        period: String,
        manifest_sha256: String,
    },
    VerificationRun {
        chain: String,
        checked: u64,
    },
    /// A verification found something: the first finding's reason and sequence (if it
    /// is at one), and how many findings there were.
    VerificationFailed {
        chain: String,
        sequence: Option<i64>,
        reason: String,
        findings: usize,
    },
    /// A document or payment issued or paid before sealing happened in the issuing
    /// transaction, and found unsealed, was sealed when the database was adopted.
    SealedLate {
        chain: &'static str,
        subject: Uuid,
        /// When it was issued or paid.
        since: String,
    },
    /// The database was adopted by the signing key `key` (its public part).
    LedgerAdopted {
        key: String,
        sealed_late: usize,
    },
    /// The service (this process) started; journaled in an account before its first
    /// other event of the run, with the start time.
    ServiceStarted {
        boot: Uuid,
        version: String,
    },
    /// The service stopped gracefully; journaled in every account that saw its start.
    ServiceStopped {
        boot: Uuid,
    },
    /// A webhook endpoint was disabled after `failures` deliveries in a row failed for good.
    WebhookDisabled {
        webhook: Uuid,
        url: String,
        failures: i32,
    },
}

/// Every code, in the order of the table in docs/certification.md.
pub const CODES: [&str; 21] = [
    "LOGIN",
    "LOGIN_FAILED",
    "USER_INVITED",
    "USER_ADDED",
    "ROLE_CHANGED",
    "USER_REMOVED",
    "API_TOKEN_CREATED",
    "API_TOKEN_REVOKED",
    "SETTINGS_CHANGED",
    "NUMBERING_PATTERN_CHANGED",
    "DUPLICATE",
    "TEST_MODE_USED",
    "CLOSURE_CREATED",
    "ARCHIVE_EXPORTED",
    "VERIFICATION_RUN",
    "VERIFICATION_FAILED",
    "SERVICE_STARTED",
    "SERVICE_STOPPED",
    "SEALED_LATE",
    "LEDGER_ADOPTED",
    "WEBHOOK_DISABLED",
];

impl Event {
    pub fn code(&self) -> &'static str {
        match self {
            Event::Login { .. } => "LOGIN",
            Event::LoginFailed { .. } => "LOGIN_FAILED",
            Event::UserInvited { .. } => "USER_INVITED",
            Event::UserAdded { .. } => "USER_ADDED",
            Event::RoleChanged { .. } => "ROLE_CHANGED",
            Event::UserRemoved { .. } => "USER_REMOVED",
            Event::ApiTokenCreated { .. } => "API_TOKEN_CREATED",
            Event::ApiTokenRevoked { .. } => "API_TOKEN_REVOKED",
            Event::SettingsChanged { .. } => "SETTINGS_CHANGED",
            Event::NumberingPatternChanged { .. } => "NUMBERING_PATTERN_CHANGED",
            Event::Duplicate { .. } => "DUPLICATE",
            Event::TestModeUsed { .. } => "TEST_MODE_USED",
            Event::ClosureCreated { .. } => "CLOSURE_CREATED",
            Event::ArchiveExported { .. } => "ARCHIVE_EXPORTED",
            Event::VerificationRun { .. } => "VERIFICATION_RUN",
            Event::VerificationFailed { .. } => "VERIFICATION_FAILED",
            Event::ServiceStarted { .. } => "SERVICE_STARTED",
            Event::ServiceStopped { .. } => "SERVICE_STOPPED",
            Event::SealedLate { .. } => "SEALED_LATE",
            Event::LedgerAdopted { .. } => "LEDGER_ADOPTED",
            Event::WebhookDisabled { .. } => "WEBHOOK_DISABLED",
        }
    }

    /// What `details` holds (serialised compactly once, then stored and sealed as is).
    pub fn details(&self) -> Value {
        match self {
            Event::Login { session } => json!({ "session": session }),
            Event::LoginFailed { email, reason } => json!({ "email": email, "reason": reason }),
            Event::UserInvited { email, role } => json!({ "email": email, "role": role.as_str() }),
            Event::UserAdded { user, email, role } => json!({ "user": user, "email": email, "role": role.as_str() }),
            Event::RoleChanged { user, from, to } => {
                json!({ "user": user, "from": from.as_str(), "to": to.as_str() })
            }
            Event::UserRemoved { user, email } => json!({ "user": user, "email": email }),
            Event::ApiTokenCreated { token, name, role } => {
                json!({ "token": token, "name": name, "role": role.as_str() })
            }
            Event::ApiTokenRevoked { token, name } => json!({ "token": token, "name": name }),
            Event::SettingsChanged { changes } => {
                let mut m = serde_json::Map::new();
                for (field, before, after) in changes {
                    m.insert((*field).to_owned(), json!({ "from": before, "to": after }));
                }
                json!({ "changes": m })
            }
            Event::NumberingPatternChanged { department, name, before, after } => {
                json!({ "department": department, "name": name, "from": before, "to": after })
            }
            Event::Duplicate { document, number, copy, channel } => {
                json!({ "document": document, "number": number, "copy": copy, "channel": channel })
            }
            Event::TestModeUsed { document, number } => json!({ "document": document, "number": number }),
            Event::ClosureCreated { closure, period } => json!({ "closure": closure, "period": period }),
            Event::ArchiveExported { archive, period, manifest_sha256 } => {
                json!({ "archive": archive, "period": period, "manifest_sha256": manifest_sha256 })
            }
            Event::VerificationRun { chain, checked } => json!({ "chain": chain, "checked": checked }),
            Event::VerificationFailed { chain, sequence, reason, findings } => {
                json!({ "chain": chain, "sequence": sequence, "reason": reason, "findings": findings })
            }
            Event::SealedLate { chain, subject, since } => {
                json!({ "chain": chain, "subject": subject, "since": since })
            }
            Event::LedgerAdopted { key, sealed_late } => json!({ "key": key, "sealed_late": sealed_late }),
            Event::ServiceStarted { boot, version } => json!({ "boot": boot, "version": version }),
            Event::ServiceStopped { boot } => json!({ "boot": boot }),
            Event::WebhookDisabled { webhook, url, failures } => {
                json!({ "webhook": webhook, "url": url, "failures": failures })
            }
        }
    }
}

/// How the author of an event proved who they are (`credential` column).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialKind {
    /// A sign-in attempt with e-mail and password (LOGIN, LOGIN_FAILED).
    Password,
    Session,
    ApiToken,
    PublicLink,
    System,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 5] = [
        CredentialKind::Password,
        CredentialKind::Session,
        CredentialKind::ApiToken,
        CredentialKind::PublicLink,
        CredentialKind::System,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Password => "password",
            CredentialKind::Session => "session",
            CredentialKind::ApiToken => "api_token",
            CredentialKind::PublicLink => "public_link",
            CredentialKind::System => "system",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Who wrote an event: a user or nobody, how they proved it, and from where.
#[derive(Clone, Debug)]
pub struct Origin {
    pub user: Option<Uuid>,
    pub credential: CredentialKind,
    pub ip: Option<String>,
}

impl Origin {
    /// The actor of a request, from where it came.
    pub fn of(actor: &Actor) -> Self {
        let credential = match actor.credential {
            Credential::Session(_) => CredentialKind::Session,
            Credential::ApiToken(_) => CredentialKind::ApiToken,
            Credential::PublicLink(_) => CredentialKind::PublicLink,
            Credential::System => CredentialKind::System,
        };
        let user = (!actor.user_id.0.is_nil()).then_some(actor.user_id.0);
        Origin { user, credential, ip: actor.client_ip.map(|ip| ip.to_string()) }
    }

    /// A user signing in with their password, from `ip`.
    pub fn password(user: Uuid, ip: Option<std::net::IpAddr>) -> Self {
        Origin { user: Some(user), credential: CredentialKind::Password, ip: ip.map(|ip| ip.to_string()) }
    }

    /// The server itself.
    pub fn system() -> Self {
        Origin { user: None, credential: CredentialKind::System, ip: None }
    }
}

/// This process' start: its id and time, set by `service_started`.
struct Boot {
    id: Uuid,
    at: DateTime<Utc>,
}

static BOOT: OnceLock<Boot> = OnceLock::new();

/// Marks the service as started (once per process). No row is written now: an account
/// receives its SERVICE_STARTED, with this time, just before its first event of the run
/// — writing one into every account at each start would grow every journal with noise.
pub fn service_started() -> Uuid {
    BOOT.get_or_init(|| Boot { id: Uuid::now_v7(), at: now() }).id
}

/// Microseconds: what PostgreSQL keeps, so the row reads back as it was sealed.
fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// The canonical form (version 1) of a journal row: what its ledger entry seals.
pub fn canonical(row: &je::Model) -> String {
    [
        format!("format={FORMAT}"),
        format!("code={}", row.code),
        format!("occurred_at={}", row.occurred_at.format("%Y-%m-%dT%H:%M:%S%.6fZ")),
        format!("user={}", row.user_id.map(|u| u.to_string()).unwrap_or_default()),
        format!("credential={}", row.credential),
        format!("ip={}", one_line(row.ip.as_deref().unwrap_or(""))),
        format!("details={}", one_line(&row.details)),
    ]
    .join("\n")
}

/// Compact JSON and IP addresses never hold line breaks; escaped anyway so that no value
/// can forge a line of the canonical form.
fn one_line(s: &str) -> String {
    s.replace('\\', "\\\\").replace('\n', "\\n").replace('\r', "\\r")
}

async fn append_one(
    txn: &impl ConnectionTrait,
    appender: &mut Appender,
    account: AccountId,
    by: &Origin,
    event: &Event,
    at: DateTime<Utc>,
) -> DomainResult<je::Model> {
    let row = je::Model {
        id: Uuid::now_v7(),
        account_id: account.0,
        sequence: appender.head().last_sequence + 1,
        code: event.code().to_owned(),
        occurred_at: at,
        user_id: by.user,
        credential: by.credential.as_str().to_owned(),
        ip: by.ip.clone(),
        details: event.details().to_string(),
    };
    let sealed = appender.push(txn, row.id, canonical(&row)).await?;
    debug_assert_eq!(sealed.sequence, row.sequence);
    let am: je::ActiveModel = row.into();
    Ok(am.insert(txn).await?)
}

/// Whether the account already journaled this run's start.
async fn start_journaled(txn: &impl ConnectionTrait, account: AccountId, boot: &Boot) -> DomainResult<bool> {
    let last = je::Entity::find_in(account)
        .filter(je::Column::Code.eq("SERVICE_STARTED"))
        .order_by_desc(je::Column::Sequence)
        .one(txn)
        .await?;
    Ok(last.is_some_and(|e| e.details == started_details(boot)))
}

fn started_details(boot: &Boot) -> String {
    Event::ServiceStarted { boot: boot.id, version: env!("CARGO_PKG_VERSION").to_owned() }.details().to_string()
}

/// Journals `event` in the account, as part of the caller's write transaction: the event
/// is written and sealed when the transaction commits, so the event and the change it
/// reports land together or not at all (see `db::WriteTxn`).
pub fn record(txn: &WriteTxn, account: AccountId, by: &Origin, event: Event) {
    txn.pending().event(account, by.clone(), event, now());
}

/// Writes and seals one account's noted events at commit, in the order noted. Preceded,
/// on the account's first event since the service started, by SERVICE_STARTED.
pub(crate) async fn append(
    txn: &impl ConnectionTrait,
    account: AccountId,
    noted: Vec<crate::ledger::pending::NotedEvent>,
) -> DomainResult<()> {
    // The head lock serialises every writer of the chain, so the start check and the
    // appends below cannot interleave with another request's.
    let mut appender = Appender::open(txn, account, Chain::Events).await?;
    if let Some(boot) = BOOT.get()
        && noted.iter().any(|n| !matches!(n.event, Event::ServiceStarted { .. } | Event::ServiceStopped { .. }))
        && !start_journaled(txn, account, boot).await?
    {
        let started = Event::ServiceStarted { boot: boot.id, version: env!("CARGO_PKG_VERSION").to_owned() };
        append_one(txn, &mut appender, account, &Origin::system(), &started, boot.at).await?;
    }
    for n in &noted {
        append_one(txn, &mut appender, account, &n.origin, &n.event, n.at).await?;
    }
    appender.finish(txn).await?;
    Ok(())
}

/// Journals an event that belongs to no other write (a failed login…), in a transaction
/// of its own.
pub async fn record_alone(db: &DatabaseConnection, account: AccountId, by: &Origin, event: Event) -> DomainResult<()> {
    let txn = begin_write(db).await?;
    record(&txn, account, by, event);
    txn.commit().await
}

/// Journals a refused password of a known user in every account they belong to (an
/// unknown e-mail has no account to journal in).
pub async fn login_failed(
    db: &DatabaseConnection,
    user: Uuid,
    email: &str,
    reason: &'static str,
    ip: Option<std::net::IpAddr>,
) -> DomainResult<()> {
    for (m, _) in crate::accounts::memberships_of(db, crate::tenant::UserId(user)).await? {
        let event = Event::LoginFailed { email: email.to_owned(), reason };
        record_alone(db, AccountId(m.account_id), &Origin::password(user, ip), event).await?;
    }
    Ok(())
}

/// Journals SERVICE_STOPPED in every account that journaled this run's start. Called
/// once the server no longer takes requests.
pub async fn service_stopped(db: &DatabaseConnection) -> DomainResult<usize> {
    let Some(boot) = BOOT.get() else { return Ok(0) };
    let accounts: Vec<Uuid> = je::Entity::find()
        .select_only()
        .column(je::Column::AccountId)
        .filter(je::Column::Code.eq("SERVICE_STARTED"))
        .filter(je::Column::Details.eq(started_details(boot)))
        .into_tuple()
        .all(db)
        .await?;
    for account in &accounts {
        record_alone(db, AccountId(*account), &Origin::system(), Event::ServiceStopped { boot: boot.id }).await?;
    }
    Ok(accounts.len())
}

/// A journal row with its seal.
pub struct Listed {
    pub event: je::Model,
    pub hash: Option<String>,
    pub previous_hash: Option<String>,
}

/// Owners, admins and accountants read the journal; members do not.
fn require_reader(actor: &Actor) -> DomainResult<()> {
    actor.require_auditor()
}

/// The account's events, newest first, optionally of one code.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    code: Option<&str>,
    page: PageRequest,
) -> DomainResult<Page<Listed>> {
    require_reader(actor)?;
    if let Some(c) = code
        && !CODES.contains(&c)
    {
        return Err(DomainError::field("code", crate::FieldCode::Rule("unknown_event_code")));
    }
    let mut q = je::Entity::find_in(actor);
    if let Some(c) = code {
        q = q.filter(je::Column::Code.eq(c));
    }
    let total_count = q.clone().count(db).await?;
    let rows = q.order_by_desc(je::Column::Sequence).offset(page.offset()).limit(page.per_page).all(db).await?;
    let entries = entry::Entity::find_in(actor)
        .filter(entry::Column::Chain.eq(Chain::Events.as_str()))
        .filter(entry::Column::SubjectId.is_in(rows.iter().map(|r| r.id)))
        .all(db)
        .await?;
    let items = rows
        .into_iter()
        .map(|event| {
            let seal = entries.iter().find(|e| e.subject_id == event.id);
            Listed { hash: seal.map(|e| e.hash.clone()), previous_hash: seal.map(|e| e.previous_hash.clone()), event }
        })
        .collect();
    Ok(Page { items, total_count, page: page.page, per_page: page.per_page })
}

/// A journal row of the account by id (verification compares it with its seal).
pub async fn find(db: &impl ConnectionTrait, account: AccountId, id: Uuid) -> DomainResult<Option<je::Model>> {
    Ok(je::Entity::find_by_id(id).in_account(account).one(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_v1() {
        let row = je::Model {
            id: Uuid::nil(),
            account_id: Uuid::nil(),
            sequence: 1,
            code: "LOGIN".into(),
            occurred_at: DateTime::parse_from_rfc3339("2026-11-21T17:32:05.123456Z").unwrap().to_utc(),
            user_id: None,
            credential: "password".into(),
            ip: Some("127.0.0.1".into()),
            details: "{\"a\":\"x\\ny\"}".into(),
        };
        assert_eq!(
            canonical(&row),
            "format=scelle-event-v1\ncode=LOGIN\noccurred_at=2026-11-21T17:32:05.123456Z\nuser=\n\
             credential=password\nip=127.0.0.1\ndetails={\"a\":\"x\\\\ny\"}"
        );
    }

    #[test]
    fn every_variant_has_a_listed_code() {
        let e = Event::ServiceStopped { boot: Uuid::nil() };
        assert!(CODES.contains(&e.code()));
        let mut sorted = CODES.to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), CODES.len());
    }
}
