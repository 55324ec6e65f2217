//! Reads of `daily_counters` (the maintained counters per UTC day, resource and partner)
//! for the admin series, summary and CSV export, and its back-fill from the events and
//! votes already stored.

use super::{load_partners, Backend, Store, StoreError};
use crate::counts::{COUNTER_COLUMNS, MAINTAINED};
use crate::dates::iso_date;
use crate::series::{Filter, GroupBy, SeriesQuery};
use casm_model::wire::{
    CounterTotals, Period, Series, SeriesGroup, Summary, TopPartner, TopResource,
};
use casm_model::{Counter, EventKind};
use sqlx::{AnyConnection, AnyPool, Row};
use std::collections::{BTreeMap, HashMap};

/// Entries of each "top" list in a summary.
pub const TOP: usize = 10;

/// Sums of one resource and partner over a period, in [`COUNTER_COLUMNS`] order. Signed:
/// votes undone count on the day of the undo.
type Sums = [i64; MAINTAINED];

/// `WHERE` of every read: the period, and the partner and resource filters (`$1`–`$4`).
const WHERE: &str = "day >= $1 AND day <= $2 AND ($3 = '' OR partner = $3) \
                     AND ($4 = '' OR resource_id = $4)";

fn bind_filter<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    f: &'q Filter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(f.from)
        .bind(f.to)
        .bind(f.partner.as_deref().unwrap_or(""))
        .bind(f.resource.as_deref().unwrap_or(""))
}

fn totals(sums: &Sums) -> CounterTotals {
    COUNTER_COLUMNS
        .iter()
        .zip(sums)
        .map(|(name, n)| ((*name).to_owned(), *n))
        .collect()
}

fn column(counter: Counter) -> usize {
    counter.column().unwrap_or(0)
}

/// Highest page views first, then helpful votes, then key.
fn by_page_views_then_votes(a: &(&String, &Sums), b: &(&String, &Sums)) -> std::cmp::Ordering {
    let (views, votes) = (column(Counter::PageViews), column(Counter::HelpfulVotes));
    b.1[views]
        .cmp(&a.1[views])
        .then(b.1[votes].cmp(&a.1[votes]))
        .then(a.0.cmp(b.0))
}

impl Store {
    /// Partner names by key.
    async fn partner_names(&self) -> Result<HashMap<String, String>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(load_partners(&mut conn)
            .await?
            .into_iter()
            .map(|p| (p.key, p.name))
            .collect())
    }

    /// One counter per day of the query's period, for all numbers or per group: groups
    /// whose values are all 0 are left out, the rest come by total (highest first) then
    /// key. Without grouping there is always one series, keyed `all`. `title` names
    /// resources (the id stands in for one it does not know).
    pub async fn series(
        &self,
        q: &SeriesQuery,
        title: impl Fn(&str) -> Option<String>,
    ) -> Result<Series, StoreError> {
        let f = &q.filter;
        // The metric is one of Counter::MAINTAINED (checked by the parser), so its name is
        // a column, never text from the request.
        let metric = q.metric.name();
        debug_assert!(COUNTER_COLUMNS.contains(&metric));
        let (select, group) = match q.by {
            Some(GroupBy::Partner) => ("partner AS k, ", ", partner"),
            Some(GroupBy::Resource) => ("resource_id AS k, ", ", resource_id"),
            None => ("", ""),
        };
        // CAST: PostgreSQL sums BIGINTs as NUMERIC.
        let sql = format!(
            "SELECT day, {select}CAST(SUM({metric}) AS BIGINT) AS n FROM daily_counters \
             WHERE {WHERE} GROUP BY day{group}"
        );
        let days = usize::try_from(f.days()).unwrap_or(0);
        let mut groups: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        if q.by.is_none() {
            groups.insert("all".into(), vec![0; days]);
        }
        for row in bind_filter(sqlx::query(&sql), f)
            .fetch_all(&self.pool)
            .await?
        {
            let day: i64 = row.try_get("day")?;
            let n: i64 = row.try_get("n")?;
            let k = match q.by {
                Some(_) => row.try_get("k")?,
                None => "all".to_owned(),
            };
            if let Some(slot) = usize::try_from(day - f.from)
                .ok()
                .and_then(|i| (i < days).then_some(i))
            {
                groups.entry(k).or_insert_with(|| vec![0; days])[slot] += n;
            }
        }
        let partners = match q.by {
            Some(GroupBy::Partner) => self.partner_names().await?,
            _ => HashMap::new(),
        };
        let mut series: Vec<SeriesGroup> = groups
            .into_iter()
            .filter(|(_, values)| q.by.is_none() || values.iter().any(|n| *n != 0))
            .map(|(key, values)| SeriesGroup {
                name: match q.by {
                    Some(GroupBy::Partner) => partners.get(&key).cloned(),
                    Some(GroupBy::Resource) => title(&key),
                    None => Some("All".to_owned()),
                }
                .unwrap_or_else(|| key.clone()),
                total: values.iter().sum(),
                key,
                values,
            })
            .collect();
        series.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
        Ok(Series {
            from: iso_date(f.from),
            to: iso_date(f.to),
            metric: metric.to_owned(),
            by: q.by.map(|b| b.name().to_owned()),
            days: (f.from..=f.to).map(iso_date).collect(),
            series,
        })
    }

    /// Every counter of the period summed per (resource, partner).
    async fn period_sums(&self, f: &Filter) -> Result<Vec<(String, String, Sums)>, StoreError> {
        let sums = COUNTER_COLUMNS
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT resource_id, partner, {sums} FROM daily_counters WHERE {WHERE} \
             GROUP BY resource_id, partner"
        );
        let rows = bind_filter(sqlx::query(&sql), f)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let mut sums: Sums = [0; MAINTAINED];
                for (i, c) in COUNTER_COLUMNS.iter().enumerate() {
                    sums[i] = row.try_get(*c)?;
                }
                Ok((row.try_get("resource_id")?, row.try_get("partner")?, sums))
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// A period's totals next to the previous period's (the same number of days just
    /// before), with the [`TOP`] resources and partners by page views, then helpful votes.
    /// Resources and partners with nothing counted in the period are not listed.
    pub async fn summary(
        &self,
        f: &Filter,
        title: impl Fn(&str) -> Option<String>,
    ) -> Result<Summary, StoreError> {
        let previous = f.previous();
        let add = |into: &mut Sums, from: &Sums| {
            for (a, b) in into.iter_mut().zip(from) {
                *a += b;
            }
        };
        let mut all: Sums = [0; MAINTAINED];
        let mut resources: BTreeMap<String, Sums> = BTreeMap::new();
        let mut partners: BTreeMap<String, Sums> = BTreeMap::new();
        for (resource, partner, sums) in self.period_sums(f).await? {
            add(&mut all, &sums);
            add(resources.entry(resource).or_default(), &sums);
            add(partners.entry(partner).or_default(), &sums);
        }
        let mut before: Sums = [0; MAINTAINED];
        for (_, _, sums) in self.period_sums(&previous).await? {
            add(&mut before, &sums);
        }
        let top = |map: &BTreeMap<String, Sums>| {
            let mut list: Vec<(&String, &Sums)> = map
                .iter()
                .filter(|(_, s)| s.iter().any(|n| *n != 0))
                .collect();
            list.sort_by(by_page_views_then_votes);
            list.truncate(TOP);
            list.into_iter()
                .map(|(k, s)| (k.clone(), *s))
                .collect::<Vec<_>>()
        };
        let names = self.partner_names().await?;
        Ok(Summary {
            from: iso_date(f.from),
            to: iso_date(f.to),
            previous: Period {
                from: iso_date(previous.from),
                to: iso_date(previous.to),
            },
            totals: totals(&all),
            previous_totals: totals(&before),
            top_resources: top(&resources)
                .into_iter()
                .map(|(id, s)| TopResource {
                    title: title(&id).unwrap_or_else(|| id.clone()),
                    id,
                    totals: totals(&s),
                })
                .collect(),
            top_partners: top(&partners)
                .into_iter()
                .map(|(key, s)| TopPartner {
                    name: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                    key,
                    totals: totals(&s),
                })
                .collect(),
        })
    }

    /// Rebuilds `daily_counters` from the events and votes stored, in one transaction:
    /// what the migration's back-fill runs (see [`run_pending_backfills`]).
    pub async fn rebuild_daily_counters(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        rebuild_daily_counters(&mut tx, self.backend).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The statement that fills `daily_counters` from `events` and `votes`: each event on the
/// UTC day of its `created_at`, moving the counter [`EventKind::counter`] names (the one
/// definition of that rule; it is not repeated in SQL by hand), and each standing vote
/// one helpful vote on the day it was cast. Votes undone before the back-fill left no
/// row, so their day is unknown: the back-filled days are net of them, on the day of the
/// vote rather than of the undo, and the totals equal `partner_counters`.
pub fn backfill_sql() -> String {
    let columns = COUNTER_COLUMNS.join(", ");
    let sums = COUNTER_COLUMNS
        .iter()
        .map(|c| format!("SUM({c})"))
        .collect::<Vec<_>>()
        .join(", ");
    let from_votes = Counter::MAINTAINED
        .iter()
        .map(|c| match c {
            Counter::HelpfulVotes => format!("COUNT(*) AS {}", c.name()),
            _ => format!("0 AS {}", c.name()),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let from_events = Counter::MAINTAINED
        .iter()
        .map(|c| {
            let kinds: Vec<String> = EventKind::ALL
                .iter()
                .filter(|k| k.counter() == *c)
                .map(|k| format!("'{}'", k.name()))
                .collect();
            if kinds.is_empty() {
                format!("0 AS {}", c.name())
            } else {
                format!(
                    "SUM(CASE WHEN kind IN ({}) THEN 1 ELSE 0 END) AS {}",
                    kinds.join(", "),
                    c.name()
                )
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "INSERT INTO daily_counters (day, resource_id, partner, {columns}) \
         SELECT day, resource_id, partner, {sums} FROM ( \
           SELECT created_at / 86400 AS day, resource_id, partner, {from_votes} \
           FROM votes GROUP BY created_at / 86400, resource_id, partner \
           UNION ALL \
           SELECT created_at / 86400 AS day, resource_id, partner, {from_events} \
           FROM events GROUP BY created_at / 86400, resource_id, partner \
         ) AS d WHERE resource_id IN (SELECT id FROM resources) \
         GROUP BY day, resource_id, partner"
    )
}

/// Empties `daily_counters` and fills it with [`backfill_sql`], on `conn` (in the
/// caller's transaction). On PostgreSQL the tables are locked first so that another
/// instance's writes land wholly before or after.
async fn rebuild_daily_counters(
    conn: &mut AnyConnection,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    if backend == Backend::Postgres {
        sqlx::query("LOCK TABLE votes, events, daily_counters IN SHARE ROW EXCLUSIVE MODE")
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM daily_counters")
        .execute(&mut *conn)
        .await?;
    sqlx::query(&backfill_sql()).execute(&mut *conn).await?;
    Ok(())
}

/// Runs the data work migrations left in `pending_backfills` (migration 0003 asks for the
/// `daily_counters` back-fill). Each is claimed by deleting its row in the transaction
/// that does the work, so it runs once, even with several instances starting together.
pub(super) async fn run_pending_backfills(
    pool: &AnyPool,
    backend: Backend,
) -> Result<(), sqlx::Error> {
    let pending = sqlx::query("SELECT name FROM pending_backfills")
        .fetch_all(pool)
        .await?;
    for row in pending {
        let name: String = row.try_get("name")?;
        let mut tx = pool.begin().await?;
        let claimed = sqlx::query("DELETE FROM pending_backfills WHERE name = $1")
            .bind(&name)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if claimed == 0 {
            continue;
        }
        match name.as_str() {
            "daily_counters" => rebuild_daily_counters(&mut tx, backend).await?,
            other => tracing::warn!("unknown pending back-fill '{other}' dropped"),
        }
        tx.commit().await?;
        tracing::info!("back-filled {name}");
    }
    Ok(())
}
