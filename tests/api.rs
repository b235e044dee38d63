//! The public API, over HTTP, against both stores.

mod common;

use common::{TestServer, haversine_m};
use mappatu::domain::{ServiceId, Status};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const SIENA: (f64, f64) = (43.318, 11.331);

fn lon_lat(f: &Value) -> (f64, f64) {
    let c = &f["geometry"]["coordinates"];
    (c[0].as_f64().unwrap(), c[1].as_f64().unwrap())
}

fn ids(fc: &Value) -> Vec<i64> {
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect()
}

/// Every published service, fetched page by page through the API.
async fn all_services(s: &TestServer, extra: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("/api/services?limit=7{extra}");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let (status, fc) = s.get(&url).await;
        assert_eq!(status, 200, "{url}: {fc}");
        out.extend(fc["features"].as_array().unwrap().iter().cloned());
        match fc["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    out
}

fn distance_from(f: &Value, (lat, lon): (f64, f64)) -> f64 {
    let (flon, flat) = lon_lat(f);
    haversine_m(lat, lon, flat, flon)
}

async fn health_reports_store_and_counts(s: &TestServer) {
    let (status, h) = s.get("/api/health").await;
    assert_eq!(status, 200);
    let kind = s.store.kind().as_str();
    assert_eq!(h["store"], kind);
    assert_eq!(h["status"], "ok");
    let published = s.store.count(Some(Status::Published)).await.unwrap();
    assert!(published >= 20);
    assert_eq!(h["published_services"].as_u64().unwrap(), published);
    assert_eq!(h["demo_services"].as_u64().unwrap(), published);
}

async fn taxonomy_has_labels_colours_and_icons(s: &TestServer) {
    for (path, must) in [
        (
            "/api/categories",
            vec![
                "economic-support",
                "food-aid",
                "health",
                "home-utilities",
                "transport",
                "children-family",
                "elderly",
                "disability",
                "listening-guidance",
                "volunteering",
            ],
        ),
        (
            "/api/target-groups",
            vec!["elderly", "minors-families", "disabilities", "migrants"],
        ),
    ] {
        let (status, body) = s.get(path).await;
        assert_eq!(status, 200);
        let items = body["items"].as_array().unwrap();
        for slug in must {
            let item = items
                .iter()
                .find(|i| i["slug"] == slug)
                .unwrap_or_else(|| panic!("{slug}"));
            for key in ["label_it", "label_en", "icon"] {
                assert!(!item[key].as_str().unwrap().is_empty());
            }
            assert!(item["color"].as_str().unwrap().starts_with('#'));
        }
    }
}

async fn nearest_is_the_true_k_nearest_in_order(s: &TestServer) {
    let all = all_services(s, "").await;
    let (status, fc) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=10")
        .await;
    assert_eq!(status, 200, "{fc}");
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 10);
    let mut last = 0.0;
    for f in features {
        let d = f["properties"]["distance_m"].as_f64().unwrap();
        assert!(d >= last, "not ascending: {d} after {last}");
        last = d;
        let ours = distance_from(f, SIENA);
        assert!(
            (d - ours).abs() <= ours * 0.005 + 1.0,
            "distance {d} vs {ours}"
        );
    }
    // Brute force over every published service.
    let mut by_distance: Vec<(f64, i64)> = all
        .iter()
        .map(|f| (distance_from(f, SIENA), f["id"].as_i64().unwrap()))
        .collect();
    by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
    let expected: Vec<i64> = by_distance.iter().take(10).map(|x| x.1).collect();
    assert_eq!(ids(&fc), expected);
}

async fn nearest_filters_by_category_target_and_distance(s: &TestServer) {
    let all = all_services(s, "").await;
    let has = |f: &Value, key: &str, slug: &str| {
        f["properties"][key]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == slug)
    };
    let (status, fc) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=50&category=health,food-aid")
        .await;
    assert_eq!(status, 200, "{fc}");
    let expected: BTreeSet<i64> = all
        .iter()
        .filter(|f| has(f, "categories", "health") || has(f, "categories", "food-aid"))
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&fc).into_iter().collect::<BTreeSet<_>>(), expected);

    let (_, fc) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=50&target=elderly")
        .await;
    let expected: BTreeSet<i64> = all
        .iter()
        .filter(|f| has(f, "target_groups", "elderly"))
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(ids(&fc).into_iter().collect::<BTreeSet<_>>(), expected);

    let (_, fc) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=100&max_distance_m=1000")
        .await;
    let within: BTreeSet<i64> = all
        .iter()
        .filter(|f| distance_from(f, SIENA) <= 995.0)
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    let got: BTreeSet<i64> = ids(&fc).into_iter().collect();
    assert!(got.is_superset(&within), "missing some within 1 km");
    assert!(got.len() < all.len(), "max_distance_m cut nothing");
    for f in fc["features"].as_array().unwrap() {
        assert!(f["properties"]["distance_m"].as_f64().unwrap() <= 1000.0);
    }
}

async fn open_now_follows_rome_time(s: &TestServer) {
    let find = |fc: &Value| -> Option<Value> {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["properties"]["name"]
                    .as_str()
                    .unwrap()
                    .contains("Sportello Famiglia")
            })
            .cloned()
    };
    // Monday 23 November 2026, 10:30 in Rome (UTC+1).
    let (_, fc) = s.get("/api/services/nearest?lat=43.318&lon=11.331&k=100&open_now=true&at=2026-11-23T09:30:00Z").await;
    let sf = find(&fc).expect("Sportello Famiglia is open on Monday morning");
    assert_eq!(sf["properties"]["open_now"], true);
    assert!(
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["properties"]["open_now"] == true)
    );
    // Thursday 26 November, 11:00: closed.
    let (_, fc) = s.get("/api/services/nearest?lat=43.318&lon=11.331&k=100&open_now=true&at=2026-11-26T10:00:00Z").await;
    assert!(find(&fc).is_none());
    let (_, fc) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=100&at=2026-11-26T10:00%3A00%2B00:00")
        .await;
    assert_eq!(find(&fc).unwrap()["properties"]["open_now"], false);
}

async fn bbox_paging_covers_each_service_once(s: &TestServer) {
    let bbox = "11.32,43.31,11.34,43.325";
    let (status, first) = s.get(&format!("/api/services?bbox={bbox}&limit=3")).await;
    assert_eq!(status, 200, "{first}");
    let total = first["total"].as_u64().unwrap() as usize;
    let paged = all_services(s, &format!("&bbox={bbox}")).await;
    assert_eq!(paged.len(), total);
    let unique: BTreeSet<i64> = paged.iter().map(|f| f["id"].as_i64().unwrap()).collect();
    assert_eq!(unique.len(), total);
    for f in &paged {
        let (lon, lat) = lon_lat(f);
        assert!(
            (11.32..=11.34).contains(&lon) && (43.31..=43.325).contains(&lat),
            "{lon},{lat} outside"
        );
    }
    // Compared with the whole directory filtered by hand.
    let everything = all_services(s, "").await;
    let inside = everything.iter().filter(|f| {
        let (lon, lat) = lon_lat(f);
        (11.32..=11.34).contains(&lon) && (43.31..=43.325).contains(&lat)
    });
    assert_eq!(inside.count(), total);
    assert!(total > 0 && total < everything.len());
}

async fn text_search_ignores_case_and_accents(s: &TestServer) {
    let mut results = Vec::new();
    for q in ["carit%C3%A0", "CARITA", "carit%C3%A1"] {
        let (status, fc) = s.get(&format!("/api/services?q={q}")).await;
        assert_eq!(status, 200, "{fc}");
        results.push(ids(&fc));
    }
    assert!(!results[0].is_empty());
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
    let (_, fc) = s
        .get("/api/services?q=sportello+famiglia&category=economic-support")
        .await;
    assert_eq!(fc["features"].as_array().unwrap().len(), 1);
    let (_, fc) = s.get("/api/services?q=zzzznotaword").await;
    assert_eq!(fc["total"], 0);

    // Nearest takes the same words: the matches, nearest first.
    let (status, near) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=100&q=CARITA")
        .await;
    assert_eq!(status, 200, "{near}");
    let mut near_ids = ids(&near);
    let d: Vec<f64> = near["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["distance_m"].as_f64().unwrap())
        .collect();
    assert!(d.windows(2).all(|w| w[0] <= w[1]), "{d:?}");
    near_ids.sort();
    let mut listed = results[0].clone();
    listed.sort();
    assert_eq!(near_ids, listed);
}

async fn lists_are_short_unless_asked_for_detail(s: &TestServer) {
    let (_, short) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=3")
        .await;
    let (_, full) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=3&detail=full")
        .await;
    assert_eq!(ids(&short), ids(&full));
    let p = &short["features"][0]["properties"];
    for key in [
        "name",
        "categories",
        "address",
        "open_now",
        "wheelchair",
        "distance_m",
    ] {
        assert!(p.get(key).is_some(), "summary lacks {key}: {p}");
    }
    assert!(
        p.get("description_it").is_none(),
        "summary carries the description"
    );
    let p = &full["features"][0]["properties"];
    for key in [
        "description_it",
        "description_en",
        "phone",
        "accessibility",
        "verified_at",
        "distance_m",
    ] {
        assert!(p.get(key).is_some(), "full lacks {key}: {p}");
    }
    let (_, page) = s.get("/api/services?limit=2&detail=full").await;
    assert!(
        page["features"][0]["properties"]
            .get("description_it")
            .is_some()
    );
    let (status, e) = s.get("/api/services?detail=everything").await;
    assert_eq!((status, e["parameter"].as_str()), (400, Some("detail")));
}

async fn one_service_has_every_public_field(s: &TestServer) {
    let (_, fc) = s.get("/api/services?q=sportello+famiglia").await;
    let id = fc["features"][0]["id"].as_i64().unwrap();
    let (status, f) = s.get(&format!("/api/services/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(f["type"], "Feature");
    let p = &f["properties"];
    assert_eq!(p["opening_hours"], "Mo,We 10:00-13:00; Tu 15:00-18:00");
    assert_eq!(p["demo"], true);
    for key in [
        "name",
        "organisation",
        "description_it",
        "description_en",
        "categories",
        "target_groups",
        "address",
        "phone",
        "email",
        "website",
        "opening_hours",
        "open_now",
        "accessibility",
        "verified_at",
        "demo",
    ] {
        assert!(p.get(key).is_some(), "missing {key}");
    }
    assert!(p["accessibility"]["wheelchair"].is_string());
    let (lon, lat) = lon_lat(&f);
    assert!(
        (11.0..12.0).contains(&lon) && (43.0..44.0).contains(&lat),
        "GeoJSON order is lon,lat"
    );

    let (status, e) = s.get("/api/services/987654321").await;
    assert_eq!(status, 404);
    assert_eq!(e["error"], "not_found");
    let (status, e) = s.get("/api/services/abc").await;
    assert_eq!(status, 400);
    assert_eq!(e["parameter"], "id");
}

async fn bad_input_is_a_400_naming_the_parameter(s: &TestServer) {
    let long_q = "a".repeat(10_000);
    let cases: Vec<(String, &str)> = vec![
        ("/api/services/nearest?lat=91&lon=11.3".into(), "lat"),
        ("/api/services/nearest?lat=43.3&lon=181".into(), "lon"),
        ("/api/services/nearest?lat=abc&lon=11.3".into(), "lat"),
        ("/api/services/nearest?lon=11.3".into(), "lat"),
        ("/api/services/nearest?lat=43.3&lon=11.3&k=-1".into(), "k"),
        ("/api/services/nearest?lat=43.3&lon=11.3&k=0".into(), "k"),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&k=100000".into(),
            "k",
        ),
        ("/api/services/nearest?lat=43.3&lon=11.3&k=1.5".into(), "k"),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&category=nope".into(),
            "category",
        ),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&target=nope".into(),
            "target",
        ),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&max_distance_m=-5".into(),
            "max_distance_m",
        ),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&open_now=maybe".into(),
            "open_now",
        ),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&at=yesterday".into(),
            "at",
        ),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&lat=43.2".into(),
            "lat",
        ),
        (
            "/api/services/nearest?lat=43.3&lon=11.3&radius=5".into(),
            "radius",
        ),
        ("/api/services/nearest?lat=NaN&lon=11.3".into(), "lat"),
        ("/api/services?bbox=11.4,43.3,11.3,43.4".into(), "bbox"),
        ("/api/services?bbox=11.3,43.4,11.4,43.3".into(), "bbox"),
        ("/api/services?bbox=11.3,43.3,11.4".into(), "bbox"),
        ("/api/services?bbox=a,b,c,d".into(), "bbox"),
        (format!("/api/services?q={long_q}"), "q"),
        ("/api/services?limit=0".into(), "limit"),
        ("/api/services?limit=501".into(), "limit"),
        ("/api/services?cursor=abc".into(), "cursor"),
        ("/api/services?q=%E0%A4%A".into(), "q"),
    ];
    for (url, param) in cases {
        let (status, body) = s.get(&url).await;
        assert_eq!(status, 400, "{url}: {body}");
        assert!(body["error"].is_string(), "{url}: {body}");
        assert_eq!(body["parameter"], param, "{url}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{param}:")),
            "{url}: {message}"
        );
        assert!(
            message.len() < 400,
            "the message echoes too much: {}",
            message.len()
        );
    }
    let (status, body) = s.get("/api/nope").await;
    assert_eq!((status, body["error"].as_str()), (404, Some("not_found")));
    let res = s
        .client
        .post(format!("{}/api/health", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
}

async fn unpublish_and_publish_reach_the_index_at_once(s: &TestServer) {
    let (_, fc) = s.get("/api/services?q=sportello+famiglia").await;
    let id = fc["features"][0]["id"].as_i64().unwrap();
    let near = "/api/services/nearest?lat=43.3183&lon=11.3317&k=3";
    assert!(ids(&s.get(near).await.1).contains(&id));

    s.directory
        .set_status(ServiceId(id), Status::Unpublished)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        s.store.get(ServiceId(id)).await.unwrap().unwrap().status,
        Status::Unpublished
    );
    assert_eq!(s.get(&format!("/api/services/{id}")).await.0, 404);
    assert!(!ids(&s.get(near).await.1).contains(&id));
    assert!(!ids(&s.get("/api/services?q=sportello+famiglia").await.1).contains(&id));

    s.directory
        .set_status(ServiceId(id), Status::Published)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.get(&format!("/api/services/{id}")).await.0, 200);
    assert_eq!(ids(&s.get(near).await.1)[0], id);
}

async fn a_restart_rebuilds_the_index_from_the_store(s: &TestServer) {
    let (_, fc) = s.get("/api/services?q=sportello+famiglia").await;
    let id = fc["features"][0]["id"].as_i64().unwrap();
    s.directory
        .set_status(ServiceId(id), Status::Unpublished)
        .await
        .unwrap();
    let again = TestServer::serve(s.store.clone()).await;
    let (_, h) = again.get("/api/health").await;
    assert_eq!(
        h["published_services"].as_u64().unwrap() as usize,
        s.directory.index().len()
    );
    assert_eq!(again.get(&format!("/api/services/{id}")).await.0, 404);
}

async fn openapi_describes_every_endpoint(s: &TestServer) {
    let res = s
        .client
        .get(format!("{}/api/openapi.json", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let text = res.text().await.unwrap();
    let spec = oas3::from_json(&text).expect("a valid OpenAPI 3.1 document");
    assert!(spec.openapi.starts_with("3.1"), "{}", spec.openapi);
    let paths = spec.paths.as_ref().unwrap();
    for p in [
        "/api/health",
        "/api/categories",
        "/api/target-groups",
        "/api/services",
        "/api/services/nearest",
        "/api/services/points",
        "/api/services/{id}",
        "/api/openapi.json",
    ] {
        assert!(paths.contains_key(p), "{p} is not described");
    }
    // Lists document both shapes of feature, each with its own properties.
    let schemas = &json_of(&text)["components"]["schemas"];
    let variants: Vec<&str> = schemas["ListFeature"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["$ref"].as_str().unwrap())
        .collect();
    let properties_of = |r: &str| {
        let name = r.rsplit('/').next().unwrap();
        schemas[name]["properties"]["properties"]["$ref"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let mut documented: Vec<String> = variants.iter().map(|r| properties_of(r)).collect();
    documented.sort();
    assert_eq!(
        documented,
        [
            "#/components/schemas/ServiceProperties",
            "#/components/schemas/ServiceSummary"
        ]
    );
    // Every $ref points at a component that exists.
    let json: Value = serde_json::from_str(&text).unwrap();
    let mut refs = Vec::new();
    collect_refs(&json, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let pointer = r.trim_start_matches('#');
        assert!(json.pointer(pointer).is_some(), "dangling $ref {r}");
    }
}

async fn map_points_are_every_match_in_one_answer(s: &TestServer) {
    let listed: BTreeSet<i64> = all_services(s, "")
        .await
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    let (status, fc) = s.get("/api/services/points").await;
    assert_eq!(status, 200, "{fc}");
    assert_eq!(fc["truncated"], false);
    assert_eq!(fc["total"].as_u64().unwrap() as usize, listed.len());
    let points: BTreeSet<i64> = ids(&fc).into_iter().collect();
    assert_eq!(points, listed);
    // What a marker and a list line show, no more.
    let first = &fc["features"][0]["properties"];
    assert!(first["name"].is_string() && first["categories"].is_array());
    for field in ["open_now", "wheelchair", "address", "organisation", "demo"] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    for field in ["description_it", "target_groups", "opening_hours"] {
        assert!(
            first.get(field).is_none(),
            "{field} is not for the map: {first}"
        );
    }
    // Positions to the centimetre: no 15-digit noise.
    let lon = fc["features"][0]["geometry"]["coordinates"][0].to_string();
    assert!(lon.split('.').nth(1).is_none_or(|d| d.len() <= 7), "{lon}");

    // Filters are the lists' filters.
    let (_, food) = s.get("/api/services/points?category=food-aid").await;
    let food_ids: BTreeSet<i64> = ids(&food).into_iter().collect();
    let listed_food: BTreeSet<i64> = all_services(s, "&category=food-aid")
        .await
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert!(!food_ids.is_empty() && food_ids.len() < points.len());
    assert_eq!(food_ids, listed_food);
    let (_, tiny) = s
        .get("/api/services/points?bbox=11.0,43.0,11.01,43.01")
        .await;
    assert_eq!(tiny["features"].as_array().unwrap().len(), 0);
    assert_eq!(tiny["total"], 0);

    let (status, err) = s.get("/api/services/points?limit=5").await;
    assert_eq!((status, err["parameter"].as_str()), (400, Some("limit")));
}

async fn wheelchair_filter_keeps_the_accessible(s: &TestServer) {
    let access = |fc: &Value| -> Vec<String> {
        fc["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["wheelchair"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, all) = s.get("/api/services/points").await;
    let every = access(&all);
    let count = |v: &[String], w: &str| v.iter().filter(|x| *x == w).count();
    assert!(count(&every, "yes") > 0 && count(&every, "limited") > 0);
    assert!(count(&every, "unknown") + count(&every, "no") > 0);

    let (_, yes) = s.get("/api/services/points?wheelchair=yes").await;
    let yes = access(&yes);
    assert_eq!(yes.len(), count(&every, "yes"));
    assert!(yes.iter().all(|w| w == "yes"));

    let (_, limited) = s.get("/api/services?wheelchair=limited&limit=500").await;
    let limited = access(&limited);
    assert_eq!(
        limited.len(),
        count(&every, "yes") + count(&every, "limited")
    );

    let (status, near) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=100&wheelchair=yes")
        .await;
    assert_eq!(status, 200);
    assert_eq!(access(&near).len(), count(&every, "yes"));

    for path in [
        "/api/services/points?wheelchair=maybe",
        "/api/services?wheelchair=",
        "/api/services/nearest?lat=43.3&lon=11.3&wheelchair=YES!",
    ] {
        let (status, err) = s.get(path).await;
        assert_eq!(status, 400, "{path}: {err}");
        assert_eq!(err["parameter"], "wheelchair", "{path}");
    }
}

fn json_of(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if k == "$ref" {
                    out.push(v.as_str().unwrap().to_string());
                } else {
                    collect_refs(v, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// The demo data's languages come in from the file, are read back at start-up (the SQLite
/// file's own scan, or PostgreSQL's) and filter with `lang_spoken`; the same set as the
/// listings that say so, whatever the endpoint.
async fn lang_spoken_finds_the_desks_that_speak_it(s: &TestServer) {
    let (_, fc) = s
        .get("/api/services?q=sportello+famiglia&detail=full")
        .await;
    assert_eq!(
        fc["features"][0]["properties"]["languages"],
        json!(["it", "en"]),
        "{fc}"
    );
    let full = all_services(s, "&detail=full").await;
    let speaking = |code: &str| -> Vec<i64> {
        full.iter()
            .filter(|f| {
                f["properties"]["languages"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|c| c == code))
            })
            .map(|f| f["id"].as_i64().unwrap())
            .collect()
    };
    let arabic = speaking("ar");
    assert_eq!(arabic.len(), 1, "the demo's migrants' desk");
    for (filter, want) in [
        ("ar", arabic.clone()),
        ("en", speaking("en")),
        ("ar,fr", {
            let mut v = speaking("ar");
            v.extend(speaking("fr"));
            v.sort_unstable();
            v.dedup();
            v
        }),
    ] {
        let mut got: Vec<i64> = all_services(s, &format!("&lang_spoken={filter}"))
            .await
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect();
        got.sort_unstable();
        let mut want = want;
        want.sort_unstable();
        assert!(!want.is_empty());
        assert_eq!(got, want, "lang_spoken={filter}");
        let (_, points) = s
            .get(&format!("/api/services/points?lang_spoken={filter}"))
            .await;
        assert_eq!(points["total"], want.len(), "{points}");
    }
    let (st, body) = s
        .get("/api/services/nearest?lat=43.318&lon=11.331&lang_spoken=xx")
        .await;
    assert_eq!(st, 400, "{body}");
    assert_eq!(body["error"], "invalid_parameter");
    assert_eq!(body["parameter"], "lang_spoken");
}

both_stores!(
    lang_spoken_finds_the_desks_that_speak_it,
    health_reports_store_and_counts,
    taxonomy_has_labels_colours_and_icons,
    nearest_is_the_true_k_nearest_in_order,
    nearest_filters_by_category_target_and_distance,
    open_now_follows_rome_time,
    bbox_paging_covers_each_service_once,
    text_search_ignores_case_and_accents,
    one_service_has_every_public_field,
    lists_are_short_unless_asked_for_detail,
    bad_input_is_a_400_naming_the_parameter,
    unpublish_and_publish_reach_the_index_at_once,
    a_restart_rebuilds_the_index_from_the_store,
    openapi_describes_every_endpoint,
    map_points_are_every_match_in_one_answer,
    wheelchair_filter_keeps_the_accessible,
);
