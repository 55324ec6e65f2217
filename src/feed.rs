//! The service's data as the widget uses it: the wire types of `casm-model` (the same
//! structs the service serialises), and why a request failed.

pub use casm_model::wire::{ErrorDetail, Feed, Item, ItemLink, Stats};
pub use casm_model::{Counters, VoteResponse};
use casm_model::{EventKind, LinkKind};

/// The event opening `link` records, if any: `video_download` for videos, `download` for
/// other files.
pub fn download_event(link: &ItemLink) -> Option<EventKind> {
    match link.kind {
        LinkKind::Video => Some(EventKind::VideoDownload),
        k if k.is_download() => Some(EventKind::Download),
        _ => None,
    }
}

/// Why a request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The service could not be reached (network error, CORS, offline).
    Offline,
    /// The service answered with an error status, and its error body when it sent one.
    Http {
        status: u16,
        error: Option<ErrorDetail>,
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

    /// A stable code for the host page's `casm:error` event: the service's error code
    /// when it sent one, else `offline`, `invalid` or `http_<status>`.
    pub fn code(&self) -> String {
        match self {
            Failure::Offline => "offline".to_owned(),
            Failure::Invalid => "invalid".to_owned(),
            Failure::Http { error: Some(e), .. } if !e.code.is_empty() => e.code.clone(),
            Failure::Http { status, .. } => {
                crate::format::cat(&["http_", &crate::format::int(u64::from(*status))])
            }
        }
    }
}
