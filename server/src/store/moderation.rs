//! Moderation of "Submit your comments" messages: the queue by status and resource, status
//! changes, deletion, and erasing everything one contact address sent.
//!
//! These are rare, staff-only writes, so they go straight to the pool rather than through
//! the writer task (as token changes do); the writer only ever inserts feedback.

use super::{Store, StoreError};
use casm_model::FeedbackStatus;
use sqlx::any::AnyRow;
use sqlx::Row;

/// One "Submit your comments" message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Feedback {
    pub id: i64,
    pub resource: String,
    pub partner: String,
    pub text: String,
    pub contact: Option<String>,
    pub status: FeedbackStatus,
    /// Unix seconds.
    pub created_at: i64,
}

/// Which messages [`Store::feedback`] lists; the default is all of them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedbackFilter {
    pub status: Option<FeedbackStatus>,
    pub resource: Option<String>,
}

const COLUMNS: &str = "id, resource_id, partner, text, contact, status, created_at";

fn from_row(row: &AnyRow) -> Result<Feedback, sqlx::Error> {
    let status: String = row.try_get("status")?;
    Ok(Feedback {
        id: row.try_get("id")?,
        resource: row.try_get("resource_id")?,
        partner: row.try_get("partner")?,
        text: row.try_get("text")?,
        contact: row.try_get("contact")?,
        // The CHECK constraint allows nothing else.
        status: FeedbackStatus::parse(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "status".into(),
            source: format!("unknown feedback status '{status}'").into(),
        })?,
        created_at: row.try_get("created_at")?,
    })
}

/// The form contacts are compared in: trimmed, Unicode lowercase. Done here rather than
/// in SQL, where SQLite's `lower()` folds ASCII only.
fn contact_key(contact: &str) -> String {
    contact.trim().to_lowercase()
}

impl Store {
    /// Messages matching `filter`, newest first.
    pub async fn feedback(&self, filter: &FeedbackFilter) -> Result<Vec<Feedback>, StoreError> {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        if let Some(status) = filter.status {
            binds.push(status.name().to_owned());
            conditions.push(format!("status = ${}", binds.len()));
        }
        if let Some(resource) = &filter.resource {
            binds.push(resource.clone());
            conditions.push(format!("resource_id = ${}", binds.len()));
        }
        let mut sql = format!("SELECT {COLUMNS} FROM feedback");
        if !conditions.is_empty() {
            sql += &format!(" WHERE {}", conditions.join(" AND "));
        }
        sql += " ORDER BY created_at DESC, id DESC";
        let mut query = sqlx::query(&sql);
        for value in binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(&self.pool).await?;
        Ok(rows.iter().map(from_row).collect::<Result<_, _>>()?)
    }

    /// One message, if it exists.
    pub async fn feedback_item(&self, id: i64) -> Result<Option<Feedback>, StoreError> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM feedback WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Moves message `id` to `status`; the message as it now is, or `None` if there is
    /// no such message.
    pub async fn set_feedback_status(
        &self,
        id: i64,
        status: FeedbackStatus,
    ) -> Result<Option<Feedback>, StoreError> {
        let row = sqlx::query(&format!(
            "UPDATE feedback SET status = $1 WHERE id = $2 RETURNING {COLUMNS}"
        ))
        .bind(status.name())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(from_row).transpose()?)
    }

    /// Deletes message `id`; whether there was one.
    pub async fn delete_feedback(&self, id: i64) -> Result<bool, StoreError> {
        let n = sqlx::query("DELETE FROM feedback WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// An erasure request: deletes every message whose contact is `contact` (both
    /// trimmed, compared case-insensitively, exactly otherwise). Returns how many were
    /// deleted.
    ///
    /// The matching ids are read first and deleted after, each statement on its own: no
    /// read-then-write transaction, which SQLite would refuse (`SQLITE_BUSY`, no waiting)
    /// whenever the writer task commits in between. A message the same address sends in
    /// that instant is not erased, as it would not be a moment later; ask again. Deleting
    /// is idempotent, so a failed request can simply be repeated.
    pub async fn erase_contact(&self, contact: &str) -> Result<u64, StoreError> {
        let key = contact_key(contact);
        if key.is_empty() {
            return Ok(0);
        }
        let rows = sqlx::query("SELECT id, contact FROM feedback WHERE contact IS NOT NULL")
            .fetch_all(&self.pool)
            .await?;
        let mut ids = Vec::new();
        for row in &rows {
            let stored: String = row.try_get("contact")?;
            if contact_key(&stored) == key {
                ids.push(row.try_get::<i64, _>("id")?);
            }
        }
        let mut erased = 0;
        for chunk in ids.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "DELETE FROM feedback WHERE id IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            erased += query.execute(&self.pool).await?.rows_affected();
        }
        Ok(erased)
    }
}

#[cfg(test)]
mod tests {
    use super::contact_key;

    #[test]
    fn contacts_compare_trimmed_and_case_insensitively() {
        assert_eq!(contact_key("  Reader@Example.ORG \n"), "reader@example.org");
        assert_eq!(contact_key("ÉMILE@x.org"), contact_key("émile@X.org"));
        assert_ne!(
            contact_key("reader@example.org"),
            contact_key("reader@example.org.")
        );
    }
}
