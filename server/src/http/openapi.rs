//! `GET /v1/openapi.json`: the OpenAPI 3.1 document of the service, generated from the
//! code so it cannot drift. Each handler carries its own `#[utoipa::path]` (method, path,
//! parameters, answers) and is registered with `utoipa_axum::routes!`, which adds the
//! route and its documentation together; bodies are `casm-model`'s types (their
//! `openapi` feature derives the schemas). The answers the layers around the handlers
//! give (CORS origin check, rate limit, body limits, authentication, timeout) are added by
//! [`layer_answers`] where [`super::app`] puts the layer on.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use bytes::Bytes;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi as _};

/// The name of the bearer security scheme the admin routes name.
pub const BEARER: &str = "bearer";

/// The parts of the document that belong to no route.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "CASM feed service",
        description = "The shared feed of CASM resources, their counters and helpful votes \
            (`/v1`), and the CASM team's admin API (`/v1/admin`). Generated from the service's \
            code; docs/API.md explains each route.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    components(schemas(casm_model::wire::ErrorBody)),
    modifiers(&BearerScheme),
    tags(
        (name = "feed", description = "Public reads: any page may show them (CORS `*`)."),
        (name = "writes", description = "Votes, events and feedback, from registered partner origins only."),
        (name = "admin", description = "The CASM team's API: `Authorization: Bearer <token>`."),
        (name = "service", description = "Health and this document."),
    )
)]
struct Base;

/// Adds the `bearer` scheme (`casm-feed admin token create NAME` makes a token).
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A staff token (`casm-feed admin token create NAME`) or a partner's read-only \
                 token (`casm-feed partner token create KEY`).",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// The document without paths: the routers' documents are merged into it.
pub fn base() -> OpenApi {
    Base::openapi()
}

/// An error answer some layer gives: its status and when.
#[derive(Clone, Copy, Debug)]
pub struct LayerAnswer {
    /// The HTTP status, e.g. `429`.
    pub status: u16,
    /// When the layer gives it.
    pub when: &'static str,
}

/// Every route: the method is not one the route has.
pub const METHOD_NOT_ALLOWED: LayerAnswer = LayerAnswer {
    status: 405,
    when: "`method_not_allowed`: the path exists, this method does not",
};
/// Every route: `--request-timeout` passed (body included).
pub const TIMEOUT: LayerAnswer = LayerAnswer {
    status: 408,
    when: "`timeout`: the request took too long to arrive or to answer",
};
/// Writes: not a registered partner's `Origin`.
pub const FORBIDDEN_ORIGIN: LayerAnswer = LayerAnswer {
    status: 403,
    when: "`forbidden_origin`: the `Origin` is not a registered partner's",
};
/// Writes: over the per-address POST rate.
pub const RATE_LIMITED: LayerAnswer = LayerAnswer {
    status: 429,
    when: "`rate_limited` (too many POSTs from this address) or `vote_limit` (the network's \
           daily vote cap for this resource); `Retry-After` says when to retry",
};
/// Admin routes: no token, or one that is not valid.
pub const UNAUTHORIZED: LayerAnswer = LayerAnswer {
    status: 401,
    when: "`unauthorized`: no valid `Authorization: Bearer` token",
};
/// Admin routes: the token store could not be read.
pub const UNAVAILABLE: LayerAnswer = LayerAnswer {
    status: 503,
    when: "`unavailable`: the store could not be read or written; retry shortly",
};

/// Routes that read a body (`body::read_body`): too big.
pub const PAYLOAD_TOO_LARGE: LayerAnswer = LayerAnswer {
    status: 413,
    when: "`payload_too_large`: over 16 KiB (publishing routes: 16 MiB)",
};
/// Routes that read a body: not JSON.
pub const UNSUPPORTED_MEDIA_TYPE: LayerAnswer = LayerAnswer {
    status: 415,
    when: "`unsupported_media_type`: the body is not `application/json` (or `text/plain`)",
};
/// Routes that read a body: not the JSON the route takes.
pub const BAD_BODY: LayerAnswer = LayerAnswer {
    status: 400,
    when: "`bad_request`: the body is not valid JSON of this shape; `field` names the path",
};

/// Adds the answers of the body reader ([`super::body`]) to every operation that takes
/// a body.
pub fn body_answers(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.put, &mut item.post, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            if operation.request_body.is_some() {
                add_answers(
                    operation,
                    &[BAD_BODY, PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE],
                );
            }
        }
    }
}

/// Adds `answers` (each with the error body) to every operation of `doc` that does not
/// document that status itself.
pub fn layer_answers(doc: &mut OpenApi, answers: &[LayerAnswer]) {
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            add_answers(operation, answers);
        }
    }
}

fn add_answers(operation: &mut Operation, answers: &[LayerAnswer]) {
    for answer in answers {
        operation
            .responses
            .responses
            .entry(answer.status.to_string())
            .or_insert_with(|| RefOr::T(error_response(answer.when)));
    }
}

/// An answer carrying [`casm_model::wire::ErrorBody`].
fn error_response(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(Ref::from_schema_name("ErrorBody"))),
        )
        .build()
}

/// The document as served, serialised once when the service starts.
#[derive(Clone)]
pub struct Document(Bytes);

impl Document {
    /// Serialises `doc` (a document that cannot be serialised is served as `{}`; it is
    /// built from types, so that does not happen).
    pub fn new(doc: &OpenApi) -> Self {
        Document(Bytes::from(
            serde_json::to_vec(doc).unwrap_or_else(|_| b"{}".to_vec()),
        ))
    }
}

/// This document: every route of the service but the static files.
#[utoipa::path(
    get,
    path = "/v1/openapi.json",
    tag = "service",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object),
    )
)]
pub async fn openapi_json(Extension(doc): Extension<Document>) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        doc.0,
    )
        .into_response()
}
