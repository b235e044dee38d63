//! Several app instances on one PostgreSQL database: what one publishes or unpublishes,
//! the others show without a restart (LISTEN/NOTIFY, `mappatu::store::feed`).

mod common;

use common::{Backend, TestServer};
use mappatu::domain::{ServiceId, Status};
use std::time::{Duration, Instant};

/// Polls `path` on `s` until it answers `status`, for up to ten seconds.
async fn eventually(s: &TestServer, path: &str, status: u16) {
    let started = Instant::now();
    loop {
        let (got, _) = s.get(path).await;
        if got == status {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{path} still answers {got} on the other instance, not {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_one_instance_changes_the_others_show() {
    let Some(a) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let url = a.db.as_ref().unwrap().url.clone();
    // A second instance on the same database, subscribed before it loads its index.
    let changes = mappatu::store::feed::subscribe(&url)
        .await
        .unwrap()
        .expect("a PostgreSQL URL subscribes");
    let b = TestServer::serve(mappatu::store::open(&url).await.unwrap()).await;
    let follower = mappatu::directory::sync::follow(changes, b.directory.clone());

    let (_, fc) = a.get("/api/services?limit=1").await;
    let id = fc["features"][0]["id"].as_i64().unwrap();
    let path = format!("/api/services/{id}");
    eventually(&b, &path, 200).await;

    // Unpublished through the first instance: gone from the second.
    a.directory
        .set_status(ServiceId(id), Status::Unpublished)
        .await
        .unwrap();
    eventually(&b, &path, 404).await;
    // Published again by a writer that is no server at all (an import, the CLI).
    a.store
        .set_status(ServiceId(id), Status::Published)
        .await
        .unwrap();
    eventually(&b, &path, 200).await;
    let (_, nearest) = b
        .get("/api/services/nearest?lat=43.318&lon=11.331&k=100")
        .await;
    assert!(
        nearest["features"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["id"] == id)
    );

    follower.abort();
    let _ = follower.await;
    b.store.close().await;
    a.finish().await;
}

#[tokio::test]
async fn sqlite_has_no_change_feed() {
    assert!(
        mappatu::store::feed::subscribe("sqlite:///tmp/x.sqlite3")
            .await
            .unwrap()
            .is_none()
    );
}

/// Waits until `s`'s vocabulary of needs finds `text` (or no longer does), for up to ten
/// seconds.
async fn until_found(s: &TestServer, text: &str, want: bool) {
    let started = Instant::now();
    loop {
        let found = !s
            .directory
            .needs()
            .current()
            .find(mappatu::domain::Lang::It, text)
            .is_empty();
        if found == want {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{text:?} is still {} on the other instance",
            if found { "found" } else { "not found" }
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What an admin adds to the vocabulary of needs on one instance, the others use, and
/// what is deleted they stop using.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_vocabulary_of_needs_follows_across_instances() {
    use mappatu::domain::Lang;
    use mappatu::store::{Actor, NewNeedPhrase};
    let Some(a) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let url = a.db.as_ref().unwrap().url.clone();
    let changes = mappatu::store::feed::subscribe(&url)
        .await
        .unwrap()
        .unwrap();
    let b = TestServer::serve(mappatu::store::open(&url).await.unwrap()).await;
    let follower = mappatu::directory::sync::follow(changes, b.directory.clone());
    until_found(&b, "ribollita", false).await;
    let new = NewNeedPhrase {
        lang: Lang::It,
        phrase: "ribollita".into(),
        match_key: mappatu::search::needs::match_key(Lang::It, "ribollita").unwrap(),
        categories: vec!["food-aid".into()],
        target_groups: vec![],
    };
    let added = a
        .store
        .add_need_phrase(&new, &Actor::cli())
        .await
        .unwrap()
        .unwrap();
    until_found(&b, "ribollita", true).await;
    a.store
        .delete_need_phrase(added.id, &Actor::cli())
        .await
        .unwrap()
        .unwrap();
    until_found(&b, "ribollita", false).await;

    follower.abort();
    let _ = follower.await;
    b.store.close().await;
    a.finish().await;
}
