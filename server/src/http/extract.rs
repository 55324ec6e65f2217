//! Path and query extractors whose rejections are [`ApiError`]s, so a request axum cannot
//! read still gets the API's JSON error body rather than axum's plain-text one: a path
//! segment that is not UTF-8 once percent-decoded (`/v1/resources/%FF`), or a query
//! string that repeats a parameter a struct takes once (`?by=a&by=b`).

use super::error::ApiError;
use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use std::collections::HashMap;

/// The `{id}` segment of a route. One that is not UTF-8 names nothing: 404.
pub struct Id(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(id)| Id(id))
            .map_err(|_| ApiError::NotFound("no such id: it is not valid UTF-8".into()))
    }
}

/// The query string as name → value (a repeated name keeps its last value); each handler
/// checks its own names, so a bad one gets a 400 that names it.
pub struct Params(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(params)| Params(params))
            .map_err(|_| ApiError::BadRequest {
                field: None,
                message: "the query string cannot be read".into(),
            })
    }
}
