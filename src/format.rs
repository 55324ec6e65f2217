//! Numbers, dates, file sizes and URL pieces, formatted in plain Rust for each language.
//!
//! Plain Rust rather than `Intl` so the output is the same in every browser and is tested
//! natively; it also keeps `core::fmt` out of the hot paths of the Wasm build.

use crate::i18n::{Key, Lang};

/// Appends the decimal digits of `n`.
pub fn push_int(out: &mut String, n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// The pieces joined: `[a, b].concat()` without the generic join code (~1 KB of Wasm).
pub fn cat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// The decimal digits of `n`, without grouping (for URLs and JSON).
pub fn int(n: u64) -> String {
    let mut s = String::new();
    push_int(&mut s, n);
    s
}

/// `n` with the language's digit grouping: en `12,345`, fr `12 345` (narrow no-break
/// space), es `12.345` (but `1234`: Spanish groups only from five digits), pt `12.345`.
pub fn number(lang: Lang, n: u64) -> String {
    let digits = int(n);
    let (sep, min_len) = match lang {
        Lang::En => (',', 4),
        Lang::Fr => ('\u{202f}', 4),
        Lang::Es => ('.', 5),
        Lang::Pt => ('.', 4),
    };
    if digits.len() < min_len {
        return digits;
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A date and time read from an RFC 3339 timestamp, in the timestamp's own UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
}

impl DateTime {
    /// Parses `2012-02-29T13:47:00-05:00` (fractions, `Z` and offsets accepted). The fields
    /// are kept as published: the page shows the time in the offset it was written in.
    pub fn parse(s: &str) -> Option<DateTime> {
        let b = s.as_bytes();
        let num = |from: usize, len: usize| -> Option<u32> {
            let part = b.get(from..from + len)?;
            part.iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let sep = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
        if !(sep(4, b"-") && sep(7, b"-") && sep(10, b"Tt ") && sep(13, b":")) {
            return None;
        }
        let d = DateTime {
            year: num(0, 4)?,
            month: num(5, 2)?,
            day: num(8, 2)?,
            hour: num(11, 2)?,
            minute: num(14, 2)?,
        };
        let ok = (1..=12).contains(&d.month)
            && d.day >= 1
            && d.day <= days_in_month(d.year, d.month)
            && d.hour < 24
            && d.minute < 60;
        ok.then_some(d)
    }

    /// Day of the week, 0 = Sunday (Sakamoto's method).
    pub fn weekday(&self) -> usize {
        const T: [u32; 12] = [0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4];
        let y = if self.month < 3 {
            self.year.saturating_sub(1)
        } else {
            self.year
        };
        let t = T
            .get((self.month as usize).wrapping_sub(1))
            .copied()
            .unwrap_or(0);
        ((y + y / 4 - y / 100 + y / 400 + t + self.day) % 7) as usize
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The `n`th name (0-based) of a `|`-separated list (the weekday and month names are in
/// the language tables, so that only English is built into the Wasm).
fn nth(list: &'static str, n: usize) -> Option<&'static str> {
    list.split('|').nth(n)
}

fn two(out: &mut String, n: u32) {
    if n < 10 {
        out.push('0');
    }
    push_int(out, u64::from(n));
}

/// A timestamp as the source page shows it, in its own offset:
/// en `Wednesday, February 29, 2012 1:47 PM`, fr `mercredi 29 février 2012 13:47`,
/// es `miércoles, 29 de febrero de 2012, 13:47`, pt `quarta-feira, 29 de fevereiro de 2012 às 13:47`.
/// `None` when the text is not a timestamp.
pub fn date(lang: Lang, timestamp: &str) -> Option<String> {
    let d = DateTime::parse(timestamp)?;
    let weekday = nth(lang.t(Key::Weekdays), d.weekday())?;
    let month = nth(lang.t(Key::Months), (d.month as usize).wrapping_sub(1))?;
    let mut s = String::with_capacity(48);
    let day = u64::from(d.day);
    let year = u64::from(d.year);
    match lang {
        Lang::En => {
            s.push_str(weekday);
            s.push_str(", ");
            s.push_str(month);
            s.push(' ');
            push_int(&mut s, day);
            s.push_str(", ");
            push_int(&mut s, year);
            s.push(' ');
            let h12 = match d.hour % 12 {
                0 => 12,
                h => h,
            };
            push_int(&mut s, u64::from(h12));
            s.push(':');
            two(&mut s, d.minute);
            s.push_str(if d.hour < 12 { " AM" } else { " PM" });
        }
        Lang::Fr => {
            s.push_str(weekday);
            s.push(' ');
            push_int(&mut s, day);
            s.push(' ');
            s.push_str(month);
            s.push(' ');
            push_int(&mut s, year);
            s.push(' ');
            two(&mut s, d.hour);
            s.push(':');
            two(&mut s, d.minute);
        }
        Lang::Es | Lang::Pt => {
            s.push_str(weekday);
            s.push_str(", ");
            push_int(&mut s, day);
            s.push_str(" de ");
            s.push_str(month);
            s.push_str(" de ");
            push_int(&mut s, year);
            if lang == Lang::Es {
                s.push_str(", ");
                push_int(&mut s, u64::from(d.hour));
            } else {
                s.push_str(" às ");
                two(&mut s, d.hour);
            }
            s.push(':');
            two(&mut s, d.minute);
        }
    }
    Some(s)
}

/// Percent-encodes like JavaScript's `encodeURIComponent`.
pub fn encode_component(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Whether `url` is on `origin` (`scheme://host[:port]`, no trailing slash).
pub fn same_origin(url: &str, origin: &str) -> bool {
    let (u, o) = (url.as_bytes(), origin.as_bytes());
    !o.is_empty()
        && u.get(..o.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(o))
        && matches!(u.get(o.len()), None | Some(b'/' | b'?' | b'#'))
}

/// What a download is before a visitor on a slow network opens it: `PDF · 1.2 KB`
/// (fr `PDF · 1,2 Ko`). `None` when neither the type nor the size is known.
pub fn file_meta(lang: Lang, mime: Option<&str>, size: Option<u64>) -> Option<String> {
    let mut out = String::new();
    if let Some(sub) = mime.and_then(|m| m.split('/').nth(1)) {
        if (1..=5).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric()) {
            out.push_str(&sub.to_ascii_uppercase());
        }
    }
    if let Some(bytes) = size {
        if !out.is_empty() {
            out.push_str(" · ");
        }
        let fr = lang == Lang::Fr;
        let (units, comma): ([&str; 3], bool) = if fr {
            (["o", "Ko", "Mo"], true)
        } else {
            (["B", "KB", "MB"], lang != Lang::En)
        };
        let (value_tenths, unit) = if bytes < 1024 {
            (bytes * 10, 0)
        } else if bytes < 1024 * 1024 {
            ((bytes * 10 + 512) / 1024, 1)
        } else {
            ((bytes * 10 + 512 * 1024) / (1024 * 1024), 2)
        };
        push_int(&mut out, value_tenths / 10);
        // One decimal below ten units, where it tells sizes apart.
        if unit > 0 && value_tenths < 100 {
            out.push(if comma { ',' } else { '.' });
            push_int(&mut out, value_tenths % 10);
        }
        out.push('\u{a0}');
        out.push_str(units[unit]);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAMP: &str = "2012-02-29T13:47:00-05:00";

    #[test]
    fn dates_keep_the_published_offset_in_every_language() {
        let cases = [
            (Lang::En, "Wednesday, February 29, 2012 1:47 PM"),
            (Lang::Fr, "mercredi 29 février 2012 13:47"),
            (Lang::Es, "miércoles, 29 de febrero de 2012, 13:47"),
            (Lang::Pt, "quarta-feira, 29 de fevereiro de 2012 às 13:47"),
        ];
        for (lang, want) in cases {
            assert_eq!(date(lang, STAMP).as_deref(), Some(want), "{lang:?}");
        }
    }

    #[test]
    fn dates_handle_midnight_noon_zulu_and_fractions() {
        assert_eq!(
            date(Lang::En, "2024-01-01T00:05:00Z").as_deref(),
            Some("Monday, January 1, 2024 12:05 AM")
        );
        assert_eq!(
            date(Lang::En, "2000-03-01T12:00:00.250+09:00").as_deref(),
            Some("Wednesday, March 1, 2000 12:00 PM")
        );
        assert_eq!(
            date(Lang::Fr, "1999-12-31T09:05:00+01:00").as_deref(),
            Some("vendredi 31 décembre 1999 09:05")
        );
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in [
            "",
            "2012-02-30T10:00:00Z",
            "2011-02-29T10:00:00Z",
            "2012-13-01T10:00:00Z",
            "2012-02-01T24:00:00Z",
            "yesterday",
            "2012-02-01",
        ] {
            assert_eq!(date(Lang::En, bad), None, "{bad}");
        }
    }

    #[test]
    fn weekdays_are_right_across_centuries() {
        let wd = |s: &str| DateTime::parse(s).map(|d| d.weekday());
        assert_eq!(wd("1970-01-01T00:00:00Z"), Some(4)); // Thursday
        assert_eq!(wd("2000-02-29T00:00:00Z"), Some(2)); // Tuesday
        assert_eq!(wd("2100-03-01T00:00:00Z"), Some(1)); // Monday
    }

    #[test]
    fn numbers_group_digits_per_language() {
        assert_eq!(number(Lang::En, 0), "0");
        assert_eq!(number(Lang::En, 865), "865");
        assert_eq!(number(Lang::En, 1234), "1,234");
        assert_eq!(number(Lang::En, 1_234_567), "1,234,567");
        assert_eq!(number(Lang::Fr, 12_345), "12\u{202f}345");
        assert_eq!(number(Lang::Es, 1234), "1234");
        assert_eq!(number(Lang::Es, 12_345), "12.345");
        assert_eq!(number(Lang::Pt, 1234), "1.234");
        assert_eq!(number(Lang::En, u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn components_encode_like_javascript() {
        assert_eq!(encode_component("a b&c/é"), "a%20b%26c%2F%C3%A9");
        assert_eq!(encode_component("casm-global_x.(1)!"), "casm-global_x.(1)!");
    }

    #[test]
    fn same_origin_compares_scheme_host_and_port() {
        let o = "https://partner.example.org";
        assert!(same_origin("https://partner.example.org/a", o));
        assert!(same_origin("HTTPS://Partner.Example.org?x", o));
        assert!(same_origin("https://partner.example.org", o));
        assert!(!same_origin("https://partner.example.org.evil.net/", o));
        assert!(!same_origin("https://partner.example.org:8443/", o));
        assert!(!same_origin("http://partner.example.org/", o));
        assert!(!same_origin("https://partner.example.org/", ""));
    }

    #[test]
    fn file_meta_names_type_and_size_in_the_language() {
        assert_eq!(
            file_meta(Lang::En, Some("application/pdf"), Some(1234)).as_deref(),
            Some("PDF · 1.2\u{a0}KB")
        );
        assert_eq!(
            file_meta(Lang::Fr, Some("application/pdf"), Some(1234)).as_deref(),
            Some("PDF · 1,2\u{a0}Ko")
        );
        assert_eq!(
            file_meta(Lang::Pt, Some("video/webm"), Some(6_279)).as_deref(),
            Some("WEBM · 6,1\u{a0}KB")
        );
        assert_eq!(
            file_meta(Lang::En, None, Some(512)).as_deref(),
            Some("512\u{a0}B")
        );
        assert_eq!(
            file_meta(Lang::Es, None, Some(25 * 1024 * 1024)).as_deref(),
            Some("25\u{a0}MB")
        );
        assert_eq!(
            file_meta(Lang::En, Some("application/vnd.ms-powerpoint"), None),
            None
        );
        assert_eq!(file_meta(Lang::En, None, None), None);
    }
}
