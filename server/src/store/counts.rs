//! The maintained counters: loading them, and summing a batch's changes into them.

use super::exec::{DbError, Exec, Statement, Value};
use super::load_partners;
use crate::counts::{Change, CountRow, Counts, COUNTER_COLUMNS, MAINTAINED};
use sqlx::{AnyConnection, Row};
use std::collections::BTreeMap;
use std::sync::LazyLock;

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
    partners: BTreeMap<(String, String), [i64; MAINTAINED]>,
    links: BTreeMap<(String, String), i64>,
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
            partners: BTreeMap::new(),
            links: BTreeMap::new(),
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

/// Adds a batch's summed counter changes, inside the batch's transaction: rows that
/// sum to zero are skipped, and rows go in key order, so concurrent writers (several
/// instances on one PostgreSQL) lock them in one order.
pub async fn add_counters<E: Exec>(exec: &mut E, deltas: &Deltas) -> Result<(), DbError> {
    let mut values: Vec<Value<'_>> = Vec::new();
    for ((partner, resource), d) in deltas.partners.iter().filter(|(_, d)| nonzero(d)) {
        values.extend([partner.as_str().into(), resource.as_str().into()]);
        values.extend(d.iter().map(|n| Value::Int(*n)));
    }
    if !values.is_empty() {
        exec.run(&ADD_PARTNER_COUNTERS, &values, &[]).await?;
    }
    values.clear();
    for ((resource, partner), d) in deltas.daily.iter().filter(|(_, d)| nonzero(d)) {
        values.extend([
            deltas.day.into(),
            resource.as_str().into(),
            partner.as_str().into(),
        ]);
        values.extend(d.iter().map(|n| Value::Int(*n)));
    }
    if !values.is_empty() {
        exec.run(&ADD_DAILY_COUNTERS, &values, &[]).await?;
    }
    values.clear();
    for ((resource, link), n) in &deltas.links {
        values.extend([resource.as_str().into(), link.as_str().into(), (*n).into()]);
    }
    if !values.is_empty() {
        exec.run(&ADD_LINK_COUNTERS, &values, &[]).await?;
    }
    Ok(())
}

fn nonzero(row: &[i64; MAINTAINED]) -> bool {
    row.iter().any(|n| *n != 0)
}

/// `table`'s counter columns, each plus the new row's.
fn sums(table: &str) -> String {
    COUNTER_COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

static ADD_PARTNER_COUNTERS: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        format!(
            "INSERT INTO partner_counters (partner, resource_id, {}) VALUES",
            COUNTER_COLUMNS.join(", ")
        ),
        2 + MAINTAINED,
        format!(
            "ON CONFLICT (partner, resource_id) DO UPDATE SET {}",
            sums("partner_counters")
        ),
        0,
        &[],
    )
});

static ADD_DAILY_COUNTERS: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        format!(
            "INSERT INTO daily_counters (day, resource_id, partner, {}) VALUES",
            COUNTER_COLUMNS.join(", ")
        ),
        3 + MAINTAINED,
        format!(
            "ON CONFLICT (day, resource_id, partner) DO UPDATE SET {}",
            sums("daily_counters")
        ),
        0,
        &[],
    )
});

static ADD_LINK_COUNTERS: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "INSERT INTO link_counters (resource_id, link_id, downloads) VALUES",
        3,
        "ON CONFLICT (resource_id, link_id) \
         DO UPDATE SET downloads = link_counters.downloads + excluded.downloads",
        0,
        &[],
    )
});
