//! Asking to be listed, over HTTP, against both stores: a submission is acknowledged only
//! once stored; every invalid field is listed; spam is held off (honeypot, size limit,
//! rate limit); text stays text; the status page shows no private contact; an edit
//! token is needed to propose changes.

mod common;

use common::TestServer;
use common::http::{Answer, send};
use mappatu::domain::submission::{SubmissionStatus, hash_token};
use serde_json::{Value, json};

async fn submit(s: &TestServer, body: &Value) -> Answer {
    send(
        s.client
            .post(format!("{}/api/submissions", s.base))
            .json(body),
    )
    .await
}

fn feature(name: &str) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [11.3290, 43.3200]},
        "properties": {
            "name": name,
            "organisation": "Associazione Esempio",
            "description_it": "Distribuzione di pacchi alimentari",
            "categories": ["food-aid"],
            "target_groups": ["low-income"],
            "address": "Via dei Rossi 10, Siena",
            "phone": "0577 123456",
            "opening_hours": "Mo,We 09:00-12:00,15:00-18:00; Aug off",
            "accessibility": {"wheelchair": "limited", "note_it": "Rampa laterale"},
            "contact": {"name": "Anna Rossi", "email": "anna.rossi@example.org", "phone": "333 1234567"},
            "consent": true,
            "lang": "it"
        }
    })
}

async fn stored(s: &TestServer) -> usize {
    s.store.submissions(None).await.unwrap().len()
}

async fn a_submission_is_stored_pending_and_its_status_is_readable(s: &TestServer) {
    let a = submit(s, &feature("Banco alimentare di quartiere")).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let code = a.body["tracking_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 10);
    assert_eq!(a.body["status"], "pending");
    assert_eq!(a.body["status_url"], format!("/api/submissions/{code}"));
    assert!(a.body["edit_token"].as_str().unwrap().len() >= 40);
    let subs = s.store.submissions(None).await.unwrap();
    assert_eq!(subs.len(), 1);
    assert_eq!(subs[0].status, SubmissionStatus::Pending);
    assert_eq!(
        subs[0].contact.email.as_deref(),
        Some("anna.rossi@example.org")
    );
    // The token is stored hashed only.
    assert_eq!(
        s.store
            .edit_token_service(&hash_token(a.body["edit_token"].as_str().unwrap()))
            .await
            .unwrap(),
        None
    );

    // Typed by a person: lower case, with a dash.
    let typed = format!("{}-{}", &code[..5], &code[5..]).to_lowercase();
    let st = send(s.client.get(format!("{}/api/submissions/{typed}", s.base))).await;
    assert_eq!(st.status, 200, "{}", st.body);
    assert_eq!(st.body["status"], "pending");
    assert_eq!(st.body["kind"], "new");
    assert_eq!(st.body["name"], "Banco alimentare di quartiere");
    assert!(!st.text.contains("anna.rossi"), "{}", st.text);
    assert!(!st.text.contains("333 1234567"), "{}", st.text);
    assert!(!st.text.contains("Anna"), "{}", st.text);

    let st = send(
        s.client
            .get(format!("{}/api/submissions/AAAAAAAAAA", s.base)),
    )
    .await;
    assert_eq!(st.status, 404, "{}", st.body);
    let st = send(s.client.get(format!("{}/api/submissions/nope", s.base))).await;
    assert_eq!(st.status, 400, "{}", st.body);
    // Not in the public API before a moderator approves.
    let (_, fc) = s
        .get("/api/services?q=Banco%20alimentare%20di%20quartiere")
        .await;
    assert_eq!(fc["features"].as_array().unwrap().len(), 0, "{fc}");
}

async fn every_field_problem_is_listed(s: &TestServer) {
    let body = json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [12.49, 41.89]},
        "properties": {
            "name": "",
            "categories": ["not-a-category"],
            "target_groups": "elderly",
            "email": "not an email",
            "website": "javascript:alert(1)",
            "phone": "call me",
            "opening_hours": "whenever",
            "accessibility": {"wheelchair": "sometimes"},
            "description_it": "x".repeat(4001),
            "contact": {"email": "nope"},
            "consent": false,
            "lang": "fr",
            "colour": "red"
        }
    });
    let a = submit(s, &body).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.body["error"], "invalid");
    let fields: Vec<&str> = a.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "geometry.coordinates",
        "properties.name",
        "properties.categories",
        "properties.target_groups",
        "properties.email",
        "properties.website",
        "properties.phone",
        "properties.opening_hours",
        "properties.accessibility.wheelchair",
        "properties.description_it",
        "properties.contact.name",
        "properties.contact.email",
        "properties.consent",
        "properties.lang",
        "properties.colour",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }
    for f in a.body["fields"].as_array().unwrap() {
        assert!(!f["message"].as_str().unwrap().is_empty());
    }
    // Not a Feature at all; not JSON; not an object.
    let a = submit(s, &json!({"name": "x"})).await;
    assert_eq!(a.status, 422, "{}", a.body);
    let a = send(
        s.client
            .post(format!("{}/api/submissions", s.base))
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(a.status, 400, "{}", a.body);
    let a = send(
        s.client
            .post(format!("{}/api/submissions", s.base))
            .header("content-type", "text/plain")
            .body(feature("x").to_string()),
    )
    .await;
    assert_eq!(a.status, 415, "{}", a.body);
    assert_eq!(stored(s).await, 0);
}

async fn honeypot_oversized_body_and_bursts_are_refused(s: &TestServer) {
    let mut bot = feature("Offerta imperdibile");
    bot["properties"]["website_url"] = json!("http://spam.example");
    let a = submit(s, &bot).await;
    // The bot sees a receipt; nothing is stored.
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(stored(s).await, 0);

    let mut big = feature("Troppo lungo");
    big["properties"]["description_en"] = json!("x".repeat(200 * 1024));
    let a = submit(s, &big).await;
    assert_eq!(a.status, 413, "{}", a.body);
    assert_eq!(a.body["error"], "payload_too_large");
    assert_eq!(stored(s).await, 0);

    // The honeypot counted as one; nine more pass, then the limit answers.
    for i in 0..9 {
        let a = submit(s, &feature(&format!("Servizio {i}"))).await;
        assert_eq!(a.status, 201, "{i}: {}", a.body);
    }
    let a = submit(s, &feature("Uno di troppo")).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(a.body["error"], "rate_limited");
    assert!(a.headers.get("retry-after").is_some());
    assert_eq!(stored(s).await, 9);
}

async fn script_tags_are_stored_as_text(s: &TestServer) {
    let x = "<script>alert('x')</script>";
    let mut body = feature(&format!("Centro {x}"));
    let p = &mut body["properties"];
    for f in [
        "organisation",
        "description_it",
        "description_en",
        "address",
    ] {
        p[f] = json!(format!("{f} {x}"));
    }
    p["accessibility"]["note_it"] = json!(format!("note {x}"));
    p["accessibility"]["note_en"] = json!(format!("note {x}"));
    p["contact"]["name"] = json!(format!("Anna {x}"));
    let a = submit(s, &body).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let sub = &s.store.submissions(None).await.unwrap()[0];
    assert_eq!(sub.data.name, format!("Centro {x}"));
    assert_eq!(
        sub.data.description_it.as_deref(),
        Some(format!("description_it {x}").as_str())
    );
    assert_eq!(
        sub.data.accessibility.note_en.as_deref(),
        Some(format!("note {x}").as_str())
    );
    assert_eq!(sub.contact.name, format!("Anna {x}"));
    let code = a.body["tracking_code"].as_str().unwrap();
    let st = send(s.client.get(format!("{}/api/submissions/{code}", s.base))).await;
    assert!(
        st.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(st.body["name"], format!("Centro {x}"));
}

/// The 422 answer's (field, message) pairs.
fn field_errors(a: &Answer) -> Vec<(String, String)> {
    a.body["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("no fields: {}", a.body))
        .iter()
        .map(|f| {
            (
                f["field"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn markup_emails_and_invisible_characters_are_refused_by_field(s: &TestServer) {
    let xss = "a<img/src=x/onerror=alert(1)>@x.it";
    // Public email, then the private contact's: each named.
    let mut body = feature("Banco alimentare di quartiere");
    body["properties"]["email"] = json!(xss);
    let a = submit(s, &body).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(
        field_errors(&a),
        [(
            "properties.email".to_string(),
            "must be an email address like name@example.org".to_string()
        )]
    );
    let mut body = feature("Banco alimentare di quartiere");
    body["properties"]["contact"]["email"] = json!("\"<script>alert(1)</script>\"@x.it");
    let a = submit(s, &body).await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(field_errors(&a)[0].0, "properties.contact.email");

    // A zero-width space inside the name, a right-to-left override in the organisation,
    // a directional isolate in the address, a BOM inside the description, a word joiner in
    // a note, a zero-width joiner in the contact's name: each refused, named, by character.
    let mut body = feature("Sportello\u{200B}Famiglia");
    let p = &mut body["properties"];
    p["organisation"] = json!("\u{202E}anueS id enumoC");
    p["address"] = json!("Via di Città 81\u{2066}, Siena");
    p["description_it"] = json!("Contributi\u{FEFF} e bonus");
    p["accessibility"]["note_it"] = json!("Rampa\u{2060}laterale");
    p["contact"]["name"] = json!("Anna\u{200D}Rossi");
    let a = submit(s, &body).await;
    assert_eq!(a.status, 422, "{}", a.body);
    let errors = field_errors(&a);
    for (field, code) in [
        ("properties.name", "U+200B ZERO WIDTH SPACE at character 10"),
        (
            "properties.organisation",
            "U+202E RIGHT-TO-LEFT OVERRIDE at character 1",
        ),
        ("properties.address", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("properties.description_it", "U+FEFF"),
        ("properties.accessibility.note_it", "U+2060 WORD JOINER"),
        ("properties.contact.name", "U+200D ZERO WIDTH JOINER"),
    ] {
        let e = errors
            .iter()
            .find(|(f, _)| f == field)
            .unwrap_or_else(|| panic!("{field} not in {errors:?}"));
        assert!(e.1.contains(code), "{field}: {}", e.1);
    }
    // Only those: a name refused for a character is not "required" as well.
    assert_eq!(errors.len(), 6, "{errors:?}");
    assert_eq!(stored(s).await, 0);

    // A family emoji in a description is text; zero-width spaces left at the ends by a
    // copy-and-paste are trimmed.
    let mut body = feature("\u{200B}Sportello per le famiglie\u{200B}");
    body["properties"]["description_en"] = json!("For families 👩\u{200D}👩\u{200D}👧");
    let a = submit(s, &body).await;
    assert_eq!(a.status, 201, "{}", a.body);
    let sub = &s.store.submissions(None).await.unwrap()[0];
    assert_eq!(sub.data.name, "Sportello per le famiglie");
    assert_eq!(
        sub.data.description_en.as_deref(),
        Some("For families 👩\u{200D}👩\u{200D}👧")
    );
}

async fn proposals_need_the_listings_edit_token(s: &TestServer) {
    let (_, fc) = s.get("/api/services?limit=1").await;
    let id = fc["features"][0]["id"].as_i64().unwrap();
    let a = submit(s, &feature("Nuovo")).await;
    let code = a.body["tracking_code"].as_str().unwrap().to_string();
    let token = a.body["edit_token"].as_str().unwrap().to_string();
    let url = format!("{}/api/listings/{id}/proposals", s.base);
    let before = stored(s).await;
    // No token, a tracking code, a token of a listing not yet published, garbage.
    let a = send(s.client.post(&url).json(&feature("Cambio"))).await;
    assert_eq!(a.status, 401, "{}", a.body);
    for bearer in [code.as_str(), token.as_str(), "garbage"] {
        let a = send(
            s.client
                .post(&url)
                .bearer_auth(bearer)
                .json(&feature("Cambio")),
        )
        .await;
        assert_eq!(a.status, 403, "{bearer}: {}", a.body);
    }
    assert_eq!(stored(s).await, before);
}

/// Every field problem carries a machine-readable code, and the values its text needs, so
/// that a client translates it without reading the English message.
async fn field_problems_carry_codes_and_params(s: &TestServer) {
    let body = json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [12.49, 41.89]},
        "properties": {
            "name": "",
            "organisation": "Comune\u{200B}di Siena",
            "categories": ["not-a-category"],
            "target_groups": "elderly",
            "languages": ["it", "xx"],
            "email": "not an email",
            "website": "javascript:alert(1)",
            "phone": "call me",
            "opening_hours": "whenever",
            "accessibility": {"wheelchair": "sometimes"},
            "description_it": "x".repeat(4001),
            "contact": {"name": "Anna"},
            "consent": false,
            "lang": "fr",
            "colour": "red"
        }
    });
    let a = submit(s, &body).await;
    assert_eq!(a.status, 422, "{}", a.body);
    let fields = a.body["fields"].as_array().unwrap();
    let code = |field: &str| -> &Value {
        fields
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("{field} missing from {}", a.body))
    };
    for (field, expected) in [
        ("properties.name", "required"),
        ("properties.organisation", "forbidden_character"),
        ("properties.categories", "unknown_value"),
        ("properties.target_groups", "invalid"),
        ("properties.languages", "unknown_value"),
        ("properties.email", "invalid_email"),
        ("properties.website", "invalid_url"),
        ("properties.phone", "invalid_phone"),
        ("properties.opening_hours", "invalid_hours"),
        ("properties.accessibility.wheelchair", "invalid_choice"),
        ("properties.description_it", "too_long"),
        ("properties.contact.email", "email_or_phone"),
        ("properties.consent", "consent_required"),
        ("properties.lang", "invalid_choice"),
        ("properties.colour", "invalid"),
        ("geometry.coordinates", "outside_area"),
    ] {
        assert_eq!(code(field)["code"], expected, "{field}: {}", a.body);
        assert!(code(field)["message"].is_string(), "{field}: {}", a.body);
    }
    // Each problem is {field, code, message, params?}.
    for e in fields {
        let keys = e.as_object().unwrap();
        assert!(
            keys.keys()
                .all(|k| ["field", "code", "message", "params"].contains(&k.as_str())),
            "{e}"
        );
    }
    assert_eq!(code("properties.description_it")["params"]["max"], 4000);
    assert_eq!(
        code("properties.description_it")["message"],
        "is longer than 4000 characters"
    );
    assert_eq!(
        code("properties.categories")["params"]["value"],
        "not-a-category"
    );
    assert_eq!(code("properties.languages")["params"]["value"], "xx");
    assert_eq!(code("properties.organisation")["params"]["cp"], "U+200B");
    assert_eq!(code("properties.organisation")["params"]["at"], 7);
    assert_eq!(
        code("properties.accessibility.wheelchair")["params"]["allowed"],
        "yes, limited, no, unknown"
    );
    assert!(
        code("properties.name").get("params").is_none(),
        "{}",
        a.body
    );
    let (_, doc) = s.get("/api/openapi.json").await;
    let codes = &doc["components"]["schemas"]["FieldCode"]["enum"];
    for e in fields {
        assert!(
            codes.as_array().unwrap().contains(&e["code"]),
            "{} is documented",
            e["code"]
        );
    }
}

both_stores!(
    field_problems_carry_codes_and_params,
    a_submission_is_stored_pending_and_its_status_is_readable,
    every_field_problem_is_listed,
    honeypot_oversized_body_and_bursts_are_refused,
    script_tags_are_stored_as_text,
    markup_emails_and_invisible_characters_are_refused_by_field,
    proposals_need_the_listings_edit_token,
);
