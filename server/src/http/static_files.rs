//! `/` serves the demo partner pages (`www/`), `/widget/` the widget build (`pkg/`).

use super::error::ApiError;
use crate::{AppState, Config};
use axum::handler::HandlerWithoutStateExt;
use axum::http::Method;
use axum::http::{header, HeaderValue};
use axum::Router;
use tower::ServiceBuilder;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

async fn not_found() -> ApiError {
    ApiError::NotFound("no such page".into())
}

/// Static routes. The widget files keep a fixed URL partners paste, so they are cached
/// briefly and revalidated (ETag / Last-Modified) rather than cached forever.
pub fn router(config: &Config) -> Router<AppState> {
    let widget = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=300, stale-while-revalidate=86400"),
        ))
        .service(
            ServeDir::new(&config.pkg_dir)
                .precompressed_br()
                .precompressed_gzip()
                .not_found_service(not_found.into_service()),
        );
    let www = ServeDir::new(&config.www_dir)
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(not_found.into_service());
    // Partner pages load the glue with import() and the Wasm with fetch(): both need CORS.
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD]);
    Router::new()
        .nest_service("/widget", widget)
        .fallback_service(www)
        .layer(cors)
}
