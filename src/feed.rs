//! The feed service's data as the widget uses it: typed, plain Rust, no JavaScript values.

use casm_model::{Counter, LinkKind, ResourceKind};

/// One resource (a JSON Feed item with its `_casm` extension).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item {
    pub id: String,
    /// The full resource page.
    pub url: String,
    pub title: String,
    pub summary: String,
    /// Plain-text paragraphs.
    pub body: Vec<String>,
    /// `None` when the service sent a kind this widget does not know.
    pub kind: Option<ResourceKind>,
    /// BCP 47 tag of the text.
    pub language: String,
    pub partners: Vec<String>,
    pub links: Vec<ItemLink>,
    /// RFC 3339 timestamps as published.
    pub created: String,
    pub modified: String,
    pub version_comment: String,
    /// Live counters (`/v1/resources/{id}` only; lists get them from `/v1/stats`).
    pub counters: Option<Counts>,
}

/// One link of a resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemLink {
    pub id: String,
    pub title: String,
    pub url: String,
    /// `None` for a kind this widget does not know (treated as a plain page).
    pub kind: Option<LinkKind>,
    pub mime_type: Option<String>,
    pub size: Option<u64>,
}

impl ItemLink {
    /// The event opening this link records, if any: `video_download` for videos,
    /// `download` for other files.
    pub fn download_event(&self) -> Option<casm_model::EventKind> {
        match self.kind {
            Some(LinkKind::Video) => Some(casm_model::EventKind::VideoDownload),
            Some(k) if k.is_download() => Some(casm_model::EventKind::Download),
            _ => None,
        }
    }
}

/// The Page Information counters of one resource, by [`Counter`].
///
/// An array rather than `casm_model::Counters`: the widget does not show per-link counts,
/// and a map of them costs the Wasm build about 1 KB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts([u64; Counter::ALL.len()]);

impl Counts {
    /// The value of one counter.
    pub fn get(&self, counter: Counter) -> u64 {
        self.0.get(counter as usize).copied().unwrap_or(0)
    }

    /// Sets one counter.
    pub fn set(&mut self, counter: Counter, value: u64) {
        if let Some(slot) = self.0.get_mut(counter as usize) {
            *slot = value;
        }
    }

    /// These counts with one more value set.
    pub fn with(mut self, counter: Counter, value: u64) -> Counts {
        self.set(counter, value);
        self
    }
}

/// `/v1/stats`: counters per resource id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats(pub Vec<(String, Counts)>);

impl Stats {
    /// The counters of one resource.
    pub fn get(&self, id: &str) -> Option<&Counts> {
        self.0.iter().find(|(k, _)| k == id).map(|(_, c)| c)
    }
}

/// The body of an error answer: `{"error": {"code", "message"}}`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

/// The answer to a vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VoteResult {
    pub helpful_votes: u64,
    pub voted: bool,
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The service could not be reached (network error, CORS, offline).
    Offline,
    /// The service answered with an error status.
    Http {
        status: u16,
        error: Option<ApiError>,
    },
    /// The answer could not be read.
    Invalid,
}

impl Failure {
    /// One line for the console (English, for developers).
    pub fn describe(&self) -> String {
        match self {
            Failure::Offline => "the service cannot be reached".to_owned(),
            Failure::Invalid => "the answer could not be read".to_owned(),
            Failure::Http { status, error } => {
                let code = error.as_ref().map_or("", |e| e.code.as_str());
                crate::format::cat(&["HTTP ", &crate::format::int(u64::from(*status)), " ", code])
            }
        }
    }
}
