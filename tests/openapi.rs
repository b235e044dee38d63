//! The OpenAPI document is the truth: every status, media type, header and body that the
//! server really answers is one that `/api/openapi.json` describes for that operation,
//! checked on real answers — successes and refusals, anonymous, as a moderator and as an
//! admin — against both stores. `scripts/schemathesis.sh` searches for the opposite with
//! generated requests; these are the answers known to matter, checked on every
//! `cargo test`.

mod common;

use common::TestServer;
use common::http::{Answer, PASSWORD};
use mappatu::auth::Role;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// What a request sends as its body.
enum Body {
    None,
    Json(Value),
    /// A media type and raw bytes.
    Raw(&'static str, Vec<u8>),
}

impl Body {
    fn json(v: Option<Value>) -> Body {
        v.map_or(Body::None, Body::Json)
    }

    /// Larger than any route takes (16 KiB, or 128 KiB for listings).
    fn huge() -> Body {
        let text = format!("{{\"x\":\"{}\"}}", "a".repeat(200 * 1024));
        Body::Raw("application/json", text.into_bytes())
    }

    fn apply(self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Body::None => req,
            Body::Json(v) => req.json(&v),
            Body::Raw(media_type, bytes) => req.header(CONTENT_TYPE, media_type).body(bytes),
        }
    }
}

/// The served description, and the answers checked against it.
struct Described {
    doc: Value,
    /// (method, path template, status) of every answer checked.
    checked: Mutex<BTreeSet<(String, String, u16)>>,
}

impl Described {
    async fn fetch(s: &TestServer) -> Described {
        let (status, doc) = s.get("/api/openapi.json").await;
        assert_eq!(status, 200);
        Described {
            doc,
            checked: Mutex::default(),
        }
    }

    /// Every operation as (METHOD, path template).
    fn operations(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, item) in self.doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                out.push((method.to_uppercase(), path.clone()));
            }
        }
        out
    }

    fn operation(&self, method: &str, template: &str) -> &Value {
        let op = &self.doc["paths"][template][method.to_lowercase()];
        assert!(op.is_object(), "{method} {template} is not described");
        op
    }

    /// The described path a request's path falls under; literal segments win over
    /// parameters (`/api/services/points` is not `/api/services/{id}`).
    fn template_of(&self, method: &str, path: &str) -> String {
        let path = path.split('?').next().unwrap();
        let segments: Vec<&str> = path.split('/').collect();
        self.operations()
            .into_iter()
            .filter(|(m, _)| m == method)
            .filter_map(|(_, template)| {
                let parts: Vec<&str> = template.split('/').collect();
                let fits = parts.len() == segments.len()
                    && parts
                        .iter()
                        .zip(&segments)
                        .all(|(p, s)| p.starts_with('{') || p == s);
                let params = parts.iter().filter(|p| p.starts_with('{')).count();
                fits.then_some((params, template))
            })
            .min()
            .unwrap_or_else(|| panic!("{method} {path} is not described"))
            .1
    }

    /// A `$ref` to a component, followed; anything else as it is.
    fn resolve<'a>(&'a self, v: &'a Value) -> &'a Value {
        match v["$ref"].as_str() {
            Some(r) => self
                .doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("dangling $ref {r}")),
            None => v,
        }
    }

    /// Fails unless the description of the operation that `path` falls under lists the
    /// answer's status, its media type and headers, and a schema its body validates
    /// against.
    fn check(&self, method: &str, path: &str, a: &Answer) {
        let template = self.template_of(method, path);
        let what = format!("{method} {template} answered {}", a.status);
        let responses = &self.operation(method, &template)["responses"];
        let code = a.status.to_string();
        let response = responses
            .get(&code)
            .or_else(|| responses.get(format!("{}XX", &code[..1])))
            .or_else(|| responses.get("default"))
            .unwrap_or_else(|| {
                let listed: Vec<&String> = responses.as_object().unwrap().keys().collect();
                panic!(
                    "{what}, a status its description does not list {listed:?}: {}",
                    a.text
                )
            });
        let response = self.resolve(response);
        self.checked
            .lock()
            .unwrap()
            .insert((method.to_string(), template.clone(), a.status));
        for name in response["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|h| h.0)
        {
            assert!(
                a.headers.contains_key(name.as_str()),
                "{what} without the header {name} its description promises"
            );
        }
        let Some(content) = response["content"].as_object() else {
            assert!(
                a.text.is_empty(),
                "{what} with a body where none is described"
            );
            return;
        };
        let media_type = a
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap()
            .trim()
            .to_ascii_lowercase();
        let media = content.get(&media_type).unwrap_or_else(|| {
            let listed: Vec<&String> = content.keys().collect();
            panic!("{what} as {media_type:?}; its description lists {listed:?}")
        });
        if let Some(schema) = media.get("schema") {
            self.validate(&what, schema, &a.json());
        }
    }

    /// Validates `body` against `schema`, a schema of this document (its `$ref`s point
    /// into the document's components), formats included, as schemathesis checks them.
    fn validate(&self, what: &str, schema: &Value, body: &Value) {
        let mut root = schema.clone();
        root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
        root["components"] = self.doc["components"].clone();
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(&root)
            .unwrap_or_else(|e| panic!("{what}: the described schema does not compile: {e}"));
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{what} with a body its described schema refuses:\n  {}\nschema: {schema}\nbody: {body}",
            errors.join("\n  ")
        );
    }
}

/// A client: anonymous, or logged in with its CSRF token sent on every request.
struct Client {
    http: reqwest::Client,
    base: String,
    csrf: Option<String>,
    bearer: Option<String>,
}

impl Client {
    fn anonymous(s: &TestServer) -> Client {
        Client {
            http: s.cookie_client(),
            base: s.base.clone(),
            csrf: None,
            bearer: None,
        }
    }

    /// An account made for the test, logged in; its id.
    async fn login(s: &TestServer, name: &str, role: Role) -> (Client, i64) {
        let user = s.create_user(name, role, PASSWORD).await;
        let mut c = Client::anonymous(s);
        let body = json!({"username": name, "password": PASSWORD});
        let a = c.send("POST", "/api/auth/login", Body::Json(body)).await;
        assert_eq!(a.status, 200, "{}", a.text);
        c.csrf = Some(a.json()["csrf_token"].as_str().unwrap().to_string());
        (c, user.id)
    }

    /// The same session without its CSRF token.
    fn without_csrf(&self) -> Client {
        Client {
            http: self.http.clone(),
            base: self.base.clone(),
            csrf: None,
            bearer: None,
        }
    }

    /// A client that sends `Authorization: Bearer <token>` (a listing's edit token).
    fn with_edit_token(s: &TestServer, token: &str) -> Client {
        Client {
            bearer: Some(token.to_string()),
            ..Client::anonymous(s)
        }
    }

    async fn send(&self, method: &str, path: &str, body: Body) -> Answer {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.csrf {
            req = req.header("X-CSRF-Token", t);
        }
        if let Some(t) = &self.bearer {
            req = req.bearer_auth(t);
        }
        Answer::raw(body.apply(req).send().await.expect("request")).await
    }

    /// Sends, asserts the status, and checks the answer against the description.
    async fn expect(
        &self,
        doc: &Described,
        method: &str,
        path: &str,
        body: Body,
        status: u16,
    ) -> Answer {
        let a = self.send(method, path, body).await;
        assert_eq!(a.status, status, "{method} {path}: {}", a.text);
        doc.check(method, path, &a);
        a
    }
}

/// The template with its path parameter (if any) set to `value`.
fn fill(template: &str, value: &str) -> String {
    match (template.find('{'), template.find('}')) {
        (Some(a), Some(b)) => format!("{}{value}{}", &template[..a], &template[b + 1..]),
        _ => template.to_string(),
    }
}

/// The template with its path parameter set to the description's example of it: an
/// item, report, listing or account that the tests make exist.
fn filled_with_example(op: &Value, template: &str) -> String {
    let example = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["in"] == "path")
        .map(|p| match &p["example"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    fill(template, example.as_deref().unwrap_or("1"))
}

fn security_names(op: &Value) -> Vec<String> {
    op["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .flat_map(|r| r.keys().cloned())
        .collect()
}

/// A new listing as the "ask to be listed" form sends it.
fn submission(name: &str, lon: f64, lat: f64) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "name": name,
            "categories": ["food-aid"],
            "address": "Via dei Rossi 10, Siena",
            "opening_hours": "Mo-Fr 09:00-12:00",
            "contact": {"name": "Anna Rossi", "email": "anna.rossi@example.org"},
            "consent": true,
            "lang": "it"
        }
    })
}

/// The map layer is described as the PointCollection it is (features without target
/// groups or hours), and the other public answers as what they are.
async fn public_answers_match_their_schemas(s: &TestServer) {
    let doc = Described::fetch(s).await;
    let points = doc.operation("GET", "/api/services/points");
    assert_eq!(
        points["responses"]["200"]["content"]["application/geo+json"]["schema"]["$ref"],
        "#/components/schemas/PointCollection",
        "{}",
        points["responses"]
    );
    let c = Client::anonymous(s);
    let a = c
        .expect(&doc, "GET", "/api/services/points", Body::None, 200)
        .await;
    let first = &a.json()["features"][0]["properties"];
    assert!(first.get("target_groups").is_none(), "{first}");
    for path in [
        "/api/services/points?category=health&wheelchair=limited",
        "/api/services/points?bbox=11.0,43.0,11.01,43.01",
        "/api/health",
        "/api/version",
        "/api/categories",
        "/api/target-groups",
        "/api/openapi.json",
        "/api/services?limit=5",
        "/api/services?limit=5&detail=full&q=siena",
        "/api/services/nearest?lat=43.318&lon=11.331&k=5",
        "/api/services/nearest?lat=43.318&lon=11.331&detail=full",
        "/api/services/1",
        "/api/geocode?q=siena",
        "/api/benefits",
        "/api/benefits?service=1",
        "/api/benefits/1",
        "/api/search?q=pasti",
        "/api/search?q=centro+anziani+vicino+a+Piazza+del+Campo&lang=it&detail=full",
        "/api/search?q=food&lang=en&lat=43.318&lon=11.331&k=5",
        "/api/search/suggest?q=bol",
    ] {
        c.expect(&doc, "GET", path, Body::None, 200).await;
    }
    c.expect(&doc, "GET", "/api/benefits/999", Body::None, 404)
        .await;
    c.expect(&doc, "GET", "/api/benefits?service=x", Body::None, 400)
        .await;
    for path in [
        "/api/services?limit=0",
        "/api/services/points?limit=5",
        "/api/services/points?q=%FF",
        "/api/services/nearest?lat=91&lon=11",
        "/api/services/0",
        "/api/geocode",
        "/api/search?q=",
        "/api/search?q=pasti&lang=fr",
        "/api/search/suggest",
    ] {
        c.expect(&doc, "GET", path, Body::None, 400).await;
    }
    c.expect(&doc, "GET", "/api/services/999", Body::None, 404)
        .await;
}

/// Without a session, every operation that needs one answers 401, and says so.
async fn protected_operations_describe_401(s: &TestServer) {
    let doc = Described::fetch(s).await;
    let anonymous = Client::anonymous(s);
    let mut protected = 0;
    for (method, template) in doc.operations() {
        let op = doc.operation(&method, &template);
        if !security_names(op).iter().any(|n| n == "session_cookie") {
            continue;
        }
        protected += 1;
        let path = filled_with_example(op, &template);
        anonymous
            .expect(&doc, &method, &path, Body::None, 401)
            .await;
    }
    // The moderation API (16 operations), accounts (5), failed logins, logout and me, the
    // vocabulary of needs (3), benefits (3).
    assert_eq!(protected, 30);
    // A change proposal's credential is the listing's edit token.
    let body = Body::Json(submission("x", 11.33, 43.32));
    anonymous
        .expect(&doc, "POST", "/api/listings/1/proposals", body, 401)
        .await;
}

/// Bad ids, bodies that are not JSON objects, too large or not JSON at all: 400, 413 and
/// 415 wherever the server reads an id or a body, as an admin (who passes every role
/// check) so that the refusal is the one of the input.
async fn bad_input_statuses_are_described(s: &TestServer) {
    let doc = Described::fetch(s).await;
    let (admin, _) = Client::login(s, "ada", Role::Admin).await;
    for (method, template) in doc.operations() {
        let op = doc.operation(&method, &template);
        if template.contains('{') {
            // Zero is never an id, nor a tracking code. A JSON body, so that the
            // operations that read theirs before the id (a password reset) get past it.
            let body = match method.as_str() {
                "POST" => Body::Json(json!({})),
                _ => Body::None,
            };
            admin
                .expect(&doc, &method, &fill(&template, "0"), body, 400)
                .await;
        }
        // A change proposal checks its edit token before it reads the body (see
        // change_proposals_describe_their_refusals).
        if op["requestBody"].is_null() || template == "/api/listings/{id}/proposals" {
            continue;
        }
        let path = filled_with_example(op, &template);
        for (body, status) in [
            (Body::Raw("text/plain", b"x".to_vec()), 415),
            (Body::Raw("application/json", b"[1]".to_vec()), 400),
            (Body::huge(), 413),
        ] {
            admin.expect(&doc, &method, &path, body, status).await;
        }
    }
}

/// A session without its CSRF token, a moderator at an admin's operation, unknown items
/// and listings, decisions that do not apply, reasons and notes that are too long.
async fn refusals_are_described(s: &TestServer) {
    let doc = Described::fetch(s).await;
    let (moderator, _) = Client::login(s, "marta", Role::Moderator).await;
    let (admin, admin_id) = Client::login(s, "ada", Role::Admin).await;
    let forgetful = moderator.without_csrf();
    for (method, template) in doc.operations() {
        let op = doc.operation(&method, &template);
        if security_names(op).iter().any(|n| n == "csrf_token") {
            let path = filled_with_example(op, &template);
            forgetful
                .expect(&doc, &method, &path, Body::None, 403)
                .await;
        }
    }
    for (method, path) in [
        ("GET", "/api/admin/users"),
        ("POST", "/api/admin/users"),
        ("POST", "/api/admin/users/1/disable"),
        ("POST", "/api/admin/users/1/enable"),
        ("POST", "/api/admin/users/1/reset-password"),
        ("GET", "/api/admin/login-attempts"),
        ("GET", "/api/moderation/audit"),
        ("GET", "/api/admin/vocabulary"),
        ("POST", "/api/admin/vocabulary"),
        ("DELETE", "/api/admin/vocabulary/1"),
        ("POST", "/api/admin/benefits"),
        ("PUT", "/api/admin/benefits/1"),
        ("DELETE", "/api/admin/benefits/1"),
    ] {
        moderator.expect(&doc, method, path, Body::None, 403).await;
    }

    let report = json!({"kind": "closed"});
    admin
        .expect(
            &doc,
            "POST",
            "/api/services/1/reports",
            Body::Json(report),
            201,
        )
        .await;
    let long = "x".repeat(2001);
    let own = format!("/api/admin/users/{admin_id}/disable");
    for (status, method, path, body) in [
        (404, "GET", "/api/moderation/items/s-999", None),
        (404, "GET", "/api/moderation/items/r-999", None),
        (404, "POST", "/api/moderation/items/s-999/approve", None),
        (404, "POST", "/api/moderation/items/p-999/approve", None),
        (409, "POST", "/api/moderation/items/r-1/approve", None),
        (409, "POST", "/api/moderation/items/p-1/approve", None),
        (
            404,
            "POST",
            "/api/moderation/items/s-999/reject",
            Some(json!({"reason": "doppione"})),
        ),
        (
            422,
            "POST",
            "/api/moderation/items/s-999/reject",
            Some(json!({"reason": " "})),
        ),
        (
            404,
            "POST",
            "/api/moderation/items/s-999/request-changes",
            Some(json!({"message": "manca l'orario"})),
        ),
        (
            422,
            "POST",
            "/api/moderation/items/s-999/request-changes",
            Some(json!({})),
        ),
        (
            409,
            "POST",
            "/api/moderation/items/p-1/request-changes",
            Some(json!({"message": "x"})),
        ),
        (
            404,
            "POST",
            "/api/moderation/items/s-999/merge",
            Some(json!({"into": 1})),
        ),
        (
            400,
            "POST",
            "/api/moderation/items/s-999/merge",
            Some(json!({"into": 0})),
        ),
        (409, "POST", "/api/moderation/items/s-1/resolve", None),
        (404, "POST", "/api/moderation/items/r-999/dismiss", None),
        (
            422,
            "POST",
            "/api/moderation/items/r-1/resolve",
            Some(json!({"note": long})),
        ),
        (
            422,
            "POST",
            "/api/moderation/items/r-1/dismiss",
            Some(json!({"note": long})),
        ),
        (
            422,
            "POST",
            "/api/moderation/reports/1/resolve",
            Some(json!({"note": long})),
        ),
        (
            422,
            "POST",
            "/api/moderation/reports/1/dismiss",
            Some(json!({"note": long})),
        ),
        (404, "POST", "/api/moderation/reports/999/dismiss", None),
        (404, "GET", "/api/moderation/services/999", None),
        (
            422,
            "POST",
            "/api/moderation/services/1/edit",
            Some(json!({"type": "Feature"})),
        ),
        (
            422,
            "POST",
            "/api/moderation/services/1/unpublish",
            Some(json!({"reason": long})),
        ),
        (
            422,
            "POST",
            "/api/moderation/services/1/republish",
            Some(json!({"reason": long})),
        ),
        (409, "POST", "/api/moderation/services/1/republish", None),
        (404, "POST", "/api/moderation/services/999/unpublish", None),
        (404, "POST", "/api/moderation/services/999/verify", None),
        (400, "GET", "/api/moderation/audit?limit=0", None),
        (400, "GET", "/api/moderation/queue?kind=old", None),
        (409, "POST", own.as_str(), None),
        (404, "POST", "/api/admin/users/999/disable", None),
        (404, "POST", "/api/admin/users/999/enable", None),
        (
            400,
            "POST",
            "/api/admin/users",
            Some(json!({"username": "x y", "role": "admin", "password": PASSWORD})),
        ),
        (
            409,
            "POST",
            "/api/admin/users",
            Some(json!({"username": "MARTA", "role": "admin", "password": PASSWORD})),
        ),
        (
            400,
            "POST",
            "/api/admin/users/1/reset-password",
            Some(json!({"password": "short"})),
        ),
        (
            404,
            "POST",
            "/api/admin/users/999/reset-password",
            Some(json!({"password": PASSWORD})),
        ),
        (404, "DELETE", "/api/admin/vocabulary/999", None),
        (
            400,
            "POST",
            "/api/admin/vocabulary",
            Some(json!({"lang": "it", "phrase": "di la", "categories": ["food-aid"]})),
        ),
        (
            409,
            "POST",
            "/api/admin/vocabulary",
            Some(json!({"lang": "it", "phrase": "bollette", "categories": ["food-aid"]})),
        ),
        (400, "GET", "/api/admin/vocabulary?lang=it", None),
        (404, "GET", "/api/submissions/AAAAAAAAAA", None),
        (404, "DELETE", "/api/admin/benefits/999", None),
        (
            404,
            "PUT",
            "/api/admin/benefits/999",
            Some(json!({"name_it": "Bonus"})),
        ),
        (
            422,
            "POST",
            "/api/admin/benefits",
            Some(json!({"name_it": "Bonus", "service_ids": [999]})),
        ),
        (
            400,
            "POST",
            "/api/admin/benefits",
            Some(json!({"name_it": "Bonus", "isee_max_eur": -1})),
        ),
        (
            404,
            "POST",
            "/api/services/999/reports",
            Some(json!({"kind": "closed"})),
        ),
        (
            400,
            "POST",
            "/api/services/1/reports",
            Some(json!({"kind": "bad"})),
        ),
    ] {
        admin
            .expect(&doc, method, path, Body::json(body), status)
            .await;
    }
    let wrong = json!({"username": "marta", "password": "not the password"});
    Client::anonymous(s)
        .expect(&doc, "POST", "/api/auth/login", Body::Json(wrong), 401)
        .await;
}

/// The rate limits answer 429 with `Retry-After`, as described.
async fn rate_limits_are_described(s: &TestServer) {
    let doc = Described::fetch(s).await;
    let c = Client::anonymous(s);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let body = Body::Json(json!({"kind": "closed"}));
        let a = c.send("POST", "/api/services/1/reports", body).await;
        doc.check("POST", "/api/services/1/reports", &a);
        statuses.push(a.status);
    }
    for i in 0..11 {
        let body = Body::Json(submission(&format!("Sportello {i}"), 11.33, 43.32));
        let a = c.send("POST", "/api/submissions", body).await;
        doc.check("POST", "/api/submissions", &a);
        statuses.push(a.status);
    }
    let mut expected = vec![201; 5];
    expected.push(429);
    expected.extend([201; 10]);
    expected.push(429);
    assert_eq!(statuses, expected);
}

/// Publishes a new listing through a submission; its id and its edit token.
async fn published_listing(s: &TestServer, doc: &Described, moderator: &Client) -> (i64, String) {
    let c = Client::anonymous(s);
    let body = Body::Json(submission("Sportello con link", 11.36, 43.30));
    let receipt = c
        .expect(doc, "POST", "/api/submissions", body, 201)
        .await
        .json();
    let queue = moderator
        .send("GET", "/api/moderation/queue?kind=new", Body::None)
        .await
        .json();
    // Oldest first: the last submission is the one just sent.
    let item = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .rfind(|i| i.starts_with("s-"))
        .unwrap();
    let path = format!("/api/moderation/items/{item}/approve");
    let decision = moderator
        .expect(doc, "POST", &path, Body::None, 200)
        .await
        .json();
    (
        decision["service"]["id"].as_i64().unwrap(),
        receipt["edit_token"].as_str().unwrap().to_string(),
    )
}

/// A change proposal: a bad id (400), no token (401), a token that opens another listing
/// (403), then its body's refusals once the token is right, and its success.
async fn change_proposals_describe_their_refusals(s: &TestServer) {
    let doc = Described::fetch(s).await;
    let (moderator, _) = Client::login(s, "marta", Role::Moderator).await;
    let (listing, token) = published_listing(s, &doc, &moderator).await;
    let own = format!("/api/listings/{listing}/proposals");
    let holder = Client::with_edit_token(s, &token);
    let c = Client::anonymous(s);
    holder
        .expect(&doc, "POST", "/api/listings/0/proposals", Body::None, 400)
        .await;
    c.expect(&doc, "POST", &own, Body::None, 401).await;
    holder
        .expect(&doc, "POST", "/api/listings/1/proposals", Body::None, 403)
        .await;
    for (body, status) in [
        (Body::None, 400),
        (Body::Raw("application/json", b"[1]".to_vec()), 400),
        (Body::Raw("text/plain", b"x".to_vec()), 415),
        (Body::huge(), 413),
        (Body::Json(json!({"type": "Feature"})), 422),
        (
            Body::Json(submission("Sportello con link, aggiornato", 11.36, 43.30)),
            201,
        ),
    ] {
        holder.expect(&doc, "POST", &own, body, status).await;
    }
}

/// Every operation's success, checked against its described schema: a walk through a
/// moderator's and an admin's day. It covers every described operation, so a new one
/// fails here until its success is checked too.
async fn every_operation_succeeds_as_described(s: &TestServer) {
    let doc = Described::fetch(s).await;
    let (moderator, _) = Client::login(s, "marta", Role::Moderator).await;
    let (admin, _) = Client::login(s, "ada", Role::Admin).await;
    let c = Client::anonymous(s);

    for path in [
        "/api/health",
        "/api/version",
        "/api/categories",
        "/api/target-groups",
        "/api/openapi.json",
        "/api/services",
        "/api/services/points",
        "/api/services/nearest?lat=43.318&lon=11.331",
        "/api/services/1",
        "/api/geocode?q=siena",
        "/api/search?q=mensa",
        "/api/search/suggest?q=me",
    ] {
        c.expect(&doc, "GET", path, Body::None, 200).await;
    }
    let listing = c.send("GET", "/api/services/2", Body::None).await.json();
    // The description's own request examples are accepted as they are.
    let example = |method: &str, template: &str| {
        doc.operation(method, template)["requestBody"]["content"]["application/json"]["example"]
            .clone()
    };
    let body = Body::Json(example("POST", "/api/submissions"));
    c.expect(&doc, "POST", "/api/submissions", body, 201).await;
    let body = Body::Json(example("POST", "/api/moderation/services/{id}/edit"));
    moderator
        .expect(&doc, "POST", "/api/moderation/services/3/edit", body, 200)
        .await;

    // Three more submissions and four reports to decide, and two pending imports.
    let mut codes = Vec::new();
    for (i, name) in [
        "Sportello doppione",
        "Banco incompleto",
        "Banco da rifiutare",
    ]
    .iter()
    .enumerate()
    {
        let body = Body::Json(submission(name, 11.30 + i as f64 * 0.01, 43.30));
        let receipt = c
            .expect(&doc, "POST", "/api/submissions", body, 201)
            .await
            .json();
        codes.push(receipt["tracking_code"].as_str().unwrap().to_string());
    }
    let path = format!("/api/submissions/{}", codes[0]);
    c.expect(&doc, "GET", &path, Body::None, 200).await;
    let mut reports = Vec::new();
    for service in 1..=4 {
        let body = Body::Json(json!({"kind": "wrong_hours", "message": "Il martedì è chiuso"}));
        let path = format!("/api/services/{service}/reports");
        let receipt = c.expect(&doc, "POST", &path, body, 201).await.json();
        reports.push(receipt["id"].as_i64().unwrap());
    }
    let imports = import_pending(s, 2).await;

    let queue = moderator
        .expect(&doc, "GET", "/api/moderation/queue", Body::None, 200)
        .await
        .json();
    let items: Vec<String> = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(items.len(), 4 + 4 + 2, "{queue}");
    for item in &items {
        let path = format!("/api/moderation/items/{item}");
        moderator.expect(&doc, "GET", &path, Body::None, 200).await;
    }
    let subs: Vec<&String> = items.iter().filter(|i| i.starts_with("s-")).collect();
    let mut edited = submission("Mensa nuova, corretta", 11.30, 43.30);
    edited["properties"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| !["contact", "consent", "lang"].contains(&k.as_str()));
    let item = |action: &str, id: &str| format!("/api/moderation/items/{id}/{action}");
    let report = |action: &str, id: i64| format!("/api/moderation/reports/{id}/{action}");
    let (p0, p1) = (format!("p-{}", imports[0]), format!("p-{}", imports[1]));
    let (r0, r1) = (format!("r-{}", reports[0]), format!("r-{}", reports[1]));
    for (method, path, body) in [
        ("POST", item("approve", subs[0]), Some(edited)),
        ("POST", item("merge", subs[1]), Some(json!({"into": 1}))),
        (
            "POST",
            item("request-changes", subs[2]),
            Some(json!({"message": "Manca il telefono"})),
        ),
        ("POST", item("approve", &p0), None),
        (
            "POST",
            item("reject", &p1),
            Some(json!({"reason": "Chiuso da anni"})),
        ),
        (
            "POST",
            item("resolve", &r0),
            Some(json!({"note": "Corretto"})),
        ),
        ("POST", item("dismiss", &r1), None),
        ("POST", report("resolve", reports[2]), None),
        ("POST", report("dismiss", reports[3]), Some(json!({}))),
        ("GET", "/api/moderation/services/2".into(), None),
        (
            "POST",
            "/api/moderation/services/2/edit".into(),
            Some(listing.clone()),
        ),
        ("POST", "/api/moderation/services/2/verify".into(), None),
        (
            "POST",
            "/api/moderation/services/2/unpublish".into(),
            Some(json!({"reason": "Chiuso per lavori"})),
        ),
        ("POST", "/api/moderation/services/2/republish".into(), None),
    ] {
        moderator
            .expect(&doc, method, &path, Body::json(body), 200)
            .await;
    }
    let reason = Body::Json(json!({"reason": "Non è un servizio sociale"}));
    moderator
        .expect(&doc, "POST", &item("reject", subs[3]), reason, 200)
        .await;
    // A change proposal through the edit link.
    let (listing, token) = published_listing(s, &doc, &moderator).await;
    let body = Body::Json(submission("Sportello con link, aggiornato", 11.36, 43.30));
    Client::with_edit_token(s, &token)
        .expect(
            &doc,
            "POST",
            &format!("/api/listings/{listing}/proposals"),
            body,
            201,
        )
        .await;

    // The admin's day.
    admin
        .expect(&doc, "GET", "/api/moderation/audit", Body::None, 200)
        .await;
    admin
        .expect(&doc, "GET", "/api/admin/users", Body::None, 200)
        .await;
    // A wrong password, for the failed logins to list.
    let body = json!({"username": "ada", "password": "not the password"});
    Client::anonymous(s)
        .expect(&doc, "POST", "/api/auth/login", Body::Json(body), 401)
        .await;
    let attempts = admin
        .expect(&doc, "GET", "/api/admin/login-attempts", Body::None, 200)
        .await
        .json();
    assert_eq!(attempts["items"][0]["username"], "ada", "{attempts}");
    admin
        .expect(
            &doc,
            "GET",
            "/api/admin/login-attempts?limit=5",
            Body::None,
            400,
        )
        .await;
    let body = json!({"username": "luca", "role": "moderator", "password": PASSWORD});
    let user = admin
        .expect(&doc, "POST", "/api/admin/users", Body::Json(body), 201)
        .await
        .json();
    let id = &user["id"];
    for (path, body) in [
        (format!("/api/admin/users/{id}/disable"), None),
        (format!("/api/admin/users/{id}/enable"), None),
        (
            format!("/api/admin/users/{id}/reset-password"),
            Some(json!({"password": "another long passphrase"})),
        ),
    ] {
        admin
            .expect(&doc, "POST", &path, Body::json(body), 200)
            .await;
    }

    // The vocabulary of needs: the description's example is added, listed, deleted.
    let body = Body::Json(example("POST", "/api/admin/vocabulary"));
    let phrase = admin
        .expect(&doc, "POST", "/api/admin/vocabulary", body, 201)
        .await
        .json();
    let list = admin
        .expect(&doc, "GET", "/api/admin/vocabulary", Body::None, 200)
        .await
        .json();
    assert!(list["items"].as_array().unwrap().len() > 500);
    let path = format!("/api/admin/vocabulary/{}", phrase["id"]);
    admin.expect(&doc, "DELETE", &path, Body::None, 200).await;
    // Bonuses and contributions: the description's example, an edit, a deletion.
    c.expect(&doc, "GET", "/api/benefits", Body::None, 200)
        .await;
    c.expect(&doc, "GET", "/api/benefits/1", Body::None, 200)
        .await;
    let body = Body::Json(example("POST", "/api/admin/benefits"));
    let benefit = admin
        .expect(&doc, "POST", "/api/admin/benefits", body, 201)
        .await
        .json();
    let path = format!("/api/admin/benefits/{}", benefit["id"]);
    let body = Body::Json(example("PUT", "/api/admin/benefits/{id}"));
    admin.expect(&doc, "PUT", &path, body, 200).await;
    admin.expect(&doc, "DELETE", &path, Body::None, 204).await;

    // Sessions.
    let body = Body::Json(json!({"username": "ada", "password": PASSWORD}));
    Client::anonymous(s)
        .expect(&doc, "POST", "/api/auth/login", body, 200)
        .await;
    moderator
        .expect(&doc, "GET", "/api/auth/me", Body::None, 200)
        .await;
    moderator
        .expect(&doc, "POST", "/api/auth/logout", Body::None, 204)
        .await;

    let checked = doc.checked.lock().unwrap().clone();
    for (method, template) in doc.operations() {
        assert!(
            checked
                .iter()
                .any(|(m, t, status)| *m == method && *t == template && *status < 300),
            "{method} {template}: no success checked against its description"
        );
    }
}

/// Stores `n` listings as `mappatu import --pending` does; their ids.
async fn import_pending(s: &TestServer, n: usize) -> Vec<i64> {
    let base = s
        .store
        .get(mappatu::domain::ServiceId(1))
        .await
        .unwrap()
        .unwrap();
    let records = (0..n)
        .map(|i| {
            let mut data = base.data.clone();
            data.name = format!("Importato {i}");
            mappatu::store::NewService {
                external_id: Some(format!("openapi-test-{i}")),
                status: mappatu::domain::Status::Pending,
                data,
            }
        })
        .collect();
    let out = s.store.upsert(records, &|_| {}).await.unwrap();
    out.inserted.iter().map(|id| id.0).collect()
}

/// The submission body is described with the server's own limits (contract: a form key
/// `a.b` is `SubmissionProperties.properties.a`, its `$ref` resolved, then `.properties.b`),
/// so the web app reads them instead of copying them; every limit the form copied by hand
/// is there with the same value, and a body over a limit is refused as described.
async fn submission_limits_are_published(s: &TestServer) {
    let (_, doc) = s.get("/api/openapi.json").await;
    let schemas = &doc["components"]["schemas"];
    let resolve = |v: &Value| -> Value {
        match v["$ref"].as_str() {
            Some(r) => schemas[r.rsplit('/').next().unwrap()].clone(),
            None => v.clone(),
        }
    };
    let props = &schemas["SubmissionProperties"]["properties"];
    let limit = |key: &str, what: &str| -> u64 {
        let mut parts = key.split('.');
        let mut v = props[parts.next().unwrap()].clone();
        for p in parts {
            v = resolve(&v)["properties"][p].clone();
        }
        v[what]
            .as_u64()
            .unwrap_or_else(|| panic!("{key}: no {what} in {v}"))
    };
    // The table frontend/js/service-form.js carried before the limits were published.
    for (key, max) in [
        ("name", 200),
        ("organisation", 300),
        ("description_it", 4000),
        ("description_en", 4000),
        ("address", 300),
        ("phone", 40),
        ("email", 254),
        ("website", 500),
        ("accessibility.note_it", 4000),
        ("accessibility.note_en", 4000),
        ("contact.name", 200),
        ("contact.email", 254),
        ("contact.phone", 40),
        ("opening_hours", 1000),
    ] {
        assert_eq!(limit(key, "maxLength"), max, "{key}");
    }
    for (key, max) in [("categories", 6), ("target_groups", 20), ("languages", 12)] {
        assert_eq!(limit(key, "maxItems"), max, "{key}");
    }
    let feature = &schemas["SubmissionFeature"];
    assert_eq!(
        feature["properties"]["properties"]["$ref"],
        "#/components/schemas/SubmissionProperties"
    );
    for path in ["/api/submissions", "/api/listings/{id}/proposals"] {
        assert_eq!(
            doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/SubmissionFeature",
            "{path}"
        );
    }
    // The limit is the one the server checks.
    let mut body = submission("Troppo lungo", 11.33, 43.32);
    body["properties"]["name"] = json!("x".repeat(limit("name", "maxLength") as usize + 1));
    body["properties"]["languages"] =
        json!(vec!["it"; limit("languages", "maxItems") as usize + 1]);
    let a = common::http::send(
        s.client
            .post(format!("{}/api/submissions", s.base))
            .json(&body),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.body);
    let fields = a.body["fields"].as_array().unwrap();
    assert!(
        fields.iter().any(|e| e["field"] == "properties.name"
            && e["code"] == "too_long"
            && e["params"]["max"] == 200),
        "{}",
        a.body
    );
    assert!(
        fields.iter().any(|e| e["field"] == "properties.languages"
            && e["code"] == "too_many"
            && e["params"]["max"] == 12),
        "{}",
        a.body
    );
}

both_stores!(
    submission_limits_are_published,
    public_answers_match_their_schemas,
    protected_operations_describe_401,
    bad_input_statuses_are_described,
    refusals_are_described,
    rate_limits_are_described,
    change_proposals_describe_their_refusals,
    every_operation_succeeds_as_described,
);
