//! Validation of catalogue resources and API input. Every error names the path of the bad
//! field (`resources[3].links[0].url`), so an import can be fixed without guessing.

use crate::resource::{Catalogue, Resource};
use std::collections::HashSet;
use std::fmt;

/// A rule a field breaks, with the field's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Path of the bad field, e.g. `resources[3].links[0].url` or `visitor`.
    pub path: String,
    /// What is wrong, for a person.
    pub message: String,
}

impl ValidationError {
    /// An error at `path`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        ValidationError {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ValidationError {}

type Result<T = ()> = std::result::Result<T, ValidationError>;

/// Longest id (resource or link slug).
pub const MAX_ID_LEN: usize = 80;

/// Whether a URL may be shown as a link: only `http:`, `https:` and `mailto:` are kept;
/// `javascript:`, `data:` and everything else is dropped. Relative URLs are not safe here:
/// the service resolves them before they reach a page.
pub fn is_safe_url(url: &str) -> bool {
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => rest.starts_with("//") && rest.len() > 2,
        "mailto" => !rest.is_empty(),
        _ => false,
    }
}

/// Checks a slug: 1 to 80 characters of `a-z`, `0-9` and `-`, not starting with `-`.
pub fn slug(path: &str, value: &str) -> Result {
    let ok = !value.is_empty()
        && value.len() <= MAX_ID_LEN
        && !value.starts_with('-')
        && value
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            "must be 1-80 characters of a-z, 0-9 and '-'",
        ))
    }
}

/// Checks a visitor token: 16 to 64 characters of `A-Z a-z 0-9 - _`.
pub fn visitor_token(path: &str, value: &str) -> Result {
    let ok = (16..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            "must be an anonymous token of 16-64 characters (A-Z, a-z, 0-9, '-', '_')",
        ))
    }
}

/// Whether `c` is a bidirectional embedding, override or isolate (U+202A–U+202E,
/// U+2066–U+2069): invisible characters that reorder the text around them, so a title or
/// a message can show a reader something else than it says ("Trojan Source"). The plain
/// marks U+200E, U+200F and U+061C, which mixed Arabic and Latin text needs, are allowed.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Checks plain text: at most `max` characters, no control characters but newline and
/// tab, and no bidirectional overrides ([`is_bidi_control`]).
pub fn text(path: &str, value: &str, min: usize, max: usize) -> Result {
    let n = value.chars().count();
    if n < min {
        return Err(ValidationError::new(
            path,
            if min == 1 {
                "must not be empty".to_owned()
            } else {
                format!("must have at least {min} characters")
            },
        ));
    }
    if n > max {
        return Err(ValidationError::new(
            path,
            format!("must have at most {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ValidationError::new(
            path,
            "must not contain control characters",
        ));
    }
    if value.chars().any(is_bidi_control) {
        return Err(ValidationError::new(
            path,
            "must not contain bidirectional overrides (U+202A-U+202E, U+2066-U+2069)",
        ));
    }
    Ok(())
}

/// Checks an RFC 3339 timestamp such as `2012-02-29T13:47:00Z` or `...+01:00`.
pub fn timestamp(path: &str, value: &str) -> Result {
    if is_rfc3339(value) {
        Ok(())
    } else {
        Err(ValidationError::new(
            path,
            "must be an RFC 3339 timestamp like 2012-02-29T13:47:00Z",
        ))
    }
}

fn is_rfc3339(v: &str) -> bool {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(v, &Rfc3339).is_ok()
}

fn list(path: &str, items: &[String], max_items: usize, max_chars: usize) -> Result {
    if items.len() > max_items {
        return Err(ValidationError::new(
            path,
            format!("must have at most {max_items} entries"),
        ));
    }
    for (i, item) in items.iter().enumerate() {
        text(&format!("{path}[{i}]"), item, 1, max_chars)?;
    }
    Ok(())
}

/// Checks one resource; `path` is its place in the file, e.g. `resources[3]`.
pub fn resource(path: &str, r: &Resource) -> Result {
    slug(&format!("{path}.id"), &r.id)?;
    text(&format!("{path}.title"), &r.title, 1, 300)?;
    text(&format!("{path}.summary"), &r.summary, 0, 2000)?;
    list(&format!("{path}.body"), &r.body, 100, 10_000)?;
    if r.links.len() > 50 {
        return Err(ValidationError::new(
            format!("{path}.links"),
            "must have at most 50 entries",
        ));
    }
    let mut link_ids = HashSet::new();
    for (i, link) in r.links.iter().enumerate() {
        let lp = format!("{path}.links[{i}]");
        slug(&format!("{lp}.id"), &link.id)?;
        if !link_ids.insert(link.id.as_str()) {
            return Err(ValidationError::new(
                format!("{lp}.id"),
                format!("duplicate link id '{}'", link.id),
            ));
        }
        text(&format!("{lp}.title"), &link.title, 1, 300)?;
        let local = link.url.starts_with('/') && !link.url.starts_with("//");
        if !(local || is_safe_url(&link.url)) || link.url.len() > 2000 {
            return Err(ValidationError::new(
                format!("{lp}.url"),
                "must be an http, https or mailto URL, or a path starting with '/'",
            ));
        }
        if let Some(mime) = &link.mime_type {
            let ok = mime.len() <= 100
                && mime
                    .split_once('/')
                    .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                && mime.bytes().all(|b| b.is_ascii_graphic());
            if !ok {
                return Err(ValidationError::new(
                    format!("{lp}.mime_type"),
                    "must be a MIME type like application/pdf",
                ));
            }
        }
    }
    list(&format!("{path}.partners"), &r.partners, 30, 200)?;
    list(&format!("{path}.tags"), &r.tags, 30, 60)?;
    let lang_ok = (2..=35).contains(&r.language.len())
        && r.language
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if !lang_ok {
        return Err(ValidationError::new(
            format!("{path}.language"),
            "must be a language tag like en or pt-BR",
        ));
    }
    for (i, id) in r.related.iter().enumerate() {
        slug(&format!("{path}.related[{i}]"), id)?;
    }
    list(&format!("{path}.highlights"), &r.highlights, 30, 500)?;
    timestamp(&format!("{path}.created"), &r.created)?;
    timestamp(&format!("{path}.modified"), &r.modified)?;
    text(
        &format!("{path}.version_comment"),
        &r.version_comment,
        0,
        500,
    )?;
    Ok(())
}

/// Checks a whole catalogue: format, every resource, unique ids, related ids that exist.
pub fn catalogue(c: &Catalogue) -> Result {
    if c.format != Catalogue::FORMAT {
        return Err(ValidationError::new(
            "format",
            format!("must be \"{}\"", Catalogue::FORMAT),
        ));
    }
    if c.version != Catalogue::VERSION {
        return Err(ValidationError::new(
            "version",
            format!("must be {}", Catalogue::VERSION),
        ));
    }
    let mut ids = HashSet::new();
    for (i, r) in c.resources.iter().enumerate() {
        let path = format!("resources[{i}]");
        resource(&path, r)?;
        if !ids.insert(r.id.as_str()) {
            return Err(ValidationError::new(
                format!("{path}.id"),
                format!("duplicate resource id '{}'", r.id),
            ));
        }
    }
    for (i, r) in c.resources.iter().enumerate() {
        for (j, rel) in r.related.iter().enumerate() {
            if !ids.contains(rel.as_str()) {
                return Err(ValidationError::new(
                    format!("resources[{i}].related[{j}]"),
                    format!("no resource has id '{rel}'"),
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::{Baseline, Link, LinkKind, ResourceKind};

    fn sample() -> Resource {
        Resource {
            id: "casm-global-partnership".into(),
            kind: ResourceKind::OnlineResource,
            title: "CASM".into(),
            summary: "s".into(),
            body: vec!["p".into()],
            links: vec![Link {
                id: "agenda".into(),
                title: "Roundtable Agenda".into(),
                url: "/files/agenda.pdf".into(),
                kind: LinkKind::Document,
                mime_type: Some("application/pdf".into()),
                size: Some(10),
                baseline_downloads: 0,
            }],
            partners: vec!["World Bank".into()],
            tags: vec![],
            language: "en".into(),
            related: vec![],
            highlights: vec![],
            created: "2012-02-29T13:47:00Z".into(),
            modified: "2012-02-29T13:47:00-05:00".into(),
            version: 1,
            version_comment: String::new(),
            baseline: Baseline::default(),
        }
    }

    #[test]
    fn safe_urls_keep_only_http_https_mailto() {
        assert!(is_safe_url("https://example.org/a"));
        assert!(is_safe_url("HTTP://example.org"));
        assert!(is_safe_url("mailto:a@b.org?subject=x"));
        assert!(!is_safe_url("javascript:alert(1)"));
        assert!(!is_safe_url("JavaScript:alert(1)"));
        assert!(!is_safe_url("java\tscript:alert(1)"));
        assert!(!is_safe_url("data:text/html,<script>"));
        assert!(!is_safe_url("/relative"));
        assert!(!is_safe_url("https:"));
        assert!(!is_safe_url(" https://x.org"));
    }

    #[test]
    fn a_good_resource_passes() {
        assert_eq!(resource("r", &sample()), Ok(()));
    }

    #[test]
    fn errors_name_the_path_of_the_bad_field() {
        let mut r = sample();
        r.links[0].url = "javascript:alert(1)".into();
        let err = resource("resources[4]", &r).unwrap_err();
        assert_eq!(err.path, "resources[4].links[0].url");

        let mut r = sample();
        r.created = "29 Feb 2012".into();
        assert_eq!(resource("r", &r).unwrap_err().path, "r.created");

        let mut r = sample();
        r.id = "Not A Slug".into();
        assert_eq!(resource("r", &r).unwrap_err().path, "r.id");
    }

    #[test]
    fn catalogue_rejects_duplicates_and_dangling_related_ids() {
        let mut c = Catalogue::new(vec![sample(), sample()]);
        assert_eq!(catalogue(&c).unwrap_err().path, "resources[1].id");
        c.resources.pop();
        c.resources[0].related = vec!["missing".into()];
        assert_eq!(catalogue(&c).unwrap_err().path, "resources[0].related[0]");
    }

    #[test]
    fn timestamps_follow_rfc3339() {
        for ok in ["2012-02-29T13:47:00Z", "2012-02-29T13:47:00.123+01:00"] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2012-02-29",
            "2012-13-01T00:00:00Z",
            "2011-02-29T13:47:00Z",
            "2012-02-30T13:47:00Z",
            "2012-02-29T24:00:00Z",
            "2012-02-29T13:47:00",
            "2012-02-29T13:47:00+1:00",
            "x",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn text_refuses_bidi_overrides_but_keeps_marks() {
        for bad in ["a\u{202E}b", "\u{2066}x\u{2069}", "x\u{202A}"] {
            assert!(text("t", bad, 0, 100).is_err(), "{bad:?}");
        }
        assert!(text("t", "CASM \u{200F}\u{0627}\u{200E} 2012", 0, 100).is_ok());
    }

    #[test]
    fn visitor_tokens_are_bounded() {
        assert!(visitor_token("visitor", "abcdefghijklmnop").is_ok());
        assert!(visitor_token("visitor", "short").is_err());
        assert!(visitor_token("visitor", "abcdefghijklmnop<script>").is_err());
    }
}
