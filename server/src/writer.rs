//! The one task that writes. Requests queue their writes here; the task commits whatever
//! is waiting in one transaction and answers each request only after that commit.
//!
//! Why: one transaction and one fsync per request caps SQLite at a few thousand votes a
//! second and lets the WAL grow without bound under load; a single writer committing
//! batches is both faster and exact (see README figures). Counts in memory change only
//! after the commit, so nothing is shown that could still be lost.

use crate::live::{Change, Live};
use crate::store::{self, Store, StoreError, Write};
use casm_model::EventKind;
use sqlx::Connection;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most writes committed in one transaction.
const MAX_BATCH: usize = 512;

/// One write waiting for the writer.
#[derive(Debug)]
pub enum WriteOp {
    Vote {
        resource: String,
        visitor: String,
        helpful: bool,
    },
    Event {
        kind: EventKind,
        resource: String,
        link: Option<String>,
        visitor: String,
    },
    Feedback {
        resource: String,
        visitor: String,
        text: String,
        contact: Option<String>,
    },
}

impl WriteOp {
    fn as_write(&self) -> Write<'_> {
        match self {
            WriteOp::Vote {
                resource,
                visitor,
                helpful,
            } => Write::Vote {
                resource,
                visitor,
                helpful: *helpful,
            },
            WriteOp::Event {
                kind,
                resource,
                link,
                visitor,
            } => Write::Event {
                kind: *kind,
                resource,
                link: link.as_deref(),
                visitor,
            },
            WriteOp::Feedback {
                resource,
                visitor,
                text,
                contact,
            } => Write::Feedback {
                resource,
                visitor,
                text,
                contact: contact.as_deref(),
            },
        }
    }

    fn change(&self, changed: store::Changed) -> Option<Change> {
        match self {
            WriteOp::Vote { resource, .. } if changed != 0 => Some(Change::Vote {
                resource: resource.clone(),
                delta: changed,
            }),
            WriteOp::Event {
                kind,
                resource,
                link,
                ..
            } => Some(Change::Event {
                kind: *kind,
                resource: resource.clone(),
                link: link.clone(),
            }),
            _ => None,
        }
    }
}

/// Why a write was not committed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the writer has stopped")]
    Stopped,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
}

/// What a committed write changed: for a vote, +1, -1 or 0 helpful votes.
pub type Committed = store::Changed;

type Job = (WriteOp, oneshot::Sender<Result<Committed, Arc<WriteError>>>);

/// Sends writes to the writer task.
#[derive(Clone)]
pub struct WriterHandle {
    tx: mpsc::Sender<Job>,
}

impl WriterHandle {
    /// Queues `op` and waits until it is committed.
    pub async fn write(&self, op: WriteOp) -> Result<Committed, Arc<WriteError>> {
        let (reply, done) = oneshot::channel();
        self.tx
            .send((op, reply))
            .await
            .map_err(|_| Arc::new(WriteError::Stopped))?;
        done.await.map_err(|_| Arc::new(WriteError::Stopped))?
    }
}

/// Starts the writer task on its own connection of `store`.
pub async fn spawn(store: Store, live: Arc<Live>) -> Result<WriterHandle, StoreError> {
    let conn = store.writer_connection().await?;
    let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
    tokio::spawn(run(conn, rx, live));
    Ok(WriterHandle { tx })
}

async fn run(
    mut conn: sqlx::pool::PoolConnection<sqlx::Any>,
    mut rx: mpsc::Receiver<Job>,
    live: Arc<Live>,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    // Ends when every handle is dropped and the queue is drained.
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match commit(&mut conn, &batch).await {
            Ok(results) => finish(&live, batch.drain(..), results.into_iter().map(Ok)),
            Err(e) => {
                // One bad write must not fail its neighbours: retry each alone.
                tracing::warn!(error = %e, size = batch.len(), "batch failed; retrying singly");
                for job in batch.drain(..) {
                    let result = commit(&mut conn, std::slice::from_ref(&job))
                        .await
                        .map(|mut r| r.pop().unwrap_or(0))
                        .map_err(|e| {
                            tracing::error!(error = %e, "write failed");
                            Arc::new(WriteError::Db(e))
                        });
                    finish(&live, std::iter::once(job), std::iter::once(result));
                }
            }
        }
    }
}

async fn commit(
    conn: &mut sqlx::AnyConnection,
    jobs: &[Job],
) -> Result<Vec<Committed>, sqlx::Error> {
    let mut tx = conn.begin().await?;
    let mut results = Vec::with_capacity(jobs.len());
    let mut deltas = store::Deltas::default();
    for (op, _) in jobs {
        let changed = store::apply(&mut tx, &op.as_write()).await?;
        if let Some(change) = op.change(changed) {
            deltas.add(&change);
        }
        results.push(changed);
    }
    store::apply_deltas(&mut tx, &deltas).await?;
    tx.commit().await?;
    Ok(results)
}

fn finish(
    live: &Live,
    jobs: impl Iterator<Item = Job>,
    results: impl Iterator<Item = Result<Committed, Arc<WriteError>>>,
) {
    let jobs: Vec<(Job, Result<Committed, Arc<WriteError>>)> = jobs.zip(results).collect();
    let changes: Vec<Change> = jobs
        .iter()
        .filter_map(|((op, _), r)| r.as_ref().ok().and_then(|&c| op.change(c)))
        .collect();
    live.apply(&changes);
    for ((_, reply), result) in jobs {
        // The requester may have gone away; the write stands either way.
        let _ = reply.send(result);
    }
}
