//! The `/v1` API, `/healthz` and `/readyz`.

use super::body::JsonBody;
use super::client::{is_bot, ClientAddr, PartnerKey};
use super::error::ApiError;
use super::extract::{Id, Params};
use crate::counts::partner_counts;
use crate::feed::{self, Encoded, FeedQuery};
use crate::metrics::Outcome;
use crate::store::{Applied, Write};
use crate::writer;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use casm_model::api::{FEEDBACK_MAX_CHARS, FEED_LIMIT, MAX_STATS_IDS, SEARCH_MAX_CHARS};
use casm_model::wire::{
    ErrorBody, EventAccepted, Feed, FeedbackEvent, Health, Item, ResourceStats, Stats,
};
use casm_model::{validate, EventKind, EventRequest, FeedbackRequest, LinkKind, VoteRequest};
use casm_model::{Sort, VoteResponse};
use std::collections::HashMap;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The public reads, each with its OpenAPI operation.
pub fn read_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(super::openapi::openapi_json))
        .routes(routes!(feed_json))
        .routes(routes!(resource))
        .routes(routes!(stats))
        .routes(routes!(super::stream::stream))
}

/// The writes, accepted from partner origins only (see [`super::client::require_partner`]).
pub fn write_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(vote))
        .routes(routes!(event))
        .routes(routes!(feedback))
}

/// The service is up and how many resources it serves.
#[utoipa::path(get, path = "/healthz", tag = "service",
    responses((status = 200, description = "Up", body = Health)))]
async fn healthz(State(state): State<AppState>) -> Response {
    (
        [(header::CACHE_CONTROL, "no-store")],
        Json(Health {
            status: "ok".to_owned(),
            resources: state.live.len(),
        }),
    )
        .into_response()
}

/// Longest wait for the database's answer to `/readyz`'s query.
const READY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// `GET /readyz`: 200 when the database answers a trivial query and the writer task is
/// running, else 503 (a load balancer then sends traffic elsewhere). `/healthz` only says
/// the process is up, so an orchestrator does not restart it for a database outage.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses(
        (status = 200, description = "The database answers and the writer runs", body = Health),
        (status = 503, description = "Not ready (`not_ready`): send traffic elsewhere", body = ErrorBody),
    ))]
async fn readyz(State(state): State<AppState>) -> Result<Response, ApiError> {
    let database = tokio::time::timeout(READY_TIMEOUT, state.store.ping()).await;
    let database_ok = match database {
        Ok(Ok(())) => true,
        Ok(Err(e)) => {
            crate::metrics::db_error("ping");
            tracing::warn!(error = %e, "readiness: the database does not answer");
            false
        }
        Err(_) => {
            crate::metrics::db_error("ping");
            tracing::warn!("readiness: the database did not answer in time");
            false
        }
    };
    if !database_ok || !state.writer.is_alive() {
        return Err(ApiError::NotReady);
    }
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(Health {
            status: "ready".to_owned(),
            resources: state.live.len(),
        }),
    )
        .into_response())
}

/// Query parameters are taken as strings and checked here, so a bad one gets a 400 that
/// names it instead of a generic rejection.
fn feed_query(params: &HashMap<String, String>) -> Result<FeedQuery, ApiError> {
    let mut q = FeedQuery::default();
    for (key, value) in params {
        match key.as_str() {
            "limit" => {
                let limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| FEED_LIMIT.contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_field(
                            "limit",
                            format!(
                                "limit must be {} to {}",
                                FEED_LIMIT.start(),
                                FEED_LIMIT.end()
                            ),
                        )
                    })?;
                q.limit = limit as usize;
            }
            "offset" => {
                q.offset = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n <= 1_000_000)
                    .ok_or_else(|| ApiError::bad_field("offset", "offset must be a number ≥ 0"))?;
            }
            "sort" => {
                q.sort = Sort::parse(value)
                    .ok_or_else(|| ApiError::bad_field("sort", "sort must be popular or recent"))?;
            }
            "q" => {
                let search = value.trim();
                validate::text("q", search, 0, SEARCH_MAX_CHARS)?;
                q.set_search(search);
            }
            "tag" | "partner" => {
                validate::text(key, value, 1, 200)?;
                let v = Some(value.clone());
                if key == "tag" {
                    q.tag = v;
                } else {
                    q.partner = v;
                }
            }
            _ => {}
        }
    }
    Ok(q)
}

/// Whether the client's `If-None-Match` names `etag`.
fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// Whether `Accept-Encoding` accepts `coding` (a `q=0` refuses it).
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';');
            let name = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q == 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

/// Serves a precompressed body: 304 when the client has it, else the best encoding.
fn serve_encoded(
    headers: &HeaderMap,
    body: &Encoded,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let etag = HeaderValue::from_str(&body.etag).unwrap_or(HeaderValue::from_static("\"\""));
    let common = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        (header::VARY, HeaderValue::from_static("Accept-Encoding")),
    ];
    if not_modified(headers, &body.etag) {
        return (StatusCode::NOT_MODIFIED, common).into_response();
    }
    let (bytes, encoding) = if accepts(headers, "br") && !body.br().is_empty() {
        (body.br().clone(), Some("br"))
    } else if accepts(headers, "gzip") && !body.gzip().is_empty() {
        (body.gzip().clone(), Some("gzip"))
    } else {
        (body.identity.clone(), None)
    };
    let mut response = (
        common,
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        bytes,
    )
        .into_response();
    if let Some(encoding) = encoding {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    response
}

/// A page of the feed (JSON Feed 1.1), without live counters.
#[utoipa::path(get, path = "/v1/feed.json", tag = "feed",
    params(
        ("limit" = Option<u32>, Query, nullable = false, minimum = 1, maximum = 100,
            description = "Items per page; default 50"),
        ("offset" = Option<u32>, Query, nullable = false, maximum = 1000000,
            description = "Items to skip (`next_url` carries it)"),
        ("tag" = Option<String>, Query, nullable = false, min_length = 1, max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            description = "Only items with this tag"),
        ("partner" = Option<String>, Query, nullable = false, min_length = 1, max_length = 200,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            description = "Only items of this partner (by name)"),
        ("sort" = Option<Sort>, Query, nullable = false, description = "Default `popular`"),
        ("q" = Option<String>, Query, nullable = false, max_length = 100,
            pattern = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$",
            description = "Title search: a case-insensitive substring, trimmed; empty = none"),
        ("If-None-Match" = Option<String>, Header, nullable = false,
            description = "The `ETag` of a copy the client holds"),
    ),
    responses(
        (status = 200, description = "A page; `next_url` when more follow",
            content_type = "application/feed+json", body = Feed,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current",
            headers(("ETag" = String))),
        (status = 400, description = "`bad_request`: a bad query parameter, named in `field`",
            body = ErrorBody),
    ))]
async fn feed_json(
    State(state): State<AppState>,
    Params(params): Params,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let query = feed_query(&params)?;
    let page = state.live.feed_page(&query);
    Ok(serve_encoded(
        &headers,
        &page,
        "application/feed+json",
        "public, max-age=60",
    ))
}

fn unknown_resource(id: &str) -> ApiError {
    ApiError::NotFound(format!("no resource has id '{id}'"))
}

/// 410 for a retired resource, else 404.
fn missing(state: &AppState, id: &str) -> ApiError {
    if state.live.is_retired(id) {
        ApiError::Gone
    } else {
        unknown_resource(id)
    }
}

/// One resource as a feed item, with its live counters in `_casm.counters`.
#[utoipa::path(get, path = "/v1/resources/{id}", tag = "feed",
    params(
        ("id" = String, Path, description = "The resource's id"),
        ("If-None-Match" = Option<String>, Header, nullable = false,
            description = "The `ETag` of a copy the client holds"),
    ),
    responses(
        (status = 200, description = "The resource", body = Item,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "The client's copy (`If-None-Match`) is current",
            headers(("ETag" = String))),
        (status = 404, description = "`not_found`: no resource has this id", body = ErrorBody),
        (status = 410, description = "`gone`: retired by the CASM team", body = ErrorBody),
    ))]
async fn resource(
    State(state): State<AppState>,
    Id(id): Id,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let entry = state.live.entry(&id).ok_or_else(|| missing(&state, &id))?;
    let counters = state
        .live
        .counters(&id)
        .ok_or_else(|| missing(&state, &id))?;
    let item = feed::with_counters(state.live.item(&entry), counters);
    let body = serde_json::to_vec(&item).unwrap_or_default();
    let etag = feed::etag_of(&body);
    let cache = [
        (header::CACHE_CONTROL, "no-cache".to_owned()),
        (header::ETAG, etag.clone()),
    ];
    if not_modified(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((cache, [(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The live counters of up to 100 resources; unknown ids are left out.
#[utoipa::path(get, path = "/v1/stats", tag = "feed",
    params(
        ("ids" = String, Query, min_length = 1, pattern = "\\S",
            description = "Comma-separated resource ids, at most 100 (not only spaces)"),
        ("by" = Option<String>, Query, nullable = false, pattern = "^partner$",
            description = "`partner`: each partner's share too"),
    ),
    responses(
        (status = 200, description = "Counters by id", body = Stats),
        (status = 400, description = "`bad_request`: no ids, more than 100, or a bad `by`",
            body = ErrorBody),
    ))]
async fn stats(
    State(state): State<AppState>,
    Params(params): Params,
) -> Result<Response, ApiError> {
    let ids = ids_param(&params)?;
    let by_partner = match params.get("by").map(String::as_str) {
        None => false,
        Some("partner") => true,
        Some(_) => {
            return Err(ApiError::bad_field(
                "by",
                "by: the only breakdown is by=partner",
            ))
        }
    };
    let resources = state
        .live
        .stats(ids)
        .into_iter()
        .map(|(id, counters)| {
            let partners = by_partner.then(|| {
                state
                    .live
                    .partner_counts(&id)
                    .iter()
                    .map(|(partner, row)| (partner.clone(), partner_counts(row)))
                    .collect()
            });
            (id, ResourceStats { counters, partners })
        })
        .collect();
    Ok((
        [(header::CACHE_CONTROL, "public, max-age=5")],
        Json(Stats { resources }),
    )
        .into_response())
}

/// The `ids` parameter of `/v1/stats` and `/v1/stream`: comma-separated, trimmed, empty
/// entries dropped, at least one and at most [`MAX_STATS_IDS`].
pub(super) fn ids_param(params: &HashMap<String, String>) -> Result<Vec<&str>, ApiError> {
    let ids = params
        .get("ids")
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            ApiError::bad_field("ids", "ids: give a comma-separated list of resource ids")
        })?;
    let ids: Vec<&str> = ids
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if ids.len() > MAX_STATS_IDS {
        return Err(ApiError::bad_field(
            "ids",
            format!("ids: at most {MAX_STATS_IDS} ids per request"),
        ));
    }
    Ok(ids)
}

fn write_failed(e: std::sync::Arc<crate::writer::WriteError>) -> ApiError {
    tracing::error!(error = %e, "write not committed");
    ApiError::Unavailable
}

/// Records (`helpful: true`) or removes a visitor's helpful vote. Idempotent.
#[utoipa::path(post, path = "/v1/resources/{id}/vote", tag = "writes",
    params(("id" = String, Path, description = "The resource's id")),
    request_body = VoteRequest,
    responses(
        (status = 200, description = "The new count", body = VoteResponse),
        (status = 400, description = "`bad_request`: a bad body, the field named", body = ErrorBody),
        (status = 404, description = "`not_found`: no resource has this id", body = ErrorBody),
        (status = 410, description = "`gone`: retired by the CASM team", body = ErrorBody),
    ))]
async fn vote(
    State(state): State<AppState>,
    Id(id): Id,
    Extension(ClientAddr(ip)): Extension<ClientAddr>,
    Extension(PartnerKey(partner)): Extension<PartnerKey>,
    JsonBody(req): JsonBody<VoteRequest>,
) -> Result<Response, ApiError> {
    if state.live.entry(&id).is_none() {
        return Err(missing(&state, &id));
    }
    validate::visitor_token("visitor", &req.visitor)?;
    let day = crate::dates::utc_day();
    let applied = state
        .writer
        .write(Write::Vote {
            resource: id.clone(),
            visitor: state.visitors.hash(&req.visitor),
            helpful: req.helpful,
            partner,
            network: state.visitors.network(ip, day),
            day,
        })
        .await
        .map_err(write_failed)?;
    if applied == Applied::Capped {
        return Err(ApiError::VoteLimit {
            retry_after_secs: crate::dates::secs_until_midnight() as u64,
        });
    }
    let helpful_votes = state
        .live
        .counters(&id)
        .map(|c| c.helpful_votes)
        .unwrap_or(0);
    let outcome = match applied {
        Applied::Changed(_) => "counted",
        _ => "duplicate",
    };
    Ok((
        Extension(Outcome(outcome)),
        Json(VoteResponse {
            helpful_votes,
            voted: req.helpful,
        }),
    )
        .into_response())
}

fn accepted(counted: bool, outcome: &'static str) -> Response {
    (
        StatusCode::ACCEPTED,
        Extension(Outcome(outcome)),
        Json(EventAccepted {
            accepted: true,
            counted,
        }),
    )
        .into_response()
}

/// Counts a view, meta-card view, email or download (also as `text/plain` holding the
/// same JSON, for `navigator.sendBeacon`).
#[utoipa::path(post, path = "/v1/events", tag = "writes",
    request_body = EventRequest,
    responses(
        (status = 202, description = "Accepted; `counted: false` for a repeated view or a bot",
            body = EventAccepted),
        (status = 400, description = "`bad_request`: a bad body, the field named", body = ErrorBody),
        (status = 422, description = "`unprocessable`: an unknown resource, or a link it does \
            not have or that does not fit the event", body = ErrorBody),
    ))]
async fn event(
    State(state): State<AppState>,
    Extension(PartnerKey(partner)): Extension<PartnerKey>,
    headers: HeaderMap,
    JsonBody(req): JsonBody<EventRequest>,
) -> Result<Response, ApiError> {
    validate::visitor_token("visitor", &req.visitor)?;
    let entry = state
        .live
        .entry(&req.resource)
        .ok_or_else(|| ApiError::Unprocessable {
            field: Some("resource".into()),
            message: format!("resource: no resource has id '{}'", req.resource),
        })?;
    let unprocessable = |message: String| ApiError::Unprocessable {
        field: Some("link".into()),
        message,
    };
    match (&req.link, req.kind.needs_link()) {
        (None, true) => {
            return Err(ApiError::bad_field(
                "link",
                format!("link: required for {} events", req.kind.name()),
            ))
        }
        (Some(_), false) => {
            return Err(unprocessable(format!(
                "link: {} events do not take a link",
                req.kind.name()
            )))
        }
        (Some(link_id), true) => {
            let link = entry.resource.link(link_id).ok_or_else(|| {
                unprocessable(format!("link: the resource has no link '{link_id}'"))
            })?;
            let fits = match req.kind {
                EventKind::VideoDownload => link.kind == LinkKind::Video,
                _ => link.kind.is_download() && link.kind != LinkKind::Video,
            };
            if !fits {
                return Err(unprocessable(format!(
                    "link: '{link_id}' is a {} link; it cannot count as {}",
                    link.kind.name(),
                    req.kind.name()
                )));
            }
        }
        (None, false) => {}
    }
    let agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok());
    if is_bot(agent, state.config.count_headless) {
        return Ok(accepted(false, "bot"));
    }
    let applied = state
        .writer
        .write(Write::Event {
            kind: req.kind,
            resource: req.resource,
            link: req.link,
            visitor: state.visitors.hash(&req.visitor),
            partner,
        })
        .await
        .map_err(write_failed)?;
    Ok(match applied {
        Applied::Changed(_) => accepted(true, "counted"),
        _ => accepted(false, "duplicate"),
    })
}

/// "Submit your comments": stored for moderation, never published.
#[utoipa::path(post, path = "/v1/resources/{id}/feedback", tag = "writes",
    params(("id" = String, Path, description = "The resource's id")),
    request_body = FeedbackRequest,
    responses(
        (status = 202, description = "Stored", body = EventAccepted),
        (status = 400, description = "`bad_request`: a bad body, the field named", body = ErrorBody),
        (status = 404, description = "`not_found`: no resource has this id", body = ErrorBody),
        (status = 410, description = "`gone`: retired by the CASM team", body = ErrorBody),
        (status = 503, description = "`unavailable`: not stored; retry shortly", body = ErrorBody),
    ))]
async fn feedback(
    State(state): State<AppState>,
    Extension(PartnerKey(partner)): Extension<PartnerKey>,
    Id(id): Id,
    JsonBody(req): JsonBody<FeedbackRequest>,
) -> Result<Response, ApiError> {
    if state.live.entry(&id).is_none() {
        return Err(missing(&state, &id));
    }
    validate::visitor_token("visitor", &req.visitor)?;
    // The limit counts the text as sent, emptiness the text trimmed: the rules the
    // OpenAPI document states (`maxLength` and a pattern).
    validate::text("text", &req.text, 1, FEEDBACK_MAX_CHARS)?;
    validate::text("text", req.text.trim(), 1, FEEDBACK_MAX_CHARS)?;
    if let Some(contact) = &req.contact {
        validate::text("contact", contact, 0, 200)?;
    }
    let text = req.text.trim().to_owned();
    let contact = req.contact.filter(|c| !c.trim().is_empty());
    let write = Write::Feedback {
        resource: id.clone(),
        partner: partner.clone(),
        text: text.clone(),
        contact: contact.clone(),
    };
    let (writer, webhook) = (state.writer.clone(), state.webhook.clone());
    // In a task of its own: a message that is stored is announced even when the visitor
    // goes away (or the request times out) before the commit. Announcing only queues.
    let stored = tokio::spawn(async move {
        let applied = writer.write(write).await?;
        if let Applied::Feedback {
            id: row,
            created_at,
        } = applied
        {
            webhook.notify(FeedbackEvent {
                event: FeedbackEvent::EVENT.to_owned(),
                id: row,
                resource: id,
                partner,
                text,
                contact,
                created_at: crate::dates::utc_timestamp(created_at),
            });
        }
        Ok::<_, std::sync::Arc<writer::WriteError>>(applied)
    });
    stored
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "feedback task failed");
            ApiError::Unavailable
        })?
        .map_err(write_failed)?;
    Ok(accepted(true, "stored"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(name, HeaderValue::from_static(value));
        h
    }

    #[test]
    fn accept_encoding_respects_q_zero() {
        assert!(accepts(&headers(header::ACCEPT_ENCODING, "gzip, br"), "br"));
        assert!(!accepts(
            &headers(header::ACCEPT_ENCODING, "gzip, br;q=0"),
            "br"
        ));
        assert!(!accepts(
            &headers(header::ACCEPT_ENCODING, "identity"),
            "gzip"
        ));
    }

    #[test]
    fn if_none_match_takes_lists_and_weak_tags() {
        let h = headers(header::IF_NONE_MATCH, "\"a\", W/\"b\"");
        assert!(not_modified(&h, "\"b\""));
        assert!(!not_modified(&h, "\"c\""));
    }

    #[test]
    fn bad_query_parameters_are_named() {
        let mut p = HashMap::new();
        p.insert("limit".to_owned(), "0".to_owned());
        match feed_query(&p) {
            Err(ApiError::BadRequest { field, .. }) => assert_eq!(field.as_deref(), Some("limit")),
            other => panic!("unexpected {other:?}"),
        }
    }
}
