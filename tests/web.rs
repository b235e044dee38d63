//! The web app as the server hands it out: the page, its settings and its cached assets.

mod common;

use common::{Backend, TestServer};
use serde_json::Value;

async fn start() -> TestServer {
    TestServer::start(Backend::Sqlite).await.expect("sqlite")
}

async fn fetch(s: &TestServer, path: &str, gzip: bool) -> reqwest::Response {
    let mut req = s.client.get(format!("{}{path}", s.base));
    if gzip {
        req = req.header("accept-encoding", "gzip");
    }
    req.send().await.unwrap()
}

fn header<'a>(res: &'a reqwest::Response, name: &str) -> &'a str {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

/// The JSON settings block of the page.
fn config_of(page: &str) -> Value {
    let start = page
        .find(r#"id="mappatu-config">"#)
        .expect("the page has a settings block")
        + r#"id="mappatu-config">"#.len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).expect("settings are JSON")
}

#[tokio::test]
async fn the_page_is_fresh_locked_down_and_configured() {
    let s = start().await;
    let res = fetch(&s, "/", false).await;
    assert_eq!(res.status(), 200);
    assert!(header(&res, "content-type").starts_with("text/html"));
    assert_eq!(header(&res, "cache-control"), "no-cache");
    // The URL can hold the citizen's position: it must not leak to linked sites.
    assert_eq!(header(&res, "referrer-policy"), "no-referrer");
    let csp = header(&res, "content-security-policy").to_string();
    assert!(csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-eval"), "{csp}");
    let page = res.text().await.unwrap();
    assert!(!page.contains("%ASSETS%") && !page.contains("%CONFIG%"));
    let config = config_of(&page);
    let assets = config["assets"].as_str().unwrap();
    assert!(assets.starts_with("/assets/") && assets.len() > "/assets/".len());
    // The tests serve the built-in offline style, itself an embedded asset.
    let style = config["map_style"].as_str().unwrap();
    assert_eq!(style, format!("{assets}/styles/blank.json"));
    let res = fetch(&s, style, false).await;
    assert_eq!(res.status(), 200);
    let style: Value = res.json().await.unwrap();
    assert_eq!(style["version"], 8);
    // The area and the first view, lon/lat order.
    assert_eq!(config["area"].as_array().unwrap().len(), 4);
    let centre = config["centre"].as_array().unwrap();
    assert!(
        (centre[0].as_f64().unwrap() - 11.33).abs() < 0.01,
        "{centre:?}"
    );
    assert!(
        (centre[1].as_f64().unwrap() - 43.32).abs() < 0.01,
        "{centre:?}"
    );
    // The page loads MapLibre from the embedded copy.
    assert!(page.contains(&format!("{assets}/vendor/maplibre-gl/maplibre-gl-csp.js")));
    s.finish().await;
}

#[tokio::test]
async fn assets_are_gzipped_once_and_cached_for_a_year() {
    let s = start().await;
    let page = fetch(&s, "/", false).await.text().await.unwrap();
    let assets = config_of(&page)["assets"].as_str().unwrap().to_string();
    let js = format!("{assets}/vendor/maplibre-gl/maplibre-gl-csp.js");

    let gz = fetch(&s, &js, true).await;
    assert_eq!(gz.status(), 200);
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    assert!(header(&gz, "cache-control").contains("immutable"));
    assert!(header(&gz, "content-type").starts_with("text/javascript"));
    let gz_len = gz.bytes().await.unwrap().len();

    let plain = fetch(&s, &js, false).await;
    assert_eq!(header(&plain, "content-encoding"), "");
    let plain = plain.bytes().await.unwrap();
    assert!(
        gz_len * 3 < plain.len(),
        "gzip {gz_len} vs {} bytes",
        plain.len()
    );

    // MapLibre's licence is served beside it.
    let licence = fetch(
        &s,
        &format!("{assets}/vendor/maplibre-gl/LICENSE.txt"),
        false,
    )
    .await;
    assert_eq!(licence.status(), 200);
    assert!(licence.text().await.unwrap().contains("MapLibre"));

    // Another build's files, a missing file, and paths that climb out are not found.
    for path in [
        "/assets/0000000000000000/vendor/maplibre-gl/maplibre-gl-csp.js".to_string(),
        format!("{assets}/no-such-file.js"),
        format!("{assets}/%2e%2e/Cargo.toml"),
        format!("{assets}/..%2f..%2fCargo.toml"),
    ] {
        let res = fetch(&s, &path, false).await;
        assert_eq!(res.status(), 404, "{path}");
    }
    s.finish().await;
}

#[tokio::test]
async fn unknown_pages_get_the_not_found_page_and_the_api_keeps_json() {
    let s = start().await;
    for path in ["/no-such-page", "/index", "/404", "/a/b/c"] {
        let res = fetch(&s, path, false).await;
        assert_eq!(res.status(), 404, "{path}");
        assert!(
            header(&res, "content-type").starts_with("text/html"),
            "{path}"
        );
    }
    let res = fetch(&s, "/api/no-such-endpoint", false).await;
    assert_eq!(res.status(), 404);
    assert!(header(&res, "content-type").starts_with("application/json"));
    s.finish().await;
}

#[tokio::test]
async fn api_answers_are_compressed_and_never_stale() {
    let s = start().await;
    let res = fetch(&s, "/api/services/points", true).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "content-encoding"), "gzip");
    assert_eq!(header(&res, "cache-control"), "no-cache");
    s.finish().await;
}
