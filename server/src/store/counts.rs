//! The maintained counters: loading them, and summing a batch's changes into them.

use super::load_partners;
use super::writes::placeholders;
use crate::counts::{Change, CountRow, Counts, COUNTER_COLUMNS, MAINTAINED};
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

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
    let sql = format!("SELECT partner, resource_id, {columns} FROM partner_counters");
    let mut rows = sqlx::query(&sql).fetch(&mut *conn);
    while let Some(row) = futures_util::TryStreamExt::try_next(&mut rows).await? {
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
    drop(rows);
    counts.partners = load_partners(conn).await?;
    Ok(counts)
}

/// Counter changes of one batch, summed per (partner, resource), per link, and per (day,
/// resource, partner), so a batch of a hundred votes on one resource updates its counter
/// row once.
pub struct Deltas {
    partners: HashMap<(String, String), [i64; MAINTAINED]>,
    links: HashMap<(String, String), i64>,
    /// The batch's UTC day number, and its changes by (resource, partner) for
    /// `daily_counters` (ordered, so concurrent writers lock rows in one order).
    day: i64,
    daily: BTreeMap<(String, String), [i64; MAINTAINED]>,
}

impl Deltas {
    /// No changes yet, for a batch whose rows are stamped `now` (Unix seconds): its
    /// changes are counted on that time's UTC day.
    pub fn new(now: i64) -> Self {
        Deltas {
            partners: HashMap::new(),
            links: HashMap::new(),
            day: crate::dates::day_of(now),
            daily: BTreeMap::new(),
        }
    }

    /// Adds one committed change.
    ///
    /// An undone helpful vote (delta -1) is subtracted on the batch's day, the day of the
    /// undo, not the day the vote was cast: daily votes are net votes of that day.
    pub fn add(&mut self, change: &Change) {
        let (resource, partner, column, delta) = change.column_delta();
        self.partners
            .entry((partner.to_owned(), resource.to_owned()))
            .or_default()[column] += delta;
        self.daily
            .entry((resource.to_owned(), partner.to_owned()))
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
    apply_daily(conn, deltas).await?;
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

/// Most `daily_counters` rows one statement upserts (9 values each, well under every
/// database's limit on bound values).
const DAILY_ROWS_PER_STATEMENT: usize = 200;

/// Adds a batch's changes to its day's `daily_counters` rows, with multi-row upserts.
async fn apply_daily(conn: &mut AnyConnection, deltas: &Deltas) -> Result<(), sqlx::Error> {
    let rows: Vec<_> = deltas
        .daily
        .iter()
        .filter(|(_, d)| d.iter().any(|n| *n != 0))
        .collect();
    let columns = COUNTER_COLUMNS.join(", ");
    let set = COUNTER_COLUMNS
        .iter()
        .map(|c| format!("{c} = daily_counters.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    for chunk in rows.chunks(DAILY_ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO daily_counters (day, resource_id, partner, {columns}) VALUES {} \
             ON CONFLICT (day, resource_id, partner) DO UPDATE SET {set}",
            placeholders(chunk.len(), 3 + MAINTAINED)
        );
        let mut q = sqlx::query(&sql);
        for ((resource, partner), d) in chunk {
            q = q.bind(deltas.day).bind(resource).bind(partner);
            for v in d.iter() {
                q = q.bind(*v);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
