//! Moderation over HTTP, against both stores: the queue with duplicates and diffs, every
//! decision with its audit entry, publishing at once (API and nearest), change proposals
//! through the edit token, reports, listings' life cycle, the attacks (no session, forged
//! CSRF, a moderator at an admin endpoint), and the email to the submitter through a real
//! SMTP sink.

mod common;

use common::http::{Mod, send};
use common::{Backend, TestServer};
use mappatu::auth::Role;
use mappatu::store::{AuditFilter, SubjectKind};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn feature(name: &str, lon: f64, lat: f64) -> Value {
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "name": name,
            "categories": ["food-aid"],
            "address": "Via dei Rossi 10, Siena",
            "opening_hours": "Mo-Fr 09:00-12:00,15:00-18:00",
            "contact": {"name": "Anna Rossi", "email": "anna.rossi@example.org"},
            "consent": true,
            "lang": "it"
        }
    })
}

/// Submits; returns (tracking code, edit token).
async fn submit(s: &TestServer, body: &Value) -> (String, String) {
    let a = send(
        s.client
            .post(format!("{}/api/submissions", s.base))
            .json(body),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    (
        a.body["tracking_code"].as_str().unwrap().to_string(),
        a.body["edit_token"].as_str().unwrap_or("").to_string(),
    )
}

async fn status(s: &TestServer, code: &str) -> Value {
    let (st, body) = s.get(&format!("/api/submissions/{code}")).await;
    assert_eq!(st, 200, "{body}");
    body
}

/// The queue item id of the submission with this tracking code.
async fn item_of(s: &TestServer, code: &str) -> String {
    let sub = s
        .store
        .submissions(None)
        .await
        .unwrap()
        .into_iter()
        .find(|x| x.tracking_code.as_str() == code)
        .unwrap();
    format!("s-{}", sub.id.0)
}

async fn audit(s: &TestServer, action: &str) -> Vec<mappatu::store::AuditEntry> {
    s.store
        .audit_entries(&AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        })
        .await
        .unwrap()
}

/// A published demo listing: (id, [lon, lat], name).
async fn demo_listing(s: &TestServer) -> (i64, [f64; 2], String) {
    let (_, fc) = s.get("/api/services?limit=1").await;
    let f = &fc["features"][0];
    (
        f["id"].as_i64().unwrap(),
        [
            f["geometry"]["coordinates"][0].as_f64().unwrap(),
            f["geometry"]["coordinates"][1].as_f64().unwrap(),
        ],
        f["properties"]["name"].as_str().unwrap().to_string(),
    )
}

async fn approve_after_editing_publishes_at_once(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let x = "<script>alert(1)</script>";
    let mut body = feature(&format!("Dispensa solidale {x}"), 11.3421, 43.3105);
    body["properties"]["description_it"] = json!(format!("Pacchi {x}"));
    body["properties"]["organisation"] = json!(format!("Org {x}"));
    let (code, token) = submit(s, &body).await;
    let item = item_of(s, &code).await;

    let q = m.get("/api/moderation/queue").await;
    assert_eq!(q.status, 200, "{}", q.body);
    assert_eq!(q.body["counts"]["new"], 1);
    assert_eq!(q.body["counts"]["total"], 1);
    let it = &q.body["items"][0];
    assert_eq!(it["id"], item.as_str());
    assert_eq!(it["kind"], "new");
    assert_eq!(it["point"], json!([11.3421, 43.3105]));
    assert_eq!(
        it["submission"]["contact"]["email"],
        "anna.rossi@example.org"
    );

    // The moderator fixes the description before approving.
    let mut edited = it["submission"]["feature"].clone();
    edited["properties"]["description_it"] = json!(format!("Pacchi alimentari {x}"));
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/approve"),
            Some(edited),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["submission"]["status"], "published");
    let id = a.body["service"]["id"].as_i64().unwrap();

    // At once in the public API, text as sent.
    let (st, f) = s.get(&format!("/api/services/{id}")).await;
    assert_eq!(st, 200, "{f}");
    assert_eq!(f["properties"]["name"], format!("Dispensa solidale {x}"));
    assert_eq!(
        f["properties"]["description_it"],
        format!("Pacchi alimentari {x}")
    );
    assert_eq!(f["properties"]["organisation"], format!("Org {x}"));
    let (_, near) = s
        .get("/api/services/nearest?lat=43.3105&lon=11.3421&k=1")
        .await;
    assert_eq!(near["features"][0]["id"], id, "{near}");

    let st = status(s, &code).await;
    assert_eq!(st["status"], "published");
    assert_eq!(st["service_id"], id);

    // Audited with before and after.
    let e = audit(s, "submission.approve").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].actor_name, "marta");
    assert_eq!(e[0].service_id, Some(id));
    assert_eq!(
        e[0].before.as_ref().unwrap()["proposed"]["properties"]["description_it"],
        format!("Pacchi {x}")
    );
    assert_eq!(
        e[0].after.as_ref().unwrap()["properties"]["description_it"],
        format!("Pacchi alimentari {x}")
    );

    // Decided once only.
    let again = m
        .post(&format!("/api/moderation/items/{item}/approve"), None)
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    // The edit token now opens the listing: a change proposal, diffed, applied on approval.
    let url = format!("{}/api/listings/{id}/proposals", s.base);
    let mut change = f.clone();
    change["properties"]["opening_hours"] = json!("Mo-Fr 08:30-12:30");
    change["properties"]["contact"] =
        json!({"name": "Anna Rossi", "email": "anna.rossi@example.org"});
    change["properties"]["consent"] = json!(true);
    // A stolen tracking code cannot edit.
    let a = send(s.client.post(&url).bearer_auth(&code).json(&change)).await;
    assert_eq!(a.status, 403, "{}", a.body);
    let a = send(s.client.post(&url).bearer_auth("wrong").json(&change)).await;
    assert_eq!(a.status, 403, "{}", a.body);
    let a = send(s.client.post(&url).bearer_auth(&token).json(&change)).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a.body.get("edit_token").is_none());
    let change_code = a.body["tracking_code"].as_str().unwrap().to_string();
    let change_item = item_of(s, &change_code).await;
    let q = m.get("/api/moderation/queue?kind=change").await;
    assert_eq!(q.body["counts"]["change"], 1, "{}", q.body);
    let it = &q.body["items"][0];
    assert_eq!(it["kind"], "change");
    assert_eq!(it["service_id"], id);
    let diff = it["diff"].as_array().unwrap();
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0]["field"], "properties.opening_hours");
    assert_eq!(diff[0]["before"], "Mo-Fr 09:00-12:00,15:00-18:00");
    assert_eq!(diff[0]["after"], "Mo-Fr 08:30-12:30");
    // The listing is not itself a duplicate of its change.
    assert!(
        it["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != id)
    );
    // Live listing unchanged until approval.
    let (_, live) = s.get(&format!("/api/services/{id}")).await;
    assert_eq!(
        live["properties"]["opening_hours"],
        "Mo-Fr 09:00-12:00,15:00-18:00"
    );
    let a = m
        .post(
            &format!("/api/moderation/items/{change_item}/approve"),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let (_, live) = s.get(&format!("/api/services/{id}")).await;
    assert_eq!(live["properties"]["opening_hours"], "Mo-Fr 08:30-12:30");
    let e = audit(s, "submission.approve").await;
    assert_eq!(e.len(), 2);
    assert_eq!(
        e[0].before.as_ref().unwrap()["properties"]["opening_hours"],
        "Mo-Fr 09:00-12:00,15:00-18:00"
    );
}

async fn reject_and_request_changes_show_on_the_status_page(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let (code, _) = submit(s, &feature("Servizio di prova", 11.33, 43.32)).await;
    let item = item_of(s, &code).await;
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/reject"),
            Some(json!({})),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.body["fields"][0]["field"], "reason");
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/reject"),
            Some(json!({"reason": "Non è un servizio sociale."})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let st = status(s, &code).await;
    assert_eq!(st["status"], "rejected");
    assert_eq!(st["reason"], "Non è un servizio sociale.");
    let e = audit(s, "submission.reject").await;
    assert_eq!(e[0].reason.as_deref(), Some("Non è un servizio sociale."));
    assert_eq!(e[0].after.as_ref().unwrap()["status"], "rejected");

    let (code, _) = submit(s, &feature("Altro servizio", 11.33, 43.32)).await;
    let item = item_of(s, &code).await;
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/request-changes"),
            Some(json!({"message": "Indicate gli orari di agosto."})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let st = status(s, &code).await;
    assert_eq!(st["status"], "changes_requested");
    assert_eq!(st["reason"], "Indicate gli orari di agosto.");
    assert_eq!(audit(s, "submission.request_changes").await.len(), 1);
    let q = m.get("/api/moderation/queue").await;
    assert_eq!(q.body["counts"]["total"], 0, "{}", q.body);
}

async fn duplicates_are_flagged_and_merged(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let (id, [lon, lat], name) = demo_listing(s).await;
    // About 50 m north-east of the listing, under a similar name.
    let mut body = feature(&format!("{name} Siena"), lon + 0.0004, lat + 0.0003);
    body["properties"]["website"] = json!("https://example.org/dup");
    let (code, token) = submit(s, &body).await;
    let item = item_of(s, &code).await;
    let it = m.get(&format!("/api/moderation/items/{item}")).await;
    assert_eq!(it.status, 200, "{}", it.body);
    let dups = it.body["duplicates"].as_array().unwrap();
    let d = dups.iter().find(|d| d["id"] == id).expect("listing nearby");
    assert_eq!(d["possible_duplicate"], true, "{d}");
    assert!(d["distance_m"].as_f64().unwrap() < 200.0);
    // Far away: not listed.
    let (far, _) = submit(s, &feature(&name, lon + 0.05, lat + 0.05)).await;
    let far_item = item_of(s, &far).await;
    let it = m.get(&format!("/api/moderation/items/{far_item}")).await;
    assert!(
        it.body["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != id)
    );

    let before = s
        .store
        .get(mappatu::domain::ServiceId(id))
        .await
        .unwrap()
        .unwrap();
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/merge"),
            Some(json!({"into": id})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let st = status(s, &code).await;
    assert_eq!(st["status"], "merged");
    assert_eq!(st["service_id"], id);
    let after = s
        .store
        .get(mappatu::domain::ServiceId(id))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.data.name, before.data.name);
    if before.data.website.is_none() {
        assert_eq!(
            after.data.website.as_deref(),
            Some("https://example.org/dup")
        );
    }
    let e = audit(s, "submission.merge").await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].service_id, Some(id));
    assert!(e[0].before.is_some() && e[0].after.is_some());
    // The merged submission's token opens the listing it was merged into.
    let url = format!("{}/api/listings/{id}/proposals", s.base);
    let a = send(
        s.client
            .post(&url)
            .bearer_auth(&token)
            .json(&feature(&name, lon, lat)),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
}

/// The demo's Sportello Famiglia: (id, [lon, lat]).
async fn sportello_famiglia(s: &TestServer) -> (i64, [f64; 2]) {
    let (_, fc) = s.get("/api/services?q=Sportello%20Famiglia&limit=5").await;
    let f = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["properties"]["name"] == "Sportello Famiglia")
        .unwrap_or_else(|| panic!("no Sportello Famiglia in the demo data: {fc}"));
    let c = &f["geometry"]["coordinates"];
    (
        f["id"].as_i64().unwrap(),
        [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()],
    )
}

async fn lookalike_names_and_mixed_scripts_are_flagged(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let (real, [lon, lat]) = sportello_famiglia(s).await;
    // Cyrillic Ѕ, р, о, е, а, і at the real Sportello's point.
    let (fake, _) = submit(s, &feature("Ѕроrtеllо Fаmіglіа", lon, lat)).await;
    let fake = item_of(s, &fake).await;
    // Far from it (about 7 km), in capitals: no nearby duplicate, a look-alike all the same.
    let (far, _) = submit(s, &feature("SPORTELLO FAMIGLIA", lon + 0.06, lat + 0.04)).await;
    let far = item_of(s, &far).await;
    let (honest, _) = submit(s, &feature("Banco alimentare di quartiere", lon, lat)).await;
    let honest = item_of(s, &honest).await;

    let expected_fake = json!([
        {"kind": "mixed_scripts", "scripts": ["Cyrillic", "Latin"], "words": ["Ѕроrtеllо", "Fаmіglіа"]},
        {"kind": "lookalike", "id": real, "name": "Sportello Famiglia"},
    ]);
    let expected_far = json!([{"kind": "lookalike", "id": real, "name": "Sportello Famiglia"}]);
    let q = m.get("/api/moderation/queue?kind=new").await;
    assert_eq!(q.status, 200, "{}", q.body);
    let items = q.body["items"].as_array().unwrap();
    let of = |id: &str| {
        items
            .iter()
            .find(|it| it["id"] == id)
            .unwrap_or_else(|| panic!("{id} not in {items:?}"))
    };
    assert_eq!(of(&fake)["name_warnings"], expected_fake);
    assert_eq!(of(&far)["name_warnings"], expected_far);
    assert_eq!(of(&honest)["name_warnings"], json!([]));
    // The item's detail says the same.
    for (item, expected) in [(&fake, &expected_fake), (&far, &expected_far)] {
        let it = m.get(&format!("/api/moderation/items/{item}")).await;
        assert_eq!(it.status, 200, "{}", it.body);
        assert_eq!(&it.body["name_warnings"], expected);
    }
    let it = m.get(&format!("/api/moderation/items/{far}")).await;
    assert!(
        it.body["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != real),
        "{}",
        it.body
    );

    // A listing published since is compared too: the next look-up sees it.
    let a = m
        .post(&format!("/api/moderation/items/{honest}/approve"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let banco = a.body["service"]["id"].as_i64().unwrap();
    let (copy, _) = submit(
        s,
        &feature("Banco alimentare di quartière", lon + 0.1, lat - 0.1),
    )
    .await;
    let copy = item_of(s, &copy).await;
    let it = m.get(&format!("/api/moderation/items/{copy}")).await;
    assert_eq!(
        it.body["name_warnings"],
        json!([{"kind": "lookalike", "id": banco, "name": "Banco alimentare di quartiere"}])
    );
}

async fn proposals_and_moderators_edits_are_checked_alike(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let xss = "a<img/src=x/onerror=alert(1)>@x.it";
    let (code, token) = submit(s, &feature("Dispensa solidale", 11.3421, 43.3105)).await;
    let item = item_of(s, &code).await;
    // Approving with an edited Feature: checked like a submission.
    let it = m.get(&format!("/api/moderation/items/{item}")).await;
    let mut edited = it.body["submission"]["feature"].clone();
    edited["properties"]["email"] = json!(xss);
    edited["properties"]["name"] = json!("Dispensa\u{202E}solidale");
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/approve"),
            Some(edited),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    let fields: Vec<&str> = a.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["properties.name", "properties.email"],
        "{}",
        a.body
    );
    let a = m
        .post(&format!("/api/moderation/items/{item}/approve"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let id = a.body["service"]["id"].as_i64().unwrap();

    // A change proposal through the edit link.
    let (_, f) = s.get(&format!("/api/services/{id}")).await;
    let url = format!("{}/api/listings/{id}/proposals", s.base);
    let mut change = f.clone();
    change["properties"]["email"] = json!(xss);
    change["properties"]["contact"] = json!({"name": "Anna\u{200B}Rossi", "email": xss});
    change["properties"]["consent"] = json!(true);
    let a = send(s.client.post(&url).bearer_auth(&token).json(&change)).await;
    assert_eq!(a.status, 422, "{}", a.body);
    let fields: Vec<&str> = a.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "properties.email",
        "properties.contact.name",
        "properties.contact.email",
    ] {
        assert!(fields.contains(&f), "{f} not in {fields:?}");
    }

    // A moderator's edit of the published listing.
    let mut bad = f.clone();
    bad["properties"]["organisation"] = json!("Comune\u{2067} di Siena");
    bad["properties"]["email"] = json!(xss);
    let a = m
        .post(&format!("/api/moderation/services/{id}/edit"), Some(bad))
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    let errors = a.body["fields"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{}", a.body);
    assert_eq!(errors[0]["field"], "properties.organisation");
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("U+2067 RIGHT-TO-LEFT ISOLATE"),
        "{}",
        a.body
    );
    assert_eq!(errors[1]["field"], "properties.email");
    let (_, after) = s.get(&format!("/api/services/{id}")).await;
    assert_eq!(after, f, "nothing changed");
}

async fn reports_and_listings_are_moderated(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let (id, _, _) = demo_listing(s).await;
    let a = send(
        s.client
            .post(format!("{}/api/services/{id}/reports", s.base))
            .json(&json!({"kind": "closed", "lang": "it"})),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let rid = a.body["id"].as_i64().unwrap();
    let q = m.get("/api/moderation/queue").await;
    assert_eq!(q.body["counts"]["report"], 1, "{}", q.body);
    assert_eq!(q.body["items"][0]["id"], format!("r-{rid}"));
    assert_eq!(q.body["items"][0]["report"]["kind"], "closed");
    // A report is not approved.
    let a = m
        .post(&format!("/api/moderation/items/r-{rid}/approve"), None)
        .await;
    assert_eq!(a.status, 409, "{}", a.body);
    let a = m
        .post(
            &format!("/api/moderation/items/r-{rid}/resolve"),
            Some(json!({"note": "Chiamato: chiuso davvero"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["status"], "resolved");
    let a = m
        .post(&format!("/api/moderation/reports/{rid}/dismiss"), None)
        .await;
    assert_eq!(a.status, 409, "{}", a.body);
    let e = audit(s, "report.resolve").await;
    assert_eq!(e[0].reason.as_deref(), Some("Chiamato: chiuso davvero"));

    // Unpublish: gone at once; republish: back; verify: verified_at set.
    let a = m
        .post(
            &format!("/api/moderation/services/{id}/unpublish"),
            Some(json!({"reason": "Ha chiuso"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(s.get(&format!("/api/services/{id}")).await.0, 404);
    let a = m
        .post(&format!("/api/moderation/services/{id}/unpublish"), None)
        .await;
    assert_eq!(a.status, 409, "{}", a.body);
    let a = m
        .post(&format!("/api/moderation/services/{id}/republish"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(s.get(&format!("/api/services/{id}")).await.0, 200);
    let a = m
        .post(&format!("/api/moderation/services/{id}/verify"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let (_, f) = s.get(&format!("/api/services/{id}")).await;
    assert!(f["properties"]["verified_at"].is_string(), "{f}");

    // Edit a published listing.
    let mut edited = f.clone();
    edited["properties"]["phone"] = json!("0577 999999");
    let a = m
        .post(&format!("/api/moderation/services/{id}/edit"), Some(edited))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let (_, f) = s.get(&format!("/api/services/{id}")).await;
    assert_eq!(f["properties"]["phone"], "0577 999999");
    let mut bad = f.clone();
    bad["properties"]["name"] = json!("");
    let a = m
        .post(&format!("/api/moderation/services/{id}/edit"), Some(bad))
        .await;
    assert_eq!(a.status, 422, "{}", a.body);

    for action in [
        "service.unpublish",
        "service.republish",
        "service.verify",
        "service.edit",
    ] {
        let e = audit(s, action).await;
        assert_eq!(e.len(), 1, "{action}");
        assert_eq!(e[0].subject_kind, "service");
        assert!(e[0].before.is_some() && e[0].after.is_some(), "{action}");
    }
    assert_eq!(
        audit(s, "service.unpublish").await[0].reason.as_deref(),
        Some("Ha chiuso")
    );
}

async fn unauthenticated_forged_and_underprivileged_requests_change_nothing(s: &TestServer) {
    let (code, _) = submit(s, &feature("Servizio in attesa", 11.33, 43.32)).await;
    let item = item_of(s, &code).await;
    let url = |p: &str| format!("{}{p}", s.base);
    // No session.
    let a = send(s.client.get(url("/api/moderation/queue"))).await;
    assert_eq!(a.status, 401, "{}", a.body);
    let a = send(
        s.client
            .post(url(&format!("/api/moderation/items/{item}/approve"))),
    )
    .await;
    assert_eq!(a.status, 401, "{}", a.body);
    // A session without the CSRF token, or a forged one.
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let a = send(m.c.post(url(&format!("/api/moderation/items/{item}/approve")))).await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert_eq!(a.body["error"], "csrf");
    let forged = format!("{}x", &m.csrf[..m.csrf.len() - 1]);
    let a = send(
        m.c.post(url(&format!("/api/moderation/items/{item}/reject")))
            .header("X-CSRF-Token", forged)
            .json(&json!({"reason": "x"})),
    )
    .await;
    assert_eq!(a.status, 403, "{}", a.body);
    // A moderator at the admin-only audit log.
    let a = m.get("/api/moderation/audit").await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert_eq!(a.body["error"], "forbidden");
    assert_eq!(status(s, &code).await["status"], "pending");
    assert!(audit(s, "submission.approve").await.is_empty());
    assert!(audit(s, "submission.reject").await.is_empty());

    // An admin reads and filters it.
    let m2 = Mod::login(s, "root", Role::Admin).await;
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/reject"),
            Some(json!({"reason": "Doppione"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let a = m2
        .get("/api/moderation/audit?action=submission.reject&actor=marta&subject_kind=submission")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let items = a.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", a.body);
    assert_eq!(items[0]["reason"], "Doppione");
    assert_eq!(items[0]["actor_name"], "marta");
    let a = m2.get("/api/moderation/audit?limit=0").await;
    assert_eq!(a.status, 400, "{}", a.body);
    let a = m2.get("/api/moderation/audit?colour=red").await;
    assert_eq!(a.status, 400, "{}", a.body);
    // Given twice, a filter is refused rather than one of the two kept silently.
    for (query, name) in [
        ("actor=marta&actor=luca", "actor"),
        ("limit=1&limit=2", "limit"),
        (
            "from=2026-01-01T00:00:00Z&from=2026-02-01T00:00:00Z",
            "from",
        ),
        ("subject_id=0", "subject_id"),
        ("to=yesterday", "to"),
    ] {
        let a = m2.get(&format!("/api/moderation/audit?{query}")).await;
        assert_eq!(a.status, 400, "{query}: {}", a.body);
        assert_eq!(a.body["parameter"], name, "{query}: {}", a.body);
    }
    let subject = s
        .store
        .audit_entries(&AuditFilter {
            subject_kind: Some(SubjectKind::Submission),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(subject.len(), 1);
}

/// Every page of the queue asked with `limit`, following `next_cursor`: the ids, and each
/// page's answer checked for totals and order.
async fn walk(m: &Mod, query: &str, limit: usize, counts: &Value) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..100 {
        let mut path = format!("/api/moderation/queue?limit={limit}{query}");
        if let Some(c) = &after {
            path.push_str(&format!("&after={c}"));
        }
        let a = m.get(&path).await;
        assert_eq!(a.status, 200, "{path}: {}", a.body);
        assert_eq!(&a.body["counts"], counts, "counts are totals on every page");
        let items = a.body["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{}", a.body);
        ids.extend(
            items
                .iter()
                .map(|it| it["id"].as_str().unwrap().to_string()),
        );
        match a.body["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(items.len(), limit, "only the last page is short");
                assert!(a.body["remaining"].as_u64().unwrap() > 0, "{}", a.body);
                after = Some(c.to_string());
            }
            None => {
                assert!(a.body["next_cursor"].is_null(), "{}", a.body);
                assert_eq!(a.body["remaining"], 0, "{}", a.body);
                return ids;
            }
        }
    }
    panic!("the queue never ended: {ids:?}");
}

async fn the_queue_pages_with_a_cursor(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let mut codes = Vec::new();
    for i in 0..5 {
        let lon = 11.30 + f64::from(i) * 0.01;
        let (code, _) = submit(s, &feature(&format!("Sportello in coda {i}"), lon, 43.30)).await;
        codes.push(code);
    }
    let (listing, _, _) = demo_listing(s).await;
    for kind in ["closed", "wrong_address"] {
        let a = send(
            s.client
                .post(format!("{}/api/services/{listing}/reports", s.base))
                .json(&json!({"kind": kind, "lang": "it"})),
        )
        .await;
        assert_eq!(a.status, 201, "{}", a.body);
    }

    // The whole queue in one page, the reference.
    let all = m.get("/api/moderation/queue?limit=200").await;
    assert_eq!(all.status, 200, "{}", all.body);
    let counts = all.body["counts"].clone();
    assert_eq!(counts["total"], 7, "{counts}");
    assert!(all.body["next_cursor"].is_null(), "{}", all.body);
    let items = all.body["items"].as_array().unwrap();
    let expected: Vec<String> = items
        .iter()
        .map(|it| it["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(expected.len(), 7);
    let times: Vec<&str> = items
        .iter()
        .map(|it| it["created_at"].as_str().unwrap())
        .collect();
    let parsed: Vec<chrono::DateTime<chrono::Utc>> =
        times.iter().map(|t| t.parse().unwrap()).collect();
    assert!(
        parsed.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {times:?}"
    );
    // The default page holds them all (50).
    let a = m.get("/api/moderation/queue").await;
    assert_eq!(a.body["items"].as_array().unwrap().len(), 7);

    // Pages of two walk the same items in the same order, none twice, none missing.
    assert_eq!(walk(&m, "", 2, &counts).await, expected);
    assert_eq!(walk(&m, "", 3, &counts).await, expected);
    assert_eq!(walk(&m, "", 7, &counts).await, expected);

    // With a kind: only that kind, paged, the counts still the whole queue's.
    let of_kind = |k: &str| -> Vec<String> {
        items
            .iter()
            .filter(|it| it["kind"] == k)
            .map(|it| it["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        walk(&m, "&kind=report", 1, &counts).await,
        of_kind("report")
    );
    assert_eq!(walk(&m, "&kind=new", 2, &counts).await, of_kind("new"));
    assert_eq!(of_kind("new").len(), 5);

    // A moderator approves the first item of page one before asking for page two: page
    // two still starts with the third item (an offset would skip it).
    let p1 = m.get("/api/moderation/queue?limit=2&kind=new").await;
    let first = p1.body["items"][0]["id"].as_str().unwrap().to_string();
    let cursor = p1.body["next_cursor"].as_str().unwrap().to_string();
    assert_eq!(p1.body["remaining"], 3, "{}", p1.body);
    let a = m
        .post(&format!("/api/moderation/items/{first}/approve"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let p2 = m
        .get(&format!(
            "/api/moderation/queue?limit=2&kind=new&after={cursor}"
        ))
        .await;
    assert_eq!(p2.status, 200, "{}", p2.body);
    let p2_ids: Vec<&str> = p2.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| it["id"].as_str().unwrap())
        .collect();
    let new = of_kind("new");
    assert_eq!(p2_ids, [new[2].as_str(), new[3].as_str()], "{}", p2.body);
    assert_eq!(
        p2.body["counts"]["new"], 4,
        "the counts follow the decision"
    );
    assert_eq!(p2.body["counts"]["total"], 6);
    assert_eq!(p2.body["remaining"], 1, "{}", p2.body);
    // The cursor of a decided item still works, and so does a walk after the decision.
    let counts = p2.body["counts"].clone();
    let rest: Vec<String> = expected
        .iter()
        .filter(|id| **id != first)
        .cloned()
        .collect();
    assert_eq!(walk(&m, "", 2, &counts).await, rest);
}

async fn bad_queue_parameters_are_named(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    submit(s, &feature("Servizio in attesa", 11.33, 43.32)).await;
    use base64::Engine;
    let b64 = |raw: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let junk = b64("not a time|s-1");
    let no_id = b64("2026-01-01T00:00:00Z|x-1");
    let cases: Vec<(String, &str)> = vec![
        ("limit=0".into(), "limit"),
        ("limit=201".into(), "limit"),
        ("limit=abc".into(), "limit"),
        ("limit=-1".into(), "limit"),
        ("limit=".into(), "limit"),
        ("after=garbage".into(), "after"),
        ("after=".into(), "after"),
        (format!("after={junk}"), "after"),
        (format!("after={no_id}"), "after"),
        ("kind=all".into(), "kind"),
        ("offset=2".into(), "offset"),
        ("limit=2&page=2".into(), "page"),
        ("limit=2&limit=3".into(), "limit"),
        ("kind=new&kind=report".into(), "kind"),
        ("after=&after=".into(), "after"),
    ];
    for (query, name) in cases {
        let a = m.get(&format!("/api/moderation/queue?{query}")).await;
        assert_eq!(a.status, 400, "{query}: {}", a.body);
        assert_eq!(a.body["parameter"], name, "{query}: {}", a.body);
        assert!(
            a.body["message"].as_str().unwrap().starts_with(name),
            "{query}: {}",
            a.body
        );
        assert!(a.body["error"].is_string(), "{query}: {}", a.body);
    }
    // The edges are fine.
    for query in ["limit=1", "limit=200", "limit=1&kind=new"] {
        let a = m.get(&format!("/api/moderation/queue?{query}")).await;
        assert_eq!(a.status, 200, "{query}: {}", a.body);
    }
}

/// Stores listings as `mappatu import --pending` does (status pending, through the store's
/// upsert): copies of a demo listing with a new name at the given `[lon, lat]`. Their ids.
async fn import_pending(s: &TestServer, listings: &[(&str, [f64; 2])]) -> Vec<i64> {
    let (demo, _, _) = demo_listing(s).await;
    let base = s
        .store
        .get(mappatu::domain::ServiceId(demo))
        .await
        .unwrap()
        .unwrap();
    let records = listings
        .iter()
        .map(|(name, [lon, lat])| {
            let mut data = base.data.clone();
            data.name = (*name).to_string();
            data.point = mappatu::domain::Coordinates::from_lon_lat(*lon, *lat).unwrap();
            mappatu::store::NewService {
                external_id: Some(format!("import-{name}")),
                status: mappatu::domain::Status::Pending,
                data,
            }
        })
        .collect();
    let out = s.store.upsert(records, &|_| {}).await.unwrap();
    assert_eq!(out.inserted.len(), listings.len());
    out.inserted.iter().map(|id| id.0).collect()
}

fn ids_of(q: &Value) -> Vec<String> {
    q["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|it| it["id"].as_str().unwrap().to_string())
        .collect()
}

async fn pending_imports_are_queued_and_decided(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let admin = Mod::login(s, "ada", Role::Admin).await;
    let (code, _) = submit(s, &feature("Sportello inviato", 11.30, 43.30)).await;
    let sub_item = item_of(s, &code).await;
    let (listing, _, _) = demo_listing(s).await;
    let a = send(
        s.client
            .post(format!("{}/api/services/{listing}/reports", s.base))
            .json(&json!({"kind": "closed", "lang": "it"})),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let a_pt = [11.3555, 43.3377];
    let b_pt = [11.3111, 43.3011];
    let c_pt = [11.3222, 43.3222];
    let ids = import_pending(
        s,
        &[
            ("Importato A <b>x</b>", a_pt),
            ("Importato B", b_pt),
            ("Importato C", c_pt),
        ],
    )
    .await;
    let (a_id, b_id, c_id) = (ids[0], ids[1], ids[2]);
    let (pa, pb, pc) = (
        format!("p-{a_id}"),
        format!("p-{b_id}"),
        format!("p-{c_id}"),
    );

    // Not public before a moderator decides.
    let (st, _) = s.get(&format!("/api/services/{a_id}")).await;
    assert_eq!(st, 404);

    // In the queue as new listings without a submitter.
    let q = m.get("/api/moderation/queue?limit=200").await;
    assert_eq!(q.status, 200, "{}", q.body);
    assert_eq!(q.body["counts"]["new"], 4, "{}", q.body);
    assert_eq!(q.body["counts"]["report"], 1, "{}", q.body);
    assert_eq!(q.body["counts"]["total"], 5, "{}", q.body);
    let all = ids_of(&q.body);
    for id in [&sub_item, &pa, &pb, &pc] {
        assert!(all.contains(id), "{id} missing: {all:?}");
    }
    assert!(all.iter().any(|id| id.starts_with("r-")), "{all:?}");
    let it = q.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|it| it["id"] == pa.as_str())
        .unwrap();
    assert_eq!(it["kind"], "new");
    assert_eq!(it["imported"], true);
    assert_eq!(it["service_id"], a_id);
    assert_eq!(it["title"], "Importato A <b>x</b>");
    assert_eq!(it["point"], json!(a_pt));
    assert_eq!(it["live"]["properties"]["status"], "pending", "{it}");
    assert!(it.get("submission").is_none(), "{it}");
    assert!(it.get("report").is_none(), "{it}");
    assert!(
        it["duplicates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["id"] != a_id),
        "{it}"
    );
    // A submission is not marked imported.
    let sub = q.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|it| it["id"] == sub_item.as_str())
        .unwrap();
    assert!(sub.get("imported").is_none(), "{sub}");
    // Only new listings: the imports are among them.
    let q = m.get("/api/moderation/queue?kind=new&limit=200").await;
    assert_eq!(ids_of(&q.body).len(), 4, "{}", q.body);

    // Pages of one walk submissions, reports and imports, none twice, none missing.
    let counts = m.get("/api/moderation/queue").await.body["counts"].clone();
    assert_eq!(walk(&m, "", 1, &counts).await, all);
    assert_eq!(walk(&m, "", 2, &counts).await, all);

    // One item by id.
    let one = m.get(&format!("/api/moderation/items/{pc}")).await;
    assert_eq!(one.status, 200, "{}", one.body);
    assert_eq!(one.body["imported"], true);
    // A listing that never waited as an import is no `p-` item.
    let (demo, _, _) = demo_listing(s).await;
    let not_import = m.get(&format!("/api/moderation/items/p-{demo}")).await;
    assert_eq!(not_import.status, 404, "{}", not_import.body);

    // No submitter to ask or to merge.
    let a = m
        .post(
            &format!("/api/moderation/items/{pc}/request-changes"),
            Some(json!({"message": "Aggiungete l'orario"})),
        )
        .await;
    assert_eq!(a.status, 409, "{}", a.body);
    assert!(a.body.to_string().contains("no submitter"), "{}", a.body);
    let a = m
        .post(
            &format!("/api/moderation/items/{pc}/merge"),
            Some(json!({"into": listing})),
        )
        .await;
    assert_eq!(a.status, 409, "{}", a.body);
    // Not a report either.
    let a = m
        .post(&format!("/api/moderation/items/{pc}/resolve"), None)
        .await;
    assert_eq!(a.status, 409, "{}", a.body);

    // Approving with an edited body is refused; nothing changes.
    let a = m
        .post(
            &format!("/api/moderation/items/{pa}/approve"),
            Some(feature("Altro nome", a_pt[0], a_pt[1])),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.to_string().contains("body"), "{}", a.body);
    let (st, _) = s.get(&format!("/api/services/{a_id}")).await;
    assert_eq!(st, 404);

    // Approved: public at once, in the API and at its point.
    let a = m
        .post(&format!("/api/moderation/items/{pa}/approve"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["properties"]["status"], "published", "{}", a.body);
    let (st, f) = s.get(&format!("/api/services/{a_id}")).await;
    assert_eq!(st, 200, "{f}");
    assert_eq!(f["properties"]["name"], "Importato A <b>x</b>");
    let (st, near) = s
        .get(&format!(
            "/api/services/nearest?lon={}&lat={}&k=1",
            a_pt[0], a_pt[1]
        ))
        .await;
    assert_eq!(st, 200, "{near}");
    assert_eq!(near["features"][0]["id"], a_id, "{near}");
    // Decided once only.
    let again = m
        .post(&format!("/api/moderation/items/{pa}/approve"), None)
        .await;
    assert_eq!(again.status, 409, "{}", again.body);
    let again = m
        .post(
            &format!("/api/moderation/items/{pa}/reject"),
            Some(json!({"reason": "troppo tardi"})),
        )
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    // Rejected: a reason is required; then it stays off the map.
    let a = m
        .post(
            &format!("/api/moderation/items/{pb}/reject"),
            Some(json!({})),
        )
        .await;
    assert_eq!(a.status, 422, "{}", a.body);
    let a = m
        .post(
            &format!("/api/moderation/items/{pb}/reject"),
            Some(json!({"reason": "Servizio chiuso nel 2024"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["properties"]["status"], "rejected", "{}", a.body);
    let (st, _) = s.get(&format!("/api/services/{b_id}")).await;
    assert_eq!(st, 404);
    let (_, near) = s
        .get(&format!(
            "/api/services/nearest?lon={}&lat={}&k=1",
            b_pt[0], b_pt[1]
        ))
        .await;
    assert_ne!(near["features"][0]["id"], b_id, "{near}");
    let again = m
        .post(&format!("/api/moderation/items/{pb}/approve"), None)
        .await;
    assert_eq!(again.status, 409, "{}", again.body);

    // Decided imports are still items, whose listing says how they were decided.
    for (item, status) in [(&pa, "published"), (&pb, "rejected")] {
        let one = m.get(&format!("/api/moderation/items/{item}")).await;
        assert_eq!(one.status, 200, "{item}: {}", one.body);
        assert_eq!(one.body["imported"], true, "{item}: {}", one.body);
        assert_eq!(
            one.body["live"]["properties"]["status"], status,
            "{item}: {}",
            one.body
        );
    }

    // Both decided items left the queue; the undecided one is still there.
    let q = m.get("/api/moderation/queue?limit=200").await;
    let left = ids_of(&q.body);
    assert!(!left.contains(&pa) && !left.contains(&pb), "{left:?}");
    assert!(left.contains(&pc), "{left:?}");
    assert_eq!(q.body["counts"]["new"], 2, "{}", q.body);

    // Audited, with the moderator and the reason.
    let a = admin
        .get("/api/moderation/audit?action=service.approve")
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let e = a.body["items"].as_array().unwrap();
    assert_eq!(e.len(), 1, "{}", a.body);
    assert_eq!(e[0]["actor_name"], "marta");
    assert_eq!(e[0]["subject_id"], a_id);
    assert_eq!(e[0]["before"]["status"], "pending");
    assert_eq!(e[0]["after"]["status"], "published");
    let a = admin
        .get("/api/moderation/audit?action=service.reject")
        .await;
    let e = a.body["items"].as_array().unwrap();
    assert_eq!(e.len(), 1, "{}", a.body);
    assert_eq!(e[0]["actor_name"], "marta");
    assert_eq!(e[0]["subject_id"], b_id);
    assert_eq!(e[0]["reason"], "Servizio chiuso nel 2024");
    assert_eq!(e[0]["after"]["status"], "rejected");
}

/// The languages spoken at the desk, end to end: submitted, checked by code, approved,
/// shown on the listing, found by `lang_spoken` on every list endpoint, diffed in a change
/// proposal and edited by a moderator.
async fn languages_spoken_are_submitted_moderated_shown_and_filtered(s: &TestServer) {
    let m = Mod::login(s, "marta", Role::Moderator).await;
    let mut f = feature("Sportello lingue", 11.3301, 43.3190);
    // An unknown code is named, with its code, and nothing is stored.
    f["properties"]["languages"] = json!(["it", "xx"]);
    let a = send(
        s.client
            .post(format!("{}/api/submissions", s.base))
            .json(&f),
    )
    .await;
    assert_eq!(a.status, 422, "{}", a.body);
    let e = &a.body["fields"][0];
    assert_eq!(e["field"], "properties.languages", "{}", a.body);
    assert_eq!(e["code"], "unknown_value", "{}", a.body);
    assert_eq!(e["params"]["value"], "xx", "{}", a.body);

    // Case and repeats are tidied.
    f["properties"]["languages"] = json!(["IT", "en", "it"]);
    let (code, token) = submit(s, &f).await;
    let item = item_of(s, &code).await;
    let a = m
        .post(&format!("/api/moderation/items/{item}/approve"), None)
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let id = a.body["service"]["id"]
        .as_i64()
        .or_else(|| a.body["submission"]["service_id"].as_i64())
        .unwrap_or_else(|| panic!("{}", a.body));
    let (_, live) = s.get(&format!("/api/services/{id}")).await;
    assert_eq!(
        live["properties"]["languages"],
        json!(["it", "en"]),
        "{live}"
    );

    let ids = |fc: &Value| -> Vec<i64> {
        fc["features"]
            .as_array()
            .unwrap_or_else(|| panic!("{fc}"))
            .iter()
            .map(|f| f["id"].as_i64().unwrap())
            .collect()
    };
    let at = "lat=43.3190&lon=11.3301";
    for (query, found) in [
        ("/api/services?lang_spoken=en&limit=500".to_string(), true),
        (
            "/api/services?lang_spoken=ar,fr&limit=500".to_string(),
            false,
        ),
        (
            format!("/api/services/nearest?{at}&k=50&lang_spoken=en"),
            true,
        ),
        (
            format!("/api/services/nearest?{at}&k=50&lang_spoken=ar"),
            false,
        ),
        ("/api/services/points?lang_spoken=EN".to_string(), true),
        ("/api/services/points?lang_spoken=ar".to_string(), false),
        (format!("/api/search?q=sportello&{at}&lang_spoken=en"), true),
        (
            format!("/api/search?q=sportello&{at}&lang_spoken=ar"),
            false,
        ),
    ] {
        let (st, fc) = s.get(&query).await;
        assert_eq!(st, 200, "{query}: {fc}");
        assert_eq!(ids(&fc).contains(&id), found, "{query}: {fc}");
    }
    // Without the filter, a full list shows the languages; a listing without any leaves
    // the key out.
    let (_, fc) = s.get("/api/services?detail=full&limit=500").await;
    let all = fc["features"].as_array().unwrap();
    let mine = all.iter().find(|f| f["id"] == id).unwrap();
    assert_eq!(mine["properties"]["languages"], json!(["it", "en"]));
    assert!(
        all.iter()
            .any(|f| f["properties"].get("languages").is_none())
    );
    // A code that is not ISO 639-1 is a 400 naming the parameter.
    for bad in ["xx", "english", "en,zz"] {
        let (st, body) = s.get(&format!("/api/services?lang_spoken={bad}")).await;
        assert_eq!(st, 400, "{bad}: {body}");
        assert_eq!(body["error"], "invalid_parameter", "{body}");
        assert_eq!(body["parameter"], "lang_spoken", "{body}");
    }

    // A change proposal adding French shows in the diff, by field.
    let mut change = live.clone();
    change["properties"]["languages"] = json!(["it", "en", "fr"]);
    change["properties"]["contact"] =
        json!({"name": "Anna Rossi", "email": "anna.rossi@example.org"});
    change["properties"]["consent"] = json!(true);
    let a = send(
        s.client
            .post(format!("{}/api/listings/{id}/proposals", s.base))
            .bearer_auth(&token)
            .json(&change),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let q = m.get("/api/moderation/queue?kind=change").await;
    let diff = q.body["items"][0]["diff"].as_array().unwrap().clone();
    assert_eq!(diff.len(), 1, "{diff:?}");
    assert_eq!(diff[0]["field"], "properties.languages");
    assert_eq!(diff[0]["before"], json!(["it", "en"]));
    assert_eq!(diff[0]["after"], json!(["it", "en", "fr"]));
    let change_item = item_of(s, a.body["tracking_code"].as_str().unwrap()).await;
    let a = m
        .post(
            &format!("/api/moderation/items/{change_item}/approve"),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let (_, fc) = s.get("/api/services?lang_spoken=fr&limit=500").await;
    assert!(ids(&fc).contains(&id), "{fc}");

    // A moderator's edit takes them away; the audit log keeps both versions.
    let mut edited = live.clone();
    edited["properties"]["languages"] = json!([]);
    let a = m
        .post(&format!("/api/moderation/services/{id}/edit"), Some(edited))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let (_, live) = s.get(&format!("/api/services/{id}")).await;
    assert!(live["properties"].get("languages").is_none(), "{live}");
    let e = audit(s, "service.edit").await;
    assert_eq!(
        e[0].before.as_ref().unwrap()["properties"]["languages"],
        json!(["it", "en", "fr"])
    );
    assert_eq!(
        e[0].after.as_ref().unwrap()["properties"]["languages"],
        json!([])
    );
    let (_, fc) = s.get("/api/services?lang_spoken=fr&limit=500").await;
    assert!(!ids(&fc).contains(&id), "{fc}");
}

both_stores!(
    languages_spoken_are_submitted_moderated_shown_and_filtered,
    approve_after_editing_publishes_at_once,
    reject_and_request_changes_show_on_the_status_page,
    duplicates_are_flagged_and_merged,
    lookalike_names_and_mixed_scripts_are_flagged,
    proposals_and_moderators_edits_are_checked_alike,
    reports_and_listings_are_moderated,
    unauthenticated_forged_and_underprivileged_requests_change_nothing,
    the_queue_pages_with_a_cursor,
    bad_queue_parameters_are_named,
    pending_imports_are_queued_and_decided,
);

/// Messages a sink received: recipients and data.
type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// A tiny SMTP server: accepts every message and keeps its envelope and data.
async fn smtp_sink() -> (u16, Inbox) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let got: Inbox = Arc::default();
    let keep = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((conn, _)) = listener.accept().await else {
                return;
            };
            let keep = keep.clone();
            tokio::spawn(async move {
                let (r, mut w) = conn.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut rcpt = Vec::new();
                let mut line = String::new();
                loop {
                    line.clear();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_ascii_uppercase();
                    let reply: &[u8] = if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        b"250 sink\r\n"
                    } else if cmd.starts_with("RCPT TO:") {
                        rcpt.push(line.trim_end()[8..].to_string());
                        b"250 ok\r\n"
                    } else if cmd == "DATA" {
                        w.write_all(b"354 go on\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            if r.read_line(&mut l).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        keep.lock()
                            .unwrap()
                            .push((std::mem::take(&mut rcpt), decode_body(data)));
                        b"250 queued\r\n"
                    } else if cmd == "QUIT" {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        return;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, got)
}

/// The message with quoted-printable soft line breaks and escapes undone.
fn unqp(data: &str) -> String {
    let joined = data.replace("=\r\n", "");
    let b = joined.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn wait_for(got: &Inbox, n: usize) {
    for _ in 0..100 {
        if got.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("expected {n} messages, got {}", got.lock().unwrap().len());
}

async fn the_submitter_is_emailed_through_smtp(backend: Backend) {
    let (port, got) = smtp_sink().await;
    let notifier = mappatu::notify::Notifier::new(
        Some(&format!("smtp://127.0.0.1:{port}")),
        Some("MappaTU <mappatu@comune.example>"),
        Some("https://mappa.example.org"),
    )
    .unwrap();
    let Some(s) = TestServer::start_with_notifier(backend, notifier).await else {
        return;
    };
    let mut body = feature("Sportello casa", 11.33, 43.32);
    body["properties"]["lang"] = json!("en");
    let (code, token) = submit(&s, &body).await;
    wait_for(&got, 1).await;
    {
        let msgs = got.lock().unwrap();
        let (rcpt, data) = &msgs[0];
        assert_eq!(rcpt, &vec!["<anna.rossi@example.org>".to_string()]);
        assert!(data.contains(&code), "{data}");
        assert!(data.contains("request received"), "{data}");
        // The private edit link, with the secret in the fragment (never sent to a server).
        assert!(
            data.contains(&format!(
                "https://mappa.example.org/modifica#{code}.{token}"
            )),
            "{data}"
        );
    }
    let m = Mod::login(&s, "marta", Role::Moderator).await;
    let item = item_of(&s, &code).await;
    let a = m
        .post(
            &format!("/api/moderation/items/{item}/reject"),
            Some(json!({"reason": "Outside the municipality's remit"})),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    wait_for(&got, 2).await;
    {
        let msgs = got.lock().unwrap();
        let (rcpt, data) = &msgs[1];
        assert_eq!(rcpt, &vec!["<anna.rossi@example.org>".to_string()]);
        assert!(data.contains("not accepted"), "{data}");
        assert!(data.contains("Outside the municipality's remit"), "{data}");
        assert!(
            data.contains(&format!(
                "https://mappa.example.org/stato?code={code}&lang=en"
            )),
            "{data}"
        );
        assert!(
            data.contains("From: MappaTU <mappatu@comune.example>"),
            "{data}"
        );
    }
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_the_submitter_is_emailed_through_smtp() {
    the_submitter_is_emailed_through_smtp(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_the_submitter_is_emailed_through_smtp() {
    the_submitter_is_emailed_through_smtp(Backend::Postgres).await;
}

/// The message as the recipient reads it: quoted-printable undone only when the message
/// says it is (a 7-bit body can hold `=` followed by two hex digits, e.g. in a link).
fn decode_body(data: String) -> String {
    if data
        .to_ascii_lowercase()
        .contains("content-transfer-encoding: quoted-printable")
    {
        unqp(&data)
    } else {
        data
    }
}
