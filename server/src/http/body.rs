//! The JSON body extractor of POST routes: checks the media type, the size, and the shape,
//! and names the bad field when there is one.

use super::error::ApiError;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

/// Largest POST body accepted.
pub const BODY_LIMIT: usize = 16 * 1024;

/// A JSON body of type `T`, sent as `application/json` or as `text/plain` (what
/// `navigator.sendBeacon` sends without a preflight).
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        read_json(req, BODY_LIMIT).await.map(JsonBody)
    }
}

/// Largest resource or catalogue the admin routes accept.
pub const ADMIN_BODY_LIMIT: usize = crate::store::MAX_CATALOGUE_BYTES;

/// A JSON body of type `T` like [`JsonBody`], up to [`ADMIN_BODY_LIMIT`]: a resource or a
/// whole catalogue sent by staff.
pub struct AdminJsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AdminJsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, ApiError> {
        read_json(req, ADMIN_BODY_LIMIT).await.map(AdminJsonBody)
    }
}

async fn read_json<T: DeserializeOwned>(req: Request, limit: usize) -> Result<T, ApiError> {
    let bytes = read_body(req, limit).await?;
    parse(&bytes)
}

/// The raw body of a JSON request: checks the media type and the size.
pub async fn read_body(req: Request, limit: usize) -> Result<bytes::Bytes, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && essence != "text/plain" {
        return Err(ApiError::UnsupportedMediaType);
    }
    // A declared length over the limit is refused before any of the body is read.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::PayloadTooLarge { limit });
    }
    axum::body::to_bytes(Body::new(req.into_body()), limit)
        .await
        .map_err(|_| ApiError::PayloadTooLarge { limit })
}

/// Parses JSON, turning serde's error into a 400 that names the path of the bad field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("the body is not valid JSON: {inner}")
        } else {
            inner.to_string()
        };
        let field = (path != ".").then(|| path.clone());
        let message = match &field {
            Some(f) if !message.starts_with(f.as_str()) => format!("{f}: {message}"),
            _ => message,
        };
        ApiError::BadRequest { field, message }
    })
}
