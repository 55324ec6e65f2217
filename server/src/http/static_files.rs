//! `/` serves the demo partner pages (`www/`), `/configure` the configurator, `/admin/`
//! the CASM team's console (`www/admin/`), and `/widget/` the widget build (`pkg/`, with
//! every release it has held).

use super::error::ApiError;
use crate::{AppState, Config};
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::Method;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

async fn not_found() -> ApiError {
    ApiError::NotFound("no such page".into())
}

/// ServeDir answers an empty 500 when the file system refuses a path it cannot map to a
/// file (a name over 255 bytes, a NUL byte, ...). Such a path names no page: it gets the
/// 404 with the error body that every other unknown path gets. Any other 5xx (a disk
/// that fails) is logged and answered with the JSON 503, never an empty body.
async fn unmappable_is_not_found(request: Request, next: Next) -> Response {
    // A `Uri` clone shares its bytes; the path is decoded only for the rare 5xx.
    let uri = request.uri().clone();
    let response = next.run(request).await;
    if !response.status().is_server_error() {
        return response;
    }
    if is_unmappable(uri.path()) {
        tracing::debug!(status = %response.status(), "static file path not mappable");
        return not_found().await.into_response();
    }
    tracing::warn!(status = %response.status(), "static file could not be read");
    ApiError::Unavailable.into_response()
}

/// Whether a request path cannot name a file on any file system we serve from: a
/// segment over 255 bytes or a NUL byte, once percent-decoded.
fn is_unmappable(path: &str) -> bool {
    let decoded: Vec<u8> = percent_encoding::percent_decode_str(path).collect();
    decoded.contains(&0)
        || decoded
            .split(|b| *b == b'/')
            .any(|segment| segment.len() > 255)
}

/// Pinned releases (`v<version>/…`), content-hashed Wasm files and language tables never
/// change.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else under `/widget/` keeps a fixed URL (the always-latest loader
/// `casm-widget.js`, the npm package's files, `release.json`): cached briefly and
/// revalidated (ETag / Last-Modified).
const SHORT: &str = "public, max-age=300, stale-while-revalidate=86400";

/// The configurator's Content Security Policy.
pub const CONFIGURE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; frame-ancestors 'none'";

/// The console's Content Security Policy: no Wasm, no inline anything; uPlot sets its
/// elements' styles through the CSSOM, which `style-src 'self'` allows.
pub const ADMIN_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; frame-ancestors 'none'";

/// The console's headers: its policy on every answer, `no-store` on its HTML (the page
/// is staff-only and must never come from a shared cache), `no-cache` on its scripts and
/// styles (revalidated, so a deploy shows at once).
async fn admin_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(ADMIN_POLICY),
    );
    let cache = if html { "no-store" } else { "no-cache" };
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// Whether a path under `/widget/` names a file that never changes: a pinned release's,
/// or one named by its content (`casm_widget_bg.<hash>.wasm`, `lang/<lang>.<hash>.txt`).
fn is_immutable(path: &str) -> bool {
    let path = path.trim_start_matches('/');
    let pinned = path
        .split_once('/')
        .is_some_and(|(dir, _)| dir.len() > 1 && dir.starts_with('v'));
    let hashed = |rest: Option<&str>| {
        rest.and_then(|rest| rest.split_once('.'))
            .is_some_and(|(hash, ext)| {
                hash.len() == 16
                    && hash.bytes().all(|b| b.is_ascii_hexdigit())
                    && !ext.contains('/')
            })
    };
    let table = path
        .strip_prefix("lang/")
        .and_then(|name| name.split_once('.'))
        .filter(|(lang, _)| !lang.is_empty() && lang.bytes().all(|b| b.is_ascii_alphabetic()))
        .map(|(_, rest)| rest);
    pinned || hashed(path.strip_prefix("casm_widget_bg.")) || hashed(table)
}

/// Sets the widget files' `Cache-Control` (never on an error: a 404 for a release not
/// yet deployed must not be cached for a year).
async fn widget_cache(request: Request, next: Next) -> Response {
    let immutable = is_immutable(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status().is_redirection() {
        let value = if immutable { IMMUTABLE } else { SHORT };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    }
    response
}

/// ServeDir (tower-http 0.6) picks a precompressed sibling by `Accept-Encoding` without
/// saying so: a shared cache (a CDN, an office proxy) could keep the brotli answer for a
/// year and hand it to a client that cannot read brotli. `Vary` tells caches to keep one
/// answer per encoding. (tower-http 0.7 sets it itself.)
async fn vary_encoding(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let says = response.headers().get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding"))
    });
    if !says {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Static routes.
pub fn router(config: &Config) -> Router<AppState> {
    let widget = Router::new()
        .fallback_service(
            ServeDir::new(&config.pkg_dir)
                .precompressed_br()
                .precompressed_gzip()
                .not_found_service(not_found.into_service()),
        )
        .layer(middleware::from_fn(widget_cache))
        .layer(middleware::from_fn(vary_encoding));
    let www = ServiceBuilder::new()
        .layer(middleware::from_fn(vary_encoding))
        .service(
            ServeDir::new(&config.www_dir)
                .precompressed_br()
                .precompressed_gzip()
                .not_found_service(not_found.into_service()),
        );
    // Partner pages load the glue with import() and the Wasm with fetch(): both need CORS.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD]);
    // The configurator holds no inline script or style: it is served under a strict
    // policy, like the one partners are advised to use (README, "Content Security Policy").
    let configure = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONFIGURE_POLICY),
        ))
        .service(ServeFile::new(config.www_dir.join("configure.html")));
    // The console reads only same-origin `/v1/admin/*`: no CORS on its files either.
    // `/admin` redirects to `/admin/`, so the page's relative URLs resolve under it.
    let admin = Router::new()
        .route_service(
            "/admin/",
            ServeFile::new(config.www_dir.join("admin").join("index.html")),
        )
        .route_service(
            "/admin/{*path}",
            ServeDir::new(&config.www_dir).not_found_service(not_found.into_service()),
        )
        .layer(middleware::from_fn(admin_headers))
        .route("/admin", get(|| async { Redirect::permanent("/admin/") }));
    Router::new()
        .route_service("/configure", configure)
        .nest("/widget", widget)
        .fallback_service(www)
        .layer(cors)
        .merge(admin)
        .layer(middleware::from_fn(unmappable_is_not_found))
}

#[cfg(test)]
mod tests {
    use super::{is_immutable, is_unmappable};

    #[test]
    fn unmappable_paths_are_told_from_missing_files() {
        assert!(is_unmappable(&format!("/{}", "a".repeat(256))));
        assert!(is_unmappable(&format!("/widget/{}", "%61".repeat(256))));
        assert!(is_unmappable("/%00"));
        assert!(!is_unmappable(&format!("/{}", "a".repeat(255))));
        assert!(!is_unmappable("/files/agenda.pdf"));
    }

    #[test]
    fn only_pinned_releases_and_hashed_files_are_immutable() {
        assert!(is_immutable("/v0.1.0/casm-widget.js"));
        assert!(is_immutable("/casm_widget_bg.0123456789abcdef.wasm"));
        assert!(is_immutable("/casm_widget_bg.0123456789abcdef.wasm.br"));
        assert!(is_immutable("/lang/fr.2c8059c9d201da7d.txt"));
        assert!(is_immutable("/lang/pt.b0f80d479f9ab240.txt.br"));
        assert!(!is_immutable("/lang/fr.txt"));
        assert!(!is_immutable("/lang/fr.2c8059c9d201da7.txt"));
        assert!(!is_immutable("/lang/.2c8059c9d201da7d.txt"));
        assert!(!is_immutable("/lang/x/fr.2c8059c9d201da7d.txt"));
        assert!(!is_immutable("/casm-widget.js"));
        assert!(!is_immutable("/casm_widget_bg.wasm"));
        assert!(!is_immutable("/release.json"));
        assert!(!is_immutable("/casm_widget_bg.0123456789abcdeg.wasm"));
        assert!(!is_immutable("/v/casm-widget.js"));
    }
}
