//! How the writer's statements reach each database: one statement text applied to many
//! rows, run by SQLite (rusqlite, one cached prepared statement run once per row) or by
//! PostgreSQL (sqlx, one multi-row statement per call).
//!
//! Why two executors and one text: the counting rules ([`super::writes`]) are written once
//! against [`Exec`]. What differs is only the cost model. A SQLite statement is a function
//! call, so per-row execution of a prepared statement is cheapest; a PostgreSQL statement
//! is a network round trip, so rows are sent together.

use sqlx::{AnyConnection, Row};
use std::future::Future;

/// Why a write statement failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The writer has no connection (PostgreSQL down, or reconnecting).
    #[error("no database connection")]
    NoConnection,
    /// A statement that always returns a row returned none.
    #[error("the database returned no row")]
    NoRow,
    /// A SQLite statement's future was not ready when polled (never expected: they
    /// run when called).
    #[error("a SQLite statement did not complete when called")]
    Waited,
}

/// One bound value. Not `Copy`, so that `Vec<Value>::extend([x.into(), …])` infers.
#[derive(Clone, Debug)]
pub enum Value<'a> {
    Int(i64),
    Text(&'a str),
    Null,
}

impl<'a> From<&'a str> for Value<'a> {
    fn from(s: &'a str) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value<'_> {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(s: Option<&'a str>) -> Self {
        s.map_or(Value::Null, Value::Text)
    }
}

/// One returned value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Int(i64),
    Text(String),
}

impl Cell {
    /// The text, or "" for a number (never expected: each statement declares its kinds).
    pub fn text(&self) -> &str {
        match self {
            Cell::Text(s) => s,
            Cell::Int(_) => "",
        }
    }

    /// The number, or 0 for a text.
    pub fn int(&self) -> i64 {
        match self {
            Cell::Int(n) => *n,
            Cell::Text(_) => 0,
        }
    }
}

/// What a returned column holds.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Int,
    Text,
}

/// A statement applied to rows: `head`, then one `(…)` group of `width` placeholders per
/// row, then `tail`, in which `$S1`, `$S2`… name values shared by every row (they are
/// bound after the rows' values). A `width` of 0 means no rows: `head tail` alone.
#[derive(Debug)]
pub struct Statement {
    head: String,
    width: usize,
    tail: String,
    shared: usize,
    returns: &'static [Kind],
    /// The text for one row, with SQLite's numbered `?N` placeholders.
    one_row: String,
}

impl Statement {
    /// A statement of `width` values per row, `shared` values after them, returning
    /// columns of `returns` kinds.
    pub fn new(
        head: impl Into<String>,
        width: usize,
        tail: impl Into<String>,
        shared: usize,
        returns: &'static [Kind],
    ) -> Self {
        let mut statement = Statement {
            head: head.into(),
            width,
            tail: tail.into(),
            shared,
            returns,
            one_row: String::new(),
        };
        statement.one_row = statement.text(1, '?');
        statement
    }

    /// The text for `rows` rows with `mark` (`$` or `?`) before each placeholder number.
    fn text(&self, rows: usize, mark: char) -> String {
        let rows = if self.width == 0 { 0 } else { rows };
        let mut sql = self.head.clone();
        let groups: Vec<String> = (0..rows)
            .map(|r| {
                let row: Vec<String> = (1..=self.width)
                    .map(|c| format!("{mark}{}", r * self.width + c))
                    .collect();
                format!("({})", row.join(", "))
            })
            .collect();
        if !groups.is_empty() {
            sql.push(' ');
            sql.push_str(&groups.join(", "));
        }
        let mut tail = self.tail.clone();
        // Highest first, so `$S1` does not match the start of `$S10`.
        for s in (1..=self.shared).rev() {
            tail = tail.replace(
                &format!("$S{s}"),
                &format!("{mark}{}", rows * self.width + s),
            );
        }
        if !tail.is_empty() {
            sql.push(' ');
            sql.push_str(&tail);
        }
        sql
    }
}

/// Runs [`Statement`]s inside the caller's transaction.
pub trait Exec {
    /// Runs `statement` over `values` (`width` values per row, rows in order) with
    /// `shared` bound after them, and returns every returned row.
    fn run(
        &mut self,
        statement: &Statement,
        values: &[Value<'_>],
        shared: &[Value<'_>],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, DbError>>;
}

/// SQLite through rusqlite: the one-row text, prepared once per connection and cached,
/// executed for each row. Every call completes without waiting.
pub struct SqliteExec<'c> {
    /// The connection, inside a transaction the caller holds.
    pub conn: &'c rusqlite::Connection,
}

impl rusqlite::ToSql for Value<'_> {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Int(n) => ValueRef::Integer(*n),
            Value::Text(s) => ValueRef::Text(s.as_bytes()),
            Value::Null => ValueRef::Null,
        }))
    }
}

impl SqliteExec<'_> {
    fn run_now(
        &self,
        statement: &Statement,
        values: &[Value<'_>],
        shared: &[Value<'_>],
    ) -> Result<Vec<Vec<Cell>>, DbError> {
        let mut prepared = self.conn.prepare_cached(&statement.one_row)?;
        let mut out = Vec::new();
        let mut each = |row: &[Value<'_>]| -> Result<(), DbError> {
            let params = row.iter().chain(shared);
            let mut rows = prepared.query(rusqlite::params_from_iter(params))?;
            while let Some(row) = rows.next()? {
                let mut cells = Vec::with_capacity(statement.returns.len());
                for (i, kind) in statement.returns.iter().enumerate() {
                    cells.push(match kind {
                        Kind::Int => Cell::Int(row.get(i)?),
                        Kind::Text => Cell::Text(row.get(i)?),
                    });
                }
                out.push(cells);
            }
            Ok(())
        };
        if statement.width == 0 {
            each(&[])?;
        } else {
            for row in values.chunks(statement.width) {
                each(row)?;
            }
        }
        Ok(out)
    }
}

impl Exec for SqliteExec<'_> {
    fn run(
        &mut self,
        statement: &Statement,
        values: &[Value<'_>],
        shared: &[Value<'_>],
    ) -> impl Future<Output = Result<Vec<Vec<Cell>>, DbError>> {
        std::future::ready(self.run_now(statement, values, shared))
    }
}

/// Most rows one PostgreSQL statement carries (its limit is 65,535 bound values).
const ROWS_PER_STATEMENT: usize = 500;

/// PostgreSQL (or any sqlx connection): one statement per [`ROWS_PER_STATEMENT`] rows.
pub struct SqlxExec<'c> {
    /// The connection, inside a transaction the caller holds.
    pub conn: &'c mut AnyConnection,
}

impl Exec for SqlxExec<'_> {
    async fn run(
        &mut self,
        statement: &Statement,
        values: &[Value<'_>],
        shared: &[Value<'_>],
    ) -> Result<Vec<Vec<Cell>>, DbError> {
        let mut out = Vec::new();
        let chunks: Vec<&[Value<'_>]> = if statement.width == 0 {
            vec![&[]]
        } else {
            values
                .chunks(statement.width * ROWS_PER_STATEMENT)
                .collect()
        };
        for chunk in chunks {
            let rows = chunk.len() / statement.width.max(1);
            let sql = statement.text(rows, '$');
            let mut query = sqlx::query(&sql);
            for value in chunk.iter().chain(shared) {
                query = match value.clone() {
                    Value::Int(n) => query.bind(n),
                    Value::Text(s) => query.bind(s),
                    Value::Null => query.bind(None::<String>),
                };
            }
            for row in query.fetch_all(&mut *self.conn).await? {
                let mut cells = Vec::with_capacity(statement.returns.len());
                for (i, kind) in statement.returns.iter().enumerate() {
                    cells.push(match kind {
                        Kind::Int => Cell::Int(row.try_get(i)?),
                        Kind::Text => Cell::Text(row.try_get(i)?),
                    });
                }
                out.push(cells);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_shared_values_are_numbered_in_binding_order() {
        let s = Statement::new(
            "INSERT INTO t (a, b) VALUES",
            2,
            "ON CONFLICT DO UPDATE SET a = $S1 WHERE b < $S2",
            2,
            &[],
        );
        assert_eq!(
            s.text(2, '$'),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) ON CONFLICT DO UPDATE SET a = $5 WHERE b < $6"
        );
        assert_eq!(
            s.one_row,
            "INSERT INTO t (a, b) VALUES (?1, ?2) ON CONFLICT DO UPDATE SET a = ?3 WHERE b < ?4"
        );
    }

    #[test]
    fn a_statement_without_rows_numbers_its_shared_values_from_one() {
        let s = Statement::new("DELETE FROM t", 0, "WHERE a < $S1", 1, &[]);
        assert_eq!(s.text(5, '$'), "DELETE FROM t WHERE a < $1");
    }
}
