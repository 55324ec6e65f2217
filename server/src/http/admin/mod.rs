//! `/v1/admin/*`: the CASM team's API (and the partners' read-only view of their own
//! numbers). Every route needs `Authorization: Bearer <token>`; a token is a staff token
//! or one scoped to a partner ([`Scope`]). No CORS: only same-origin pages (the console
//! at `/admin/`) and non-browser clients can read the answers. `/metrics` lives here too,
//! behind the same token check.
//!
//! Each area is a module with a `router()`; handlers take `Extension<Scope>` and check
//! it with [`Scope::staff`] or [`Scope::partner_filter`].

mod feedback;
mod resources;
mod series;

use super::error::ApiError;
use crate::store::token_hash;
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use casm_model::wire::WhoAmI;
use subtle::ConstantTimeEq;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Who a request's token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// The CASM team: everything.
    Staff { token: String },
    /// One partner: its own numbers, read-only.
    Partner { token: String, partner: String },
}

impl Scope {
    /// Staff only: a partner token gets 403.
    pub fn staff(&self) -> Result<(), ApiError> {
        match self {
            Scope::Staff { .. } => Ok(()),
            Scope::Partner { .. } => Err(ApiError::Forbidden(
                "this needs a CASM staff token; partner tokens read their own numbers only".into(),
            )),
        }
    }

    /// The partner a query must be limited to, given the one it asks for: staff may ask
    /// for any (or none); a partner token only for its own, which is also the default.
    pub fn partner_filter(&self, asked: Option<&str>) -> Result<Option<String>, ApiError> {
        match (self, asked) {
            (Scope::Staff { .. }, asked) => Ok(asked.map(str::to_owned)),
            (Scope::Partner { partner, .. }, None) => Ok(Some(partner.clone())),
            (Scope::Partner { partner, .. }, Some(asked)) if asked == partner => {
                Ok(Some(partner.clone()))
            }
            (Scope::Partner { .. }, Some(_)) => Err(ApiError::Forbidden(
                "this token may only read its own partner's numbers".into(),
            )),
        }
    }
}

/// The bearer token of a request, if it sent one.
fn bearer(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// Checks the token against every stored hash in constant time (all are compared, so the
/// time does not tell which one matched, or how far), and puts its [`Scope`] on the
/// request.
async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let token = bearer(&request).ok_or(ApiError::Unauthorized)?;
    let presented = token_hash(token);
    // Read from the database on each request rather than cached: a revoked token is
    // refused at once, and admin requests are few.
    let stored = state.store.tokens().await.map_err(|e| {
        tracing::error!("reading admin tokens: {e}");
        ApiError::Unavailable
    })?;
    let mut found = None;
    for t in stored {
        if bool::from(t.hash.as_slice().ct_eq(presented.as_slice())) {
            found = Some(t.info);
        }
    }
    let info = found.ok_or(ApiError::Unauthorized)?;
    let scope = match info.partner {
        None => Scope::Staff { token: info.name },
        Some(partner) => Scope::Partner {
            token: info.name,
            partner,
        },
    };
    request.extensions_mut().insert(scope);
    Ok(next.run(request).await)
}

/// The token's name and scope, for the console's sign-in.
#[utoipa::path(get, path = "/v1/admin/whoami", tag = "admin", security(("bearer" = [])),
    responses((status = 200, description = "Who the token speaks for", body = WhoAmI)))]
async fn whoami(Extension(scope): Extension<Scope>) -> Json<WhoAmI> {
    Json(match scope {
        Scope::Staff { token } => WhoAmI {
            token,
            scope: "staff".to_owned(),
            partner: None,
        },
        Scope::Partner { token, partner } => WhoAmI {
            token,
            scope: "partner".to_owned(),
            partner: Some(partner),
        },
    })
}

/// `GET /metrics`: [`crate::metrics`] in the Prometheus text format, for staff tokens.
///
/// Not public: the numbers tell traffic, refusals and error rates, which are the CASM
/// team's to read. Prometheus sends the token with `authorization: {credentials: …}`.
#[utoipa::path(get, path = "/metrics", tag = "service", security(("bearer" = [])),
    responses((status = 200, description = "The metrics in the Prometheus text format",
        content_type = "text/plain", body = String)))]
async fn metrics(Extension(scope): Extension<Scope>) -> Result<Response, ApiError> {
    scope.staff()?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        crate::metrics::render(),
    )
        .into_response())
}

/// Every admin route, behind [`authenticate`].
pub fn router(state: AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(whoami))
        .routes(routes!(metrics))
        .merge(feedback::router())
        .merge(series::router())
        .merge(resources::router())
        .route_layer(middleware::from_fn_with_state(state, authenticate))
}

#[cfg(test)]
mod tests {
    use super::Scope;

    #[test]
    fn partner_tokens_read_only_their_own_partner() {
        let staff = Scope::Staff { token: "t".into() };
        let partner = Scope::Partner {
            token: "p".into(),
            partner: "ifc".into(),
        };
        assert!(staff.staff().is_ok());
        assert!(partner.staff().is_err());
        assert_eq!(staff.partner_filter(None).unwrap(), None);
        assert_eq!(
            staff.partner_filter(Some("dfid")).unwrap().as_deref(),
            Some("dfid")
        );
        assert_eq!(
            partner.partner_filter(None).unwrap().as_deref(),
            Some("ifc")
        );
        assert_eq!(
            partner.partner_filter(Some("ifc")).unwrap().as_deref(),
            Some("ifc")
        );
        assert!(partner.partner_filter(Some("dfid")).is_err());
    }
}
