//! Publishing: one resource edited, a catalogue imported, a resource retired or restored,
//! and the catalogue version running services poll to reload without a restart.
//!
//! Every change runs in one transaction whose first statement adds one to
//! `catalogue_state.version`: that takes the write lock at once on SQLite (so a read-then-
//! write transaction never meets a stale snapshot while the writer task commits votes) and
//! a row lock on PostgreSQL (so two instances publishing at once take turns and no version
//! number is lost). A transaction that changes nothing is rolled back, version included.

use super::{Store, StoreError};
use crate::dates::{now_secs, utc_timestamp};
use casm_model::{validate, Catalogue, Resource, ValidationError};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

/// The catalogue a service serves, as one consistent read.
#[derive(Clone, Debug, Default)]
pub struct LiveCatalogue {
    /// `catalogue_state.version` when it was read; the catalogue is at least this new.
    pub version: i64,
    /// Resources that are served, in catalogue order.
    pub resources: Vec<Resource>,
    /// Ids of retired resources (answered with 410).
    pub retired: Vec<String>,
}

/// A stored resource with its publishing state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResource {
    pub resource: Resource,
    /// Unix seconds, when it is retired.
    pub retired_at: Option<i64>,
}

/// What publishing did to one resource; each holds the resource as now stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Published {
    /// A new id: version 1.
    Added(Resource),
    /// Content changed: version + 1.
    Changed(Resource),
    /// Same content as stored: nothing written, the stored resource.
    Unchanged(Resource),
}

impl Published {
    /// The resource as stored.
    pub fn resource(&self) -> &Resource {
        match self {
            Published::Added(r) | Published::Changed(r) | Published::Unchanged(r) => r,
        }
    }
}

/// The resource to store when `incoming` is published over `stored`. The service owns
/// `version` (1 for a new id, + 1 on each change) and `modified` (`now`): what the body
/// says of them is ignored, and a body that differs from the stored resource only there
/// changes nothing. Everything else, `version_comment` included, is content.
pub fn next_version(stored: Option<&Resource>, mut incoming: Resource, now: &str) -> Published {
    match stored {
        None => {
            incoming.version = 1;
            incoming.modified = now.to_owned();
            Published::Added(incoming)
        }
        Some(old) => {
            incoming.version = old.version;
            incoming.modified.clone_from(&old.modified);
            if incoming == *old {
                return Published::Unchanged(incoming);
            }
            incoming.version = old.version.saturating_add(1);
            incoming.modified = now.to_owned();
            Published::Changed(incoming)
        }
    }
}

/// Largest catalogue file `casm-feed import` reads and `POST /v1/admin/import` accepts.
pub const MAX_CATALOGUE_BYTES: usize = 16 * 1024 * 1024;

/// Reads a catalogue in the import format and checks it with [`validate::catalogue`]:
/// what `casm-feed import` and `POST /v1/admin/import` both accept. A type error names
/// its path too (`resources[2].version`).
pub fn parse_catalogue(json: &[u8]) -> Result<Catalogue, ValidationError> {
    let de = &mut serde_json::Deserializer::from_slice(json);
    let catalogue: Catalogue = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("not valid JSON: {inner}")
        } else {
            inner.to_string()
        };
        ValidationError::new(if path == "." { String::new() } else { path }, message)
    })?;
    validate::catalogue(&catalogue)?;
    Ok(catalogue)
}

/// The catalogue version: how many changes the catalogue has had.
pub async fn catalogue_version(conn: &mut AnyConnection) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT version FROM catalogue_state WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?
        .map_or(Ok(0), |row| row.try_get("version"))
}

/// Adds one to the catalogue version; first in every publishing transaction.
async fn bump_version(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE catalogue_state SET version = version + 1 WHERE id = 1")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn parse_doc(id: String, doc: &str) -> Result<Resource, StoreError> {
    serde_json::from_str(doc).map_err(|source| StoreError::Corrupt { id, source })
}

fn to_doc(resource: &Resource) -> Result<String, StoreError> {
    serde_json::to_string(resource).map_err(|source| StoreError::Corrupt {
        id: resource.id.clone(),
        source,
    })
}

/// One stored row: position, resource, retirement.
struct Row_ {
    position: i64,
    stored: StoredResource,
}

/// Every resource, retired ones included, in catalogue order.
async fn load_rows(conn: &mut AnyConnection) -> Result<Vec<Row_>, StoreError> {
    use futures_util::TryStreamExt;
    let mut rows =
        sqlx::query("SELECT id, position, doc, retired_at FROM resources ORDER BY position, id")
            .fetch(&mut *conn);
    let mut out = Vec::new();
    while let Some(row) = rows.try_next().await? {
        let doc: String = row.try_get("doc")?;
        out.push(Row_ {
            position: row.try_get("position")?,
            stored: StoredResource {
                resource: parse_doc(row.try_get("id")?, &doc)?,
                retired_at: row.try_get("retired_at")?,
            },
        });
    }
    Ok(out)
}

/// The served catalogue and the retired ids, with the version read first (so the
/// resources are at least as new as the version says).
pub async fn load_live_catalogue(conn: &mut AnyConnection) -> Result<LiveCatalogue, StoreError> {
    let version = catalogue_version(conn).await?;
    let mut live = LiveCatalogue {
        version,
        ..LiveCatalogue::default()
    };
    for row in load_rows(conn).await? {
        if row.stored.retired_at.is_some() {
            live.retired.push(row.stored.resource.id);
        } else {
            live.resources.push(row.stored.resource);
        }
    }
    Ok(live)
}

async fn upsert(
    conn: &mut AnyConnection,
    resource: &Resource,
    position: i64,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO resources (id, position, doc, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (id) DO UPDATE SET position = excluded.position, \
         doc = excluded.doc, updated_at = excluded.updated_at",
    )
    .bind(&resource.id)
    .bind(position)
    .bind(to_doc(resource)?)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Rewrites the path of an error found by [`validate::catalogue`] in the resource at
/// `index` as the path inside that resource (`resources[7].title` → `title`).
fn within_resource(mut e: ValidationError, index: usize) -> ValidationError {
    let prefix = format!("resources[{index}].");
    if let Some(rest) = e.path.strip_prefix(&prefix) {
        e.path = rest.to_owned();
    }
    e
}

impl Store {
    /// One resource with its publishing state, retired or not.
    pub async fn resource(&self, id: &str) -> Result<Option<StoredResource>, StoreError> {
        let row = sqlx::query("SELECT id, doc, retired_at FROM resources WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            let doc: String = row.try_get("doc")?;
            Ok(StoredResource {
                resource: parse_doc(row.try_get("id")?, &doc)?,
                retired_at: row.try_get("retired_at")?,
            })
        })
        .transpose()
    }

    /// The served catalogue, the retired ids and the catalogue version.
    pub async fn live_catalogue(&self) -> Result<LiveCatalogue, StoreError> {
        let mut conn = self.pool.acquire().await?;
        load_live_catalogue(&mut conn).await
    }

    /// The catalogue version (see [`catalogue_version`]).
    pub async fn catalogue_version(&self) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(catalogue_version(&mut conn).await?)
    }

    /// Publishes one resource: validated inside the catalogue it joins with
    /// [`validate::catalogue`], as `casm-feed import` validates a file (errors name the
    /// field inside the resource, e.g. `links[0].url`), then versioned by
    /// [`next_version`] and stored. A new id goes to the end of the catalogue. A retired
    /// resource stays retired.
    pub async fn publish_resource(&self, incoming: Resource) -> Result<Published, StoreError> {
        let mut tx = self.pool.begin().await?;
        bump_version(&mut tx).await?;
        let rows = load_rows(&mut tx).await?;
        let index = rows
            .iter()
            .position(|r| r.stored.resource.id == incoming.id);
        let mut resources: Vec<Resource> = rows.iter().map(|r| r.stored.resource.clone()).collect();
        let at = index.unwrap_or(resources.len());
        if index.is_some() {
            resources[at] = incoming.clone();
        } else {
            resources.push(incoming.clone());
        }
        let prospective = Catalogue::new(resources);
        validate::catalogue(&prospective)
            .map_err(|e| StoreError::Invalid(within_resource(e, at)))?;
        let now = now_secs();
        let published = next_version(
            index.map(|i| &rows[i].stored.resource),
            incoming,
            &utc_timestamp(now),
        );
        let position = match index {
            Some(i) => rows[i].position,
            None => rows.iter().map(|r| r.position + 1).max().unwrap_or(0),
        };
        match &published {
            Published::Unchanged(_) => tx.rollback().await?,
            Published::Added(r) | Published::Changed(r) => {
                upsert(&mut tx, r, position, now).await?;
                tx.commit().await?;
            }
        }
        Ok(published)
    }

    /// Publishes a whole catalogue, already checked with [`validate::catalogue`], in one
    /// transaction: each resource is versioned by [`next_version`], and catalogue order
    /// is the file's order, as `casm-feed import` does. Resources the file leaves out are
    /// kept as they are; retirement is not changed. Returns what happened to each, in the
    /// file's order.
    pub async fn publish_catalogue(
        &self,
        catalogue: &Catalogue,
    ) -> Result<Vec<Published>, StoreError> {
        let mut tx = self.pool.begin().await?;
        bump_version(&mut tx).await?;
        let stored: HashMap<String, (i64, Resource)> = load_rows(&mut tx)
            .await?
            .into_iter()
            .map(|r| {
                (
                    r.stored.resource.id.clone(),
                    (r.position, r.stored.resource),
                )
            })
            .collect();
        let now = now_secs();
        let stamp = utc_timestamp(now);
        let mut results = Vec::with_capacity(catalogue.resources.len());
        let mut changed = false;
        for (position, incoming) in catalogue.resources.iter().enumerate() {
            let position = position as i64;
            let old = stored.get(&incoming.id);
            let published = next_version(old.map(|(_, r)| r), incoming.clone(), &stamp);
            let moved = old.is_some_and(|(p, _)| *p != position);
            if moved || !matches!(published, Published::Unchanged(_)) {
                upsert(&mut tx, published.resource(), position, now).await?;
                changed = true;
            }
            results.push(published);
        }
        if changed {
            tx.commit().await?;
        } else {
            tx.rollback().await?;
        }
        Ok(results)
    }

    /// Retires (`true`) or restores (`false`) a resource; retiring again keeps the time
    /// it was first retired. Returns `None` when no resource has the id, else the
    /// retirement time now stored (`Some(None)`: served).
    pub async fn set_retired(
        &self,
        id: &str,
        retired: bool,
    ) -> Result<Option<Option<i64>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        bump_version(&mut tx).await?;
        let Some(row) = sqlx::query("SELECT retired_at FROM resources WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        else {
            tx.rollback().await?;
            return Ok(None);
        };
        let current: Option<i64> = row.try_get("retired_at")?;
        let wanted = match (retired, current) {
            (true, Some(at)) => Some(at),
            (true, None) => Some(now_secs()),
            (false, _) => None,
        };
        if wanted == current {
            tx.rollback().await?;
        } else {
            sqlx::query("UPDATE resources SET retired_at = $1, updated_at = $2 WHERE id = $3")
                .bind(wanted)
                .bind(now_secs())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(Some(wanted))
    }

    /// Ids of retired resources, in catalogue order.
    pub async fn retired(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM resources WHERE retired_at IS NOT NULL ORDER BY position, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| row.try_get("id"))
            .collect::<Result<_, sqlx::Error>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource() -> Resource {
        serde_json::from_value(serde_json::json!({
            "id": "r", "kind": "report", "title": "T", "summary": "", "language": "en",
            "created": "2012-02-29T13:47:00Z", "modified": "2012-02-29T13:47:00Z",
            "version": 3, "version_comment": "old"
        }))
        .unwrap()
    }

    #[test]
    fn versions_move_only_when_content_changes() {
        let now = "2030-01-01T00:00:00Z";
        let stored = resource();
        // The body's version and date are ignored.
        let mut same = stored.clone();
        same.version = 99;
        same.modified = "2001-01-01T00:00:00Z".into();
        assert_eq!(
            next_version(Some(&stored), same, now),
            Published::Unchanged(stored.clone())
        );
        let mut edited = stored.clone();
        edited.title = "New".into();
        let Published::Changed(r) = next_version(Some(&stored), edited, now) else {
            panic!("not changed")
        };
        assert_eq!(
            (r.version, r.modified.as_str(), r.title.as_str()),
            (4, now, "New")
        );
        let Published::Added(r) = next_version(None, stored, now) else {
            panic!("not added")
        };
        assert_eq!((r.version, r.modified.as_str()), (1, now));
    }

    #[test]
    fn catalogue_paths_become_paths_inside_the_resource() {
        let e = ValidationError::new("resources[3].links[0].url", "bad");
        assert_eq!(within_resource(e, 3).path, "links[0].url");
        let e = ValidationError::new("resources[1].id", "dup");
        assert_eq!(within_resource(e, 3).path, "resources[1].id");
    }
}
