//! The one error type of the HTTP layer. Clients see a stable code and a message meant for
//! them; internal detail goes to the log only.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use casm_model::wire::{ErrorBody, ErrorDetail};
use casm_model::ValidationError;

/// An error answer of the API.
#[derive(Debug)]
pub enum ApiError {
    /// 400: malformed body or query; names the field when one is at fault.
    BadRequest {
        field: Option<String>,
        message: String,
    },
    /// 401: an admin route without a valid bearer token.
    Unauthorized,
    /// 403: a POST from an origin that is not a registered partner's.
    ForbiddenOrigin,
    /// 403: a valid token that may not do this.
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// 405.
    MethodNotAllowed,
    /// 410: a resource the CASM team has retired (the widget shows the message).
    Gone,
    /// 408: the request (body included) took longer than the configured timeout.
    Timeout,
    /// 413.
    PayloadTooLarge { limit: usize },
    /// 415.
    UnsupportedMediaType,
    /// 422: well-formed, but not acceptable.
    Unprocessable {
        field: Option<String>,
        message: String,
    },
    /// 429 with Retry-After seconds.
    RateLimited { retry_after_secs: u64 },
    /// 429: the client holds its most open streams (`--max-streams-per-client`).
    TooManyStreams,
    /// 429: the network's daily vote cap for this resource is reached.
    VoteLimit { retry_after_secs: u64 },
    /// 503: the store could not commit; detail is logged, not shown.
    Unavailable,
    /// 503: the database does not answer or the writer has stopped (`/readyz`).
    NotReady,
    /// 503: the server holds its most connections; sent raw by [`super::serve`] before
    /// closing the connection.
    Overloaded,
}

/// The `code` of an error answer, left in the response's extensions so layers (metrics)
/// can tell why a request was refused without parsing the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

impl ApiError {
    /// A 400 naming `field`.
    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            field: Some(field.into()),
            message: message.into(),
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, String, Option<&str>) {
        match self {
            ApiError::BadRequest { field, message } => (
                StatusCode::BAD_REQUEST,
                "bad_request",
                message.clone(),
                field.as_deref(),
            ),
            ApiError::ForbiddenOrigin => (
                StatusCode::FORBIDDEN,
                "forbidden_origin",
                "this site is not registered to send votes or events; ask the CASM team to add its origin".into(),
                None,
            ),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send Authorization: Bearer <token> with a token from `casm-feed admin token create`".into(),
                None,
            ),
            ApiError::Forbidden(why) => (StatusCode::FORBIDDEN, "forbidden", why.clone(), None),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, "not_found", what.clone(), None),
            ApiError::Gone => (
                StatusCode::GONE,
                "gone",
                "This resource has been retired by the CASM team.".into(),
                None,
            ),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not accept that method".into(),
                None,
            ),
            ApiError::Timeout => (
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                "the request took too long to arrive or to answer".into(),
                None,
            ),
            ApiError::PayloadTooLarge { limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the body must be at most {limit} bytes"),
                None,
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as application/json (or text/plain holding JSON)".into(),
                None,
            ),
            ApiError::Unprocessable { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "unprocessable",
                message.clone(),
                field.as_deref(),
            ),
            ApiError::RateLimited { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many requests from this address; retry later".into(),
                None,
            ),
            ApiError::TooManyStreams => (
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_streams",
                "this address has too many open streams; close one, or retry later".into(),
                None,
            ),
            ApiError::VoteLimit { .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "vote_limit",
                "your network has reached today's limit of votes for this resource".into(),
                None,
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the service could not save this right now; retry shortly".into(),
                None,
            ),
            ApiError::NotReady => (
                StatusCode::SERVICE_UNAVAILABLE,
                "not_ready",
                "the service cannot reach its database right now".into(),
                None,
            ),
            ApiError::Overloaded => (
                StatusCode::SERVICE_UNAVAILABLE,
                "overloaded",
                "the server has too many open connections; retry shortly".into(),
                None,
            ),
        }
    }

    /// The status and the JSON body of this error, for answers written outside axum.
    pub fn status_and_body(&self) -> (StatusCode, Vec<u8>) {
        let (status, code, message, field) = self.parts();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                field: field.map(str::to_owned),
            },
        };
        // Serialising plain strings cannot fail.
        (status, serde_json::to_vec(&body).unwrap_or_default())
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::bad_field(e.path.clone(), e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = self.parts();
        let body = ErrorBody {
            error: ErrorDetail {
                code: code.to_owned(),
                message,
                field: field.map(str::to_owned),
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        response.extensions_mut().insert(ErrorCode(code));
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let ApiError::Unauthorized = self {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let ApiError::RateLimited { retry_after_secs }
        | ApiError::VoteLimit { retry_after_secs } = self
        {
            headers.insert(
                header::RETRY_AFTER,
                HeaderValue::from(retry_after_secs.max(1)),
            );
        }
        if let ApiError::TooManyStreams = self {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        }
        response
    }
}
