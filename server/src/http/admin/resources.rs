//! Publishing, staff only: read and edit one resource in the import format, import a
//! whole catalogue, retire and restore. Bodies are checked by the same
//! [`casm_model::validate`] functions as `casm-feed import`; every change is one
//! transaction, and this instance serves it as soon as it is committed (other instances
//! within their catalogue refresh interval).

use super::Scope;
use crate::dates::utc_timestamp;
use crate::http::body::{self, ADMIN_BODY_LIMIT};
use crate::http::error::ApiError;
use crate::http::extract::Id;
use crate::store::{self, Published, StoreError};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use casm_model::wire::{ErrorBody, ImportReport, Retirement};
use casm_model::{Catalogue, Resource};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The publishing routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_resource, put_resource))
        .routes(routes!(retire))
        .routes(routes!(restore))
        .routes(routes!(import))
}

/// The header that tells the console a resource is retired, and since when (RFC 3339).
pub const RETIRED_AT: &str = "casm-retired-at";

fn unknown(id: &str) -> ApiError {
    ApiError::NotFound(format!("no resource has id '{id}'"))
}

/// A store error as the client sees it: a broken rule is a 400 naming the field; anything
/// else is logged and answered 503.
fn store_failed(e: StoreError) -> ApiError {
    match e {
        StoreError::Invalid(e) => invalid(e),
        e => {
            tracing::error!(error = %e, "publishing failed");
            ApiError::Unavailable
        }
    }
}

fn invalid(e: casm_model::ValidationError) -> ApiError {
    if e.path.is_empty() {
        ApiError::BadRequest {
            field: None,
            message: e.message,
        }
    } else {
        e.into()
    }
}

/// Serves what was just committed. If reading it back fails, the catalogue refresh loop
/// picks the change up later; the change itself stands.
async fn reload(state: &AppState) {
    match state.store.live_catalogue().await {
        Ok(c) => {
            state
                .live
                .replace_catalogue(c.version, c.resources, c.retired);
        }
        Err(e) => tracing::error!(error = %e, "reloading the catalogue after a change failed"),
    }
}

/// `GET /v1/admin/resources/{id}`: the stored resource in the import format, retired or
/// not (a retired one carries `casm-retired-at`).
#[utoipa::path(get, path = "/v1/admin/resources/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The resource's id")),
    responses(
        (status = 200, description = "The stored resource; a retired one carries `casm-retired-at`",
            body = Resource, headers(("casm-retired-at" = Option<String>, description = "RFC 3339"))),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
        (status = 404, description = "`not_found`: no resource has this id", body = ErrorBody),
    ))]
async fn get_resource(
    Extension(scope): Extension<Scope>,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    scope.staff()?;
    let stored = state
        .store
        .resource(&id)
        .await
        .map_err(store_failed)?
        .ok_or_else(|| unknown(&id))?;
    let mut response =
        ([(header::CACHE_CONTROL, "no-store")], Json(stored.resource)).into_response();
    if let Some(at) = stored.retired_at {
        if let Ok(value) = HeaderValue::from_str(&utc_timestamp(at)) {
            response.headers_mut().insert(RETIRED_AT, value);
        }
    }
    Ok(response)
}

/// `PUT /v1/admin/resources/{id}`: publishes one resource. 201 with the stored resource
/// for a new id, 200 otherwise (the same `version` when nothing changed).
#[utoipa::path(put, path = "/v1/admin/resources/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The resource's id")),
    request_body = Resource,
    responses(
        (status = 200, description = "Edited (or unchanged): the stored resource", body = Resource),
        (status = 201, description = "A new id: the stored resource", body = Resource),
        (status = 400, description = "`bad_request`: the field inside the resource named", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
    ))]
async fn put_resource(
    Extension(scope): Extension<Scope>,
    State(state): State<AppState>,
    Id(id): Id,
    request: Request,
) -> Result<Response, ApiError> {
    // The token first: a partner learns nothing from how its body would be judged.
    scope.staff()?;
    let bytes = body::read_body(request, ADMIN_BODY_LIMIT).await?;
    let resource: Resource = body::parse(&bytes)?;
    if resource.id != id {
        return Err(ApiError::bad_field(
            "id",
            format!(
                "id: the body's id '{}' is not the path's '{id}'",
                resource.id
            ),
        ));
    }
    let published = state
        .store
        .publish_resource(resource)
        .await
        .map_err(store_failed)?;
    let status = match &published {
        Published::Added(_) => StatusCode::CREATED,
        Published::Changed(_) | Published::Unchanged(_) => StatusCode::OK,
    };
    if !matches!(published, Published::Unchanged(_)) {
        reload(&state).await;
        tracing::info!(
            id,
            version = published.resource().version,
            "resource published"
        );
    }
    let resource = match published {
        Published::Added(r) | Published::Changed(r) | Published::Unchanged(r) => r,
    };
    Ok((
        status,
        [(header::CACHE_CONTROL, "no-store")],
        Json(resource),
    )
        .into_response())
}

/// `POST /v1/admin/import`: a whole catalogue in the import format, checked as
/// `casm-feed import` checks a file, published all or nothing.
#[utoipa::path(post, path = "/v1/admin/import", tag = "admin", security(("bearer" = [])),
    request_body = Catalogue,
    responses(
        (status = 200, description = "What changed", body = ImportReport),
        (status = 400, description = "`bad_request`: the field at fault named, e.g. `resources[5].links[0].url`",
            body = ErrorBody),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
    ))]
async fn import(
    Extension(scope): Extension<Scope>,
    State(state): State<AppState>,
    request: Request,
) -> Result<Json<ImportReport>, ApiError> {
    scope.staff()?;
    let bytes = body::read_body(request, ADMIN_BODY_LIMIT).await?;
    let catalogue = store::parse_catalogue(&bytes).map_err(invalid)?;
    let results = state
        .store
        .publish_catalogue(&catalogue)
        .await
        .map_err(store_failed)?;
    let mut report = ImportReport {
        added: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
    };
    for published in &results {
        match published {
            Published::Added(r) => report.added.push(r.id.clone()),
            Published::Changed(r) => report.changed.push(r.id.clone()),
            Published::Unchanged(_) => report.unchanged += 1,
        }
    }
    // Positions may have moved even when no content did.
    reload(&state).await;
    tracing::info!(
        added = report.added.len(),
        changed = report.changed.len(),
        unchanged = report.unchanged,
        "catalogue imported"
    );
    Ok(Json(report))
}

async fn set_retired(state: &AppState, id: String, retired: bool) -> Result<Response, ApiError> {
    let at = state
        .store
        .set_retired(&id, retired)
        .await
        .map_err(store_failed)?
        .ok_or_else(|| unknown(&id))?;
    reload(state).await;
    tracing::info!(id, retired, "retirement set");
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(Retirement {
            id,
            retired: at.is_some(),
            retired_at: at.map(utc_timestamp),
        }),
    )
        .into_response())
}

/// `POST /v1/admin/resources/{id}/retire`: gone from the feed and stats; its page answers
/// 410. Its row, counts and votes stay. Retiring again changes nothing.
#[utoipa::path(post, path = "/v1/admin/resources/{id}/retire", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The resource's id")),
    responses(
        (status = 200, description = "Retired (since the first time)", body = Retirement),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
        (status = 404, description = "`not_found`: no resource has this id", body = ErrorBody),
    ))]
async fn retire(
    Extension(scope): Extension<Scope>,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    scope.staff()?;
    set_retired(&state, id, true).await
}

/// `POST /v1/admin/resources/{id}/restore`: served again, with its counts.
#[utoipa::path(post, path = "/v1/admin/resources/{id}/restore", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "The resource's id")),
    responses(
        (status = 200, description = "Served again", body = Retirement),
        (status = 403, description = "`forbidden`: not a staff token", body = ErrorBody),
        (status = 404, description = "`not_found`: no resource has this id", body = ErrorBody),
    ))]
async fn restore(
    Extension(scope): Extension<Scope>,
    State(state): State<AppState>,
    Id(id): Id,
) -> Result<Response, ApiError> {
    scope.staff()?;
    set_retired(&state, id, false).await
}
