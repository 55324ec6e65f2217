//! Feed and API types shared by the CASM feed service (`server/`) and the widget (the root crate).
//!
//! # Layout
//! - [`resource`]: a resource of the catalogue (the import/export format) and its links.
//! - [`counters`]: the page-information counters, their wire names, and popularity ranking.
//! - [`api`]: request and response bodies of the `/v1` API.
//! - [`validate`]: validation with the path of the bad field, and URL scheme checks.
//!
//! This crate is compiled into the Wasm widget, so it has no dependencies but an optional
//! `serde` (derive only). The widget builds without the `serde` feature and decodes JSON
//! itself, because serde's error paths alone cost it about 20 KB gzipped.

pub mod api;
pub mod counters;
pub mod resource;
pub mod validate;

pub use api::{EventKind, EventRequest, FeedbackRequest, VoteRequest, VoteResponse};
pub use counters::{rank, Counter, Counters, LinkCounts, RankedScore};
pub use resource::{Baseline, Catalogue, Link, LinkKind, Resource, ResourceKind};
pub use validate::{is_safe_url, ValidationError};
