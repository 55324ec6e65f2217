//! The maintained counters: loading them, and summing a batch's changes into them.

use super::load_partners;
use crate::counts::{Change, CountRow, Counts, COUNTER_COLUMNS, MAINTAINED};
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

fn count_row(row: &sqlx::any::AnyRow) -> Result<CountRow, sqlx::Error> {
    let mut out: CountRow = [0; MAINTAINED];
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
        let resource: String = row.try_get("resource_id")?;
        let partner_row = count_row(&row)?;
        // A resource's totals are the sum of its partners' rows: one table to keep exact.
        let totals = counts.resources.entry(resource.clone()).or_default();
        for (column, n) in partner_row.iter().enumerate() {
            totals.add(column, *n as i64);
        }
        counts
            .by_partner
            .entry(row.try_get("resource_id")?)
            .or_default()
            .insert(row.try_get("partner")?, count_row(&row)?);
    }
    counts.partners = load_partners(conn).await?;
    Ok(counts)
}

/// Counter changes of one batch, summed per (partner, resource) and per link, so a batch
/// of a hundred votes on one resource updates its counter row once.
#[derive(Default)]
pub struct Deltas {
    partners: HashMap<(String, String), [i64; MAINTAINED]>,
    links: HashMap<(String, String), i64>,
}

impl Deltas {
    /// Adds one committed change.
    pub fn add(&mut self, change: &Change) {
        let (resource, partner, column, delta) = change.column_delta();
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
    let columns = COUNTER_COLUMNS.join(", ");
    let values = (3..3 + MAINTAINED)
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
