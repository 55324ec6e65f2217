//! Numbers over time: `GET /v1/admin/series`, `/v1/admin/summary` and
//! `/v1/admin/export.csv`, read from `daily_counters`. Parameters are checked by
//! [`crate::series::SeriesParams`]; a partner token reads only its own partner's numbers
//! ([`Scope::partner_filter`]).

use super::Scope;
use crate::http::error::ApiError;
use crate::http::extract::Params;
use crate::series::{self, Filter, ParamError, SeriesParams, SeriesQuery};
use crate::store::StoreError;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use casm_model::wire::{ErrorBody, Series, Summary};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

impl From<ParamError> for ApiError {
    fn from(e: ParamError) -> Self {
        ApiError::bad_field(e.field, e.message)
    }
}

/// The routes of this module (behind the admin authentication of [`super::router`]).
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(series))
        .routes(routes!(summary))
        .routes(routes!(export_csv))
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

// Query values: an empty one counts as absent (hence the patterns' `?`). The parameters
// are documented once here and checked by `SeriesParams`; `tests/openapi.rs` checks the
// metric pattern names exactly the maintained counters.

/// The period and filters every numbers route takes (documentation only).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct Period {
    /// First UTC day, `YYYY-MM-DD`; default: 30 days before `to`.
    #[param(nullable = false, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    from: Option<String>,
    /// Last UTC day, inclusive; default today. At most 366 days, `from` ≤ `to`.
    #[param(nullable = false, pattern = "^([0-9]{4}-[0-9]{2}-[0-9]{2})?$")]
    to: Option<String>,
    /// One resource's numbers (a known id).
    #[param(nullable = false)]
    resource: Option<String>,
    /// One partner's numbers (a partner token: only its own, the default).
    #[param(nullable = false)]
    partner: Option<String>,
}

/// What a series shows (documentation only).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct Shape {
    /// The counter; default `page_views`.
    #[param(
        nullable = false,
        pattern = "^(helpful_votes|page_views|pages_emailed|metacard_views|attachments_downloaded|videos_downloaded)?$"
    )]
    metric: Option<String>,
    /// One series per partner or resource; without it one keyed `all`.
    #[param(nullable = false, pattern = "^(partner|resource)?$")]
    by: Option<String>,
}

/// One counter per UTC day, for all the numbers or per partner or resource.
#[utoipa::path(get, path = "/v1/admin/series", tag = "admin", security(("bearer" = [])),
    params(Period, Shape),
    responses(
        (status = 200, description = "The series", body = Series),
        (status = 400, description = "`bad_request`: a bad or unknown parameter, named in `field`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a partner token asking for another partner", body = ErrorBody),
    ))]
async fn series(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Params(pairs): Params,
) -> Result<Response, ApiError> {
    let q = series_query(&state, &scope, &pairs)?;
    let series = state
        .store
        .series(&q, |id| title(&state, id))
        .await
        .map_err(unavailable)?;
    Ok(no_store(Json(series).into_response()))
}

/// A period's totals beside the previous period's, and the top resources and partners.
#[utoipa::path(get, path = "/v1/admin/summary", tag = "admin", security(("bearer" = [])),
    params(Period),
    responses(
        (status = 200, description = "The summary", body = Summary),
        (status = 400, description = "`bad_request`: a bad or unknown parameter, named in `field`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a partner token asking for another partner", body = ErrorBody),
    ))]
async fn summary(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Params(pairs): Params,
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

/// The series in long form as CSV: `day,<group>,<metric>`, RFC 4180, CRLF.
#[utoipa::path(get, path = "/v1/admin/export.csv", tag = "admin", security(("bearer" = [])),
    params(Period, Shape),
    responses(
        (status = 200, description = "The CSV file (`Content-Disposition: attachment`)",
            content_type = "text/csv", body = String),
        (status = 400, description = "`bad_request`: a bad or unknown parameter, named in `field`", body = ErrorBody),
        (status = 403, description = "`forbidden`: a partner token asking for another partner", body = ErrorBody),
    ))]
async fn export_csv(
    State(state): State<AppState>,
    Extension(scope): Extension<Scope>,
    Params(pairs): Params,
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
