//! `GET /api/geocode`, over HTTP: the offline gazetteer on both stores, and the Nominatim
//! client against a fake Nominatim served from the test itself (no test needs the network).

mod common;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use common::haversine_m;
use common::{Backend, MakeGeocoder, TestServer};
use mappatu::domain::{BoundingBox, ServiceId, Status};
use mappatu::geocode::nominatim::{NominatimConfig, NominatimGeocoder};
use mappatu::geocode::offline::OfflineGeocoder;
use mappatu::geocode::{Geocoder, WithFallback};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn features(fc: &Value) -> &Vec<Value> {
    assert_eq!(fc["type"], "FeatureCollection", "{fc}");
    fc["features"].as_array().expect("features")
}

fn lat_lon(f: &Value) -> (f64, f64) {
    let c = &f["geometry"]["coordinates"];
    // GeoJSON positions are [lon, lat].
    (c[1].as_f64().unwrap(), c[0].as_f64().unwrap())
}

async fn finds_a_service_by_name_ignoring_case_and_accents(s: &TestServer) {
    for q in [
        "EMPORIO%20DELLA%20CARITA",
        "emporio+della+carit%C3%A1",
        "emporio",
    ] {
        let (status, fc) = s.get(&format!("/api/geocode?q={q}")).await;
        assert_eq!(status, 200, "{q}: {fc}");
        let first = &features(&fc)[0];
        let p = &first["properties"];
        assert!(
            p["label"]
                .as_str()
                .unwrap()
                .starts_with("Emporio della Carità"),
            "{q}: {fc}"
        );
        assert_eq!(p["kind"], "service");
        assert_eq!(p["source"], "directory");
        assert_eq!(first["geometry"]["type"], "Point");
        let id = p["service_id"].as_i64().expect("service_id");
        let (status, service) = s.get(&format!("/api/services/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(service["geometry"], first["geometry"]);
    }
}

async fn finds_a_street_near_its_services(s: &TestServer) {
    // Two demo services are on Viale Cavour (numbers 60 and 145).
    let (status, fc) = s.get("/api/geocode?q=viale%20cavour").await;
    assert_eq!(status, 200, "{fc}");
    let street = &features(&fc)[0];
    assert_eq!(street["properties"]["label"], "Viale Cavour, Siena", "{fc}");
    assert_eq!(street["properties"]["kind"], "street");
    assert_eq!(street["properties"]["source"], "directory");
    let (lat, lon) = lat_lon(street);
    for (slat, slon) in [(43.334, 11.3285), (43.3408, 11.323)] {
        let d = haversine_m(lat, lon, slat, slon);
        assert!(
            d < 600.0,
            "street point {lat},{lon} is {d:.0} m from a service on it"
        );
    }

    // With a house number of a service on it: that service's own point.
    let (status, fc) = s.get("/api/geocode?q=Via+del+Porrione+20&limit=1").await;
    assert_eq!(status, 200, "{fc}");
    let f = features(&fc);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["properties"]["label"], "Via del Porrione 20, Siena");
    assert_eq!(f[0]["properties"]["kind"], "address");
    let (lat, lon) = lat_lon(&f[0]);
    assert!(haversine_m(lat, lon, 43.3172, 11.3339) < 1.0);

    // The town of the addresses, and its postcode.
    for q in ["siena", "53100"] {
        let (_, fc) = s.get(&format!("/api/geocode?q={q}")).await;
        let p = &features(&fc)[0]["properties"];
        assert_eq!(
            (p["label"].as_str(), p["kind"].as_str()),
            (Some("Siena"), Some("place"))
        );
    }
    let (_, fc) = s.get("/api/geocode?q=zzzqqq").await;
    assert!(features(&fc).is_empty());
}

async fn follows_publishing_and_unpublishing(s: &TestServer) {
    let find = |fc: &Value| {
        features(fc)
            .iter()
            .find(|f| f["properties"]["kind"] == "service")
            .and_then(|f| f["properties"]["service_id"].as_i64())
    };
    let (_, fc) = s.get("/api/geocode?q=mensa%20solidale").await;
    let id = find(&fc).expect("the demo's Mensa solidale");
    s.directory
        .set_status(ServiceId(id), Status::Unpublished)
        .await
        .unwrap();
    let (_, fc) = s.get("/api/geocode?q=mensa%20solidale").await;
    assert_eq!(
        find(&fc),
        None,
        "an unpublished service is still found: {fc}"
    );
    s.directory
        .set_status(ServiceId(id), Status::Published)
        .await
        .unwrap();
    let (_, fc) = s.get("/api/geocode?q=mensa%20solidale").await;
    assert_eq!(find(&fc), Some(id));
}

async fn limit_is_honoured(s: &TestServer) {
    for (limit, most) in [("1", 1), ("10", 10), ("", 5)] {
        let url = if limit.is_empty() {
            "/api/geocode?q=via".to_string()
        } else {
            format!("/api/geocode?q=via&limit={limit}")
        };
        let (status, fc) = s.get(&url).await;
        assert_eq!(status, 200);
        let n = features(&fc).len();
        assert!(n >= 1 && n <= most, "{url}: {n}");
    }
}

async fn bad_input_is_a_400_naming_the_parameter(s: &TestServer) {
    let long = "a".repeat(201);
    let cases = [
        ("/api/geocode".to_string(), "q", "missing_parameter"),
        ("/api/geocode?q=".to_string(), "q", "invalid_parameter"),
        ("/api/geocode?q=+%20+".to_string(), "q", "invalid_parameter"),
        (format!("/api/geocode?q={long}"), "q", "invalid_parameter"),
        (
            "/api/geocode?q=siena&q=roma".to_string(),
            "q",
            "invalid_parameter",
        ),
        (
            "/api/geocode?q=siena&limit=0".to_string(),
            "limit",
            "invalid_parameter",
        ),
        (
            "/api/geocode?q=siena&limit=11".to_string(),
            "limit",
            "invalid_parameter",
        ),
        (
            "/api/geocode?q=siena&limit=five".to_string(),
            "limit",
            "invalid_parameter",
        ),
        (
            "/api/geocode?q=siena&lang=it".to_string(),
            "lang",
            "unknown_parameter",
        ),
    ];
    for (url, parameter, code) in cases {
        let (status, body) = s.get(&url).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert_eq!(body["parameter"], parameter, "{url}: {body}");
        assert_eq!(body["error"], code, "{url}: {body}");
        assert!(body["message"].as_str().unwrap().starts_with(parameter));
    }
    // 200 characters is still fine.
    let (status, _) = s.get(&format!("/api/geocode?q={}", "a".repeat(200))).await;
    assert_eq!(status, 200);
}

both_stores!(
    finds_a_service_by_name_ignoring_case_and_accents,
    finds_a_street_near_its_services,
    follows_publishing_and_unpublishing,
    limit_is_honoured,
    bad_input_is_a_400_naming_the_parameter,
);

// ---------------------------------------------------------------------------------------
// A fake Nominatim.

/// What the fake saw: one entry per request, the User-Agent and the query parameters.
type Seen = Arc<Mutex<Vec<(String, HashMap<String, String>)>>>;

#[derive(Clone)]
struct Fake {
    seen: Seen,
    behaviour: Behaviour,
}

#[derive(Clone, Copy)]
enum Behaviour {
    Answer,
    Hang,
    Fail,
}

async fn fake_search(
    State(fake): State<Fake>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ua = headers
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    fake.seen.lock().unwrap().push((ua, params));
    match fake.behaviour {
        Behaviour::Hang => {
            tokio::time::sleep(Duration::from_secs(30)).await;
            axum::Json(json!([])).into_response()
        }
        Behaviour::Fail => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Behaviour::Answer => axum::Json(json!([
            {"place_id": 1, "lat": "43.3201", "lon": "11.3307",
             "display_name": "Piazza Salimbeni, Siena, Toscana, 53100, Italia",
             "category": "highway", "type": "pedestrian", "addresstype": "road",
             "name": "Piazza Salimbeni"},
            {"place_id": 2, "lat": "41.9028", "lon": "12.4964",
             "display_name": "Piazza Salimbeni, Roma, Lazio, Italia",
             "category": "highway", "type": "pedestrian", "addresstype": "road"},
            {"place_id": 3, "lat": "43.3203", "lon": "11.3309",
             "display_name": "3, Piazza Salimbeni, Siena, Toscana, 53100, Italia",
             "category": "building", "type": "yes", "addresstype": "building"}
        ]))
        .into_response(),
    }
}

/// Starts a fake Nominatim on a free port: its base URL and what it sees.
async fn fake_nominatim(behaviour: Behaviour) -> (String, Seen) {
    let seen: Seen = Arc::default();
    let app = axum::Router::new()
        .route("/nominatim/search", axum::routing::get(fake_search))
        .with_state(Fake {
            seen: seen.clone(),
            behaviour,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/nominatim/", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (base, seen)
}

const USER_AGENT: &str = "MappaTU-test/1.0 (+mailto:test@example.org)";

/// A server whose geocoder is the gazetteer, then the fake at `base`.
async fn server_with_remote(base: String, timeout: Duration) -> TestServer {
    let make: MakeGeocoder = Box::new(move |directory| {
        let mut config =
            NominatimConfig::new(&base, USER_AGENT, timeout, BoundingBox::siena_province());
        // Distinct queries need not wait a second each in a test.
        config.min_interval = Duration::from_millis(10);
        let remote: Arc<dyn Geocoder> = Arc::new(NominatimGeocoder::new(config).unwrap());
        let offline: Arc<dyn Geocoder> = Arc::new(OfflineGeocoder::new(directory.index_handle()));
        Arc::new(WithFallback::new(offline, remote))
    });
    TestServer::start_with_geocoder(Backend::Sqlite, Some(make))
        .await
        .expect("sqlite")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nominatim_is_asked_politely_filtered_to_the_area_and_cached() {
    let (base, seen) = fake_nominatim(Behaviour::Answer).await;
    let s = server_with_remote(base, Duration::from_secs(5)).await;

    let (status, fc) = s.get("/api/geocode?q=Piazza%20%20Salimbeni").await;
    assert_eq!(status, 200, "{fc}");
    let got: Vec<(&str, &str, &str)> = features(&fc)
        .iter()
        .map(|f| {
            let p = &f["properties"];
            (
                p["label"].as_str().unwrap(),
                p["kind"].as_str().unwrap(),
                p["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "Piazza Salimbeni, Siena, Toscana, 53100",
                "street",
                "nominatim"
            ),
            (
                "3, Piazza Salimbeni, Siena, Toscana, 53100",
                "address",
                "nominatim"
            ),
        ],
        "the result in Rome is outside the area: {fc}"
    );
    let (lat, lon) = lat_lon(&features(&fc)[0]);
    assert_eq!((lat, lon), (43.3201, 11.3307));

    {
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        let (ua, params) = &seen[0];
        assert_eq!(ua, USER_AGENT);
        let want = [
            ("format", "jsonv2"),
            ("q", "Piazza Salimbeni"),
            ("limit", "10"),
            ("viewbox", "10.9,42.78,12,43.56"),
            ("bounded", "1"),
            ("countrycodes", "it"),
            ("accept-language", "it"),
        ];
        for (k, v) in want {
            assert_eq!(
                params.get(k).map(String::as_str),
                Some(v),
                "{k}: {params:?}"
            );
        }
    }

    // The same query, written differently: from the cache.
    let (status, again) = s.get("/api/geocode?q=PIAZZA+salimbeni&limit=1").await;
    assert_eq!(status, 200);
    assert_eq!(features(&again).len(), 1);
    assert_eq!(features(&again)[0], features(&fc)[0]);
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "the second query reached the server"
    );

    // What the directory knows comes first, the remote's results after it.
    let (_, fc) = s.get("/api/geocode?q=viale%20cavour").await;
    assert_eq!(features(&fc)[0]["properties"]["source"], "directory");
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_or_failing_nominatim_still_gets_the_directory_answer() {
    for behaviour in [Behaviour::Hang, Behaviour::Fail] {
        let (base, seen) = fake_nominatim(behaviour).await;
        let s = server_with_remote(base, Duration::from_millis(300)).await;
        for _ in 0..2 {
            let (status, fc) = s.get("/api/geocode?q=via%20del%20porrione").await;
            assert_eq!(status, 200, "{fc}");
            let first = &features(&fc)[0]["properties"];
            assert_eq!(first["label"], "Via del Porrione, Siena");
            assert_eq!(first["source"], "directory");
        }
        // After the failure the server is left alone: the second query did not reach it.
        assert_eq!(seen.lock().unwrap().len(), 1);
        s.finish().await;
    }
}
