//! The counting rules, written once: what a batch of votes, events and feedback writes,
//! inside the writer's transaction, on either database ([`Exec`]).
//!
//! The rules:
//! - a visitor's helpful vote on a resource counts once (a repeat changes nothing), and an
//!   undo takes it off the partner it was counted for;
//! - one network adds at most [`Rules::vote_cap`] votes to one resource a day; the votes
//!   over it are refused ([`Applied::Capped`]) and leave no row;
//! - a visitor's views (and meta-card views) of a resource count once per
//!   [`Rules::view_window`] seconds; other events always count.
//!
//! A batch is applied as if its writes came one by one, in order: it is cut into runs in
//! which no (resource, visitor) pair repeats, so that inside a run the order of the rows
//! cannot change an outcome, and each run is a few multi-row statements. A single write is
//! a batch of one.

use super::counts::{add_counters, Deltas};
use super::exec::{DbError, Exec, Kind, Statement, Value};
use crate::counts::Change;
use casm_model::EventKind;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

/// The counting rules' settings. Given to the writer once, at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Most votes one network may add to one resource in a day; 0 for no cap.
    pub vote_cap: u32,
    /// A visitor's views of a resource count once per this many seconds.
    pub view_window: i64,
}

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
    },
    Event {
        kind: EventKind,
        resource: String,
        link: Option<String>,
        visitor: String,
        partner: String,
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

/// New helpful votes; returns the ones that were not there yet.
static INSERT_VOTES: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "INSERT INTO votes (resource_id, visitor, partner, created_at) VALUES",
        4,
        "ON CONFLICT (resource_id, visitor) DO NOTHING RETURNING resource_id, visitor",
        0,
        &[Kind::Text, Kind::Text],
    )
});

/// Counts new votes against their network's daily cap (`$S1`). Each row asks for
/// `votes` (at most the cap) and gets back `admitted`: how many of them fit. SET
/// expressions see the row as it was before, so this is where the count before is known.
static ADMIT_VOTES: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "INSERT INTO vote_caps (day, network, resource_id, votes, admitted) VALUES",
        5,
        "ON CONFLICT (day, network, resource_id) DO UPDATE SET \
         votes = CASE WHEN vote_caps.votes + excluded.votes > $S1 THEN $S1 \
                 ELSE vote_caps.votes + excluded.votes END, \
         admitted = CASE WHEN vote_caps.votes >= $S1 THEN 0 \
                    WHEN vote_caps.votes + excluded.votes > $S1 THEN $S1 - vote_caps.votes \
                    ELSE excluded.votes END \
         RETURNING day, network, resource_id, admitted",
        1,
        &[Kind::Int, Kind::Text, Kind::Text, Kind::Int],
    )
});

/// Removes votes; returns the partner each removed vote was counted for.
static DELETE_VOTES: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "DELETE FROM votes WHERE (resource_id, visitor) IN (VALUES",
        2,
        ") RETURNING resource_id, visitor, partner",
        0,
        &[Kind::Text, Kind::Text, Kind::Text],
    )
});

/// Marks views as counted now, unless counted within the window (`$S1` seconds); returns
/// the marks that were set, i.e. the views that count.
static MARK_VIEWS: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "INSERT INTO view_marks (resource_id, visitor, kind, counted_at) VALUES",
        4,
        "ON CONFLICT (resource_id, visitor, kind) DO UPDATE SET counted_at = excluded.counted_at \
         WHERE view_marks.counted_at <= excluded.counted_at - $S1 \
         RETURNING resource_id, visitor, kind",
        1,
        &[Kind::Text, Kind::Text, Kind::Text],
    )
});

/// Appends counted events to the log.
static INSERT_EVENTS: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "INSERT INTO events (resource_id, kind, link_id, partner, created_at) VALUES",
        5,
        "",
        0,
        &[],
    )
});

/// Stores one feedback message; returns its id.
static INSERT_FEEDBACK: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "INSERT INTO feedback (resource_id, partner, text, contact, created_at) VALUES",
        5,
        "RETURNING id",
        0,
        &[Kind::Int],
    )
});

/// View marks older than the window (`$S1`: the oldest time still inside it).
static EXPIRE_VIEW_MARKS: LazyLock<Statement> = LazyLock::new(|| {
    Statement::new(
        "DELETE FROM view_marks",
        0,
        "WHERE counted_at < $S1",
        1,
        &[],
    )
});

/// Vote caps of days before `$S1`.
static EXPIRE_VOTE_CAPS: LazyLock<Statement> =
    LazyLock::new(|| Statement::new("DELETE FROM vote_caps", 0, "WHERE day < $S1", 1, &[]));

/// Applies `writes` in order, stamped `now` (Unix seconds), and adds their counter changes
/// (filed under `now`'s UTC day), inside the caller's transaction. Returns what each did.
pub async fn apply_batch<E: Exec>(
    exec: &mut E,
    writes: &[Write],
    rules: &Rules,
    now: i64,
) -> Result<Vec<Applied>, DbError> {
    let mut out = Vec::with_capacity(writes.len());
    for run in runs(writes) {
        out.extend(apply_run(exec, &writes[run], rules, now).await?);
    }
    let mut deltas = Deltas::new(now);
    for applied in &out {
        if let Applied::Changed(change) = applied {
            deltas.add(change);
        }
    }
    add_counters(exec, &deltas).await?;
    Ok(out)
}

/// Deletes what has outlived its purpose: view marks past the window, vote caps of days
/// before `today` (their network hashes can no longer be linked to anything once the
/// day's salt is gone).
pub async fn expire<E: Exec>(
    exec: &mut E,
    rules: &Rules,
    now: i64,
    today: i64,
) -> Result<(), DbError> {
    let oldest = now - rules.view_window;
    exec.run(&EXPIRE_VIEW_MARKS, &[], &[oldest.into()]).await?;
    exec.run(&EXPIRE_VOTE_CAPS, &[], &[today.into()]).await?;
    Ok(())
}

/// What two writes of one run must not share: a vote's (resource, visitor), a view's
/// (resource, visitor, kind).
fn run_key(write: &Write) -> Option<(&str, &str, &'static str)> {
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

/// The keyed writes of a run with their indices, ordered by key: rows are sent in this
/// order so that concurrent writers (several instances on one PostgreSQL) lock index
/// entries in one order and cannot deadlock. Within a run no key repeats, so the order
/// changes no outcome.
fn in_key_order(writes: &[Write]) -> Vec<(usize, &Write)> {
    let mut keyed: Vec<(usize, &Write)> = writes
        .iter()
        .enumerate()
        .filter(|(_, w)| run_key(w).is_some())
        .collect();
    keyed.sort_by_key(|(_, w)| run_key(w));
    keyed
}

/// Cuts `writes` into consecutive runs in which no [`run_key`] repeats.
fn runs(writes: &[Write]) -> Vec<std::ops::Range<usize>> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut keys = HashSet::new();
    for (i, write) in writes.iter().enumerate() {
        let Some(key) = run_key(write) else { continue };
        if !keys.insert(key) {
            runs.push(start..i);
            start = i;
            keys.clear();
            keys.insert(key);
        }
    }
    if start < writes.len() {
        runs.push(start..writes.len());
    }
    runs
}

/// Applies one run: no key repeats, so each kind of row is one statement.
async fn apply_run<E: Exec>(
    exec: &mut E,
    writes: &[Write],
    rules: &Rules,
    now: i64,
) -> Result<Vec<Applied>, DbError> {
    let mut out = vec![Applied::Unchanged; writes.len()];
    add_votes(exec, writes, rules, now, &mut out).await?;
    undo_votes(exec, writes, &mut out).await?;
    record_events(exec, writes, rules, now, &mut out).await?;
    for (i, write) in writes.iter().enumerate() {
        if let Write::Feedback {
            resource,
            partner,
            text,
            contact,
        } = write
        {
            let values = [
                resource.as_str().into(),
                partner.as_str().into(),
                text.as_str().into(),
                contact.as_deref().into(),
                now.into(),
            ];
            let rows = exec.run(&INSERT_FEEDBACK, &values, &[]).await?;
            let id = rows
                .first()
                .and_then(|row| row.first())
                .ok_or(DbError::NoRow)?
                .int();
            out[i] = Applied::Feedback {
                id,
                created_at: now,
            };
        }
    }
    Ok(out)
}

/// Helpful votes: stored unless the visitor's vote is there already, then counted
/// against the cap; the ones over it are removed again and refused.
async fn add_votes<E: Exec>(
    exec: &mut E,
    writes: &[Write],
    rules: &Rules,
    now: i64,
    out: &mut [Applied],
) -> Result<(), DbError> {
    let mut adds = HashMap::new();
    let mut values: Vec<Value<'_>> = Vec::new();
    for (i, write) in in_key_order(writes) {
        if let Write::Vote {
            resource,
            visitor,
            helpful: true,
            partner,
            ..
        } = write
        {
            adds.insert((resource.as_str(), visitor.as_str()), i);
            values.extend([
                resource.as_str().into(),
                visitor.as_str().into(),
                partner.as_str().into(),
                now.into(),
            ]);
        }
    }
    if adds.is_empty() {
        return Ok(());
    }
    let mut new = Vec::new();
    for row in exec.run(&INSERT_VOTES, &values, &[]).await? {
        if let Some(&i) = adds.get(&(row[0].text(), row[1].text())) {
            new.push(i);
        }
    }
    // Ascending, so that under the cap the earlier votes of a run are the ones admitted.
    new.sort_unstable();
    // By (day, network, resource), ordered so concurrent writers lock rows in one order.
    let mut groups: BTreeMap<(i64, &str, &str), Vec<usize>> = BTreeMap::new();
    for &i in &new {
        let Write::Vote {
            resource,
            partner,
            network,
            day,
            ..
        } = &writes[i]
        else {
            continue;
        };
        out[i] = Applied::Changed(Change::Vote {
            resource: resource.clone(),
            partner: partner.clone(),
            delta: 1,
        });
        if rules.vote_cap > 0 {
            groups
                .entry((*day, network.as_str(), resource.as_str()))
                .or_default()
                .push(i);
        }
    }
    if groups.is_empty() {
        return Ok(());
    }
    let cap = i64::from(rules.vote_cap);
    let mut values: Vec<Value<'_>> = Vec::new();
    for ((day, network, resource), members) in &groups {
        let asked = (members.len() as i64).min(cap);
        values.extend([
            (*day).into(),
            (*network).into(),
            (*resource).into(),
            asked.into(),
            asked.into(),
        ]);
    }
    let rows = exec.run(&ADMIT_VOTES, &values, &[cap.into()]).await?;
    let admitted: HashMap<(i64, &str, &str), i64> = rows
        .iter()
        .map(|row| ((row[0].int(), row[1].text(), row[2].text()), row[3].int()))
        .collect();
    let mut refused: Vec<Value<'_>> = Vec::new();
    for (key, members) in &groups {
        // A group the database did not answer for is refused whole: never over the cap.
        let fit = admitted.get(key).copied().unwrap_or(0).max(0) as usize;
        for &i in members.iter().skip(fit) {
            if let Write::Vote {
                resource, visitor, ..
            } = &writes[i]
            {
                refused.extend([resource.as_str().into(), visitor.as_str().into()]);
            }
            out[i] = Applied::Capped;
        }
    }
    if !refused.is_empty() {
        exec.run(&DELETE_VOTES, &refused, &[]).await?;
    }
    Ok(())
}

/// Undone votes: removed, and taken off the partner they were counted for.
async fn undo_votes<E: Exec>(
    exec: &mut E,
    writes: &[Write],
    out: &mut [Applied],
) -> Result<(), DbError> {
    let mut undos = HashMap::new();
    let mut values: Vec<Value<'_>> = Vec::new();
    for (i, write) in in_key_order(writes) {
        if let Write::Vote {
            resource,
            visitor,
            helpful: false,
            ..
        } = write
        {
            undos.insert((resource.as_str(), visitor.as_str()), i);
            values.extend([resource.as_str().into(), visitor.as_str().into()]);
        }
    }
    if undos.is_empty() {
        return Ok(());
    }
    for row in exec.run(&DELETE_VOTES, &values, &[]).await? {
        if let Some(&i) = undos.get(&(row[0].text(), row[1].text())) {
            out[i] = Applied::Changed(Change::Vote {
                resource: row[0].text().to_owned(),
                partner: row[2].text().to_owned(),
                delta: -1,
            });
        }
    }
    Ok(())
}

/// Events: views count once per window per visitor, the others always; the counted ones
/// are appended to the log.
async fn record_events<E: Exec>(
    exec: &mut E,
    writes: &[Write],
    rules: &Rules,
    now: i64,
    out: &mut [Applied],
) -> Result<(), DbError> {
    let mut marks: Vec<Value<'_>> = Vec::new();
    for (_, write) in in_key_order(writes) {
        if let Some((resource, visitor, kind)) = run_key(write).filter(|_| is_event(write)) {
            marks.extend([resource.into(), visitor.into(), kind.into(), now.into()]);
        }
    }
    let rows = if marks.is_empty() {
        Vec::new()
    } else {
        exec.run(&MARK_VIEWS, &marks, &[rules.view_window.into()])
            .await?
    };
    let fresh: HashSet<(&str, &str, &str)> = rows
        .iter()
        .map(|row| (row[0].text(), row[1].text(), row[2].text()))
        .collect();
    let mut values: Vec<Value<'_>> = Vec::new();
    for (i, write) in writes.iter().enumerate() {
        let Write::Event {
            kind,
            resource,
            link,
            partner,
            ..
        } = write
        else {
            continue;
        };
        if run_key(write).is_some_and(|key| !fresh.contains(&key)) {
            continue;
        }
        values.extend([
            resource.as_str().into(),
            kind.name().into(),
            link.as_deref().into(),
            partner.as_str().into(),
            now.into(),
        ]);
        out[i] = Applied::Changed(Change::Event {
            kind: *kind,
            resource: resource.clone(),
            link: link.clone(),
            partner: partner.clone(),
        });
    }
    if !values.is_empty() {
        exec.run(&INSERT_EVENTS, &values, &[]).await?;
    }
    Ok(())
}

fn is_event(write: &Write) -> bool {
    matches!(write, Write::Event { .. })
}
