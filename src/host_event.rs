//! What the widget tells the host page: DOM `CustomEvent`s on the host element
//! (`bubbles`, `composed`), for partners' own analytics. Plain Rust; the runner turns a
//! [`HostEvent`] into a `CustomEvent` whose `detail` serde-wasm-bindgen makes from it.

use serde::Serialize;

/// One event for the host page; serialises as its `detail`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum HostEvent {
    /// `casm:render`: content was drawn (fresh or the saved copy).
    Render(Rendered),
    /// `casm:vote`: the service confirmed a vote or its undoing.
    Vote(Voted),
    /// `casm:download`: a visitor opened a download link.
    Download(Downloaded),
    /// `casm:error`: loading, a vote or comments failed.
    Error(Failed),
}

impl HostEvent {
    /// The event type, e.g. `casm:vote`.
    pub const fn name(&self) -> &'static str {
        match self {
            HostEvent::Render(_) => "casm:render",
            HostEvent::Vote(_) => "casm:vote",
            HostEvent::Download(_) => "casm:download",
            HostEvent::Error(_) => "casm:error",
        }
    }
}

/// `casm:render` detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rendered {
    /// The resource id; `null` for a list.
    pub resource: Option<String>,
    /// `resource`, `card` or `list`.
    pub view: &'static str,
    /// The language the widget speaks, e.g. `fr`.
    pub lang: &'static str,
}

/// `casm:vote` detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Voted {
    pub resource: String,
    /// Whether this visitor's helpful vote now stands.
    pub helpful: bool,
    /// The resource's helpful votes, as the service counted them. A `u32` (saturating):
    /// serde-wasm-bindgen's `u64` path can fail with a formatted message, which would
    /// bring `core::fmt` back into the Wasm.
    pub helpful_votes: u32,
}

/// `casm:download` detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Downloaded {
    pub resource: String,
    /// The link's id within the resource.
    pub link: String,
    /// Where it leads.
    pub url: String,
}

/// `casm:error` detail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failed {
    /// Stable: the service's error code (`vote_limit`, `not_found`, …), or `offline`,
    /// `invalid`, `http_<status>`.
    pub code: String,
    /// For developers, in English.
    pub message: String,
}
