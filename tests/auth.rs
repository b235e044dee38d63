//! Moderators' and admins' accounts over HTTP, against both stores: login, the session
//! cookie, CSRF, logout, the login throttle, roles, account management and its audit
//! log, and the `mappatu user` command.

mod common;

use common::TestServer;
use common::http::{Answer, PASSWORD, send};
use mappatu::auth::Role;
use mappatu::store::{AuditFilter, SubjectKind};
use reqwest::Client;
use serde_json::{Value, json};

async fn post(s: &TestServer, c: &Client, path: &str, csrf: Option<&str>, body: Value) -> Answer {
    let mut req = c.post(format!("{}{}", s.base, path)).json(&body);
    if let Some(t) = csrf {
        req = req.header("X-CSRF-Token", t);
    }
    send(req).await
}

async fn get(s: &TestServer, c: &Client, path: &str) -> Answer {
    send(c.get(format!("{}{}", s.base, path))).await
}

async fn login(s: &TestServer, c: &Client, user: &str, password: &str) -> Answer {
    post(
        s,
        c,
        "/api/auth/login",
        None,
        json!({"username": user, "password": password}),
    )
    .await
}

/// Logs in with a fresh cookie-keeping client; returns it and the CSRF token.
async fn session(s: &TestServer, user: &str, password: &str) -> (Client, String) {
    let c = s.cookie_client();
    let a = login(s, &c, user, password).await;
    assert_eq!(a.status, 200, "{}", a.body);
    (c, a.body["csrf_token"].as_str().unwrap().to_string())
}

async fn user_count(s: &TestServer) -> usize {
    s.store.users().await.unwrap().len()
}

async fn login_sets_a_strict_http_only_cookie_and_me_answers(s: &TestServer) {
    let anna = s.create_user("Anna", Role::Moderator, PASSWORD).await;
    let c = s.cookie_client();
    let a = get(s, &c, "/api/auth/me").await;
    assert_eq!(a.status, 401);
    assert_eq!(a.body["error"], "unauthenticated");

    // Any case of the username.
    let a = login(s, &c, "anna", PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["username"], "Anna");
    assert_eq!(a.body["role"], "moderator");
    assert_eq!(a.body["id"], anna.id);
    let csrf = a.body["csrf_token"].as_str().unwrap().to_string();
    assert!(csrf.len() >= 40, "{csrf}");
    let cookie = a.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.starts_with("mappatu_session="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(part), "{cookie} lacks {part}");
    }
    assert!(!cookie.contains("Secure"), "{cookie}: served over http");
    // This browser is new to the account: it is marked as one the account uses, for the
    // login endpoint only.
    let device = a
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with("mappatu_device="))
        .expect("a device cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/api/auth", "Max-Age="] {
        assert!(device.contains(part), "{device} lacks {part}");
    }
    // Neither the token nor the password is in the body.
    let token = cookie["mappatu_session=".len()..]
        .split(';')
        .next()
        .unwrap();
    assert!(!a.body.to_string().contains(token));
    assert!(!a.body.to_string().contains(PASSWORD));

    let me = get(s, &c, "/api/auth/me").await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["username"], "Anna");
    assert_eq!(me.body["csrf_token"], csrf.as_str());

    // The store keeps the token's hash, not the token.
    let raw = s.store.session(token).await.unwrap();
    assert!(raw.is_none(), "a session is found by its raw token");
    let hashed = s
        .store
        .session(&mappatu::auth::session::token_hash(token))
        .await
        .unwrap();
    assert_eq!(hashed.unwrap().user.id, anna.id);

    // Another client, without the cookie.
    let (status, body) = s.get("/api/auth/me").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthenticated");
    // A forged cookie.
    let forged = s
        .client
        .get(format!("{}/api/auth/me", s.base))
        .header("cookie", format!("mappatu_session={}", "A".repeat(43)))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

async fn wrong_password_unknown_user_and_disabled_account_answer_alike(s: &TestServer) {
    let u = s.create_user("bruno", Role::Moderator, PASSWORD).await;
    let c = s.cookie_client();
    let wrong = login(s, &c, "bruno", "correct horse battery stapler").await;
    let unknown = login(s, &c, "nobody-here", PASSWORD).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body, unknown.body);
    assert_eq!(wrong.body["error"], "invalid_credentials");
    assert!(wrong.headers.get("set-cookie").is_none());
    s.store
        .set_user_enabled(u.id, false, &mappatu::store::Actor::cli())
        .await
        .unwrap();
    let disabled = login(s, &c, "bruno", PASSWORD).await;
    assert_eq!(disabled.status, 401);
    assert_eq!(disabled.body, wrong.body);
    assert!(disabled.headers.get("set-cookie").is_none());
}

async fn bad_login_bodies_name_the_field(s: &TestServer) {
    let c = s.cookie_client();
    for (body, field) in [
        (json!({"username": "", "password": PASSWORD}), "username"),
        (json!({"username": "x", "password": ""}), "password"),
        (json!({"password": PASSWORD}), "username"),
        (json!({"username": "x"}), "password"),
        (
            json!({"username": "x", "password": PASSWORD, "remember": true}),
            "remember",
        ),
        (
            json!({"username": "x", "password": "p".repeat(2000)}),
            "password",
        ),
        (json!({"username": 5, "password": PASSWORD}), "username"),
    ] {
        let a = post(s, &c, "/api/auth/login", None, body.clone()).await;
        assert_eq!(a.status, 400, "{body}: {}", a.body);
        assert_eq!(a.body["parameter"], field, "{body}: {}", a.body);
    }
    let form = c
        .post(format!("{}/api/auth/login", s.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=x&password=y")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 415);
}

async fn state_changes_need_the_csrf_token(s: &TestServer) {
    s.create_user("carla", Role::Admin, PASSWORD).await;
    let (c, csrf) = session(s, "carla", PASSWORD).await;
    let before = user_count(s).await;
    let new = json!({"username": "dario", "role": "moderator", "password": PASSWORD});
    let a = post(s, &c, "/api/admin/users", None, new.clone()).await;
    assert_eq!(a.status, 403, "{}", a.body);
    assert_eq!(a.body["error"], "csrf");
    let forged = format!("{}x", &csrf[..csrf.len() - 1]);
    for bad in [forged.as_str(), "", "null"] {
        let a = post(s, &c, "/api/admin/users", Some(bad), new.clone()).await;
        assert_eq!(a.status, 403, "{bad}: {}", a.body);
        assert_eq!(a.body["error"], "csrf");
    }
    // Another session's token does not do either.
    let (_, other_csrf) = session(s, "carla", PASSWORD).await;
    let a = post(s, &c, "/api/admin/users", Some(&other_csrf), new.clone()).await;
    assert_eq!(a.status, 403);
    assert_eq!(user_count(s).await, before, "nothing changed");
    // Logout too.
    let a = post(s, &c, "/api/auth/logout", None, json!({})).await;
    assert_eq!(a.status, 403);
    assert_eq!(get(s, &c, "/api/auth/me").await.status, 200);

    let a = post(s, &c, "/api/admin/users", Some(&csrf), new).await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert_eq!(user_count(s).await, before + 1);
}

async fn logout_ends_the_session(s: &TestServer) {
    s.create_user("elena", Role::Moderator, PASSWORD).await;
    let c = s.cookie_client();
    let a = login(s, &c, "elena", PASSWORD).await;
    let csrf = a.body["csrf_token"].as_str().unwrap().to_string();
    let cookie = a.headers["set-cookie"].to_str().unwrap();
    let pair = cookie.split(';').next().unwrap().to_string();

    let out = post(s, &c, "/api/auth/logout", Some(&csrf), json!({})).await;
    assert_eq!(out.status, 204);
    let cleared = out.headers["set-cookie"].to_str().unwrap();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(get(s, &c, "/api/auth/me").await.status, 401);
    // The old cookie, replayed by someone who kept it, is dead too.
    let replay = s
        .client
        .get(format!("{}/api/auth/me", s.base))
        .header("cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 401);
    let again = s
        .client
        .post(format!("{}/api/auth/logout", s.base))
        .header("cookie", &pair)
        .header("x-csrf-token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 401);
}

async fn failed_logins_are_slowed_then_refused(s: &TestServer) {
    s.create_user("fabio", Role::Moderator, PASSWORD).await;
    let c = s.cookie_client();
    for _ in 0..3 {
        let a = login(s, &c, "fabio", "not the password!").await;
        assert_eq!(a.status, 401, "{}", a.body);
    }
    // Now even the right password waits.
    let a = login(s, &c, "FABIO", PASSWORD).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert_eq!(a.body["error"], "too_many_attempts");
    let retry: u64 = a.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(a.headers.get("set-cookie").is_none());
    // The username's state is in the store, shared by every app instance.
    let t = s.store.login_throttle("fabio").await.unwrap().unwrap();
    assert_eq!(t.failures, 3);
    assert!(t.delayed_until.is_some());
    // The client's address is slowed down too, whatever name it tries.
    let a = login(s, &c, "someone-else", PASSWORD).await;
    assert_eq!(a.status, 429, "{}", a.body);
}

async fn failed_logins_from_one_address_are_counted_across_names(s: &TestServer) {
    s.create_user("gina", Role::Moderator, PASSWORD).await;
    let c = s.cookie_client();
    for name in ["x1", "x2", "x3"] {
        assert_eq!(login(s, &c, name, PASSWORD).await.status, 401);
    }
    let a = login(s, &c, "gina", PASSWORD).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert!(a.headers.get("retry-after").is_some());
    // Each name failed once only: their own counters do not hold anyone back.
    let t = s.store.login_throttle("x1").await.unwrap().unwrap();
    assert_eq!(t.failures, 1);
    assert!(t.delayed_until.is_none());
}

async fn a_moderator_cannot_manage_accounts(s: &TestServer) {
    let other = s.create_user("hugo", Role::Moderator, PASSWORD).await;
    s.create_user("ivo", Role::Moderator, PASSWORD).await;
    let (c, csrf) = session(s, "ivo", PASSWORD).await;
    let before = user_count(s).await;
    let a = get(s, &c, "/api/admin/users").await;
    assert_eq!(a.status, 403);
    assert_eq!(a.body["error"], "forbidden");
    let a = post(
        s,
        &c,
        "/api/admin/users",
        Some(&csrf),
        json!({"username": "eve", "role": "admin", "password": PASSWORD}),
    )
    .await;
    assert_eq!(a.status, 403);
    assert_eq!(a.body["error"], "forbidden");
    for action in ["disable", "enable"] {
        let a = post(
            s,
            &c,
            &format!("/api/admin/users/{}/{action}", other.id),
            Some(&csrf),
            json!({}),
        )
        .await;
        assert_eq!(a.status, 403, "{action}");
    }
    let a = post(
        s,
        &c,
        &format!("/api/admin/users/{}/reset-password", other.id),
        Some(&csrf),
        json!({"password": "a new password 123"}),
    )
    .await;
    assert_eq!(a.status, 403);
    assert_eq!(user_count(s).await, before);
    assert!(s.store.user(other.id).await.unwrap().unwrap().enabled);
    let audit = s
        .store
        .audit_entries(&AuditFilter {
            actor: Some("ivo".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(audit.is_empty(), "{audit:?}");
    // And without any session: 401.
    let (status, body) = s.get("/api/admin/users").await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "unauthenticated");
    let a = post(s, &s.client, "/api/admin/users", None, json!({})).await;
    assert_eq!(a.status, 401);
}

async fn an_admin_manages_accounts_and_every_change_is_audited(s: &TestServer) {
    let admin = s.create_user("lucia", Role::Admin, PASSWORD).await;
    let (c, csrf) = session(s, "lucia", PASSWORD).await;

    // Bad input names the field and adds nobody.
    let before = user_count(s).await;
    for (body, field) in [
        (
            json!({"username": "bad name", "role": "moderator", "password": PASSWORD}),
            "username",
        ),
        (
            json!({"username": "cli", "role": "moderator", "password": PASSWORD}),
            "username",
        ),
        (
            json!({"username": "marco", "role": "root", "password": PASSWORD}),
            "role",
        ),
        (
            json!({"username": "marco", "role": "moderator", "password": "short"}),
            "password",
        ),
        (
            json!({"username": "marco", "role": "moderator", "password": "zzzzzzzzzzzzzzzz"}),
            "password",
        ),
        (
            json!({"username": "marco", "role": "moderator"}),
            "password",
        ),
    ] {
        let a = post(s, &c, "/api/admin/users", Some(&csrf), body.clone()).await;
        assert_eq!(a.status, 400, "{body}: {}", a.body);
        assert_eq!(a.body["parameter"], field, "{body}: {}", a.body);
    }
    assert_eq!(user_count(s).await, before);

    let a = post(
        s,
        &c,
        "/api/admin/users",
        Some(&csrf),
        json!({"username": "marco", "role": "moderator", "password": PASSWORD}),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    assert!(a.body.get("password_hash").is_none());
    assert!(!a.body.to_string().contains("argon2"));
    let marco = a.body["id"].as_i64().unwrap();
    let dup = post(
        s,
        &c,
        "/api/admin/users",
        Some(&csrf),
        json!({"username": "MARCO", "role": "admin", "password": PASSWORD}),
    )
    .await;
    assert_eq!(dup.status, 409, "{}", dup.body);
    assert_eq!(dup.body["parameter"], "username");

    let list = get(s, &c, "/api/admin/users").await;
    assert_eq!(list.status, 200);
    let names: Vec<_> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"marco".to_string()), "{names:?}");
    assert!(!list.body.to_string().contains("argon2"));

    // Marco works; disabling him ends his session and his logins.
    let (mc, _) = session(s, "marco", PASSWORD).await;
    assert_eq!(get(s, &mc, "/api/auth/me").await.status, 200);
    let a = post(
        s,
        &c,
        &format!("/api/admin/users/{marco}/disable"),
        Some(&csrf),
        json!({}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["enabled"], false);
    assert_eq!(get(s, &mc, "/api/auth/me").await.status, 401);
    assert_eq!(login(s, &mc, "marco", PASSWORD).await.status, 401);
    let a = post(
        s,
        &c,
        &format!("/api/admin/users/{marco}/enable"),
        Some(&csrf),
        json!({}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["enabled"], true);

    // A reset ends his sessions; only the new password works.
    let (mc, _) = session(s, "marco", PASSWORD).await;
    let new_password = "una nuova password 2026";
    let a = post(
        s,
        &c,
        &format!("/api/admin/users/{marco}/reset-password"),
        Some(&csrf),
        json!({"password": new_password}),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(get(s, &mc, "/api/auth/me").await.status, 401);
    assert_eq!(login(s, &mc, "marco", new_password).await.status, 200);

    // Guard rails: own account, unknown and malformed ids, bad password.
    let a = post(
        s,
        &c,
        &format!("/api/admin/users/{}/disable", admin.id),
        Some(&csrf),
        json!({}),
    )
    .await;
    assert_eq!(a.status, 409);
    let a = post(
        s,
        &c,
        "/api/admin/users/999999/disable",
        Some(&csrf),
        json!({}),
    )
    .await;
    assert_eq!(a.status, 404);
    let a = post(s, &c, "/api/admin/users/abc/enable", Some(&csrf), json!({})).await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["parameter"], "id");
    let a = post(
        s,
        &c,
        &format!("/api/admin/users/{marco}/reset-password"),
        Some(&csrf),
        json!({"password": "short"}),
    )
    .await;
    assert_eq!(a.status, 400);
    assert_eq!(a.body["parameter"], "password");

    // The audit log, newest first, by the admin, without any password or hash.
    let entries = s
        .store
        .audit_entries(&AuditFilter {
            subject_kind: Some(SubjectKind::User),
            subject_id: Some(marco),
            ..Default::default()
        })
        .await
        .unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user.reset_password",
            "user.enable",
            "user.disable",
            "user.add"
        ]
    );
    for e in &entries {
        assert_eq!(e.actor_name, "lucia");
        assert_eq!(e.actor_id, Some(admin.id));
        assert_eq!(e.subject_kind, "user");
        let text = serde_json::to_string(e).unwrap();
        assert!(
            !text.contains("argon2") && !text.contains(PASSWORD) && !text.contains(new_password),
            "{text}"
        );
    }
    assert_eq!(entries[2].before.as_ref().unwrap()["enabled"], true);
    assert_eq!(entries[2].after.as_ref().unwrap()["enabled"], false);
    // Filters and paging.
    let by_action = s
        .store
        .audit_entries(&AuditFilter {
            action: Some("user.add".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_action.iter().all(|e| e.action == "user.add"));
    assert!(
        by_action.iter().any(|e| e.actor_name == "cli"),
        "test accounts are added by cli"
    );
    let page = s
        .store
        .audit_entries(&AuditFilter {
            limit: 2,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.len(), 2);
    let next = s
        .store
        .audit_entries(&AuditFilter {
            limit: 2,
            before_id: Some(page[1].id),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(next.iter().all(|e| e.id < page[1].id));
    let future = s
        .store
        .audit_entries(&AuditFilter {
            from: Some(chrono::Utc::now() + chrono::TimeDelta::hours(1)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(future.is_empty());
    let past = s
        .store
        .audit_entries(&AuditFilter {
            from: Some(chrono::Utc::now() - chrono::TimeDelta::hours(1)),
            to: Some(chrono::Utc::now() + chrono::TimeDelta::seconds(1)),
            actor: Some("lucia".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(past.len(), 4);
}

/// Runs SQL on the test's database directly, as someone with database access would.
async fn raw_sql(s: &TestServer, sql: &'static str) -> Result<u64, sqlx::Error> {
    use sqlx::Connection;
    let url = &s.db.as_ref().unwrap().url;
    if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        Ok(sqlx::query(sql).execute(&mut c).await?.rows_affected())
    } else {
        let mut c = sqlx::PgConnection::connect(url).await?;
        Ok(sqlx::query(sql).execute(&mut c).await?.rows_affected())
    }
}

async fn the_audit_log_refuses_updates_and_deletes(s: &TestServer) {
    s.create_user("nina", Role::Admin, PASSWORD).await;
    let before = s
        .store
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap();
    assert!(!before.is_empty());
    for sql in [
        "UPDATE audit_log SET actor_name = 'someone else'",
        "UPDATE audit_log SET reason = 'x' WHERE id = 1",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = 1",
    ] {
        let err = raw_sql(s, sql).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let after = s
        .store
        .audit_entries(&AuditFilter::default())
        .await
        .unwrap();
    assert_eq!(before.len(), after.len());
    assert_eq!(after[0].actor_name, before[0].actor_name);
    // Appending still works.
    raw_sql(
        s,
        "INSERT INTO audit_log (at, actor_name, action, subject_kind, subject_id) \
         VALUES ('2026-01-01T00:00:00+00:00', 'cli', 'test.append', 'user', 1)",
    )
    .await
    .unwrap();
}

async fn openapi_documents_auth_and_admin(s: &TestServer) {
    let (status, doc) = s.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    for path in [
        "/api/auth/login",
        "/api/auth/logout",
        "/api/auth/me",
        "/api/admin/users",
        "/api/admin/users/{id}/disable",
        "/api/admin/users/{id}/enable",
        "/api/admin/users/{id}/reset-password",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session_cookie"]["in"], "cookie");
    assert_eq!(schemes["session_cookie"]["name"], "mappatu_session");
    assert_eq!(schemes["csrf_token"]["in"], "header");
    assert_eq!(schemes["csrf_token"]["name"], "X-CSRF-Token");
    let logout = &doc["paths"]["/api/auth/logout"]["post"];
    assert!(logout["security"].to_string().contains("csrf_token"));
    assert!(doc["paths"]["/api/auth/login"]["post"]["responses"]["429"].is_object());
}

/// Logs in as `user` from `addr` (through the test's trusted proxy) with client `c`.
async fn login_from(s: &TestServer, c: &Client, addr: &str, user: &str, pw: &str) -> Answer {
    send(
        c.post(format!("{}/api/auth/login", s.base))
            .header("X-Forwarded-For", addr)
            .json(&json!({"username": user, "password": pw})),
    )
    .await
}

fn retry_after(a: &Answer) -> u64 {
    a.headers["retry-after"].to_str().unwrap().parse().unwrap()
}

/// The attack of issue 16: wrong passwords for a known username from ever-changing
/// addresses used to lock its moderator out for 15 minutes, even at their own address.
async fn strangers_cannot_keep_a_moderator_out(s: &TestServer) {
    s.create_user("marta", Role::Moderator, PASSWORD).await;
    s.create_user("root", Role::Admin, PASSWORD).await;
    // Marta works from her office's address, in her own browser.
    let browser = s.cookie_client();
    let office = "203.0.113.5";
    assert_eq!(
        login_from(s, &browser, office, "marta", PASSWORD)
            .await
            .status,
        200
    );

    // A patient stranger guesses from ten addresses, one guess each (no address is
    // slowed), waiting out each delay (the test moves the delay's end to the past).
    for i in 1..=10 {
        let a = login_from(
            s,
            &Client::new(),
            &format!("198.51.100.{i}"),
            "marta",
            "guess",
        )
        .await;
        assert_eq!(a.status, 401, "guess {i}: {}", a.body);
        raw_sql(s, "UPDATE login_throttle SET locked_until = NULL")
            .await
            .unwrap();
    }
    // The eleventh failure: the username waits a minute, not a lockout.
    let a = login_from(s, &Client::new(), "198.51.100.11", "marta", "guess").await;
    assert_eq!(a.status, 401, "{}", a.body);
    let t = s.store.login_throttle("marta").await.unwrap().unwrap();
    assert_eq!(t.failures, 11);
    let wait = t.delayed_until.expect("the username is slowed") - chrono::Utc::now();
    assert!(wait.num_seconds() <= 60, "delayed for {wait}");
    // Guessing on at once gets nowhere: refused unchecked.
    for i in 12..=18 {
        let a = login_from(
            s,
            &Client::new(),
            &format!("198.51.100.{i}"),
            "marta",
            "guess",
        )
        .await;
        assert_eq!(a.status, 429, "{}", a.body);
    }

    // A browser and an address the account never used wait, at most a minute.
    let a = login_from(s, &Client::new(), "192.0.2.77", "marta", PASSWORD).await;
    assert_eq!(a.status, 429, "{}", a.body);
    assert!((1..=60).contains(&retry_after(&a)), "{}", retry_after(&a));
    // Marta's browser gets in at once, from a new address too (a phone on the move)...
    let a = login_from(s, &browser, "192.0.2.78", "marta", PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.body);
    // ...and so does any browser at her office's address.
    let a = login_from(s, &Client::new(), office, "marta", PASSWORD).await;
    assert_eq!(a.status, 200, "{}", a.body);

    // An admin sees the campaign, after Marta got in too.
    let (c, _) = session(s, "root", PASSWORD).await;
    let a = get(s, &c, "/api/admin/login-attempts").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let marta = a.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["username"] == "marta")
        .unwrap_or_else(|| panic!("{}", a.body))
        .clone();
    assert_eq!(marta["account"], true);
    // Eleven wrong passwords were checked; the seven hasty guesses, and the right
    // password from the unknown browser, waited and were refused.
    assert_eq!(marta["recent_failures"], 11);
    assert_eq!(marta["refused_while_delayed"], 8);
    assert_eq!(marta["failures_in_a_row"], 0);
    assert!(marta["last_success_at"].is_string(), "{marta}");
    assert!(marta["delayed_until"].is_null(), "{marta}");
    // No client address is kept or shown.
    assert!(!a.body.to_string().contains("198.51.100"), "{}", a.body);
    // Moderators do not see it.
    let (m, _) = session(s, "marta", PASSWORD).await;
    assert_eq!(get(s, &m, "/api/admin/login-attempts").await.status, 403);
}

/// A trusted browser's cookie, stolen, buys a few guesses and no way around the throttle.
async fn a_trusted_browser_that_keeps_failing_is_trusted_no_more(s: &TestServer) {
    s.create_user("nora", Role::Moderator, PASSWORD).await;
    let browser = s.cookie_client();
    assert_eq!(
        login_from(s, &browser, "203.0.113.9", "nora", PASSWORD)
            .await
            .status,
        200
    );
    // The thief uses the cookie from addresses of their own.
    for i in 1..=5 {
        let a = login_from(
            s,
            &browser,
            &format!("198.51.100.{}", 20 + i),
            "nora",
            "guess",
        )
        .await;
        assert_eq!(a.status, 401, "attempt {i}: {}", a.body);
    }
    // The browser is now a stranger: the username's delay applies to it.
    let a = login_from(s, &browser, "198.51.100.30", "nora", PASSWORD).await;
    assert_eq!(a.status, 429, "{}", a.body);
}

both_stores!(behind_proxy:
    strangers_cannot_keep_a_moderator_out,
    a_trusted_browser_that_keeps_failing_is_trusted_no_more,
);

both_stores!(
    login_sets_a_strict_http_only_cookie_and_me_answers,
    wrong_password_unknown_user_and_disabled_account_answer_alike,
    bad_login_bodies_name_the_field,
    state_changes_need_the_csrf_token,
    logout_ends_the_session,
    failed_logins_are_slowed_then_refused,
    failed_logins_from_one_address_are_counted_across_names,
    a_moderator_cannot_manage_accounts,
    an_admin_manages_accounts_and_every_change_is_audited,
    the_audit_log_refuses_updates_and_deletes,
    openapi_documents_auth_and_admin,
);

/// The real binary: `mappatu user add` reads the password from standard input (never a
/// flag), then the served database lets that account log in over HTTP.
mod cli {
    use std::io::{BufRead, BufReader, Write};
    use std::path::Path;
    use std::process::{Child, Command, Stdio};

    fn mappatu(data_dir: &Path) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mappatu"));
        c.env_remove("DATABASE_URL")
            .env_remove("MAPPATU_CONFIG")
            .env_remove("MAPPATU_LISTEN")
            .env_remove("MAPPATU_PUBLIC_URL")
            .env("MAPPATU_DATA_DIR", data_dir)
            .env("RUST_LOG", "debug,sqlx=warn,hyper=warn,reqwest=warn");
        c
    }

    /// Runs `mappatu ARGS` with `stdin` piped in; returns success, stdout, stderr.
    fn run_with_stdin(data_dir: &Path, args: &[&str], stdin: &str) -> (bool, String, String) {
        let mut child = mappatu(data_dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run mappatu");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    struct Server(Child);

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn a_password_is_never_an_argument() {
        let dir = tempfile::tempdir().unwrap();
        let (ok, _, err) = run_with_stdin(
            dir.path(),
            &["user", "add", "x", "--role", "admin", "--password", "y"],
            "",
        );
        assert!(!ok);
        assert!(err.contains("--password"), "{err}");
        let (ok, _, err) = run_with_stdin(
            dir.path(),
            &["user", "add", "x", "--role", "admin"],
            "short\n",
        );
        assert!(!ok);
        assert!(err.contains("password"), "{err}");
        let (ok, out, _) = run_with_stdin(dir.path(), &["user", "list"], "");
        assert!(ok);
        assert!(out.contains("0 account(s)"), "{out}");
    }

    #[tokio::test]
    async fn user_add_then_login_over_http() {
        let dir = tempfile::tempdir().unwrap();
        let password = "tramontana sul campo 1";
        let (ok, out, err) = run_with_stdin(
            dir.path(),
            &["user", "add", "Rita", "--role", "admin"],
            &format!("{password}\r\n"),
        );
        assert!(ok, "{out}\n{err}");
        assert!(out.contains("added admin Rita"), "{out}");
        let (ok, _, err) = run_with_stdin(
            dir.path(),
            &["user", "add", "rita", "--role", "moderator"],
            &format!("{password}\n"),
        );
        assert!(!ok);
        assert!(err.contains("already exists"), "{err}");
        let (ok, out, _) = run_with_stdin(dir.path(), &["user", "list"], "");
        assert!(ok);
        assert!(out.contains("Rita\tadmin\tenabled"), "{out}");

        let mut child = mappatu(dir.path())
            .args(["serve", "--listen", "127.0.0.1:0", "--no-demo"])
            // Behind a TLS proxy: the cookie must be Secure.
            .args(["--public-url", "https://mappatu.example"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let server = Server(child);
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut log = Vec::new();
        let base = loop {
            let line = rx
                .recv_timeout(std::time::Duration::from_secs(60))
                .expect("server did not start");
            if let Some(i) = line.find("listening on http://") {
                let addr = line[i + "listening on ".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap();
                break addr.to_string();
            }
            log.push(line);
        };
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let login = |user: &'static str, pw: String| {
            let c = c.clone();
            let base = base.clone();
            async move {
                c.post(format!("{base}/api/auth/login"))
                    .json(&serde_json::json!({"username": user, "password": pw}))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let bad = login("ghost-user", "a wrong password".into()).await;
        assert_eq!(bad.status(), 401);
        let res = login("rita", password.into()).await;
        assert_eq!(res.status(), 200);
        let cookie = res.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(cookie.ends_with("; Secure"), "{cookie}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["role"], "admin");
        // (A browser would send a Secure cookie over https only; the test talks http.)
        let me = reqwest::Client::new()
            .get(format!("{base}/api/auth/me"))
            .header("cookie", cookie.split(';').next().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);

        // Stop the server and read its whole log: no password, even at debug level.
        drop(server);
        log.extend(rx.try_iter());
        std::thread::sleep(std::time::Duration::from_millis(200));
        log.extend(rx.try_iter());
        let log = log.join("\n");
        assert!(log.contains("login failed"), "{log}");
        assert!(!log.contains(password), "{log}");
        assert!(!log.contains("a wrong password"), "{log}");

        // Audited as done by the command line.
        let (ok, _, err) = run_with_stdin(dir.path(), &["user", "disable", "rita"], "");
        assert!(ok, "{err}");
        let store = mappatu::store::open(&mappatu::cli::config::sqlite_url(dir.path()))
            .await
            .unwrap();
        let entries = store
            .audit_entries(&mappatu::store::AuditFilter::default())
            .await
            .unwrap();
        let actions: Vec<_> = entries
            .iter()
            .map(|e| (e.actor_name.as_str(), e.action.as_str()))
            .collect();
        assert_eq!(actions, [("cli", "user.disable"), ("cli", "user.add")]);
        store.close().await;
    }
}
