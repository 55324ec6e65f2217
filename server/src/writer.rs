//! The one task that writes. Requests queue their writes here; the task commits whatever
//! is waiting in one transaction and answers each request only after that commit. On
//! SQLite the task has a thread of its own; on PostgreSQL it is a task of the service's
//! runtime (its statements wait on the network, not on the thread).
//!
//! Why: one transaction and one fsync per request caps SQLite at a few thousand votes a
//! second and lets the WAL grow without bound under load; a single writer committing
//! batches is both faster and exact (see README figures). Counts in memory change only
//! after the commit, so nothing is shown that could still be lost.
//!
//! Between batches the task also refreshes the in-memory counts from the database (so
//! several instances on one PostgreSQL converge), reloads the catalogue when another
//! process changed it (`casm-feed import`, another instance's console), and deletes
//! expired privacy data.

use crate::live::Live;
use crate::metrics;
use crate::store::{self, Applied, Backend, BatchWriter, DbError, Rules, Store, StoreError, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// Longest wait for a new connection after the writer's own broke.
const RECONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Why a write was not committed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the writer has stopped")]
    Stopped,
    #[error("the writer has no database connection")]
    NoConnection,
    #[error("{0}")]
    Db(#[from] DbError),
}

type Reply = Result<Applied, Arc<WriteError>>;
type Job = (Write, oneshot::Sender<Reply>);

/// Sends writes to the writer task.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
    /// Asks the task to close its queue, commit what is in it, and end.
    stop: Arc<Notify>,
    /// The task, awaited once by [`WriterHandle::shutdown`].
    task: Arc<Mutex<Option<JoinHandle<()>>>>,
    /// Whether the task holds a working database connection.
    connected: Arc<AtomicBool>,
}

impl WriterHandle {
    /// Queues `op` and waits until it is committed.
    pub async fn write(&self, op: Write) -> Reply {
        let (reply, done) = oneshot::channel();
        self.tx
            .send((op, reply))
            .await
            .map_err(|_| Arc::new(WriteError::Stopped))?;
        done.await.map_err(|_| Arc::new(WriteError::Stopped))?
    }

    /// Whether the task still takes writes (it has not ended, panicked or been shut down)
    /// and holds a database connection that answered when last used.
    pub fn is_alive(&self) -> bool {
        !self.tx.is_closed() && self.connected.load(Ordering::Relaxed)
    }

    /// Closes the queue (later writes get [`WriteError::Stopped`]), waits until every
    /// write already queued is committed and answered, and the task has ended. Called
    /// once the HTTP side has drained, so nothing accepted is lost on SIGTERM.
    pub async fn shutdown(&self) {
        self.stop.notify_one();
        let task = self.task.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(task) = task {
            if let Err(e) = task.await {
                tracing::error!(error = %e, "the writer task failed");
            }
        }
    }
}

/// Housekeeping the writer does between batches.
#[derive(Clone, Copy, Debug)]
pub struct Upkeep {
    /// How often counts are re-read from the database; `None` for never (one instance).
    pub refresh: Option<Duration>,
    /// How often the catalogue version is checked (one small query), reloading the
    /// catalogue when it moved; `None` for never.
    pub catalogue_refresh: Option<Duration>,
}

/// Starts the writer task on its own connection of `store`, applying `rules` to every
/// write.
pub async fn spawn(
    store: Store,
    rules: Rules,
    live: Arc<Live>,
    upkeep: Upkeep,
) -> Result<WriterHandle, StoreError> {
    let store_backend = store.backend();
    let writer = store.batch_writer(rules).await?;
    let connected = Arc::new(AtomicBool::new(true));
    let conn = Conn {
        writer,
        connected: connected.clone(),
    };
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    let stop = Arc::new(Notify::new());
    let work = run(conn, rx, live, upkeep, stop.clone());
    let task = match store_backend {
        // A thread of its own with its own one-thread runtime: a SQLite batch blocks it
        // from start to commit, and a request's path is one hand-off to this thread and
        // one back, nothing else in between (see `store::BatchWriter`).
        Backend::Sqlite => {
            let (done, ended) = oneshot::channel::<()>();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            std::thread::Builder::new()
                .name("casm-writer".into())
                .spawn(move || {
                    runtime.block_on(work);
                    let _ = done.send(());
                })?;
            tokio::spawn(async move {
                let _ = ended.await;
            })
        }
        Backend::Postgres => tokio::spawn(work),
    };
    Ok(WriterHandle {
        tx,
        stop,
        task: Arc::new(Mutex::new(Some(task))),
        connected,
    })
}

/// The writer's connection, replaced when it breaks (a database restart closes it, and
/// without a new one every later write would fail), and the flag readiness reads.
struct Conn {
    writer: BatchWriter,
    connected: Arc<AtomicBool>,
}

impl Conn {
    /// Whether there is a connection, reconnecting first if the last one broke.
    async fn get(&mut self) -> bool {
        if self.writer.is_connected() {
            return true;
        }
        match tokio::time::timeout(RECONNECT_TIMEOUT, self.writer.reconnect()).await {
            Ok(true) => {
                tracing::info!("the writer has a database connection again");
                self.connected.store(true, Ordering::Relaxed);
                true
            }
            Ok(false) | Err(_) => {
                metrics::db_error("connect");
                false
            }
        }
    }

    /// After an error: drops the connection if it no longer answers.
    async fn check(&mut self) {
        self.writer.check().await;
        if !self.writer.is_connected() {
            tracing::warn!("the writer's database connection is broken; reconnecting");
            self.connected.store(false, Ordering::Relaxed);
        }
    }
}

async fn run(
    mut conn: Conn,
    mut rx: mpsc::Receiver<Job>,
    live: Arc<Live>,
    upkeep: Upkeep,
    stop: Arc<Notify>,
) {
    let mut stopping = false;
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut expiry = tokio::time::interval(Duration::from_secs(60));
    let mut refresh = tokio::time::interval(upkeep.refresh.unwrap_or(Duration::from_secs(3600)));
    refresh.tick().await;
    let mut catalogue = tokio::time::interval(
        upkeep
            .catalogue_refresh
            .unwrap_or(Duration::from_secs(3600)),
    );
    catalogue.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    catalogue.tick().await;
    let mut reconnect = tokio::time::interval(Duration::from_secs(1));
    reconnect.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            n = rx.recv_many(&mut batch, MAX_BATCH) => {
                // Zero: every handle is dropped and the queue is drained.
                if n == 0 {
                    break;
                }
                write_batch(&mut conn, &live, &mut batch).await;
            }
            // Closing keeps what is queued: the loop commits it, then sees zero.
            () = stop.notified(), if !stopping => {
                stopping = true;
                rx.close();
            }
            // While the connection is broken, so readiness returns without a write.
            _ = reconnect.tick(), if !conn.writer.is_connected() => {
                conn.get().await;
            }
            _ = expiry.tick() => {
                if !conn.get().await { continue }
                let now = crate::dates::now_secs();
                if let Err(e) = conn.writer.expire(now, crate::dates::day_of(now)).await {
                    metrics::db_error("expire");
                    tracing::warn!(error = %e, "expiring old view marks and vote caps failed");
                    conn.check().await;
                }
            }
            _ = refresh.tick(), if upkeep.refresh.is_some() => {
                if !conn.get().await { continue }
                let counts = match conn.writer.reader().await {
                    Ok(mut c) => store::load_counts(&mut c).await.map_err(DbError::from),
                    Err(e) => Err(e),
                };
                match counts {
                    Ok(counts) => live.replace_counts(counts),
                    Err(e) => {
                        metrics::db_error("refresh_counts");
                        tracing::warn!(error = %e, "refreshing counts failed");
                        conn.check().await;
                    }
                }
            }
            _ = catalogue.tick(), if upkeep.catalogue_refresh.is_some() => {
                if !conn.get().await { continue }
                let reloaded = match conn.writer.reader().await {
                    Ok(mut c) => reload_catalogue(&mut c, &live).await,
                    Err(_) => false,
                };
                if !reloaded {
                    conn.check().await;
                }
            }
        }
    }
}

/// Reloads the catalogue if the store's version is ahead of the one served; `false` if
/// the database failed.
async fn reload_catalogue(conn: &mut sqlx::AnyConnection, live: &Live) -> bool {
    match store::catalogue_version(conn).await {
        Ok(version) if version > live.catalogue_version() => {
            match store::load_live_catalogue(conn).await {
                Ok(c) => {
                    let n = c.resources.len();
                    if live.replace_catalogue(c.version, c.resources, c.retired) {
                        tracing::info!(version = c.version, resources = n, "catalogue reloaded");
                    }
                }
                Err(e) => {
                    metrics::db_error("reload_catalogue");
                    tracing::warn!(error = %e, "reloading the catalogue failed");
                    return false;
                }
            }
            true
        }
        Ok(_) => true,
        Err(e) => {
            metrics::db_error("catalogue_version");
            tracing::warn!(error = %e, "reading the catalogue version failed");
            false
        }
    }
}

async fn write_batch(conn: &mut Conn, live: &Live, batch: &mut Vec<Job>) {
    let (writes, replies): (Vec<Write>, Vec<_>) = batch.drain(..).unzip();
    if !conn.get().await {
        let failed = writes
            .iter()
            .map(|_| Err(Arc::new(WriteError::NoConnection)))
            .collect();
        return finish(live, replies, failed);
    }
    let size = writes.len();
    let started = std::time::Instant::now();
    // One time for the whole batch: its rows' `created_at` and its daily counts agree on
    // the day, even across midnight.
    let result = conn.writer.commit(&writes, crate::dates::now_secs()).await;
    let elapsed = started.elapsed();
    metrics::writer_batch(size, elapsed);
    tracing::debug!(size, micros = elapsed.as_micros() as u64, "batch committed");
    match result {
        Ok(results) => finish(live, replies, results.into_iter().map(Ok).collect()),
        Err(e) => {
            metrics::db_error("commit");
            // A broken connection (the database restarted) is replaced before the retry.
            conn.check().await;
            // One bad write must not fail its neighbours: retry each alone.
            tracing::warn!(error = %e, size, "batch failed; retrying singly");
            let mut results = Vec::with_capacity(size);
            for write in writes.iter() {
                if !conn.get().await {
                    results.push(Err(Arc::new(WriteError::NoConnection)));
                    continue;
                }
                results.push(
                    conn.writer
                        .commit(std::slice::from_ref(write), crate::dates::now_secs())
                        .await
                        .map(|mut r| r.pop().unwrap_or(Applied::Unchanged))
                        .map_err(|e| {
                            metrics::db_error("commit");
                            tracing::error!(error = %e, "write failed");
                            Arc::new(WriteError::Db(e))
                        }),
                );
            }
            finish(live, replies, results);
        }
    }
}

/// Applies the committed changes to memory, then answers each request.
fn finish(live: &Live, replies: Vec<oneshot::Sender<Reply>>, results: Vec<Reply>) {
    let changes: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Ok(Applied::Changed(change)) => Some(change.clone()),
            _ => None,
        })
        .collect();
    live.apply(&changes);
    for (reply, result) in replies.into_iter().zip(results) {
        // The requester may have gone away; the write stands either way.
        let _ = reply.send(result);
    }
}
