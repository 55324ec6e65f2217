//! Numbers over time: `GET /v1/admin/series`, `/v1/admin/summary` and
//! `/v1/admin/export.csv`, read from `daily_counters`. Parameters are checked by
//! [`crate::series::SeriesParams`]; a partner token reads only its own partner's numbers
//! ([`Scope::partner_filter`]).

use super::Scope;
use crate::http::error::ApiError;
use crate::series::{self, Filter, ParamError, SeriesParams, SeriesQuery};
use crate::store::StoreError;
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use std::collections::HashMap;

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        ApiError::bad_field(e.field, e.message)
    }
}

/// The routes of this module (behind the admin authentication of [`super::router`]).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/series", get(series))
        .route("/v1/admin/summary", get(summary))
        .route("/v1/admin/export.csv", get(export_csv))
}

fn unavailable(e: StoreError) -> ApiError {
    tracing::error!("reading daily counters: {e}");
    ApiError::Unavailable
}

/// The resource's title, from the catalogue in memory.
fn title(state: &AppState, id: &str) -> Option<String> {
    state.live.entry(id).map(|e| e.resource.title.clone())
}

/// The params with the partner the scope allows (403 for another partner's).
fn scoped(scope: &Scope, mut params: SeriesParams) -> Result<SeriesParams, ApiError> {
    params.partner = scope.partner_filter(params.partner.as_deref())?;
    Ok(params)
}

fn series_query(
    state: &AppState,
    scope: &Scope,
    pairs: &HashMap<String, String>,
) -> Result<SeriesQuery, ApiError> {
    let params = scoped(scope, SeriesParams::for_series(pairs)?)?;
    Ok(params.series(crate::dates::utc_day(), |id| state.live.entry(id).is_some())?)
}

/// Admin numbers are per token: never cached by anyone.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn series(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Query(pairs): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let q = series_query(&state, &scope, &pairs)?;
    let series = state
        .store
        .series(&q, |id| title(&state, id))
        .await
        .map_err(unavailable)?;
    Ok(no_store(Json(series).into_response()))
}

async fn summary(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Query(pairs): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let params = scoped(&scope, SeriesParams::for_summary(&pairs)?)?;
    let filter: Filter =
        params.filter(crate::dates::utc_day(), |id| state.live.entry(id).is_some())?;
    let summary = state
        .store
        .summary(&filter, |id| title(&state, id))
        .await
        .map_err(unavailable)?;
    Ok(no_store(Json(summary).into_response()))
}

async fn export_csv(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Query(pairs): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let q = series_query(&state, &scope, &pairs)?;
    let export = series::export(&state.store, &q, |id| title(&state, id))
        .await
        .map_err(unavailable)?;
    let disposition = format!("attachment; filename=\"{}\"", export.file_name);
    let mut response = (
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        export.csv,
    )
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(no_store(response))
}
