//! Feed and API types shared by the CASM feed service (`server/`) and the widget (the root crate).
//!
//! # Layout
//! - [`resource`]: a resource of the catalogue (the import/export format) and its links.
//! - [`counters`]: the page-information counters, their wire names, and popularity ranking.
//! - [`api`]: request bodies of the `/v1` API (and of moderation), the vote answer, feed
//!   order and limits, feedback statuses.
//! - [`wire`]: the bodies the service answers with (JSON Feed, stats, errors, ...).
//! - [`validate`]: validation with the path of the bad field, and URL scheme checks.
//!
//! This crate is compiled into the Wasm widget, so it depends only on `litemap` (the
//! id-keyed maps, a sorted `Vec`) and an optional `serde` (derive only); the `openapi`
//! feature (utoipa's `ToSchema`, for the service's `/v1/openapi.json`) is the service's
//! alone. The service serialises and deserialises with it; the widget serialises its
//! request bodies with it and decodes answers into these same types with a small reader
//! of its own (serde's deserializer would cost the widget 45 KB gzipped;
//! `scripts/measure-decoders.sh`).

pub mod api;
pub mod counters;
pub mod resource;
pub mod validate;
pub mod wire;

pub use api::{
    EraseRequest, EventKind, EventRequest, FeedbackRequest, FeedbackStatus, FeedbackUpdate, Sort,
    VoteRequest, VoteResponse,
};
pub use counters::{rank, Counter, Counters, LinkCounts, RankedScore};
pub use resource::{Baseline, Catalogue, Link, LinkKind, Resource, ResourceKind};
pub use validate::{is_safe_url, ValidationError};
