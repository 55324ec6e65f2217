//! `/v1/admin/feedback`: the moderation queue of "Submit your comments" messages. Staff
//! tokens only: the messages (and the contacts visitors left) are never shown to partner
//! tokens or on any public route. Answers are `Cache-Control: no-store`.
//!
//! - `GET /v1/admin/feedback?status=&resource=`: messages, newest first.
//! - `GET /v1/admin/feedback/{id}`: one message.
//! - `POST /v1/admin/feedback/{id}` `{"status": "handled"}`: moves it; answers the message.
//! - `DELETE /v1/admin/feedback/{id}`: deletes it (204).
//! - `POST /v1/admin/feedback/erase` `{"contact": "a@b.org"}`: deletes everything that
//!   contact ever sent (an erasure request); answers `{"erased": n}`.

use super::Scope;
use crate::dates::utc_timestamp;
use crate::http::body::JsonBody;
use crate::http::error::ApiError;
use crate::http::extract::{Id, Params};
use crate::store::{Feedback, FeedbackFilter, StoreError};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use casm_model::wire::{Erased, ErrorBody, FeedbackItem, FeedbackList};
use casm_model::{validate, EraseRequest, FeedbackStatus, FeedbackUpdate};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The moderation routes; [`super::router`] puts them behind authentication.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(erase))
        .routes(routes!(item, update, remove))
}

/// The wire form of a stored message.
fn to_wire(f: Feedback) -> FeedbackItem {
    FeedbackItem {
        id: f.id,
        resource: f.resource,
        partner: f.partner,
        text: f.text,
        contact: f.contact,
        status: f.status,
        created_at: utc_timestamp(f.created_at),
    }
}

/// A JSON answer that no cache keeps: it may hold visitors' contacts.
fn private<T: serde::Serialize>(body: T) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// The name of the token, for the log of what staff did.
fn token(scope: &Scope) -> &str {
    match scope {
        Scope::Staff { token } | Scope::Partner { token, .. } => token,
    }
}

fn store_failed(e: StoreError) -> ApiError {
    tracing::error!(error = %e, "moderation store access failed");
    ApiError::Unavailable
}

fn unknown(id: &str) -> ApiError {
    ApiError::NotFound(format!("no feedback message has id '{id}'"))
}

/// Ids are numbers; anything else names no message.
fn parse_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| unknown(id))
}

fn filter(params: &HashMap<String, String>) -> Result<FeedbackFilter, ApiError> {
    let mut filter = FeedbackFilter::default();
    if let Some(status) = params.get("status") {
        filter.status = Some(FeedbackStatus::parse(status).ok_or_else(|| {
            ApiError::bad_field("status", "status must be new, handled or archived")
        })?);
    }
    if let Some(resource) = params.get("resource") {
        validate::text("resource", resource, 1, 200)?;
        filter.resource = Some(resource.clone());
    }
    Ok(filter)
}

/// Messages, newest first.
#[utoipa::path(get, path = "/v1/admin/feedback", tag = "admin", security(("bearer" = [])),
    params(
        ("status" = Option<FeedbackStatus>, Query, nullable = false, description = "Only this status"),
        ("resource" = Option<String>, Query, nullable = false, min_length = 1, max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            description = "Only messages about this resource"),
    ),
    responses(
        (status = 200, description = "The messages", body = FeedbackList),
        (status = 400, description = "`bad_request`: a bad `status` or `resource`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
    ))]
async fn list(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Params(params): Params,
) -> Result<Response, ApiError> {
    scope.staff()?;
    let filter = filter(&params)?;
    let items = state.store.feedback(&filter).await.map_err(store_failed)?;
    Ok(private(FeedbackList {
        items: items.into_iter().map(to_wire).collect(),
    }))
}

/// One message.
#[utoipa::path(get, path = "/v1/admin/feedback/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id (a number)")),
    responses(
        (status = 200, description = "The message", body = FeedbackItem),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
        (status = 404, description = "`not_found`: no message has this id", body = ErrorBody),
    ))]
async fn item(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    scope.staff()?;
    let found = state
        .store
        .feedback_item(parse_id(&id)?)
        .await
        .map_err(store_failed)?;
    Ok(private(to_wire(found.ok_or_else(|| unknown(&id))?)))
}

/// Moves a message to another status.
#[utoipa::path(post, path = "/v1/admin/feedback/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id (a number)")),
    request_body = FeedbackUpdate,
    responses(
        (status = 200, description = "The message as it now is", body = FeedbackItem),
        (status = 400, description = "`bad_request`: a bad body, the field named", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
        (status = 404, description = "`not_found`: no message has this id", body = ErrorBody),
    ))]
async fn update(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Id(id): Id,
    JsonBody(req): JsonBody<FeedbackUpdate>,
) -> Result<Response, ApiError> {
    scope.staff()?;
    let updated = state
        .store
        .set_feedback_status(parse_id(&id)?, req.status)
        .await
        .map_err(store_failed)?
        .ok_or_else(|| unknown(&id))?;
    tracing::info!(
        token = token(&scope),
        feedback = updated.id,
        status = req.status.name(),
        "feedback moved"
    );
    Ok(private(to_wire(updated)))
}

/// Deletes a message.
#[utoipa::path(delete, path = "/v1/admin/feedback/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The message's id (a number)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
        (status = 404, description = "`not_found`: no message has this id", body = ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Id(id): Id,
) -> Result<StatusCode, ApiError> {
    scope.staff()?;
    let n = parse_id(&id)?;
    if !state.store.delete_feedback(n).await.map_err(store_failed)? {
        return Err(unknown(&id));
    }
    tracing::info!(token = token(&scope), feedback = n, "feedback deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// An erasure request: deletes every message whose contact is this address.
#[utoipa::path(post, path = "/v1/admin/feedback/erase", tag = "admin", security(("bearer" = [])),
    request_body = EraseRequest,
    responses(
        (status = 200, description = "How many were deleted", body = Erased),
        (status = 400, description = "`bad_request`: a bad body, the field named", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
    ))]
async fn erase(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    JsonBody(req): JsonBody<EraseRequest>,
) -> Result<Response, ApiError> {
    scope.staff()?;
    // The limit counts the address as sent, emptiness the address trimmed: the rules the
    // OpenAPI document states (`maxLength` and a pattern).
    validate::text("contact", &req.contact, 1, 200)?;
    validate::text("contact", req.contact.trim(), 1, 200)?;
    let erased = state
        .store
        .erase_contact(&req.contact)
        .await
        .map_err(store_failed)?;
    // The address itself is not logged: that is what is being forgotten.
    tracing::info!(
        token = token(&scope),
        erased,
        "feedback of one contact erased"
    );
    Ok(private(Erased { erased }))
}
