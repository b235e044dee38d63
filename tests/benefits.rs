//! Bonuses and contributions over HTTP, against both stores: the demo benefits and their
//! desks, the public list and detail, a service's card listing what is asked for there,
//! and the admins' writes — audited, refused without the role or the CSRF token, and
//! refused field by field (with nothing changed) for bad input.

mod common;

use common::TestServer;
use common::http::{Answer, Mod, send};
use mappatu::auth::Role;
use mappatu::store::{AuditFilter, SubjectKind};
use serde_json::{Value, json};

/// The id of the demo service with this name.
async fn service_id(s: &TestServer, name: &str) -> i64 {
    let (status, body) = s.get("/api/services?limit=500").await;
    assert_eq!(status, 200);
    body["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name"] == name)
        .unwrap_or_else(|| panic!("no service {name}"))["id"]
        .as_i64()
        .unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name_it"].as_str().unwrap().to_string())
        .collect()
}

async fn put(m: &Mod, path: &str, body: Value) -> Answer {
    send(
        m.c.put(format!("{}{path}", m.base))
            .header("X-CSRF-Token", &m.csrf)
            .json(&body),
    )
    .await
}

async fn delete(m: &Mod, path: &str) -> Answer {
    send(
        m.c.delete(format!("{}{path}", m.base))
            .header("X-CSRF-Token", &m.csrf),
    )
    .await
}

async fn benefit_audit(s: &TestServer, action: &str) -> Vec<mappatu::store::AuditEntry> {
    s.store
        .audit_entries(&AuditFilter {
            action: Some(action.into()),
            subject_kind: Some(SubjectKind::Benefit),
            ..AuditFilter::default()
        })
        .await
        .unwrap()
}

fn new_benefit(service: i64) -> Value {
    json!({
        "name_it": "Contributo affitto",
        "name_en": "Rent contribution",
        "gives_it": "Fino a 1500 € l'anno per l'affitto",
        "categories": ["home-utilities", "economic-support"],
        "target_groups": ["low-income"],
        "isee_max_eur": 16500,
        "service_ids": [service],
        "opens_on": "2026-01-15",
        "closes_on": "2026-03-31",
        "period_it": "domande entro il 31 marzo",
        "official_url": "https://www.sienafamiglia.it/affitto"
    })
}

/// The seed article's bonuses are there, marked demo, each asked for at a desk.
async fn demo_benefits_are_loaded_and_linked(s: &TestServer) {
    let (status, list) = s.get("/api/benefits").await;
    assert_eq!(status, 200, "{list}");
    let got = names(&list);
    for name in [
        "Buoni spesa",
        "Bonus prestazioni sanitarie",
        "Bonus utenze",
        "Bonus genitori separati",
        "Buoni viaggio per il taxi",
        "Bonus Benvenuto al Mondo",
        "Bonus campi estivi",
        "Contributi per i campi invernali",
    ] {
        assert!(got.iter().any(|n| n == name), "{name} missing from {got:?}");
    }
    let sportello = service_id(s, "Sportello Famiglia").await;
    for b in list["items"].as_array().unwrap() {
        assert_eq!(b["demo"], true, "{b}");
        assert!(b["name_en"].is_string(), "{b}");
        let at: Vec<i64> = b["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_i64().unwrap())
            .collect();
        assert!(at.contains(&sportello), "{b}");
        // The article gives no threshold: none is invented.
        assert!(b["isee_max_eur"].is_null(), "{b}");
    }
    let taxi = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["name_it"] == "Buoni viaggio per il taxi")
        .unwrap();
    assert_eq!(
        taxi["services"][0]["name"],
        "Ufficio Buoni viaggio e taxi sociale"
    );

    // Loading again adds nothing: every demo benefit is stored once.
    let taxonomy = s.directory.taxonomy();
    let records = mappatu::import::demo::benefits(&taxonomy, |key| async move {
        s.store.service_by_external_id(&key).await
    })
    .await
    .unwrap();
    let added = s
        .store
        .load_benefits(&records, &mappatu::store::Actor::system())
        .await
        .unwrap();
    assert!(added.is_empty(), "{added:?}");
    assert_eq!(
        s.store.benefits().await.unwrap().len(),
        got.len(),
        "demo benefits loaded twice"
    );
}

/// One benefit, the filter by service, and the refusals of bad ids and parameters.
async fn list_get_and_404(s: &TestServer) {
    let (_, list) = s.get("/api/benefits").await;
    let first = &list["items"][0];
    let id = first["id"].as_i64().unwrap();
    let (status, one) = s.get(&format!("/api/benefits/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(&one, first);

    let (status, body) = s.get("/api/benefits/9999").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "not_found");
    assert!(body["message"].as_str().unwrap().contains("9999"), "{body}");
    for (path, parameter) in [
        ("/api/benefits/0", "id"),
        ("/api/benefits/abc", "id"),
        ("/api/benefits?service=-1", "service"),
        ("/api/benefits?servizio=1", "servizio"),
    ] {
        let (status, body) = s.get(path).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["parameter"], parameter, "{path}: {body}");
    }

    let casa = service_id(s, "Sportello Casa ed emergenza abitativa").await;
    let (status, at_casa) = s.get(&format!("/api/benefits?service={casa}")).await;
    assert_eq!(status, 200);
    assert_eq!(names(&at_casa), ["Bonus utenze"]);
    let (_, nowhere) = s.get("/api/benefits?service=99999").await;
    assert_eq!(names(&nowhere), Vec::<String>::new());
}

/// A service's detail lists the benefits asked for there; others list none.
async fn service_detail_shows_its_benefits(s: &TestServer) {
    let sportello = service_id(s, "Sportello Famiglia").await;
    let (status, detail) = s.get(&format!("/api/services/{sportello}")).await;
    assert_eq!(status, 200);
    let listed = detail["properties"]["benefits"].as_array().unwrap();
    assert_eq!(listed.len(), 8, "{listed:?}");
    assert!(
        listed
            .iter()
            .any(|b| b["name_it"] == "Bonus utenze" && b["name_en"] == "Utility bills bonus"),
        "{listed:?}"
    );
    let library = service_id(s, "Biblioteca comunale").await;
    let (_, detail) = s.get(&format!("/api/services/{library}")).await;
    assert_eq!(detail["properties"]["benefits"], json!([]));
    // Lists stay short: no benefits there.
    let (_, list) = s.get("/api/services?limit=5&detail=full").await;
    assert!(list["features"][0]["properties"].get("benefits").is_none());
}

/// An admin adds, edits and deletes a benefit; each change shows at once, in the list,
/// the detail and the service's card, and is in the audit log with the admin's name.
async fn admin_creates_updates_and_deletes(s: &TestServer) {
    let admin = Mod::login(s, "ada", Role::Admin).await;
    let casa = service_id(s, "Sportello Casa ed emergenza abitativa").await;
    let a = admin
        .post("/api/admin/benefits", Some(new_benefit(casa)))
        .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.body["id"].as_i64().unwrap();
    assert_eq!(a.body["demo"], false);
    assert_eq!(a.body["isee_max_eur"], 16500);
    assert_eq!(a.body["closes_on"], "2026-03-31");
    assert_eq!(
        a.body["services"],
        json!([{"id": casa, "name": "Sportello Casa ed emergenza abitativa"}])
    );
    let (_, one) = s.get(&format!("/api/benefits/{id}")).await;
    assert_eq!(one["name_en"], "Rent contribution");
    let (_, detail) = s.get(&format!("/api/services/{casa}")).await;
    assert!(
        detail["properties"]["benefits"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["id"] == id),
        "{detail}"
    );
    let created = benefit_audit(s, "benefit.create").await;
    let entry = created.iter().find(|e| e.subject_id == id).unwrap();
    assert_eq!(entry.actor_name, "ada");
    assert_eq!(
        entry.after.as_ref().unwrap()["name_it"],
        "Contributo affitto"
    );

    // Moved to the Sportello Famiglia, threshold removed.
    let sportello = service_id(s, "Sportello Famiglia").await;
    let mut changed = new_benefit(sportello);
    changed["name_it"] = json!("Contributo per l'affitto");
    changed.as_object_mut().unwrap().remove("isee_max_eur");
    let path = format!("/api/admin/benefits/{id}");
    let a = put(&admin, &path, changed).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["name_it"], "Contributo per l'affitto");
    assert!(a.body["isee_max_eur"].is_null());
    let (_, at_casa) = s.get(&format!("/api/benefits?service={casa}")).await;
    assert!(!names(&at_casa).contains(&"Contributo per l'affitto".to_string()));
    let updated = benefit_audit(s, "benefit.update").await;
    assert_eq!(updated.len(), 1);
    assert_eq!(updated[0].actor_name, "ada");
    assert_eq!(updated[0].before.as_ref().unwrap()["isee_max_eur"], 16500);
    assert_eq!(
        updated[0].after.as_ref().unwrap()["name_it"],
        "Contributo per l'affitto"
    );

    // Editing a demo benefit without saying otherwise keeps it marked demo.
    let (_, list) = s.get("/api/benefits").await;
    let demo_id = list["items"][0]["id"].as_i64().unwrap();
    let a = put(
        &admin,
        &format!("/api/admin/benefits/{demo_id}"),
        json!({"name_it": "Buoni spesa alimentari"}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["demo"], true);

    let a = delete(&admin, &path).await;
    assert_eq!(a.status, 204, "{}", a.body);
    assert_eq!(s.get(&format!("/api/benefits/{id}")).await.0, 404);
    let deleted = benefit_audit(s, "benefit.delete").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        deleted[0].before.as_ref().unwrap()["name_it"],
        "Contributo per l'affitto"
    );
    assert_eq!(delete(&admin, &path).await.status, 404);
    assert_eq!(put(&admin, &path, new_benefit(sportello)).await.status, 404);
    // The admin's audit page shows benefit entries too.
    let page = admin
        .get("/api/moderation/audit?subject_kind=benefit")
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body["items"].as_array().unwrap().len() >= 3);
}

/// Without a session, as a moderator, or without the CSRF token: refused, nothing written.
async fn writes_need_an_admin_and_the_csrf_token(s: &TestServer) {
    let before = s.store.benefits().await.unwrap();
    let body = new_benefit(1);
    let anonymous = s.cookie_client();
    let a = send(
        anonymous
            .post(format!("{}/api/admin/benefits", s.base))
            .json(&body),
    )
    .await;
    assert_eq!(a.status, 401, "{}", a.body);
    let moderator = Mod::login(s, "marta", Role::Moderator).await;
    let a = moderator
        .post("/api/admin/benefits", Some(body.clone()))
        .await;
    assert_eq!(a.status, 403, "{}", a.body);
    let admin = Mod::login(s, "ada", Role::Admin).await;
    let id = before[0].id.0;
    for req in [
        admin
            .c
            .post(format!("{}/api/admin/benefits", s.base))
            .json(&body),
        admin
            .c
            .put(format!("{}/api/admin/benefits/{id}", s.base))
            .json(&body),
        admin
            .c
            .delete(format!("{}/api/admin/benefits/{id}", s.base)),
        admin
            .c
            .delete(format!("{}/api/admin/benefits/{id}", s.base))
            .header("X-CSRF-Token", "not the token"),
    ] {
        let a = send(req).await;
        assert_eq!(a.status, 403, "{}", a.body);
        assert_eq!(a.body["parameter"], "X-CSRF-Token");
    }
    assert_eq!(s.store.benefits().await.unwrap(), before);
    assert!(benefit_audit(s, "benefit.create").await.len() == before.len());
}

/// Bad input answers 4xx naming the field, and changes nothing.
async fn bad_input_names_the_field_and_changes_nothing(s: &TestServer) {
    let admin = Mod::login(s, "ada", Role::Admin).await;
    let before = s.store.benefits().await.unwrap();
    let with = |field: &str, value: Value| {
        let mut b = new_benefit(1);
        b[field] = value;
        b
    };
    let mut no_name = new_benefit(1);
    no_name.as_object_mut().unwrap().remove("name_it");
    for (body, status, field) in [
        (no_name, 422, "name_it"),
        (with("name_it", json!("  ")), 422, "name_it"),
        (with("name_en", json!("Bonus\u{202E}")), 422, "name_en"),
        (with("service_ids", json!([99999])), 422, "service_ids"),
        (with("service_ids", json!([0])), 422, "service_ids"),
        (with("categories", json!(["bonus"])), 422, "categories"),
        (
            with("target_groups", json!(["nobody"])),
            422,
            "target_groups",
        ),
        (with("opens_on", json!("31/03/2026")), 422, "opens_on"),
        (with("closes_on", json!("2025-12-31")), 422, "closes_on"),
        (
            with("official_url", json!("javascript:alert(1)")),
            422,
            "official_url",
        ),
        (with("isee_max_eur", json!(-5)), 400, "isee_max_eur"),
        (with("isee_max_eur", json!(2_000_000)), 422, "isee_max_eur"),
        (with("service_ids", json!("1")), 400, "service_ids"),
        (with("prezzo", json!(1)), 400, "prezzo"),
    ] {
        let a = admin.post("/api/admin/benefits", Some(body.clone())).await;
        assert_eq!(a.status, status, "{field}: {}", a.body);
        let named = if status == 422 {
            a.body["fields"][0]["field"].clone()
        } else {
            a.body["parameter"].clone()
        };
        assert_eq!(named, field, "{}", a.body);
        let id = before[0].id.0;
        let a = put(&admin, &format!("/api/admin/benefits/{id}"), body).await;
        assert_eq!(a.status, status, "PUT {field}: {}", a.body);
    }
    let a = put(&admin, "/api/admin/benefits/0", new_benefit(1)).await;
    assert_eq!((a.status, a.body["parameter"].as_str()), (400, Some("id")));
    assert_eq!(s.store.benefits().await.unwrap(), before);
    assert!(benefit_audit(s, "benefit.update").await.is_empty());
    let (_, list) = s.get("/api/benefits").await;
    assert_eq!(list["items"].as_array().unwrap().len(), before.len());
}

both_stores!(
    demo_benefits_are_loaded_and_linked,
    list_get_and_404,
    service_detail_shows_its_benefits,
    admin_creates_updates_and_deletes,
    writes_need_an_admin_and_the_csrf_token,
    bad_input_names_the_field_and_changes_nothing,
);
