//! The database behind one small interface: SQLite (default) or PostgreSQL, chosen by URL.
//!
//! Reads at request time never come here: the service loads everything into
//! [`crate::live::Live`] at start. The store is written by the writer task
//! ([`crate::writer`]) and by `import`.

use crate::live::{Change, LiveCounts};
use casm_model::{Catalogue, EventKind, Resource};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor, Row};
use std::collections::HashMap;
use std::str::FromStr;

/// Which database the URL names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connected, migrated database.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite://PATH or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored resource {id} is not readable: {source}")]
    Corrupt {
        id: String,
        source: serde_json::Error,
    },
    #[error("creating the database folder: {0}")]
    Io(#[from] std::io::Error),
}

/// Current time as Unix seconds, the form timestamps are stored in.
pub fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Store {
    /// Connects to `url`, creating a SQLite file (and its folder) if needed, and runs the
    /// migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)?;
                }
            }
            let url = if url.contains('?') {
                url.to_owned()
            } else {
                format!("{url}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            // One connection is the writer's for the life of the service; one is for
            // start-up loads and the command line.
            .max_connections(3)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // FULL: an acknowledged vote survives power loss, and group commit
                        // makes the extra fsync nearly free (see README figures).
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                             PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&pool).await?,
        }
        Ok(Store { pool, backend })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A connection for the writer task to keep.
    pub async fn writer_connection(
        &self,
    ) -> Result<sqlx::pool::PoolConnection<sqlx::Any>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    /// Every resource, in catalogue order.
    pub async fn load_catalogue(&self) -> Result<Vec<Resource>, StoreError> {
        let rows = sqlx::query("SELECT id, doc FROM resources ORDER BY position, id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let id: String = row.try_get("id")?;
                let doc: String = row.try_get("doc")?;
                serde_json::from_str(&doc).map_err(|source| StoreError::Corrupt { id, source })
            })
            .collect()
    }

    /// Live counts (without baselines) of every resource.
    pub async fn load_counts(&self) -> Result<HashMap<String, LiveCounts>, StoreError> {
        let mut counts: HashMap<String, LiveCounts> = HashMap::new();
        let rows = sqlx::query(
            "SELECT resource_id, helpful_votes, page_views, pages_emailed, metacard_views, \
             attachments_downloaded, videos_downloaded FROM resource_counters",
        )
        .fetch_all(&self.pool)
        .await?;
        for row in rows {
            let get = |c: &str| row.try_get::<i64, _>(c).map(|v| v.max(0) as u64);
            counts.insert(
                row.try_get("resource_id")?,
                LiveCounts {
                    helpful_votes: get("helpful_votes")?,
                    page_views: get("page_views")?,
                    pages_emailed: get("pages_emailed")?,
                    metacard_views: get("metacard_views")?,
                    attachments_downloaded: get("attachments_downloaded")?,
                    videos_downloaded: get("videos_downloaded")?,
                    links: Default::default(),
                },
            );
        }
        let rows = sqlx::query("SELECT resource_id, link_id, downloads FROM link_counters")
            .fetch_all(&self.pool)
            .await?;
        for row in rows {
            let id: String = row.try_get("resource_id")?;
            let downloads: i64 = row.try_get("downloads")?;
            counts
                .entry(id)
                .or_default()
                .links
                .insert(row.try_get("link_id")?, downloads.max(0) as u64);
        }
        Ok(counts)
    }

    /// Whether the catalogue has no resources.
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM resources")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(n == 0)
    }

    /// Adds or replaces every resource of an already validated catalogue, in one
    /// transaction: a failure leaves the database as it was. Counts are kept.
    pub async fn import(&self, catalogue: &Catalogue) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        let now = now_secs();
        for (position, resource) in catalogue.resources.iter().enumerate() {
            let doc = serde_json::to_string(resource).map_err(|source| StoreError::Corrupt {
                id: resource.id.clone(),
                source,
            })?;
            sqlx::query(
                "INSERT INTO resources (id, position, doc, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (id) DO UPDATE SET position = excluded.position, \
                 doc = excluded.doc, updated_at = excluded.updated_at",
            )
            .bind(&resource.id)
            .bind(position as i64)
            .bind(doc)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO resource_counters (resource_id) VALUES ($1) \
                 ON CONFLICT (resource_id) DO NOTHING",
            )
            .bind(&resource.id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(catalogue.resources.len())
    }

    /// The catalogue in the import format.
    pub async fn export(&self) -> Result<Catalogue, StoreError> {
        Ok(Catalogue::new(self.load_catalogue().await?))
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A vote or event as the writer applies it inside a transaction.
pub enum Write<'a> {
    Vote {
        resource: &'a str,
        visitor: &'a str,
        helpful: bool,
    },
    Event {
        kind: EventKind,
        resource: &'a str,
        link: Option<&'a str>,
        visitor: &'a str,
    },
    Feedback {
        resource: &'a str,
        visitor: &'a str,
        text: &'a str,
        contact: Option<&'a str>,
    },
}

/// What a write changed: the helpful-vote delta (+1, -1 or 0) for votes, 1 otherwise.
pub type Changed = i64;

/// Writes the row of one vote, event or feedback on `conn`, which the caller has put in a
/// transaction; counters are updated once per batch by [`apply_deltas`].
pub async fn apply(conn: &mut AnyConnection, write: &Write<'_>) -> Result<Changed, sqlx::Error> {
    let now = now_secs();
    match *write {
        Write::Vote {
            resource,
            visitor,
            helpful,
        } => {
            let changed = if helpful {
                sqlx::query(
                    "INSERT INTO votes (resource_id, visitor, created_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (resource_id, visitor) DO NOTHING",
                )
                .bind(resource)
                .bind(visitor)
                .bind(now)
            } else {
                sqlx::query("DELETE FROM votes WHERE resource_id = $1 AND visitor = $2")
                    .bind(resource)
                    .bind(visitor)
            }
            .execute(&mut *conn)
            .await?
            .rows_affected();
            Ok(if changed == 0 {
                0
            } else if helpful {
                1
            } else {
                -1
            })
        }
        Write::Event {
            kind,
            resource,
            link,
            visitor,
        } => {
            sqlx::query(
                "INSERT INTO events (resource_id, kind, link_id, visitor, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(resource)
            .bind(kind.name())
            .bind(link)
            .bind(visitor)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(1)
        }
        Write::Feedback {
            resource,
            visitor,
            text,
            contact,
        } => {
            sqlx::query(
                "INSERT INTO feedback (resource_id, visitor, text, contact, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(resource)
            .bind(visitor)
            .bind(text)
            .bind(contact)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(1)
        }
    }
}

/// Counter changes of one batch, summed per resource and per link, so a batch of a hundred
/// votes on one resource updates its counter row once.
#[derive(Default)]
pub struct Deltas {
    resources: HashMap<String, [i64; 6]>,
    links: HashMap<(String, String), i64>,
}

/// Counter columns in the order of [`Deltas`]' arrays.
const COUNTER_COLUMNS: [&str; 6] = [
    "helpful_votes",
    "page_views",
    "pages_emailed",
    "metacard_views",
    "attachments_downloaded",
    "videos_downloaded",
];

impl Deltas {
    /// Adds one committed change.
    pub fn add(&mut self, change: &Change) {
        match change {
            Change::Vote { resource, delta } => {
                self.resources.entry(resource.clone()).or_default()[0] += delta;
            }
            Change::Event {
                kind,
                resource,
                link,
            } => {
                let column = match kind {
                    EventKind::View => 1,
                    EventKind::Email => 2,
                    EventKind::MetacardView => 3,
                    EventKind::Download => 4,
                    EventKind::VideoDownload => 5,
                };
                self.resources.entry(resource.clone()).or_default()[column] += 1;
                if let Some(link) = link {
                    *self
                        .links
                        .entry((resource.clone(), link.clone()))
                        .or_default() += 1;
                }
            }
        }
    }
}

/// Applies a batch's summed counter changes on `conn` (inside the batch's transaction).
pub async fn apply_deltas(conn: &mut AnyConnection, deltas: &Deltas) -> Result<(), sqlx::Error> {
    let set = COUNTER_COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = {c} + ${}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("UPDATE resource_counters SET {set} WHERE resource_id = $7");
    for (resource, d) in &deltas.resources {
        let mut q = sqlx::query(&sql);
        for v in d {
            q = q.bind(*v);
        }
        q.bind(resource).execute(&mut *conn).await?;
    }
    for ((resource, link), n) in &deltas.links {
        sqlx::query(
            "INSERT INTO link_counters (resource_id, link_id, downloads) VALUES ($1, $2, $3) \
             ON CONFLICT (resource_id, link_id) \
             DO UPDATE SET downloads = link_counters.downloads + excluded.downloads",
        )
        .bind(resource)
        .bind(link)
        .bind(*n)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
