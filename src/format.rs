//! Numbers, dates, file sizes and URL pieces in plain Rust: the fallbacks of
//! `src/intl.rs` for browsers without `Intl`, and what needs no locale at all. Plain Rust
//! keeps `core::fmt` out of the Wasm build.

use crate::i18n::Lang;

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

/// `n` with the language's digit grouping, in Latin digits: en `12,345`, fr `12 345`
/// (narrow no-break space), es `12.345` (but `1234`: Spanish groups only from five
/// digits), pt and id `12.345`.
pub fn number(lang: Lang, n: u64) -> String {
    let digits = int(n);
    let (sep, min_len) = match lang {
        Lang::Fr => ('\u{202f}', 4),
        Lang::Es => ('.', 5),
        Lang::Pt | Lang::Id => ('.', 4),
        _ => (',', 4),
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

    /// Appends `2012-02-29 13:47`, with `sep` between the date and the time.
    pub fn push_iso(&self, out: &mut String, sep: char) {
        push_int(out, u64::from(self.year));
        out.push('-');
        two(out, self.month);
        out.push('-');
        two(out, self.day);
        out.push(sep);
        two(out, self.hour);
        out.push(':');
        two(out, self.minute);
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

fn two(out: &mut String, n: u32) {
    if n < 10 {
        out.push('0');
    }
    push_int(out, u64::from(n));
}

/// `tenths / 10` with one decimal unless it is whole, in Latin digits: `1.2`, fr `1,2`.
pub fn tenths(lang: Lang, tenths: u64) -> String {
    let mut out = int(tenths / 10);
    if !tenths.is_multiple_of(10) {
        out.push(
            if matches!(lang, Lang::Fr | Lang::Es | Lang::Pt | Lang::Id) {
                ','
            } else {
                '.'
            },
        );
        push_int(&mut out, tenths % 10);
    }
    out
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
/// (fr `PDF · 1,2 Ko`), the number in the locale's digits. `None` when neither the type nor the size is known.
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
        let units = if lang == Lang::Fr {
            ["o", "Ko", "Mo"]
        } else {
            ["B", "KB", "MB"]
        };
        let (value_tenths, unit) = if bytes < 1024 {
            (bytes * 10, 0)
        } else if bytes < 1024 * 1024 {
            ((bytes * 10 + 512) / 1024, 1)
        } else {
            ((bytes * 10 + 512 * 1024) / (1024 * 1024), 2)
        };
        // One decimal below ten units, where it tells sizes apart.
        let shown = if unit > 0 && value_tenths < 100 {
            value_tenths
        } else {
            value_tenths / 10 * 10
        };
        out.push_str(&crate::intl::tenths(lang, shown));
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
    fn timestamps_read_as_published() {
        let iso = |s: &str| {
            DateTime::parse(s).map(|d| {
                let mut out = String::new();
                d.push_iso(&mut out, ' ');
                out
            })
        };
        assert_eq!(iso(STAMP).as_deref(), Some("2012-02-29 13:47"));
        assert_eq!(
            iso("2024-01-01T00:05:00Z").as_deref(),
            Some("2024-01-01 00:05")
        );
        assert_eq!(
            iso("2000-03-01t12:00:00.250+09:00").as_deref(),
            Some("2000-03-01 12:00")
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
            assert_eq!(DateTime::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn tenths_use_the_decimal_mark() {
        assert_eq!(tenths(Lang::En, 12), "1.2");
        assert_eq!(tenths(Lang::Id, 12), "1,2");
        assert_eq!(tenths(Lang::Ar, 250), "25");
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
        assert_eq!(number(Lang::Id, 1234), "1.234");
        assert_eq!(number(Lang::Sw, 1234), "1,234");
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
