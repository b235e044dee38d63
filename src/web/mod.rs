//! The web app's files, embedded at build time (see `build.rs`), and the page at `/`.
//!
//! Every file is served under `/assets/<hash>/`, where the hash covers the whole set: a
//! new build changes every URL, so the files can be cached for a year without going
//! stale. `index.html` is rendered once at start-up with the asset root and the client's
//! settings filled in, and is revalidated on every visit.
//!
//! For front-end work, `MAPPATU_FRONTEND_DIR=frontend` serves the files from disk
//! instead, uncached, so an edit shows on reload without rebuilding.

use crate::domain::BoundingBox;
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

/// One embedded file.
#[derive(Debug)]
pub struct Asset {
    /// Path under the asset root, e.g. `js/app.js`.
    pub path: &'static str,
    /// Its `Content-Type`.
    pub content_type: &'static str,
    /// The file.
    pub body: &'static [u8],
    /// The file gzipped at build time, for text formats.
    pub gzip: Option<&'static [u8]>,
}

/// Every embedded file, sorted by path.
pub static FILES: &[Asset] = include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The content hash of the embedded set.
pub const HASH: &str = include!(concat!(env!("OUT_DIR"), "/assets_hash.rs"));

/// The default base map: OpenFreeMap's OpenStreetMap vector style, free and keyless.
pub const DEFAULT_MAP_STYLE: &str = "https://tiles.openfreemap.org/styles/liberty";

/// `--map-style` value that selects the built-in style (a plain background, no network).
pub const OFFLINE_MAP_STYLE: &str = "offline";

const BLANK_STYLE: &str = "styles/blank.json";

/// A year: the assets' URLs change with their content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Who may load what on the page. MapLibre needs inline styles and, for raster and
/// vector tiles from a configured server, `https:` connections and images.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data: blob: https:; font-src 'self' https:; connect-src 'self' https:; \
worker-src 'self' blob:; child-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; \
form-action 'self'; object-src 'none'";

/// What the page needs to know about this server.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Base-map style URL, or [`OFFLINE_MAP_STYLE`].
    pub map_style: String,
    /// The directory's area.
    pub area: BoundingBox,
    /// Serve the app from this directory instead of the embedded copy (development).
    pub frontend_dir: Option<PathBuf>,
    /// Reverse proxies whose `X-Forwarded-For` tells the client's address (for the rate
    /// limits and the login throttle); empty: the connection's peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

/// The settings the page reads from its `#mappatu-config` block.
#[derive(Debug, Serialize)]
struct ClientConfig<'a> {
    map_style: String,
    area: [f64; 4],
    centre: [f64; 2],
    /// The first view's zoom; `None`: fit the area.
    zoom: Option<f64>,
    assets: &'a str,
    version: &'static str,
}

/// The web app, ready to serve.
#[derive(Debug)]
pub struct WebApp {
    root: String,
    /// Rendered pages by name: `index` is `/`, `segnala` is `/segnala`, and so on.
    /// `Bytes`, so serving one shares it instead of copying it.
    pages: std::collections::HashMap<String, axum::body::Bytes>,
    frontend_dir: Option<PathBuf>,
}

impl WebApp {
    /// Renders the page for these settings.
    pub fn new(settings: &WebSettings) -> Self {
        let hash = if settings.frontend_dir.is_some() {
            "dev"
        } else {
            HASH
        };
        let root = format!("/assets/{hash}");
        let map_style = if settings.map_style == OFFLINE_MAP_STYLE {
            format!("{root}/{BLANK_STYLE}")
        } else {
            settings.map_style.clone()
        };
        let (centre, zoom) = home_view(&settings.area);
        let config = ClientConfig {
            map_style,
            area: [
                settings.area.min_lon(),
                settings.area.min_lat(),
                settings.area.max_lon(),
                settings.area.max_lat(),
            ],
            // GeoJSON order: lon, lat.
            centre: [centre.lon(), centre.lat()],
            zoom,
            assets: &root,
            version: env!("CARGO_PKG_VERSION"),
        };
        // `<` escaped so no value can close the <script> block that holds the JSON.
        let config = serde_json::to_string(&config)
            .expect("config serialises")
            .replace('<', "\\u003c");
        let mut pages = std::collections::HashMap::new();
        for name in page_names(settings.frontend_dir.as_deref()) {
            let template = match &settings.frontend_dir {
                Some(dir) => {
                    std::fs::read_to_string(dir.join(format!("{name}.html"))).unwrap_or_default()
                }
                None => file(&format!("{name}.html"))
                    .map(|a| String::from_utf8_lossy(a.body).into_owned())
                    .unwrap_or_default(),
            };
            let page = template
                .replace("%ASSETS%", &root)
                .replace("%CONFIG%", &config);
            pages.insert(name, axum::body::Bytes::from(page));
        }
        Self {
            root,
            pages,
            frontend_dir: settings.frontend_dir.clone(),
        }
    }

    /// The asset root, `/assets/<hash>`.
    pub fn root(&self) -> &str {
        &self.root
    }

    /// Routes `/`, every other top-level page (`frontend/NAME.html` at `/NAME`), and
    /// `/assets/…`; anything else is the `404` page.
    pub fn router<S: Clone + Send + Sync + 'static>(self) -> Router<S> {
        Router::new()
            .route("/", get(index))
            .route("/{page}", get(page))
            .route("/assets/{hash}/{*path}", get(asset))
            .fallback(not_found_page)
            .with_state(Arc::new(self))
    }

    fn render(&self, name: &str, status: StatusCode) -> Response {
        match self.pages.get(name) {
            Some(html) => {
                let mut res = (status, axum::response::Html(html.clone())).into_response();
                page_headers(res.headers_mut());
                res
            }
            None if name != "404" => self.render("404", StatusCode::NOT_FOUND),
            None => not_found(),
        }
    }
}

/// Where the map opens: the city of Siena for the default area (the province's centre
/// is countryside), else the centre of the area, fitted.
fn home_view(area: &BoundingBox) -> (crate::domain::Coordinates, Option<f64>) {
    if *area == BoundingBox::siena_province() {
        let siena = crate::domain::Coordinates::new(43.3188, 11.3308).expect("valid point");
        (siena, Some(13.0))
    } else {
        (area.centre(), None)
    }
}

fn file(path: &str) -> Option<&'static Asset> {
    FILES
        .binary_search_by(|a| a.path.cmp(path))
        .ok()
        .map(|i| &FILES[i])
}

/// The names of the top-level pages: `frontend/*.html` without the extension.
fn page_names(dir: Option<&std::path::Path>) -> Vec<String> {
    match dir {
        Some(dir) => std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .filter_map(|e| {
                        e.file_name()
                            .to_str()
                            .and_then(|n| n.strip_suffix(".html"))
                            .map(str::to_string)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        None => FILES
            .iter()
            .filter(|a| !a.path.contains('/'))
            .filter_map(|a| a.path.strip_suffix(".html"))
            .map(str::to_string)
            .collect(),
    }
}

async fn index(State(app): State<Arc<WebApp>>) -> Response {
    app.render("index", StatusCode::OK)
}

async fn page(State(app): State<Arc<WebApp>>, Path(name): Path<String>) -> Response {
    // `/index` is `/`, and `/404` is only ever an answer.
    if name == "index" || name == "404" {
        return app.render("404", StatusCode::NOT_FOUND);
    }
    app.render(&name, StatusCode::OK)
}

async fn not_found_page(State(app): State<Arc<WebApp>>) -> Response {
    app.render("404", StatusCode::NOT_FOUND)
}

/// Headers of the page: fresh on every visit, locked down, and no referrer — the URL
/// can hold the citizen's chosen position, which must not leak to linked sites.
fn page_headers(h: &mut HeaderMap) {
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("geolocation=(self), camera=(), microphone=()"),
    );
}

async fn asset(
    State(app): State<Arc<WebApp>>,
    Path((hash, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Some(dir) = &app.frontend_dir {
        return from_disk(dir, &path).await;
    }
    if hash != HASH {
        // A page from an older build: its files are gone. The page itself is
        // revalidated on every visit, so a reload fixes it.
        return not_found();
    }
    let Some(asset) = file(&path) else {
        return not_found();
    };
    let gzip_ok = accepts_gzip(&headers);
    let (body, encoded) = match asset.gzip {
        Some(gz) if gzip_ok => (gz, true),
        _ => (asset.body, false),
    };
    let mut res = Response::new(Body::from(body));
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.gzip.is_some() {
        h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    if encoded {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    res
}

async fn from_disk(dir: &std::path::Path, path: &str) -> Response {
    let rel = std::path::Path::new(path);
    let safe = rel
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let full = match path.strip_prefix("vendor/maplibre-gl/") {
        Some(name) => dir.join("node_modules/maplibre-gl/dist").join(name),
        None => dir.join(rel),
    };
    match tokio::fs::read(&full).await {
        Ok(body) if safe => {
            let ct = FILES
                .iter()
                .find(|a| a.path.rsplit('.').next() == path.rsplit('.').next())
                .map_or("application/octet-stream", |a| a.content_type);
            (
                [
                    (header::CONTENT_TYPE, ct),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                body,
            )
                .into_response()
        }
        _ => not_found(),
    }
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|part| {
            let mut it = part.split(';');
            let coding = it.next().unwrap_or("").trim();
            let refused = it.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        })
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CACHE_CONTROL, "no-cache")],
        "not found",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maplibre_and_its_licence_are_embedded() {
        for path in [
            "vendor/maplibre-gl/maplibre-gl-csp.js",
            "vendor/maplibre-gl/maplibre-gl-csp-worker.js",
            "vendor/maplibre-gl/maplibre-gl.css",
            "vendor/maplibre-gl/LICENSE.txt",
        ] {
            let a = file(path).unwrap_or_else(|| panic!("{path} not embedded"));
            assert!(a.body.len() > 1000, "{path} is too small");
        }
        assert!(
            String::from_utf8_lossy(file("vendor/maplibre-gl/LICENSE.txt").unwrap().body)
                .contains("MapLibre")
        );
    }

    #[test]
    fn gzip_is_negotiated() {
        let mut h = HeaderMap::new();
        assert!(!accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, "br, gzip;q=0.8".parse().unwrap());
        assert!(accepts_gzip(&h));
        h.insert(header::ACCEPT_ENCODING, "gzip;q=0, br".parse().unwrap());
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn the_config_cannot_break_out_of_its_script_block() {
        let app = WebApp::new(&WebSettings {
            map_style: "https://x.example/</script><script>alert(1)</script>".into(),
            area: BoundingBox::siena_province(),
            frontend_dir: None,
            trusted_proxies: Vec::new(),
        });
        assert!(
            app.pages
                .values()
                .all(|p| !String::from_utf8_lossy(p).contains("</script><script>alert"))
        );
    }
}
