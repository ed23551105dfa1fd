//! The domain's write transaction, and on SQLite its one writer with group commit.
//!
//! SQLite lets one writer in at a time. The write transactions of this process take turns
//! here, first come first served, and only then `BEGIN IMMEDIATE`: without a queue of our
//! own they raced for SQLite's lock and slept in its busy handler (up to 100 ms a nap),
//! which made the p99 of issuing a hundred times its p50 at concurrency 8. Other processes
//! on the same file still meet the busy handler.
//!
//! Since the turns come one after the other anyway, a transaction that finishes while
//! others wait for their turn does not commit alone (**group commit**): it seals what it
//! noted (in its own turn, behind its own savepoint: a failure there is its own), leaves
//! the transaction open, and the next one goes on in it behind a savepoint. The group is
//! committed once, by its last member (nobody waiting, or `MAX_GROUP` members), or,
//! should that member never come, by the first member's turn coming round again. Nobody
//! hears "done" before that commit: each member's `commit` returns once the group
//! committed, with the group's outcome. A member that fails or gives up rolls back to its
//! savepoint and the others' work stays; the rollback is recorded in the group before it
//! is done, so whoever takes the turn next does it first, whatever happens to the task
//! that should have. Seen from the database, a group is one transaction whose members ran
//! one after the other, each seeing the writes and seals of those before it: the same
//! order as committing each.
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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
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
    let Some(writer) = sqlite_writer(db) else {
        return Ok(WriteTxn::new(Conn::Own(db.begin().await?)));
    };
    let mut turn = writer.take_turn().await;
    settle(&mut turn).await;

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
            turn.open = Some(OpenGroup { txn, generation, members: Vec::new(), savepoints: 0, rollback_to: None });
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
    /// Members that left their commit to a later one, since the file was first opened here
    /// (kept apart: a writer leaves the map between transactions, its count must not).
    deferred: Arc<AtomicU64>,
}

/// How many write transactions on `db`'s SQLite file shared a later one's commit rather
/// than committing alone, since this process opened it (0 on PostgreSQL): the measure
/// of group commit, for tests and the bench.
pub fn shared_commits(db: &DatabaseConnection) -> u64 {
    if !is_sqlite(db) {
        return 0;
    }
    deferred_count(&sqlite_file_of(db)).load(Ordering::Relaxed)
}

fn sqlite_file_of(db: &DatabaseConnection) -> PathBuf {
    db.get_sqlite_connection_pool().connect_options().get_filename().to_owned()
}

/// The count of deferred commits on `file` (one small counter per file ever opened).
fn deferred_count(file: &std::path::Path) -> Arc<AtomicU64> {
    static COUNTS: LazyLock<Mutex<HashMap<PathBuf, Arc<AtomicU64>>>> = LazyLock::new(Default::default);
    let mut counts = COUNTS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    counts.entry(file.to_owned()).or_default().clone()
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
    /// The members done so far, waiting for the commit's outcome.
    members: Vec<oneshot::Sender<Result<(), Shared>>>,
    savepoints: u32,
    /// A member gave up: the savepoint to roll back to before anything else is done.
    rollback_to: Option<String>,
}

/// A group's failure as each of its members hears it (a commit that failed: no member's
/// own error, those stay with it).
#[derive(Clone, Debug)]
struct Shared {
    message: String,
}

impl From<Shared> for DomainError {
    fn from(s: Shared) -> Self {
        DomainError::Internal(s.message)
    }
}

/// The writer of the SQLite file `db` writes to (none on PostgreSQL).
fn sqlite_writer(db: &DatabaseConnection) -> Option<Arc<Writer>> {
    static WRITERS: LazyLock<Mutex<HashMap<PathBuf, Arc<Writer>>>> = LazyLock::new(Default::default);
    if !is_sqlite(db) {
        return None;
    }
    let file = sqlite_file_of(db);
    let mut writers = WRITERS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    // Files no longer open here (tests open thousands) leave the map.
    writers.retain(|_, w| Arc::strong_count(w) > 1 || Arc::strong_count(&w.group) > 1);
    Some(
        writers
            .entry(file.clone())
            .or_insert_with(|| {
                Arc::new(Writer {
                    group: Arc::new(tokio::sync::Mutex::new(Group::default())),
                    queued: 0.into(),
                    deferred: deferred_count(&file),
                })
            })
            .clone(),
    )
}

/// Rolls back what a member that gave up left (see `OpenGroup::rollback_to`); the whole
/// group when that fails. First thing of every turn.
async fn settle(turn: &mut Group) {
    let Some(group) = turn.open.as_mut() else { return };
    let Some(savepoint) = group.rollback_to.take() else { return };
    if let Err(e) = group.txn.execute_unprepared(&format!("ROLLBACK TO {savepoint}")).await {
        abandon(turn, &format!("rolling a member back failed: {e}"));
    }
}

/// Commits the group, then tells its members. Runs in a task of its own (see
/// `spawn_commit`): the members' outcome never depends on whether the one that committed
/// for them is still being waited for.
async fn commit_group(mut turn: OwnedMutexGuard<Group>) -> DomainResult<()> {
    settle(&mut turn).await;
    let Some(OpenGroup { txn, members, .. }) = turn.open.take() else {
        return Err(DomainError::Internal("the group transaction was given up".into()));
    };
    let outcome = txn.commit().await.map_err(DomainError::from);
    let shared = outcome.as_ref().map(|_| ()).map_err(|e| Shared { message: format!("the group commit failed: {e}") });
    for member in members {
        // A member that stopped waiting (its request dropped) has nobody left to tell.
        let _ = member.send(shared.clone());
    }
    outcome
}

async fn spawn_commit(turn: OwnedMutexGuard<Group>) -> DomainResult<()> {
    match tokio::spawn(commit_group(turn)).await {
        Ok(outcome) => outcome,
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
            Conn::Member { mut turn, writer, savepoint } => {
                // Sealed in this member's own turn, behind its savepoint: a chain that
                // refuses (tampered, say) fails this member alone, and those after it see
                // its entries.
                let group = turn.open.as_ref().expect("a member's group stays open during its turn");
                if let Err(e) = Box::pin(flush(&group.txn, pending)).await {
                    give_up(&mut turn, savepoint).await;
                    return Err(e);
                }
                let group = turn.open.as_mut().expect("a member's group stays open during its turn");
                if writer.queued.load(Ordering::SeqCst) == 0 || group.members.len() + 1 >= MAX_GROUP {
                    return spawn_commit(turn).await;
                }
                writer.deferred.fetch_add(1, Ordering::Relaxed);
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
            Conn::Member { mut turn, savepoint, .. } => {
                give_up(&mut turn, savepoint).await;
                Ok(())
            }
        }
    }
}

/// A member gives its work up: back to its savepoint, or, as the group's first member
/// (none joined yet), the whole transaction rolled back.
async fn give_up(turn: &mut Group, savepoint: Option<String>) {
    match savepoint {
        None => {
            if let Some(group) = turn.open.take() {
                let _ = group.txn.rollback().await;
            }
        }
        Some(savepoint) => {
            if let Some(group) = turn.open.as_mut() {
                group.rollback_to = Some(savepoint);
            }
            settle(turn).await;
        }
    }
}

impl Drop for WriteTxn {
    /// Not committed: everything given up. On SQLite, a member behind a savepoint rolls
    /// back to it (the members before it keep their work): recorded in the group at once,
    /// done by a task here or else by whoever takes the turn next; the group's first
    /// member rolls the transaction back.
    fn drop(&mut self) {
        let Some(Conn::Member { mut turn, savepoint, .. }) = self.conn.take() else { return };
        let Some(savepoint) = savepoint else {
            // Dropping it rolls it back (none joined: this was its only member).
            turn.open = None;
            return;
        };
        if let Some(group) = turn.open.as_mut() {
            group.rollback_to = Some(savepoint);
        }
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { settle(&mut turn).await });
        }
    }
}

/// Gives the whole group up: its transaction rolls back, its members hear why.
fn abandon(turn: &mut Group, why: &str) {
    if let Some(group) = turn.open.take() {
        for member in group.members {
            let _ = member.send(Err(Shared { message: format!("the group transaction was {why}") }));
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
