//! The rows a vote, event or feedback writes, inside the writer's batch transaction.

use crate::counts::Change;
use crate::dates::now_secs;
use casm_model::EventKind;
use sqlx::{AnyConnection, Row};

/// A vote, event or feedback as the writer applies it inside a batch's transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    Vote {
        resource: String,
        /// Keyed hash of the visitor token.
        visitor: String,
        helpful: bool,
        partner: String,
        /// Today's salted hash of the client's network, and the UTC day number.
        network: String,
        day: i64,
        /// Most votes one network may add to one resource in a day; 0 for no cap.
        cap: u32,
    },
    Event {
        kind: EventKind,
        resource: String,
        link: Option<String>,
        visitor: String,
        partner: String,
        /// A visitor's views of a resource count once per this many seconds.
        view_window: i64,
    },
    Feedback {
        resource: String,
        partner: String,
        text: String,
        contact: Option<String>,
    },
}

/// What a write did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Applied {
    /// Counters change.
    Changed(Change),
    /// Stored, but no counter changes: a repeated vote, a view inside the window.
    Unchanged,
    /// A feedback message was stored as row `id` at `created_at` (Unix seconds).
    Feedback { id: i64, created_at: i64 },
    /// Refused: the network's daily vote cap for this resource is reached.
    Capped,
}

/// Writes the rows of one vote, event or feedback on `conn`, which the caller has put in a
/// transaction; counters are updated once per batch by [`super::apply_deltas`]. Stamped
/// with the time now; see [`apply_at`].
pub async fn apply(conn: &mut AnyConnection, write: &Write) -> Result<Applied, sqlx::Error> {
    apply_at(conn, write, now_secs()).await
}

/// [`apply`] with the time (Unix seconds) the rows are stamped with. The writer stamps a
/// whole batch with one time, and files its counter changes under that time's UTC day
/// (`daily_counters`), so a row's `created_at` and its daily count always agree on the day.
pub async fn apply_at(
    conn: &mut AnyConnection,
    write: &Write,
    now: i64,
) -> Result<Applied, sqlx::Error> {
    match write {
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
            if *cap > 0 {
                let within = sqlx::query(
                    "INSERT INTO vote_caps (day, network, resource_id, votes) VALUES ($1, $2, $3, 1) \
                     ON CONFLICT (day, network, resource_id) \
                     DO UPDATE SET votes = vote_caps.votes + 1 WHERE vote_caps.votes < $4",
                )
                .bind(day)
                .bind(network)
                .bind(resource)
                .bind(i64::from(*cap))
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
                kind: *kind,
                resource: resource.to_owned(),
                link: link.clone(),
                partner: partner.to_owned(),
            }))
        }
        Write::Feedback {
            resource,
            partner,
            text,
            contact,
        } => {
            let id: i64 = sqlx::query(
                "INSERT INTO feedback (resource_id, partner, text, contact, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(resource)
            .bind(partner)
            .bind(text)
            .bind(contact)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            Ok(Applied::Feedback {
                id,
                created_at: now,
            })
        }
    }
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

/// `($1, $2, …), ($k+1, …)`: placeholders for `rows` rows of `width` values.
pub(super) fn placeholders(rows: usize, width: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=width).map(|c| format!("${}", r * width + c)).collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The key two writes of one batch must not share for [`apply_batch`]'s fast path.
fn batch_key(write: &Write) -> Option<(&str, &str, &'static str)> {
    match write {
        Write::Vote {
            resource, visitor, ..
        } => Some((resource, visitor, "vote")),
        Write::Event {
            kind: kind @ (EventKind::View | EventKind::MetacardView),
            resource,
            visitor,
            ..
        } => Some((resource, visitor, kind.name())),
        _ => None,
    }
}

/// Applies a whole batch with a few multi-row statements instead of one per write: the
/// statement round trips, not the disk, are what bound a single SQLite writer.
///
/// Used when no (resource, visitor) pair repeats in the batch, so the order of the writes
/// cannot change an outcome; otherwise the writes are applied one by one with [`apply`].
pub async fn apply_batch(
    conn: &mut AnyConnection,
    writes: &[Write],
) -> Result<Vec<Applied>, sqlx::Error> {
    apply_batch_at(conn, writes, now_secs()).await
}

/// [`apply_batch`] with every write stamped with `now` (Unix seconds), as [`apply_at`].
pub async fn apply_batch_at(
    conn: &mut AnyConnection,
    writes: &[Write],
    now: i64,
) -> Result<Vec<Applied>, sqlx::Error> {
    let mut keys = std::collections::HashSet::new();
    let repeats = writes
        .iter()
        .filter_map(batch_key)
        .any(|key| !keys.insert(key));
    if repeats || writes.len() < 2 {
        let mut out = Vec::with_capacity(writes.len());
        for write in writes {
            out.push(apply_at(conn, write, now).await?);
        }
        return Ok(out);
    }
    let mut out = vec![Applied::Unchanged; writes.len()];
    add_votes(conn, writes, &mut out, now).await?;
    remove_votes(conn, writes, &mut out).await?;
    record_events(conn, writes, &mut out, now).await?;
    for (i, write) in writes.iter().enumerate() {
        if let Write::Feedback { .. } = write {
            out[i] = apply_at(conn, write, now).await?;
        }
    }
    Ok(out)
}

async fn add_votes(
    conn: &mut AnyConnection,
    writes: &[Write],
    out: &mut [Applied],
    now: i64,
) -> Result<(), sqlx::Error> {
    let adds: Vec<usize> = (0..writes.len())
        .filter(|&i| matches!(writes[i], Write::Vote { helpful: true, .. }))
        .collect();
    if adds.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO votes (resource_id, visitor, partner, created_at) VALUES {} \
         ON CONFLICT (resource_id, visitor) DO NOTHING RETURNING resource_id, visitor",
        placeholders(adds.len(), 4)
    );
    let mut q = sqlx::query(&sql);
    for &i in &adds {
        if let Write::Vote {
            resource,
            visitor,
            partner,
            ..
        } = &writes[i]
        {
            q = q.bind(resource).bind(visitor).bind(partner).bind(now);
        }
    }
    let mut inserted = std::collections::HashSet::new();
    for row in q.fetch_all(&mut *conn).await? {
        inserted.insert((
            row.try_get::<String, _>("resource_id")?,
            row.try_get::<String, _>("visitor")?,
        ));
    }
    // New votes grouped by (day, network, resource) for the daily cap.
    let mut groups: std::collections::BTreeMap<(i64, &str, &str), (u32, Vec<usize>)> =
        Default::default();
    for &i in &adds {
        let Write::Vote {
            resource,
            visitor,
            partner,
            network,
            day,
            cap,
            ..
        } = &writes[i]
        else {
            continue;
        };
        if !inserted.contains(&(resource.to_owned(), visitor.to_owned())) {
            continue;
        }
        out[i] = Applied::Changed(Change::Vote {
            resource: resource.to_owned(),
            partner: partner.to_owned(),
            delta: 1,
        });
        if *cap > 0 {
            let group = groups
                .entry((*day, network.as_str(), resource.as_str()))
                .or_insert((*cap, Vec::new()));
            group.1.push(i);
        }
    }
    if groups.is_empty() {
        return Ok(());
    }
    // Groups that stay within the cap are counted in one statement. The others (a group
    // larger than the cap, or one the guard refused) go vote by vote, so exactly the votes
    // over the cap are refused.
    let cap = groups.values().map(|(cap, _)| *cap).min().unwrap_or(0);
    let small: Vec<_> = groups
        .iter()
        .filter(|(_, (_, members))| members.len() as u32 <= cap)
        .collect();
    let mut within = std::collections::HashSet::new();
    if !small.is_empty() {
        let sql = format!(
            "INSERT INTO vote_caps (day, network, resource_id, votes) VALUES {} \
             ON CONFLICT (day, network, resource_id) \
             DO UPDATE SET votes = vote_caps.votes + excluded.votes \
             WHERE vote_caps.votes + excluded.votes <= ${} RETURNING network, resource_id",
            placeholders(small.len(), 4),
            small.len() * 4 + 1
        );
        let mut q = sqlx::query(&sql);
        for ((day, network, resource), (_, members)) in &small {
            q = q
                .bind(*day)
                .bind(*network)
                .bind(*resource)
                .bind(members.len() as i64);
        }
        // The cap is a bound parameter, like every value: SQL text never carries data.
        q = q.bind(i64::from(cap));
        for row in q.fetch_all(&mut *conn).await? {
            within.insert((
                row.try_get::<String, _>("network")?,
                row.try_get::<String, _>("resource_id")?,
            ));
        }
    }
    for ((_, network, resource), (_, members)) in &groups {
        if within.contains(&((*network).to_owned(), (*resource).to_owned())) {
            continue;
        }
        for &i in members {
            if let Write::Vote { visitor, .. } = &writes[i] {
                sqlx::query("DELETE FROM votes WHERE resource_id = $1 AND visitor = $2")
                    .bind(*resource)
                    .bind(visitor)
                    .execute(&mut *conn)
                    .await?;
            }
            out[i] = apply_at(conn, &writes[i], now).await?;
        }
    }
    Ok(())
}

async fn remove_votes(
    conn: &mut AnyConnection,
    writes: &[Write],
    out: &mut [Applied],
) -> Result<(), sqlx::Error> {
    let removes: Vec<usize> = (0..writes.len())
        .filter(|&i| matches!(writes[i], Write::Vote { helpful: false, .. }))
        .collect();
    if removes.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "DELETE FROM votes WHERE (resource_id, visitor) IN (VALUES {}) \
         RETURNING resource_id, visitor, partner",
        placeholders(removes.len(), 2)
    );
    let mut q = sqlx::query(&sql);
    for &i in &removes {
        if let Write::Vote {
            resource, visitor, ..
        } = &writes[i]
        {
            q = q.bind(resource).bind(visitor);
        }
    }
    let mut removed = std::collections::HashMap::new();
    for row in q.fetch_all(&mut *conn).await? {
        removed.insert(
            (
                row.try_get::<String, _>("resource_id")?,
                row.try_get::<String, _>("visitor")?,
            ),
            row.try_get::<String, _>("partner")?,
        );
    }
    for &i in &removes {
        if let Write::Vote {
            resource, visitor, ..
        } = &writes[i]
        {
            if let Some(partner) = removed.remove(&(resource.to_owned(), visitor.to_owned())) {
                out[i] = Applied::Changed(Change::Vote {
                    resource: resource.to_owned(),
                    partner,
                    delta: -1,
                });
            }
        }
    }
    Ok(())
}

async fn record_events(
    conn: &mut AnyConnection,
    writes: &[Write],
    out: &mut [Applied],
    now: i64,
) -> Result<(), sqlx::Error> {
    let events: Vec<usize> = (0..writes.len())
        .filter(|&i| matches!(writes[i], Write::Event { .. }))
        .collect();
    if events.is_empty() {
        return Ok(());
    }
    let views: Vec<usize> = events
        .iter()
        .copied()
        .filter(|&i| batch_key(&writes[i]).is_some())
        .collect();
    let mut fresh = std::collections::HashSet::new();
    if !views.is_empty() {
        let sql = format!(
            "INSERT INTO view_marks (resource_id, visitor, kind, counted_at) VALUES {} \
             ON CONFLICT (resource_id, visitor, kind) DO UPDATE SET counted_at = excluded.counted_at \
             WHERE view_marks.counted_at <= excluded.counted_at - ${} \
             RETURNING resource_id, visitor, kind",
            placeholders(views.len(), 4),
            views.len() * 4 + 1
        );
        let window = match &writes[views[0]] {
            Write::Event { view_window, .. } => *view_window,
            _ => 0,
        };
        let mut q = sqlx::query(&sql);
        for &i in &views {
            if let Write::Event {
                kind,
                resource,
                visitor,
                ..
            } = &writes[i]
            {
                q = q.bind(resource).bind(visitor).bind(kind.name()).bind(now);
            }
        }
        q = q.bind(window);
        for row in q.fetch_all(&mut *conn).await? {
            fresh.insert((
                row.try_get::<String, _>("resource_id")?,
                row.try_get::<String, _>("visitor")?,
                row.try_get::<String, _>("kind")?,
            ));
        }
    }
    let counted: Vec<usize> = events
        .into_iter()
        .filter(|&i| match (batch_key(&writes[i]), &writes[i]) {
            (None, _) => true,
            (
                Some(_),
                Write::Event {
                    kind,
                    resource,
                    visitor,
                    ..
                },
            ) => fresh.contains(&(
                (*resource).to_owned(),
                (*visitor).to_owned(),
                kind.name().to_owned(),
            )),
            _ => false,
        })
        .collect();
    if counted.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO events (resource_id, kind, link_id, partner, created_at) VALUES {}",
        placeholders(counted.len(), 5)
    );
    let mut q = sqlx::query(&sql);
    for &i in &counted {
        if let Write::Event {
            kind,
            resource,
            link,
            partner,
            ..
        } = &writes[i]
        {
            q = q
                .bind(resource)
                .bind(kind.name())
                .bind(link)
                .bind(partner)
                .bind(now);
            out[i] = Applied::Changed(Change::Event {
                kind: *kind,
                resource: resource.to_owned(),
                link: link.clone(),
                partner: partner.to_owned(),
            });
        }
    }
    q.execute(&mut *conn).await?;
    Ok(())
}
