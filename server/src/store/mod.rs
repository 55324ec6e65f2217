//! The database behind one small interface: SQLite (default) or PostgreSQL, chosen by URL.
//!
//! Public reads never come here: the service loads everything into
//! [`crate::live::Live`] at start. The store is written by the writer task
//! ([`crate::writer`]) and by `import`; the admin routes read and moderate through it
//! (tokens, feedback, and the numbers over time in `daily_counters`: [`Store::series`],
//! [`Store::summary`]).

mod batch;
mod catalogue;
mod counts;
mod exec;
mod moderation;
mod series;
mod tokens;
mod writes;

pub use crate::counts::{CountRow, Counts, Partner, COUNTER_COLUMNS};
pub use batch::{BatchWriter, Reader};
pub use catalogue::{
    catalogue_version, load_live_catalogue, next_version, parse_catalogue, LiveCatalogue,
    Published, StoredResource, MAX_CATALOGUE_BYTES,
};
pub use counts::{load_counts, Deltas};
pub use exec::DbError;
pub use moderation::{Feedback, FeedbackFilter};
pub use series::backfill_sql;
pub use tokens::{token_hash, StoredToken, TokenInfo};
pub use writes::{Applied, Rules, Write};

use crate::dates::now_secs;
use casm_model::{Catalogue, Resource};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Executor, Row};
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
    /// The SQLite file, which the writer opens on its own connection.
    sqlite_path: Option<std::path::PathBuf>,
}

/// Every SQLite connection's settings, sqlx's and the writer's. FULL: an acknowledged
/// vote survives power loss, and group commit makes the extra fsync nearly free (see
/// README figures).
const SQLITE_PRAGMAS: &str = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; \
                              PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;";

/// Errors of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL (use sqlite://PATH or postgres://…): {0}")]
    UnsupportedUrl(String),
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    /// Opening the writer's own SQLite connection.
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored resource {id} is not readable: {source}")]
    Corrupt {
        id: String,
        source: serde_json::Error,
    },
    #[error("creating the database folder: {0}")]
    Io(#[from] std::io::Error),
    /// A published resource or catalogue breaks a rule of [`casm_model::validate`].
    #[error("invalid at {0}")]
    Invalid(casm_model::ValidationError),
    /// `backup` on PostgreSQL, or to a file that exists.
    #[error("{0}")]
    Backup(String),
}

impl Store {
    /// Connects to `url`, creating a SQLite file (and its folder) if needed, and runs the
    /// migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let mut sqlite_path = None;
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            sqlite_path = Some(std::path::PathBuf::from(path));
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
                        conn.execute(SQLITE_PRAGMAS).await?;
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
        series::run_pending_backfills(&pool, backend).await?;
        Ok(Store {
            pool,
            backend,
            sqlite_path,
        })
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Every resource, retired ones included, in catalogue order.
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
    /// transaction: a failure leaves the database as it was. Resources are stored as the
    /// file gives them (version and dates included: this is the loader for migrations and
    /// restores; `POST /v1/admin/import` versions them). Counts and retirement are kept.
    /// Running services see the change within their catalogue refresh interval.
    pub async fn import(&self, catalogue: &Catalogue) -> Result<usize, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE catalogue_state SET version = version + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
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
        }
        tx.commit().await?;
        Ok(catalogue.resources.len())
    }

    /// Writes a consistent copy of a SQLite database to `path` with `VACUUM INTO`, while
    /// the service keeps serving (it reads one snapshot; writers are not blocked). Refuses
    /// an existing file, and PostgreSQL (use `pg_dump`).
    pub async fn backup(&self, path: &std::path::Path) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            return Err(StoreError::Backup(
                "backup copies SQLite databases only; on PostgreSQL use \
                 `pg_dump -Fc -f FILE DATABASE-URL` and `pg_restore -d DATABASE-URL FILE`"
                    .into(),
            ));
        }
        if path.exists() {
            return Err(StoreError::Backup(format!(
                "{} exists; backup never overwrites a file",
                path.display()
            )));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Backup(format!("{} is not UTF-8", path.display())))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The catalogue in the import format, retired resources included (retirement is
    /// kept in the database, not in the file; see [`Store::retired`]).
    pub async fn export(&self) -> Result<Catalogue, StoreError> {
        Ok(Catalogue::new(self.load_catalogue().await?))
    }

    /// Whether the database answers a trivial query (for `/readyz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }
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
