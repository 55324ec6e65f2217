//! The writer's connection: one transaction per batch, on either database.
//!
//! SQLite: a rusqlite connection of its own, with cached prepared statements; a batch
//! runs start to commit on the calling thread, blocking it (the writer gives it a thread
//! of its own: [`crate::writer`]). Why: the service is bound by the one SQLite writer,
//! and through sqlx every statement (and every returned row) is a message to sqlx's
//! worker thread and back; here a batch is plain function calls.
//!
//! PostgreSQL: a sqlx connection kept from the pool, replaced when it breaks.
//!
//! Either way the rules are [`super::writes::apply_batch`], once.

use super::exec::{DbError, SqliteExec, SqlxExec};
use super::writes::{self, Applied, Rules, Write};
use super::{Store, StoreError};
use futures_util::FutureExt;
use sqlx::Connection;
use std::time::Duration;

/// Longest wait for a ping of the PostgreSQL connection.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// Prepared statements kept per SQLite connection: the writer has about a dozen.
const STATEMENT_CACHE: usize = 32;

/// Commits batches of writes under the [`Rules`] it was made with.
pub struct BatchWriter {
    store: Store,
    rules: Rules,
    conn: Conn,
}

enum Conn {
    /// A file's connection never breaks the way a socket does, so it is kept for good.
    Sqlite {
        conn: rusqlite::Connection,
        _checkpoints: Checkpointer,
    },
    /// `None` after the connection broke.
    Sqlx(Option<sqlx::pool::PoolConnection<sqlx::Any>>),
}

impl Store {
    /// The writer's connection, applying `rules` to every batch.
    pub async fn batch_writer(&self, rules: Rules) -> Result<BatchWriter, StoreError> {
        let conn = match &self.sqlite_path {
            Some(path) => Conn::Sqlite {
                conn: open_sqlite(path)?,
                _checkpoints: Checkpointer::spawn(path)?,
            },
            None => Conn::Sqlx(Some(self.pool.acquire().await?)),
        };
        Ok(BatchWriter {
            store: self.clone(),
            rules,
            conn,
        })
    }
}

/// Opens the writer's SQLite connection with the settings every connection gets.
fn open_sqlite(path: &std::path::Path) -> Result<rusqlite::Connection, rusqlite::Error> {
    let conn = open_plain(path)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

fn open_plain(path: &std::path::Path) -> Result<rusqlite::Connection, rusqlite::Error> {
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.execute_batch(super::SQLITE_PRAGMAS)?;
    Ok(conn)
}

/// How often the WAL is copied back into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// Copies the WAL into the database file from a thread and connection of its own, every
/// [`CHECKPOINT_EVERY`]. Why: SQLite's automatic checkpoint runs inside the commit that
/// crosses 1,000 pages, so every few hundred batches one batch (and every vote waiting
/// on it) also paid for writing and syncing the database file; that was the p99. A
/// passive checkpoint never blocks the writer, and leaves the writer's own automatic
/// checkpoint little to copy. That one is kept: only a checkpoint the writer finishes
/// between its transactions lets the WAL start over (with this thread alone, under
/// steady writes, the WAL grew past 1 GB in a 30 s benchmark). The thread ends when
/// this is dropped.
struct Checkpointer {
    _stop: std::sync::mpsc::Sender<()>,
}

impl Checkpointer {
    fn spawn(path: &std::path::Path) -> Result<Self, StoreError> {
        let conn = open_plain(path)?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        std::thread::Builder::new()
            .name("casm-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
            })?;
        Ok(Checkpointer { _stop: stop })
    }
}

impl BatchWriter {
    /// Whether the writer holds a connection (PostgreSQL: one that answered when last
    /// used).
    pub fn is_connected(&self) -> bool {
        match &self.conn {
            Conn::Sqlite { .. } => true,
            Conn::Sqlx(conn) => conn.is_some(),
        }
    }

    /// Gets a new connection if the last one broke; whether it has one now.
    pub async fn reconnect(&mut self) -> bool {
        match &mut self.conn {
            Conn::Sqlite { .. } => true,
            Conn::Sqlx(conn) => {
                if conn.is_none() {
                    *conn = self.store.pool.acquire().await.ok();
                }
                conn.is_some()
            }
        }
    }

    /// After an error: drops a PostgreSQL connection that no longer answers a ping, so
    /// the next write reconnects (a database restart closes it).
    pub async fn check(&mut self) {
        if let Conn::Sqlx(slot) = &mut self.conn {
            let alive = match slot.as_mut() {
                Some(conn) => matches!(
                    tokio::time::timeout(PING_TIMEOUT, conn.ping()).await,
                    Ok(Ok(()))
                ),
                None => false,
            };
            if !alive {
                *slot = None;
            }
        }
    }

    /// Applies `writes` in one transaction, stamped `now` (Unix seconds), and commits.
    /// Nothing is kept on error. On SQLite this blocks the thread until the commit.
    pub async fn commit(&mut self, writes: &[Write], now: i64) -> Result<Vec<Applied>, DbError> {
        let rules = self.rules;
        match &mut self.conn {
            Conn::Sqlite { conn, .. } => commit_sqlite(conn, writes, &rules, now),
            Conn::Sqlx(slot) => {
                let conn = slot.as_mut().ok_or(DbError::NoConnection)?;
                let mut tx = conn.begin().await?;
                let applied =
                    writes::apply_batch(&mut SqlxExec { conn: &mut tx }, writes, &rules, now)
                        .await?;
                tx.commit().await?;
                Ok(applied)
            }
        }
    }

    /// Deletes expired view marks and past days' vote caps ([`writes::expire`]).
    pub async fn expire(&mut self, now: i64, today: i64) -> Result<(), DbError> {
        let rules = self.rules;
        match &mut self.conn {
            Conn::Sqlite { conn, .. } => {
                now_or_fail(writes::expire(&mut SqliteExec { conn }, &rules, now, today))
            }
            Conn::Sqlx(slot) => {
                let conn = slot.as_mut().ok_or(DbError::NoConnection)?;
                writes::expire(&mut SqlxExec { conn }, &rules, now, today).await
            }
        }
    }

    /// A connection for the writer's reads between batches (counts, catalogue): the
    /// writer's own on PostgreSQL, one from the pool on SQLite (rusqlite does not read
    /// into sqlx's types).
    pub async fn reader(&mut self) -> Result<Reader<'_>, DbError> {
        match &mut self.conn {
            Conn::Sqlite { .. } => Ok(Reader::Pooled(self.store.pool.acquire().await?)),
            Conn::Sqlx(slot) => Ok(Reader::Held(
                slot.as_deref_mut().ok_or(DbError::NoConnection)?,
            )),
        }
    }
}

/// A connection to read with, from [`BatchWriter::reader`].
pub enum Reader<'a> {
    Held(&'a mut sqlx::AnyConnection),
    Pooled(sqlx::pool::PoolConnection<sqlx::Any>),
}

impl std::ops::Deref for Reader<'_> {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &Self::Target {
        match self {
            Reader::Held(conn) => conn,
            Reader::Pooled(conn) => conn,
        }
    }
}

impl std::ops::DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        match self {
            Reader::Held(conn) => conn,
            Reader::Pooled(conn) => conn,
        }
    }
}

/// One batch on SQLite: `BEGIN IMMEDIATE` (the write lock up front, so the transaction
/// never has to upgrade), the rules, `COMMIT`; dropped on error, which rolls back.
fn commit_sqlite(
    conn: &mut rusqlite::Connection,
    writes: &[Write],
    rules: &Rules,
    now: i64,
) -> Result<Vec<Applied>, DbError> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let applied = now_or_fail(writes::apply_batch(
        &mut SqliteExec { conn: &tx },
        writes,
        rules,
        now,
    ))?;
    tx.commit()?;
    Ok(applied)
}

/// The result of a future that cannot wait: every [`SqliteExec`] statement completes when
/// called, so the rules' future is ready on its first poll.
fn now_or_fail<T>(
    future: impl std::future::Future<Output = Result<T, DbError>>,
) -> Result<T, DbError> {
    future.now_or_never().unwrap_or(Err(DbError::Waited))
}
