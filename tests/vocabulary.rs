//! The vocabulary of needs as admins extend it, over HTTP against both stores: a phrase
//! added is listed, audited and used at once by the vocabulary search reads; bad input is
//! refused naming the field and stores nothing; only admins with the CSRF token change it;
//! an added phrase can be deleted, a built-in one cannot.

mod common;

use common::TestServer;
use mappatu::auth::Role;
use mappatu::domain::Lang;
use mappatu::store::{AuditFilter, SubjectKind};
use reqwest::Client;
use serde_json::{Value, json};

const PASSWORD: &str = "correct horse battery staple";

async fn answer(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"))
    };
    (status, body)
}

/// A logged-in client of a new account with `role`, and its CSRF token.
async fn session(s: &TestServer, name: &str, role: Role) -> (Client, String) {
    s.create_user(name, role, PASSWORD).await;
    let c = s.cookie_client();
    let (status, body) = answer(
        c.post(format!("{}/api/auth/login", s.base))
            .json(&json!({"username": name, "password": PASSWORD}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (c, body["csrf_token"].as_str().unwrap().to_string())
}

async fn add(s: &TestServer, c: &Client, csrf: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = c
        .post(format!("{}/api/admin/vocabulary", s.base))
        .json(&body);
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", t);
    }
    answer(req.send().await.unwrap()).await
}

async fn delete(s: &TestServer, c: &Client, csrf: Option<&str>, id: &str) -> (u16, Value) {
    let mut req = c.delete(format!("{}/api/admin/vocabulary/{id}", s.base));
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", t);
    }
    answer(req.send().await.unwrap()).await
}

async fn list(s: &TestServer, c: &Client) -> Vec<Value> {
    let (status, body) = answer(
        c.get(format!("{}/api/admin/vocabulary", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

fn added(items: &[Value]) -> Vec<&Value> {
    items.iter().filter(|i| i["origin"] == "added").collect()
}

/// The categories the vocabulary in use finds in `text`.
fn found(s: &TestServer, lang: Lang, text: &str) -> Vec<String> {
    s.directory
        .needs()
        .current()
        .find(lang, text)
        .into_iter()
        .flat_map(|m| m.categories)
        .collect()
}

async fn vocabulary_entries(s: &TestServer) -> Vec<mappatu::store::AuditEntry> {
    let filter = AuditFilter {
        subject_kind: Some(SubjectKind::Vocabulary),
        ..AuditFilter::default()
    };
    s.store.audit_entries(&filter).await.unwrap()
}

async fn an_added_phrase_is_listed_audited_and_used_at_once(s: &TestServer) {
    let (c, csrf) = session(s, "ada", Role::Admin).await;
    let before = list(s, &c).await;
    assert!(before.len() > 500, "{}", before.len());
    assert!(added(&before).is_empty());
    assert!(before.iter().any(|i| i["phrase"] == "luce e gas"
        && i["origin"] == "builtin"
        && i["id"].is_null()
        && i["categories"] == json!(["home-utilities"])));
    assert!(found(s, Lang::It, "una ribollita solidale").is_empty());

    let body = json!({"lang": "it", "phrase": "  Ribollita solidale ",
        "categories": ["food-aid"], "target_groups": ["low-income", "low-income"]});
    let (status, record) = add(s, &c, Some(&csrf), body).await;
    assert_eq!(status, 201, "{record}");
    assert_eq!(record["phrase"], "Ribollita solidale");
    assert_eq!(record["lang"], "it");
    assert_eq!(record["target_groups"], json!(["low-income"]));
    assert_eq!(record["created_by"], "ada");
    let id = record["id"].as_i64().unwrap();

    // Used by the vocabulary search reads, in other forms of the words too, and from the
    // English page.
    assert_eq!(
        found(s, Lang::It, "cerco una ribollita solidale"),
        ["food-aid"]
    );
    assert_eq!(found(s, Lang::En, "ribollite solidali"), ["food-aid"]);
    let m = s
        .directory
        .needs()
        .current()
        .find(Lang::It, "Ribollita SOLIDALE in città");
    assert_eq!(m[0].phrase, "Ribollita SOLIDALE");

    let items = list(s, &c).await;
    let mine = added(&items);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["id"], id);
    assert_eq!(mine[0]["phrase"], "Ribollita solidale");
    assert_eq!(mine[0]["created_by"], "ada");
    assert!(mine[0]["created_at"].is_string());

    let entries = vocabulary_entries(s).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].action, "vocabulary.add");
    assert_eq!(entries[0].actor_name, "ada");
    assert_eq!(entries[0].subject_id, id);
    assert_eq!(
        entries[0].after.as_ref().unwrap()["phrase"],
        "Ribollita solidale"
    );

    // A vocabulary built from the store at start-up has it too.
    let reopened = mappatu::directory::Directory::open(
        s.store.clone(),
        mappatu::domain::BoundingBox::siena_province(),
        false,
    )
    .await
    .unwrap();
    let m = reopened
        .needs()
        .current()
        .find(Lang::It, "ribollita solidale");
    assert_eq!(m.len(), 1);
}

async fn a_phrase_can_be_deleted_and_is_no_longer_used(s: &TestServer) {
    let (c, csrf) = session(s, "ada", Role::Admin).await;
    let body = json!({"lang": "en", "phrase": "warm space", "categories": ["shelter"]});
    let (status, record) = add(s, &c, Some(&csrf), body).await;
    assert_eq!(status, 201, "{record}");
    let id = record["id"].as_i64().unwrap().to_string();
    assert_eq!(found(s, Lang::En, "a warm space tonight"), ["shelter"]);

    let (status, gone) = delete(s, &c, Some(&csrf), &id).await;
    assert_eq!(status, 200, "{gone}");
    assert_eq!(gone["phrase"], "warm space");
    assert!(found(s, Lang::En, "a warm space tonight").is_empty());
    assert!(added(&list(s, &c).await).is_empty());
    let entries = vocabulary_entries(s).await;
    assert_eq!(entries[0].action, "vocabulary.delete");
    assert_eq!(entries[0].before.as_ref().unwrap()["phrase"], "warm space");

    // Gone is gone; built-in phrases have no id to delete; ids are positive numbers.
    let (status, body) = delete(s, &c, Some(&csrf), &id).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) = delete(s, &c, Some(&csrf), "0").await;
    assert_eq!((status, body["parameter"].as_str()), (400, Some("id")));
    let (status, _) = delete(s, &c, Some(&csrf), "luce").await;
    assert_eq!(status, 400);
    // Once deleted, the phrase can be added again.
    let body = json!({"lang": "en", "phrase": "warm spaces", "categories": ["shelter"]});
    assert_eq!(add(s, &c, Some(&csrf), body).await.0, 201);
}

async fn bad_input_is_refused_naming_the_field_and_stores_nothing(s: &TestServer) {
    let (c, csrf) = session(s, "ada", Role::Admin).await;
    let ok = json!({"lang": "it", "phrase": "ribollita", "categories": ["food-aid"],
        "target_groups": []});
    let with = |field: &str, value: Value| {
        let mut b = ok.clone();
        b[field] = value;
        b
    };
    let long = "parola ".repeat(12);
    for (body, status, field) in [
        (with("phrase", json!("")), 400, "phrase"),
        (with("phrase", json!("   ")), 400, "phrase"),
        (with("phrase", json!("di la e il")), 400, "phrase"),
        (
            json!({"lang": "en", "phrase": "the of and", "categories": ["food-aid"]}),
            400,
            "phrase",
        ),
        (with("phrase", json!(long.trim())), 400, "phrase"),
        (with("phrase", json!("ribo\u{202e}llita")), 400, "phrase"),
        (with("phrase", json!(42)), 400, "phrase"),
        (with("lang", json!("fr")), 400, "lang"),
        (with("categories", json!(["food"])), 400, "categories"),
        (with("categories", json!("food-aid")), 400, "categories"),
        (with("target_groups", json!(["kids"])), 400, "target_groups"),
        (with("categories", json!([])), 400, "categories"),
        // Already in the vocabulary, by its stems: built in, in another form.
        (with("phrase", json!("Le Bollette")), 409, "phrase"),
        (with("phrase", json!("pasti")), 409, "phrase"),
    ] {
        let (got, answer) = add(s, &c, Some(&csrf), body.clone()).await;
        assert_eq!(got, status, "{body} → {answer}");
        assert_eq!(answer["parameter"], field, "{body} → {answer}");
        assert!(
            answer["message"].as_str().unwrap().starts_with(field),
            "{answer}"
        );
    }
    let (status, answer) = add(
        s,
        &c,
        Some(&csrf),
        json!({"lang": "it", "phrase": "x", "colour": 1}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    // An added phrase is a duplicate of itself.
    assert_eq!(add(s, &c, Some(&csrf), ok.clone()).await.0, 201);
    let (status, answer) = add(s, &c, Some(&csrf), with("phrase", json!("RIBOLLITE"))).await;
    assert_eq!(status, 409, "{answer}");
    assert!(
        answer["message"].as_str().unwrap().contains("added phrase"),
        "{answer}"
    );
    // The same word in the other language is another phrase.
    assert_eq!(
        add(s, &c, Some(&csrf), with("lang", json!("en"))).await.0,
        201
    );

    let items = list(s, &c).await;
    assert_eq!(added(&items).len(), 2, "{:?}", added(&items));
    assert_eq!(vocabulary_entries(s).await.len(), 2);
}

async fn only_admins_with_the_csrf_token_change_it(s: &TestServer) {
    let (admin, csrf) = session(s, "ada", Role::Admin).await;
    let (moderator, mod_csrf) = session(s, "marta", Role::Moderator).await;
    let body = json!({"lang": "it", "phrase": "ribollita", "categories": ["food-aid"]});
    let (status, refusal) = add(s, &admin, None, body.clone()).await;
    assert_eq!((status, refusal["error"].as_str()), (403, Some("csrf")));
    let (status, _) = add(s, &admin, Some("not-the-token"), body.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = add(s, &moderator, Some(&mod_csrf), body.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = add(s, &s.cookie_client(), None, body.clone()).await;
    assert_eq!(status, 401);
    let (status, _) = answer(
        moderator
            .get(format!("{}/api/admin/vocabulary", s.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    assert!(found(s, Lang::It, "ribollita").is_empty());
    assert!(vocabulary_entries(s).await.is_empty());

    let (status, record) = add(s, &admin, Some(&csrf), body).await;
    assert_eq!(status, 201);
    let id = record["id"].to_string();
    assert_eq!(delete(s, &admin, None, &id).await.0, 403);
    assert_eq!(delete(s, &moderator, Some(&mod_csrf), &id).await.0, 403);
    assert_eq!(delete(s, &s.cookie_client(), None, &id).await.0, 401);
    assert_eq!(found(s, Lang::It, "ribollita"), ["food-aid"]);
}

both_stores!(
    an_added_phrase_is_listed_audited_and_used_at_once,
    a_phrase_can_be_deleted_and_is_no_longer_used,
    bad_input_is_refused_naming_the_field_and_stores_nothing,
    only_admins_with_the_csrf_token_change_it,
);
