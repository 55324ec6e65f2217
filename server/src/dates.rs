//! Time as the service stores and shows it, through the `time` crate (no calendar
//! arithmetic of our own): Unix seconds, UTC day numbers (days since 1970-01-01, as
//! `daily_counters.day` stores them), `YYYY-MM-DD` dates and RFC 3339 timestamps.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime};

/// Seconds in a UTC day (no leap seconds in Unix time).
pub const DAY_SECS: i64 = 86_400;

/// The Julian day number of 1970-01-01, the origin of our day numbers.
const UNIX_EPOCH_JULIAN_DAY: i64 = 2_440_588;

const ISO_DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]");

/// Current time as Unix seconds, the form timestamps are stored in.
pub fn now_secs() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The UTC day number of Unix seconds.
pub fn day_of(secs: i64) -> i64 {
    secs.div_euclid(DAY_SECS)
}

/// Today's UTC day number.
pub fn utc_day() -> i64 {
    day_of(now_secs())
}

/// Seconds from now until the next UTC midnight (at least 1).
pub fn secs_until_midnight() -> i64 {
    ((utc_day() + 1) * DAY_SECS - now_secs()).max(1)
}

/// `YYYY-MM-DD` of a UTC day number (the number itself if it is outside years
/// -9999..=9999, which no stored day is).
pub fn iso_date(day: i64) -> String {
    i32::try_from(day + UNIX_EPOCH_JULIAN_DAY)
        .ok()
        .and_then(|julian| Date::from_julian_day(julian).ok())
        .and_then(|date| date.format(ISO_DATE).ok())
        .unwrap_or_else(|| day.to_string())
}

/// The UTC day number of a `YYYY-MM-DD` date; `None` unless it is exactly that form
/// (four-digit year) and a real date.
pub fn parse_date(text: &str) -> Option<i64> {
    let date = Date::parse(text, ISO_DATE).ok()?;
    Some(i64::from(date.to_julian_day()) - UNIX_EPOCH_JULIAN_DAY)
}

/// Unix seconds of an RFC 3339 timestamp, for ordering by date across UTC offsets; 0
/// for text that is not one (stored timestamps were validated on import).
pub fn timestamp_secs(ts: &str) -> i64 {
    OffsetDateTime::parse(ts, &Rfc3339).map_or(0, OffsetDateTime::unix_timestamp)
}

/// The RFC 3339 UTC timestamp (`2026-11-27T10:00:00Z`) of Unix seconds: how stored times
/// are shown. The inverse of [`timestamp_secs`] (the number itself if out of range).
pub fn utc_timestamp(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| secs.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_and_dates_round_trip() {
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(iso_date(15_399), "2012-02-29");
        assert_eq!(parse_date("2012-02-29"), Some(15_399));
        assert_eq!(parse_date("2026-11-01"), Some(20_758));
        assert_eq!(iso_date(-1), "1969-12-31");
        for day in [-1, 59, 365, 10_956, 20_758, 2_932_896] {
            assert_eq!(parse_date(&iso_date(day)), Some(day), "{day}");
        }
        for bad in [
            "2026-02-29",
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "2026-01-01T00",
            "26-11-01",
            "2026/01/01",
            "+026-01-01",
            "2026-11-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn timestamps_order_across_offsets() {
        assert_eq!(timestamp_secs("1970-01-01T00:00:00Z"), 0);
        assert_eq!(timestamp_secs("2012-02-29T13:47:00-05:00"), 1_330_541_220);
        assert_eq!(
            timestamp_secs("2012-02-29T18:47:00Z"),
            timestamp_secs("2012-02-29T13:47:00-05:00")
        );
        assert_eq!(timestamp_secs("not a date"), 0);
    }

    #[test]
    fn utc_timestamps_from_unix_seconds() {
        assert_eq!(utc_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc_timestamp(1_330_541_220), "2012-02-29T18:47:00Z");
        assert_eq!(timestamp_secs(&utc_timestamp(1_330_541_220)), 1_330_541_220);
    }
}
