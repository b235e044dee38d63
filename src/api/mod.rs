//! The HTTP API: `fn app(state) -> Router`, so tests can serve it on any listener.

pub mod admin;
pub mod auth;
pub mod benefits;
mod error;
mod fastjson;
pub mod geocode;
pub mod json;
pub mod listener;
pub mod model;
pub mod moderation;
pub mod openapi;
pub mod params;
mod path;
pub mod public;
pub mod ratelimit;
pub mod reports;
pub mod search;
pub mod session;
pub mod submissions;
pub mod vocabulary;

pub use error::{AppError, ErrorBody};
pub use fastjson::ListAnswer;

use crate::directory::Directory;
use crate::geocode::Geocoder;
use crate::web::{WebApp, WebSettings};
use axum::Router;
use axum::http::{HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The directory of services.
    pub directory: Arc<Directory>,
    /// How the web app is served (base-map style, asset source).
    pub web: Arc<WebSettings>,
    /// Turns text into places for `/api/geocode`.
    pub geocoder: Arc<dyn Geocoder>,
    /// The gazetteer of the directory's own places, with no network: search by need
    /// resolves the places a sentence names with it.
    pub places: Arc<crate::geocode::offline::OfflineGeocoder>,
    /// Sessions' cookie settings and the login throttle.
    pub auth: Arc<crate::auth::AuthState>,
    /// Emails to submitters (or log lines when no SMTP server is configured).
    pub notifier: Arc<crate::notify::Notifier>,
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(public::health))
        .route("/version", get(public::version))
        .route("/categories", get(public::categories))
        .route("/target-groups", get(public::target_groups))
        .route("/services", get(public::list))
        .route("/services/nearest", get(public::nearest))
        .route("/services/points", get(public::points))
        .route("/services/{id}", get(public::get_one))
        // POST /services/{id}/reports, with its body limit and rate limit.
        .merge(reports::router())
        // Moderators' sessions and admins' account management.
        // Private answers (sessions, CSRF tokens, contacts) are never stored by caches.
        .merge(auth::router().layer(no_store()))
        .merge(admin::router().layer(no_store()))
        .merge(vocabulary::router().layer(no_store()))
        // Asking to be listed, change proposals, and the moderators' queue and actions.
        .merge(submissions::router().layer(no_store()))
        .merge(moderation::router().layer(no_store()))
        // Bonuses and contributions: public reads, admins' writes.
        .merge(benefits::router())
        .route("/geocode", get(geocode::geocode))
        .route("/search", get(search::search))
        .route("/search/suggest", get(search::suggest))
        .route("/openapi.json", get(openapi::openapi_json))
        .fallback(|| async { AppError::NotFound("no such API endpoint".into()) })
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        // Answers reflect live data: clients revalidate every time.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(error::HouseErrorLayer);
    let web = WebApp::new(&state.web).router();
    let proxies = ratelimit::TrustedProxies(Arc::new(state.web.trusted_proxies.clone()));
    Router::new()
        .nest("/api", api)
        .with_state(state)
        .merge(web)
        .layer(axum::Extension(proxies))
        // gzip only, at level 4: on the 3.4 MB map layer of 10 000 services it takes
        // ~30 ms for 366 KB, where brotli took ~330 ms at its default quality and ~100 ms
        // at quality 4 for 363 KB — not worth the wait of a citizen's first map.
        .layer(
            CompressionLayer::new()
                .no_br()
                .quality(tower_http::CompressionLevel::Precise(4)),
        )
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            // The query string can hold a citizen's position: log the path only.
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                tracing::info_span!("http", method = %req.method(), path = %req.uri().path())
            }),
        )
}

fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::Internal("a request handler panicked".into()).into_response()
}
