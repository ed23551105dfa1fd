//! The domain's write transaction, and on SQLite its one writer with group commit.
//!
//! SQLite lets one writer in at a time. The write transactions of this process take turns
//! here, first come first served, and only then `BEGIN IMMEDIATE`: without a queue of our
//! own they raced for SQLite's lock and slept in its busy handler (up to 100 ms a nap),
//! which made the p99 of issuing a hundred times its p50 at concurrency 8. Other processes
//! on the same file still meet the busy handler.
//!
//! Since the turns come one after the other anyway, a transaction that finishes while
//! others wait for their turn does not commit alone (**group commit**): it leaves its
//! transaction open and the next one goes on in it, behind a savepoint. The group is
//! sealed (what all its members noted, in their order) and committed once, by its last
//! member (nobody waiting, or `MAX_GROUP` members), or, should that member never come, by
//! the first member's turn coming round again. Nobody hears "done" before that commit:
//! each member's `commit` returns once the group committed, with the group's outcome. A
//! member that fails or gives up rolls back to its savepoint and the others' work stays.
//! Seen from the database, a group is one transaction whose members ran one after the
//! other, each seeing the writes of those before it: the same order as committing each.
//!
//! PostgreSQL writers lock only the rows they touch: each has a transaction of its own.

use super::is_sqlite;
use crate::error::{DomainError, DomainResult};
use crate::ledger::pending::{Pending, flush};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use tokio::sync::{OwnedMutexGuard, oneshot};

/// At most this many write transactions share one commit: a bound on how long the first of
/// them waits for it.
const MAX_GROUP: usize = 32;

/// Begins a transaction that will write after reading.
///
/// SQLite ignores `SELECT … FOR UPDATE`: a deferred transaction that reads then writes can
/// fail with SQLITE_BUSY when two of them race. `BEGIN IMMEDIATE` takes the write lock up
/// front, after this process's own turn (see the module). On PostgreSQL this is a plain
/// `BEGIN`; callers lock rows where they need to.
pub async fn begin_write(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    begin(db, Join::Group).await
}

/// A write transaction that shares no commit with those before it: it begins once every
/// earlier transaction has committed and sealed what it noted. For what reads the chains
/// to write on them (closures, adoption): the members of a group are sealed when the group
/// commits, so until then their documents would look unsealed to a later member.
pub async fn begin_write_alone(db: &DatabaseConnection) -> Result<WriteTxn, DbErr> {
    begin(db, Join::Alone).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Join {
    Group,
    Alone,
}

async fn begin(db: &DatabaseConnection, join: Join) -> Result<WriteTxn, DbErr> {
    let Some(writer) = sqlite_writer(db) else {
        return Ok(WriteTxn::new(Conn::Own(db.begin().await?)));
    };
    let mut turn = writer.take_turn().await;
    if join == Join::Alone && turn.open.is_some() {
        turn = match tokio::spawn(commit_group(turn)).await {
            Ok(committed) => committed.map_err(|e| DbErr::Custom(e.to_string()))?,
            Err(e) => return Err(DbErr::Custom(format!("the group commit stopped: {e}"))),
        };
    }
    let savepoint = match turn.open.as_mut() {
        Some(group) => {
            group.savepoints += 1;
            let name = format!("scelle_member_{}", group.savepoints);
            group.txn.execute_unprepared(&format!("SAVEPOINT {name}")).await?;
            Some(name)
        }
        None => {
            let txn = db
                .begin_with_options(TransactionOptions {
                    isolation_level: None,
                    access_mode: None,
                    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                })
                .await?;
            turn.generation += 1;
            let generation = turn.generation;
            turn.open =
                Some(OpenGroup { txn, generation, pending: Pending::default(), members: Vec::new(), savepoints: 0 });
            None
        }
    };
    Ok(WriteTxn::new(Conn::Member { turn, writer, savepoint }))
}

/// One SQLite file's writer in this process: whose turn it is, and the group transaction
/// left open for the next turn.
struct Writer {
    group: Arc<tokio::sync::Mutex<Group>>,
    /// Transactions waiting for their first turn (a member commits alone when there are none).
    queued: AtomicUsize,
}

impl Writer {
    async fn take_turn(&self) -> OwnedMutexGuard<Group> {
        struct Queued<'a>(&'a AtomicUsize);
        impl Drop for Queued<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.queued.fetch_add(1, Ordering::SeqCst);
        let _queued = Queued(&self.queued);
        self.group.clone().lock_owned().await
    }
}

#[derive(Default)]
struct Group {
    open: Option<OpenGroup>,
    /// Counts the groups opened, so that a member knows whether its own is still open.
    generation: u64,
}

struct OpenGroup {
    txn: DatabaseTransaction,
    generation: u64,
    /// What the members done so far noted, in their order: sealed at the group's commit.
    pending: Pending,
    /// The members done so far, waiting for the commit's outcome.
    members: Vec<oneshot::Sender<Result<(), Shared>>>,
    savepoints: u32,
}

/// A group's failure as each of its members hears it.
#[derive(Clone, Debug)]
struct Shared {
    integrity: bool,
    message: String,
}

impl From<Shared> for DomainError {
    fn from(s: Shared) -> Self {
        if s.integrity { DomainError::Integrity(s.message) } else { DomainError::Internal(s.message) }
    }
}

/// The writer of the SQLite file `db` writes to (none on PostgreSQL).
fn sqlite_writer(db: &DatabaseConnection) -> Option<Arc<Writer>> {
    static WRITERS: LazyLock<Mutex<HashMap<PathBuf, Arc<Writer>>>> = LazyLock::new(Default::default);
    if !is_sqlite(db) {
        return None;
    }
    let file = db.get_sqlite_connection_pool().connect_options().get_filename().to_owned();
    let mut writers = WRITERS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Files no longer open here (tests open thousands) leave the map.
    writers.retain(|_, w| Arc::strong_count(w) > 1 || Arc::strong_count(&w.group) > 1);
    Some(
        writers
            .entry(file)
            .or_insert_with(|| {
                Arc::new(Writer { group: Arc::new(tokio::sync::Mutex::new(Group::default())), queued: 0.into() })
            })
            .clone(),
    )
}

/// Seals what the group noted and commits it, then tells its members. Runs in a task of
/// its own (see `spawn_commit`): the members' outcome never depends on whether the one
/// that committed for them is still being waited for.
async fn commit_group(mut turn: OwnedMutexGuard<Group>) -> DomainResult<OwnedMutexGuard<Group>> {
    let Some(OpenGroup { txn, pending, members, .. }) = turn.open.take() else { return Ok(turn) };
    let outcome = async {
        Box::pin(flush(&txn, pending)).await?;
        txn.commit().await?;
        Ok::<(), DomainError>(())
    }
    .await;
    let shared = outcome.as_ref().map(|_| ()).map_err(|e| Shared {
        integrity: matches!(e, DomainError::Integrity(_)),
        message: match e {
            DomainError::Integrity(m) => m.clone(),
            other => format!("the group commit failed: {other}"),
        },
    });
    for member in members {
        // A member that stopped waiting (its request dropped) has nobody left to tell.
        let _ = member.send(shared.clone());
    }
    outcome.map(|_| turn)
}

async fn spawn_commit(turn: OwnedMutexGuard<Group>) -> DomainResult<()> {
    match tokio::spawn(commit_group(turn)).await {
        Ok(outcome) => outcome.map(drop),
        Err(e) => Err(DomainError::Internal(format!("the group commit stopped: {e}"))),
    }
}

/// A write transaction of the domain, and what it has to seal when it commits.
///
/// Issuing a document, paying a payment and journaling an event only *note* what the
/// certification must record; `commit` then appends all of it to the account's chains
/// (documents, payments, events, in that order: see `ledger::store::Chain`), signs the
/// heads it moved and commits, all in this one transaction. So what is issued is sealed
/// when the issue commits — never later, never apart — and chain heads are locked only
/// for the last moments of a transaction, always in the same order. On SQLite that
/// transaction may be a group's (see the module).
pub struct WriteTxn {
    /// None once committed.
    conn: Option<Conn>,
    pending: Mutex<Pending>,
}

enum Conn {
    Own(DatabaseTransaction),
    /// A turn of SQLite's writer, in the group's transaction: behind `savepoint` when others
    /// went before, as the group's first member otherwise.
    Member {
        turn: OwnedMutexGuard<Group>,
        writer: Arc<Writer>,
        savepoint: Option<String>,
    },
}

impl WriteTxn {
    fn new(conn: Conn) -> Self {
        Self { conn: Some(conn), pending: Mutex::new(Pending::default()) }
    }

    fn txn(&self) -> &DatabaseTransaction {
        match self.conn.as_ref().expect("a write transaction is not used after its commit") {
            Conn::Own(txn) => txn,
            Conn::Member { turn, .. } => &turn.open.as_ref().expect("a member's group stays open during its turn").txn,
        }
    }

    /// What this transaction will seal (for the ledger's modules).
    pub(crate) fn pending(&self) -> std::sync::MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Seals what the transaction noted, then commits (on SQLite, with its group). Nothing
    /// is committed if sealing fails; nothing is reported committed before it is.
    pub async fn commit(mut self) -> DomainResult<()> {
        let pending = std::mem::take(&mut *self.pending());
        match self.conn.take().expect("a write transaction commits once") {
            Conn::Own(txn) => {
                Box::pin(flush(&txn, pending)).await?;
                txn.commit().await?;
                Ok(())
            }
            Conn::Member { mut turn, writer, .. } => {
                let group = turn.open.as_mut().expect("a member's group stays open during its turn");
                group.pending.extend(pending);
                if writer.queued.load(Ordering::SeqCst) == 0 || group.members.len() + 1 >= MAX_GROUP {
                    return spawn_commit(turn).await;
                }
                let (told, outcome) = oneshot::channel();
                group.members.push(told);
                let generation = group.generation;
                drop(turn);
                // Should the next members never commit (they fail, or stop), the group is
                // committed when this member's turn comes round again behind them.
                tokio::spawn(async move {
                    let turn = writer.group.clone().lock_owned().await;
                    if turn.open.as_ref().is_some_and(|g| g.generation == generation) {
                        let _ = commit_group(turn).await;
                    }
                });
                match outcome.await {
                    Ok(result) => result.map_err(DomainError::from),
                    Err(_) => Err(DomainError::Internal("the group transaction ended without its commit".into())),
                }
            }
        }
    }
}

impl WriteTxn {
    /// Gives everything up: nothing written, nothing sealed (as dropping it does, here
    /// waited for).
    pub async fn rollback(mut self) -> Result<(), DbErr> {
        match self.conn.take().expect("a write transaction ends once") {
            Conn::Own(txn) => txn.rollback().await,
            Conn::Member { mut turn, savepoint: None, .. } => match turn.open.take() {
                Some(group) => group.txn.rollback().await,
                None => Ok(()),
            },
            Conn::Member { mut turn, savepoint: Some(savepoint), .. } => {
                let Some(group) = turn.open.as_ref() else { return Ok(()) };
                let rolled_back = group.txn.execute_unprepared(&format!("ROLLBACK TO {savepoint}")).await;
                if let Err(e) = &rolled_back {
                    abandon(&mut turn, &format!("rolling a member back failed: {e}"));
                }
                rolled_back.map(drop)
            }
        }
    }
}

impl Drop for WriteTxn {
    /// Not committed: everything given up. On SQLite, a member behind a savepoint rolls
    /// back to it (the members before it keep their work); the group's first member rolls
    /// the transaction back.
    fn drop(&mut self) {
        let Some(Conn::Member { mut turn, savepoint, .. }) = self.conn.take() else { return };
        let Some(savepoint) = savepoint else {
            // Dropping it rolls it back (none joined: this was its only member).
            turn.open = None;
            return;
        };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            abandon(&mut turn, "rolled back outside a runtime");
            return;
        };
        runtime.spawn(async move {
            let rolled_back = match turn.open.as_ref() {
                Some(group) => group.txn.execute_unprepared(&format!("ROLLBACK TO {savepoint}")).await.err(),
                None => None,
            };
            if let Some(e) = rolled_back {
                abandon(&mut turn, &format!("rolling a member back failed: {e}"));
            }
        });
    }
}

/// Gives the whole group up: its transaction rolls back, its members hear why.
fn abandon(turn: &mut Group, why: &str) {
    if let Some(group) = turn.open.take() {
        for member in group.members {
            let _ = member.send(Err(Shared { integrity: false, message: format!("the group transaction was {why}") }));
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for WriteTxn {
    fn get_database_backend(&self) -> DbBackend {
        self.txn().get_database_backend()
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn().execute_raw(stmt).await
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn().execute_unprepared(sql).await
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn().query_one_raw(stmt).await
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn().query_all_raw(stmt).await
    }

    fn support_returning(&self) -> bool {
        self.txn().support_returning()
    }
}
