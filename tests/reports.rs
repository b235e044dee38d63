//! Citizens' reports, over HTTP, against both stores: stored only when valid and only
//! once committed; every bad input refused with a JSON answer naming the field.

mod common;

use common::TestServer;
use common::http::Answer;
use mappatu::domain::{Lang, ReportKind, ReportStatus, ServiceId, Status};
use serde_json::{Value, json};

async fn post_raw(
    s: &TestServer,
    path: &str,
    content_type: Option<&str>,
    body: impl Into<reqwest::Body>,
) -> Answer {
    let mut req = s.client.post(format!("{}{}", s.base, path)).body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let a = Answer::raw(req.send().await.expect("request")).await;
    assert!(
        !a.body.is_null(),
        "POST {path}: {} body is not JSON: {}",
        a.status,
        a.text
    );
    a
}

async fn post(s: &TestServer, id: i64, body: &Value) -> Answer {
    post_raw(
        s,
        &format!("/api/services/{id}/reports"),
        Some("application/json"),
        body.to_string(),
    )
    .await
}

/// Some published service's id.
async fn a_service(s: &TestServer) -> i64 {
    let (status, fc) = s.get("/api/services?limit=1").await;
    assert_eq!(status, 200);
    fc["features"][0]["id"].as_i64().unwrap()
}

async fn stored_count(s: &TestServer) -> usize {
    s.store.reports(None).await.unwrap().len()
}

async fn a_report_is_stored_and_readable(s: &TestServer) {
    let id = a_service(s).await;
    let a = post(
        s,
        id,
        &json!({"kind": "wrong_hours", "message": "  Il martedì pomeriggio è chiuso.\r\nGrazie\t!  ", "lang": "it", "website": ""}),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a.headers.get("location").is_none());
    assert!(
        a.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let report_id = a.body["id"].as_i64().unwrap();
    assert!(report_id > 0);
    assert_eq!(a.body["status"], "open");
    assert_eq!(a.body.as_object().unwrap().len(), 3, "{}", a.body);

    // Acknowledged means committed: the store holds it, exactly as answered.
    let open = s.store.reports(Some(ReportStatus::Open)).await.unwrap();
    assert_eq!(open.len(), 1);
    let r = &open[0];
    assert_eq!(r.id.0, report_id);
    assert_eq!(r.service_id, ServiceId(id));
    assert_eq!(r.kind, ReportKind::WrongHours);
    assert_eq!(
        r.message.as_deref(),
        Some("Il martedì pomeriggio è chiuso.\nGrazie\t!")
    );
    assert_eq!(r.lang, Lang::It);
    assert_eq!(r.status, ReportStatus::Open);
    assert_eq!(
        serde_json::to_value(r.created_at).unwrap(),
        a.body["created_at"]
    );
    assert!(r.resolved_at.is_none() && r.resolved_by.is_none() && r.resolution_note.is_none());

    // `other` with a message, in English; the others need no message, lang defaults to it.
    let a = post(
        s,
        id,
        &json!({"kind": "other", "message": "The phone number is wrong", "lang": "en"}),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let a = post(s, id, &json!({"kind": "closed"})).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let all = s.store.reports(None).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1].lang, Lang::En);
    assert_eq!(all[2].message, None);
    assert_eq!(all[2].lang, Lang::It);
    assert!(
        s.store
            .reports(Some(ReportStatus::Resolved))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn bad_input_is_refused_naming_the_field(s: &TestServer) {
    let id = a_service(s).await;
    let path = format!("/api/services/{id}/reports");
    let long = "x".repeat(2001);
    // (what, content type, body, status, error code, parameter)
    type Case<'a> = (&'a str, Option<&'a str>, String, u16, &'a str, &'a str);
    let cases: Vec<Case> = vec![
        (
            "bad kind",
            Some("application/json"),
            json!({"kind": "broken"}).to_string(),
            400,
            "invalid_field",
            "kind",
        ),
        (
            "no kind",
            Some("application/json"),
            json!({"message": "x"}).to_string(),
            400,
            "invalid_field",
            "kind",
        ),
        (
            "too long",
            Some("application/json"),
            json!({"kind": "closed", "message": long}).to_string(),
            400,
            "invalid_field",
            "message",
        ),
        (
            "blank other",
            Some("application/json"),
            json!({"kind": "other", "message": " \n "}).to_string(),
            400,
            "invalid_field",
            "message",
        ),
        (
            "other without message",
            Some("application/json"),
            json!({"kind": "other"}).to_string(),
            400,
            "invalid_field",
            "message",
        ),
        (
            "control character",
            Some("application/json"),
            json!({"kind": "closed", "message": "a\u{1b}[31mb"}).to_string(),
            400,
            "invalid_field",
            "message",
        ),
        (
            "bad lang",
            Some("application/json"),
            json!({"kind": "closed", "lang": "fr"}).to_string(),
            400,
            "invalid_field",
            "lang",
        ),
        (
            "unknown field",
            Some("application/json"),
            json!({"kind": "closed", "email": "a@b.it"}).to_string(),
            400,
            "unknown_field",
            "email",
        ),
        (
            "wrong type",
            Some("application/json"),
            json!({"kind": "closed", "message": 5}).to_string(),
            400,
            "invalid_field",
            "message",
        ),
        (
            "repeated field",
            Some("application/json"),
            r#"{"kind":"closed","kind":"other"}"#.into(),
            400,
            "invalid_field",
            "kind",
        ),
        (
            "malformed JSON",
            Some("application/json"),
            r#"{"kind": "closed""#.into(),
            400,
            "invalid_json",
            "body",
        ),
        (
            "not an object",
            Some("application/json"),
            "[\"closed\"]".into(),
            400,
            "invalid_json",
            "body",
        ),
        (
            "fields as an array",
            Some("application/json"),
            "[\"closed\", null, null, null]".into(),
            400,
            "invalid_json",
            "body",
        ),
        (
            "empty body",
            Some("application/json"),
            String::new(),
            400,
            "invalid_json",
            "body",
        ),
        (
            "wrong content type",
            Some("text/plain"),
            json!({"kind": "closed"}).to_string(),
            415,
            "unsupported_media_type",
            "Content-Type",
        ),
        (
            "form post",
            Some("application/x-www-form-urlencoded"),
            "kind=closed".into(),
            415,
            "unsupported_media_type",
            "Content-Type",
        ),
        (
            "no content type",
            None,
            json!({"kind": "closed"}).to_string(),
            415,
            "unsupported_media_type",
            "Content-Type",
        ),
        (
            "too large",
            Some("application/json"),
            json!({"kind": "closed", "message": "x".repeat(20_000)}).to_string(),
            413,
            "payload_too_large",
            "body",
        ),
    ];
    for (what, ct, body, status, code, parameter) in cases {
        let a = post_raw(s, &path, ct, body).await;
        assert_eq!(a.status, status, "{what}: {}", a.body);
        assert_eq!(a.body["error"], code, "{what}: {}", a.body);
        assert_eq!(a.body["parameter"], parameter, "{what}: {}", a.body);
        let message = a.body["message"].as_str().unwrap();
        assert!(message.starts_with(parameter), "{what}: {message}");
    }

    // Every field in error is named at once.
    let a = post(
        s,
        id,
        &json!({"kind": "x", "message": "x".repeat(2001), "lang": "de"}),
    )
    .await;
    assert_eq!(a.status, 400);
    let message = a.body["message"].as_str().unwrap();
    for field in ["kind:", "message:", "lang:"] {
        assert!(message.contains(field), "{message}");
    }
    // The long input is not echoed back.
    assert!(message.len() < 400, "{message}");

    // The path: malformed ids, unknown and unpublished services.
    let good = json!({"kind": "closed"}).to_string();
    for (p, status, parameter) in [
        ("/api/services/abc/reports", 400, Some("id")),
        ("/api/services/0/reports", 400, Some("id")),
        ("/api/services/-4/reports", 400, Some("id")),
        ("/api/services/999999999/reports", 404, None),
    ] {
        let a = post_raw(s, p, Some("application/json"), good.clone()).await;
        assert_eq!(a.status, status, "{p}: {}", a.body);
        assert_eq!(a.body["parameter"].as_str(), parameter, "{p}");
    }
    s.directory
        .set_status(ServiceId(id), Status::Unpublished)
        .await
        .unwrap();
    let a = post_raw(s, &path, Some("application/json"), good.clone()).await;
    assert_eq!(a.status, 404, "unpublished: {}", a.body);
    assert_eq!(a.body["error"], "not_found");

    // Other methods on the path answer in JSON too.
    let res = s
        .client
        .get(format!("{}{}", s.base, path))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");

    assert_eq!(stored_count(s).await, 0, "a refused report was stored");
}

async fn a_pending_service_cannot_be_reported_even_past_the_index(s: &TestServer) {
    // The store checks publication itself, inside its transaction.
    let id = a_service(s).await;
    s.store
        .set_status(ServiceId(id), Status::Pending)
        .await
        .unwrap();
    let draft =
        mappatu::domain::ReportDraft::new(ServiceId(id), Some("closed"), None, None).unwrap();
    let e = s.store.add_report(draft).await.unwrap_err();
    assert!(
        matches!(e, mappatu::store::StoreError::UnknownService(_)),
        "{e}"
    );
    assert_eq!(stored_count(s).await, 0);
}

async fn the_honeypot_stores_nothing(s: &TestServer) {
    let id = a_service(s).await;
    let real = post(s, id, &json!({"kind": "closed"})).await;
    assert_eq!(real.status, 201);
    let a = post(
        s,
        id,
        &json!({"kind": "other", "message": "Buy cheap watches", "website": "http://spam.example"}),
    )
    .await;
    // Indistinguishable from success, so a bot learns nothing…
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(a.body["status"], "open");
    assert!(a.body["id"].as_i64().unwrap() > real.body["id"].as_i64().unwrap());
    // …but nothing was stored.
    assert_eq!(stored_count(s).await, 1);
}

async fn the_rate_limit_answers_429(s: &TestServer) {
    let id = a_service(s).await;
    for i in 0..5 {
        let a = post(s, id, &json!({"kind": "wrong_address"})).await;
        assert_eq!(a.status, 201, "report {i}: {}", a.body);
    }
    let a = post(s, id, &json!({"kind": "wrong_address"})).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(a.body["error"], "rate_limited");
    let retry: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=600).contains(&retry), "Retry-After: {retry}");
    // The honeypot is limited like the rest, and invalid input is still told apart.
    let a = post(s, id, &json!({"kind": "closed", "website": "x"})).await;
    assert_eq!(a.status, 429);
    let a = post(s, id, &json!({"kind": "nope"})).await;
    assert_eq!(a.status, 400);
    // A client cannot pose as someone else: no proxy is trusted, so its own
    // X-Forwarded-For is ignored.
    let spoofed = s
        .client
        .post(format!("{}/api/services/{id}/reports", s.base))
        .header("x-forwarded-for", "198.51.100.77")
        .json(&json!({"kind": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(spoofed.status().as_u16(), 429);
    assert_eq!(stored_count(s).await, 5);
}

async fn the_endpoint_is_documented(s: &TestServer) {
    let (status, doc) = s.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    let op = &doc["paths"]["/api/services/{id}/reports"]["post"];
    for code in ["201", "400", "404", "413", "415", "429"] {
        assert!(op["responses"][code].is_object(), "{code} undocumented");
    }
    let schema = &doc["components"]["schemas"]["ReportRequest"];
    assert_eq!(schema["required"], json!(["kind"]), "{schema}");
}

both_stores!(
    a_report_is_stored_and_readable,
    bad_input_is_refused_naming_the_field,
    a_pending_service_cannot_be_reported_even_past_the_index,
    the_honeypot_stores_nothing,
    the_rate_limit_answers_429,
    the_endpoint_is_documented,
);
