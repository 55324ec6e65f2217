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

    /// Live counts, per-partner counts and partners, as the service loads them.
    pub async fn load_counts(&self) -> Result<Counts, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_counts(&mut conn).await?)
    }

    /// Registered partners.
    pub async fn partners(&self) -> Result<Vec<Partner>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_partners(&mut conn).await?)
    }

    /// Adds a partner or replaces its name and origins.
    pub async fn add_partner(&self, partner: &Partner) -> Result<(), StoreError> {
        let origins =
            serde_json::to_string(&partner.origins).map_err(|source| StoreError::Corrupt {
                id: partner.key.clone(),
                source,
            })?;
        sqlx::query(
            "INSERT INTO partners (key, name, origins, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO UPDATE SET name = excluded.name, origins = excluded.origins",
        )
        .bind(&partner.key)
        .bind(&partner.name)
        .bind(origins)
        .bind(now_secs())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes a partner; its counts stay. Returns whether it existed.
    pub async fn remove_partner(&self, key: &str) -> Result<bool, StoreError> {
        let n = sqlx::query("DELETE FROM partners WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n > 0)
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

/// A partner site allowed to send votes and events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partner {
    /// Short key recorded with every vote and event, e.g. `casm-demo`.
    pub key: String,
    pub name: String,
    /// Origin patterns: `https://example.org`, or `http://127.0.0.1:*` for any port.
    pub origins: Vec<String>,
}

/// Counter columns, in the order of every `[_; 6]` count array in this crate.
pub const COUNTER_COLUMNS: [&str; 6] = [
    "helpful_votes",
    "page_views",
    "pages_emailed",
    "metacard_views",
    "attachments_downloaded",
    "videos_downloaded",
];

/// The six maintained counts of one resource (or one partner's share of it), in
/// [`COUNTER_COLUMNS`] order.
pub type CountRow = [u64; 6];

/// What the service loads into memory: live counts, per-partner counts, partners.
#[derive(Clone, Debug, Default)]
pub struct Counts {
    pub resources: HashMap<String, LiveCounts>,
    /// Counts by resource, then partner.
    pub by_partner: HashMap<String, std::collections::BTreeMap<String, CountRow>>,
    pub partners: Vec<Partner>,
}

fn count_row(row: &sqlx::any::AnyRow) -> Result<CountRow, sqlx::Error> {
    let mut out = [0u64; 6];
    for (i, column) in COUNTER_COLUMNS.iter().enumerate() {
        out[i] = row.try_get::<i64, _>(*column)?.max(0) as u64;
    }
    Ok(out)
}

/// Reads every maintained count and the partners on `conn`. Only aggregate tables are
/// read, so this costs the same with a thousand events as with millions.
pub async fn load_counts(conn: &mut AnyConnection) -> Result<Counts, sqlx::Error> {
    let columns = COUNTER_COLUMNS.join(", ");
    let mut counts = Counts::default();
    let rows = sqlx::query(&format!(
        "SELECT resource_id, {columns} FROM resource_counters"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        counts.resources.insert(
            row.try_get("resource_id")?,
            LiveCounts::from_row(count_row(&row)?),
        );
    }
    let rows = sqlx::query("SELECT resource_id, link_id, downloads FROM link_counters")
        .fetch_all(&mut *conn)
        .await?;
    for row in rows {
        let id: String = row.try_get("resource_id")?;
        let downloads: i64 = row.try_get("downloads")?;
        counts
            .resources
            .entry(id)
            .or_default()
            .links
            .insert(row.try_get("link_id")?, downloads.max(0) as u64);
    }
    let rows = sqlx::query(&format!(
        "SELECT partner, resource_id, {columns} FROM partner_counters"
    ))
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        counts
            .by_partner
            .entry(row.try_get("resource_id")?)
            .or_default()
            .insert(row.try_get("partner")?, count_row(&row)?);
    }
    counts.partners = load_partners(conn).await?;
    Ok(counts)
}

/// Registered partners, by key.
pub async fn load_partners(conn: &mut AnyConnection) -> Result<Vec<Partner>, sqlx::Error> {
    let rows = sqlx::query("SELECT key, name, origins FROM partners ORDER BY key")
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|row| {
            let origins: String = row.try_get("origins")?;
            Ok(Partner {
                key: row.try_get("key")?,
                name: row.try_get("name")?,
                origins: serde_json::from_str(&origins).unwrap_or_default(),
            })
        })
        .collect()
}

/// A vote, event or feedback as the writer applies it inside a batch's transaction.
pub enum Write<'a> {
    Vote {
        resource: &'a str,
        /// Keyed hash of the visitor token.
        visitor: &'a str,
        helpful: bool,
        partner: &'a str,
        /// Today's salted hash of the client's network, and the UTC day number.
        network: &'a str,
        day: i64,
        /// Most votes one network may add to one resource in a day; 0 for no cap.
        cap: u32,
    },
    Event {
        kind: EventKind,
        resource: &'a str,
        link: Option<&'a str>,
        visitor: &'a str,
        partner: &'a str,
        /// A visitor's views of a resource count once per this many seconds.
        view_window: i64,
    },
    Feedback {
        resource: &'a str,
        partner: &'a str,
        text: &'a str,
        contact: Option<&'a str>,
    },
}

/// What a write did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Counters change.
    Changed(Change),
    /// Stored, but no counter changes: a repeated vote, a view inside the window, feedback.
    Unchanged,
    /// Refused: the network's daily vote cap for this resource is reached.
    Capped,
}

/// Writes the rows of one vote, event or feedback on `conn`, which the caller has put in a
/// transaction; counters are updated once per batch by [`apply_deltas`].
pub async fn apply(conn: &mut AnyConnection, write: &Write<'_>) -> Result<Applied, sqlx::Error> {
    let now = now_secs();
    match *write {
        Write::Vote {
            resource,
            visitor,
            helpful: true,
            partner,
            network,
            day,
            cap,
        } => {
            let added = sqlx::query(
                "INSERT INTO votes (resource_id, visitor, partner, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (resource_id, visitor) DO NOTHING",
            )
            .bind(resource)
            .bind(visitor)
            .bind(partner)
            .bind(now)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if added == 0 {
                return Ok(Applied::Unchanged);
            }
            if cap > 0 {
                let within = sqlx::query(
                    "INSERT INTO vote_caps (day, network, resource_id, votes) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (day, network, resource_id) \
                     DO UPDATE SET votes = vote_caps.votes + 1 WHERE vote_caps.votes < $4",
                )
                .bind(day)
                .bind(network)
                .bind(resource)
                .bind(i64::from(cap))
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if within == 0 {
                    sqlx::query("DELETE FROM votes WHERE resource_id = $1 AND visitor = $2")
                        .bind(resource)
                        .bind(visitor)
                        .execute(&mut *conn)
                        .await?;
                    return Ok(Applied::Capped);
                }
            }
            Ok(Applied::Changed(Change::Vote {
                resource: resource.to_owned(),
                partner: partner.to_owned(),
                delta: 1,
            }))
        }
        Write::Vote {
            resource, visitor, ..
        } => {
            // The vote is taken off the partner it was counted for.
            let removed = sqlx::query(
                "DELETE FROM votes WHERE resource_id = $1 AND visitor = $2 RETURNING partner",
            )
            .bind(resource)
            .bind(visitor)
            .fetch_optional(&mut *conn)
            .await?;
            match removed {
                Some(row) => Ok(Applied::Changed(Change::Vote {
                    resource: resource.to_owned(),
                    partner: row.try_get("partner")?,
                    delta: -1,
                })),
                None => Ok(Applied::Unchanged),
            }
        }
        Write::Event {
            kind,
            resource,
            link,
            visitor,
            partner,
            view_window,
        } => {
            if matches!(kind, EventKind::View | EventKind::MetacardView) {
                let counted = sqlx::query(
                    "INSERT INTO view_marks (resource_id, visitor, kind, counted_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (resource_id, visitor, kind) \
                     DO UPDATE SET counted_at = excluded.counted_at \
                     WHERE view_marks.counted_at <= $5",
                )
                .bind(resource)
                .bind(visitor)
                .bind(kind.name())
                .bind(now)
                .bind(now - view_window)
                .execute(&mut *conn)
                .await?
                .rows_affected();
                if counted == 0 {
                    return Ok(Applied::Unchanged);
                }
            }
            sqlx::query(
                "INSERT INTO events (resource_id, kind, link_id, partner, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(resource)
            .bind(kind.name())
            .bind(link)
            .bind(partner)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(Applied::Changed(Change::Event {
                kind,
                resource: resource.to_owned(),
                link: link.map(str::to_owned),
                partner: partner.to_owned(),
            }))
        }
        Write::Feedback {
            resource,
            partner,
            text,
            contact,
        } => {
            sqlx::query(
                "INSERT INTO feedback (resource_id, partner, text, contact, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(resource)
            .bind(partner)
            .bind(text)
            .bind(contact)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            Ok(Applied::Unchanged)
        }
    }
}

/// Counter changes of one batch, summed per resource, per (partner, resource) and per link,
/// so a batch of a hundred votes on one resource updates its counter rows once.
#[derive(Default)]
pub struct Deltas {
    resources: HashMap<String, [i64; 6]>,
    partners: HashMap<(String, String), [i64; 6]>,
    links: HashMap<(String, String), i64>,
}

impl Deltas {
    /// Adds one committed change.
    pub fn add(&mut self, change: &Change) {
        let (resource, partner, column, delta) = change.column_delta();
        self.resources.entry(resource.to_owned()).or_default()[column] += delta;
        self.partners
            .entry((partner.to_owned(), resource.to_owned()))
            .or_default()[column] += delta;
        if let Change::Event {
            link: Some(link), ..
        } = change
        {
            *self
                .links
                .entry((resource.to_owned(), link.clone()))
                .or_default() += 1;
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
    let columns = COUNTER_COLUMNS.join(", ");
    let values = (3..9)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let set = COUNTER_COLUMNS
        .iter()
        .map(|c| format!("{c} = partner_counters.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO partner_counters (partner, resource_id, {columns}) VALUES ($1, $2, {values}) \
         ON CONFLICT (partner, resource_id) DO UPDATE SET {set}"
    );
    for ((partner, resource), d) in &deltas.partners {
        let mut q = sqlx::query(&sql).bind(partner).bind(resource);
        for v in d {
            q = q.bind(*v);
        }
        q.execute(&mut *conn).await?;
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

/// Deletes what has outlived its purpose: view marks past the window, vote caps of past
/// days (their network hashes can no longer be linked to anything once the day's salt is
/// gone).
pub async fn expire(
    conn: &mut AnyConnection,
    view_window: i64,
    today: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM view_marks WHERE counted_at < $1")
        .bind(now_secs() - view_window)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM vote_caps WHERE day < $1")
        .bind(today)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
