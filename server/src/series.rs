//! Numbers over time: the parameters `GET /v1/admin/series`, `summary` and `export.csv`
//! and `casm-feed stats --csv` share, UTC day numbers and their `YYYY-MM-DD` form, and
//! the CSV form of a series. The endpoint and the command line both go through
//! [`export`], so they print the same file.
//!
//! Days are UTC day numbers (days since 1970-01-01), as `daily_counters.day` stores them;
//! they become ISO dates only here, at the edge.

use crate::dates::parse_date;
use crate::store::{Store, StoreError};
use casm_model::wire::Series;
use casm_model::Counter;
use std::collections::HashMap;

/// Most days one request may span (a leap year).
pub const MAX_DAYS: i64 = 366;

/// Days a period spans when `from` is not given (ending today, or on `to`).
pub const DEFAULT_DAYS: i64 = 30;

/// The counter a series shows when `metric` is not given.
pub const DEFAULT_METRIC: Counter = Counter::PageViews;

/// What a series is grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Partner,
    Resource,
}

impl GroupBy {
    /// The parameter value and CSV column name: `partner` or `resource`.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Partner => "partner",
            GroupBy::Resource => "resource",
        }
    }
}

/// Which numbers: an inclusive range of UTC days, and optionally one resource and one
/// partner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// First day (UTC day number).
    pub from: i64,
    /// Last day, inclusive.
    pub to: i64,
    pub resource: Option<String>,
    pub partner: Option<String>,
}

impl Filter {
    /// Days in the period.
    pub fn days(&self) -> i64 {
        self.to - self.from + 1
    }

    /// The period of the same length just before this one, with the same filters.
    pub fn previous(&self) -> Filter {
        Filter {
            from: self.from - self.days(),
            to: self.from - 1,
            ..self.clone()
        }
    }
}

/// A series to read: [`Filter`], counter, grouping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesQuery {
    pub filter: Filter,
    /// One of [`Counter::MAINTAINED`].
    pub metric: Counter,
    pub by: Option<GroupBy>,
}

/// A parameter that is not acceptable, and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParamError {
    pub field: String,
    pub message: String,
}

fn bad(field: &str, message: impl Into<String>) -> ParamError {
    ParamError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// The parameters as given (query string or command line), unchecked. Empty values count
/// as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeriesParams {
    pub from: Option<String>,
    pub to: Option<String>,
    pub metric: Option<String>,
    pub by: Option<String>,
    pub resource: Option<String>,
    pub partner: Option<String>,
}

/// The parameters of `summary`, which has no metric or grouping.
const FILTER_PARAMS: [&str; 4] = ["from", "to", "resource", "partner"];
/// The parameters of `series` and `export.csv`.
const SERIES_PARAMS: [&str; 6] = ["from", "to", "metric", "by", "resource", "partner"];

impl SeriesParams {
    /// From a query string's pairs; a name outside `allowed` is refused, naming it, so a
    /// misspelt filter is not silently ignored.
    fn from_pairs(pairs: &HashMap<String, String>, allowed: &[&str]) -> Result<Self, ParamError> {
        let mut p = SeriesParams::default();
        for (key, value) in pairs {
            if !allowed.contains(&key.as_str()) {
                return Err(bad(
                    key,
                    format!("unknown parameter; use {}", allowed.join(", ")),
                ));
            }
            let value = Some(value.trim().to_owned()).filter(|v| !v.is_empty());
            match key.as_str() {
                "from" => p.from = value,
                "to" => p.to = value,
                "metric" => p.metric = value,
                "by" => p.by = value,
                "resource" => p.resource = value,
                _ => p.partner = value,
            }
        }
        Ok(p)
    }

    /// The parameters of `series` and `export.csv` from a query string.
    pub fn for_series(pairs: &HashMap<String, String>) -> Result<Self, ParamError> {
        Self::from_pairs(pairs, &SERIES_PARAMS)
    }

    /// The parameters of `summary` from a query string.
    pub fn for_summary(pairs: &HashMap<String, String>) -> Result<Self, ParamError> {
        Self::from_pairs(pairs, &FILTER_PARAMS)
    }

    /// Checks the period and filters. `today` is the UTC day number the default period
    /// ends on; `known_resource` says whether a resource id exists.
    pub fn filter(
        &self,
        today: i64,
        known_resource: impl Fn(&str) -> bool,
    ) -> Result<Filter, ParamError> {
        let date = |field: &str, value: &Option<String>| match value.as_deref() {
            None => Ok(None),
            Some(v) => parse_date(v).map(Some).ok_or_else(|| {
                bad(
                    field,
                    format!("{field} must be a date as YYYY-MM-DD, not '{v}'"),
                )
            }),
        };
        let from = date("from", &self.from)?;
        let to = date("to", &self.to)?;
        let to = to.unwrap_or(match from {
            // Only `from`: up to today, or the longest period if today is further.
            Some(from) => today.min(from + MAX_DAYS - 1).max(from),
            None => today,
        });
        let from = from.unwrap_or(to - (DEFAULT_DAYS - 1));
        if from > to {
            return Err(bad("from", "from must be on or before to"));
        }
        if to - from + 1 > MAX_DAYS {
            return Err(bad(
                if self.from.is_some() { "from" } else { "to" },
                format!("a period may span at most {MAX_DAYS} days"),
            ));
        }
        if let Some(id) = &self.resource {
            if !known_resource(id) {
                return Err(bad("resource", format!("no resource has id '{id}'")));
            }
        }
        Ok(Filter {
            from,
            to,
            resource: self.resource.clone(),
            partner: self.partner.clone(),
        })
    }

    /// Checks everything a series needs: [`SeriesParams::filter`], `metric` (default
    /// [`DEFAULT_METRIC`]) and `by`.
    pub fn series(
        &self,
        today: i64,
        known_resource: impl Fn(&str) -> bool,
    ) -> Result<SeriesQuery, ParamError> {
        let metric = match self.metric.as_deref() {
            None => DEFAULT_METRIC,
            Some(name) => Counter::MAINTAINED
                .into_iter()
                .find(|c| c.name() == name)
                .ok_or_else(|| {
                    let names: Vec<_> = Counter::MAINTAINED.iter().map(|c| c.name()).collect();
                    bad(
                        "metric",
                        format!("metric must be one of {}, not '{name}'", names.join(", ")),
                    )
                })?,
        };
        let by = match self.by.as_deref() {
            None => None,
            Some("partner") => Some(GroupBy::Partner),
            Some("resource") => Some(GroupBy::Resource),
            Some(other) => {
                return Err(bad(
                    "by",
                    format!("by must be partner or resource, not '{other}'"),
                ))
            }
        };
        Ok(SeriesQuery {
            filter: self.filter(today, known_resource)?,
            metric,
            by,
        })
    }
}

/// A series as a CSV file: a header `day,<group>,<metric>` (group `partner`, `resource`
/// or `all`), then one row per day per group, groups in the series' order: exactly the
/// series in long form. Quoted as RFC 4180 says (by the `csv` crate), with CRLF line ends.
pub fn to_csv(series: &Series) -> String {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    let group = series.by.as_deref().unwrap_or("all");
    // Writing to a Vec cannot fail.
    let _ = out.write_record(["day", group, &series.metric]);
    for g in &series.series {
        for (day, value) in series.days.iter().zip(&g.values) {
            let _ = out.write_record([day.as_str(), g.key.as_str(), &value.to_string()]);
        }
    }
    let bytes = out.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// A CSV export: the file name to offer and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    /// `casm-<metric>-<from>-<to>.csv`.
    pub file_name: String,
    pub csv: String,
}

/// The CSV of a series, as `GET /v1/admin/export.csv` sends it and `casm-feed stats --csv`
/// prints it: the one implementation of both. `title` names resources.
pub async fn export(
    store: &Store,
    query: &SeriesQuery,
    title: impl Fn(&str) -> Option<String>,
) -> Result<Export, StoreError> {
    let series = store.series(query, title).await?;
    Ok(Export {
        file_name: format!("casm-{}-{}-{}.csv", series.metric, series.from, series.to),
        csv: to_csv(&series),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dates::iso_date;
    use casm_model::wire::SeriesGroup;

    fn params(pairs: &[(&str, &str)]) -> SeriesParams {
        let map = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        SeriesParams::for_series(&map).unwrap()
    }

    #[test]
    fn periods_default_to_the_last_30_days_and_span_at_most_366() {
        let today = parse_date("2026-11-30").unwrap();
        let any = |_: &str| true;
        let q = params(&[]).series(today, any).unwrap();
        assert_eq!(
            (iso_date(q.filter.from), iso_date(q.filter.to)),
            ("2026-11-01".into(), "2026-11-30".into())
        );
        assert_eq!((q.metric, q.by), (Counter::PageViews, None));
        let f = params(&[("to", "2026-03-01")]).filter(today, any).unwrap();
        assert_eq!(iso_date(f.from), "2026-01-31");
        let f = params(&[("from", "2026-11-20")])
            .filter(today, any)
            .unwrap();
        assert_eq!(iso_date(f.to), "2026-11-30");
        let f = params(&[("from", "2026-01-01"), ("to", "2026-01-01")])
            .filter(today, any)
            .unwrap();
        assert_eq!(
            (f.days(), iso_date(f.previous().from)),
            (1, "2025-12-31".into())
        );
        let f = params(&[("from", "2024-01-01"), ("to", "2024-12-31")])
            .filter(today, any)
            .unwrap();
        assert_eq!(f.days(), 366);
        let p = f.previous();
        assert_eq!(
            (iso_date(p.from), iso_date(p.to)),
            ("2022-12-31".into(), "2023-12-31".into())
        );

        let field = |pairs: &[(&str, &str)]| params(pairs).series(today, any).unwrap_err().field;
        assert_eq!(
            field(&[("from", "2024-01-01"), ("to", "2025-01-01")]),
            "from"
        );
        assert_eq!(
            field(&[("from", "2026-11-02"), ("to", "2026-11-01")]),
            "from"
        );
        assert_eq!(field(&[("from", "yesterday")]), "from");
        assert_eq!(field(&[("to", "2026-02-30")]), "to");
        assert_eq!(field(&[("metric", "popularity_rank")]), "metric");
        assert_eq!(field(&[("by", "day")]), "by");
        let e = params(&[("resource", "nope")])
            .series(today, |id| id == "yes")
            .unwrap_err();
        assert_eq!(e.field, "resource");
        let map = [("metrics".to_string(), "x".to_string())].into();
        assert_eq!(SeriesParams::for_series(&map).unwrap_err().field, "metrics");
        let map = [("metric".to_string(), "x".to_string())].into();
        assert_eq!(SeriesParams::for_summary(&map).unwrap_err().field, "metric");
    }

    #[test]
    fn csv_is_the_series_in_long_form_quoted_as_rfc_4180() {
        let series = Series {
            from: "2026-11-01".into(),
            to: "2026-11-02".into(),
            metric: "page_views".into(),
            by: Some("partner".into()),
            days: vec!["2026-11-01".into(), "2026-11-02".into()],
            series: vec![
                SeriesGroup {
                    key: "a,b".into(),
                    name: "A".into(),
                    values: vec![3, 0],
                    total: 3,
                },
                SeriesGroup {
                    key: "say \"hi\"\nthere".into(),
                    name: "B".into(),
                    values: vec![0, -1],
                    total: -1,
                },
            ],
        };
        assert_eq!(
            to_csv(&series),
            "day,partner,page_views\r\n\
             2026-11-01,\"a,b\",3\r\n\
             2026-11-02,\"a,b\",0\r\n\
             2026-11-01,\"say \"\"hi\"\"\nthere\",0\r\n\
             2026-11-02,\"say \"\"hi\"\"\nthere\",-1\r\n"
        );
        let all = Series {
            by: None,
            series: vec![],
            ..series
        };
        assert_eq!(to_csv(&all), "day,all,page_views\r\n");
    }
}
