//! Many moderators and many submitters at once, over HTTP, on both stores: no answer is a
//! 5xx, every decision is applied exactly once, and everything acknowledged is stored.
//!
//! On the embedded SQLite store, write transactions used to begin deferred: two
//! moderators at once got 503 "database is locked" (SQLite codes 5 and 517) on most
//! decisions. The figures each run prints (statuses by action, time taken) are the ones
//! quoted in the note.

mod common;

use common::http::{Answer, Mod, send};
use common::{Backend, TestServer};
use futures_util::future::join_all;
use mappatu::auth::Role;
use mappatu::domain::Status;
use mappatu::store::{AuditFilter, Store};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

/// Moderators approving the same submissions at once.
const MODERATORS: usize = 4;
/// Submissions in each of the two waves.
const SUBMISSIONS: usize = 40;
/// Clients unpublishing, republishing and verifying listings at once.
const STATUS_CLIENTS: usize = 4;
/// Actions each of them takes, one after another.
const STATUS_ACTIONS: usize = 150;

fn feature(n: usize) -> Value {
    // Spread over the centre of Siena, a few metres apart, so no two look alike.
    let (lon, lat) = (
        11.31 + (n % 20) as f64 * 0.002,
        43.31 + (n / 20) as f64 * 0.002,
    );
    json!({
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "name": format!("Sportello di quartiere numero {n}"),
            "categories": ["listening-guidance"],
            "address": format!("Via dei Rossi {n}, Siena"),
            "contact": {"name": "Anna Rossi", "email": "anna.rossi@example.org"},
            "consent": true,
            "lang": "it"
        }
    })
}

/// Submits listing `n` from its own client address (the submission rate limit counts
/// per address; a municipality's associations do not share one).
async fn submit(s: &TestServer, n: usize) -> Answer {
    send(
        s.client
            .post(format!("{}/api/submissions", s.base))
            .header(
                "X-Forwarded-For",
                format!("10.0.{}.{}", n / 200, n % 200 + 1),
            )
            .json(&feature(n)),
    )
    .await
}

/// Statuses by action, for the assertions and the printed figures.
#[derive(Default)]
struct Tally(BTreeMap<(&'static str, u16), usize>);

impl Tally {
    fn add(&mut self, action: &'static str, status: u16) {
        *self.0.entry((action, status)).or_default() += 1;
    }

    fn count(&self, action: &str, status: u16) -> usize {
        self.0.get(&(action, status)).copied().unwrap_or(0)
    }

    fn server_errors(&self) -> usize {
        self.0
            .iter()
            .filter(|((_, status), _)| *status >= 500)
            .map(|(_, n)| n)
            .sum()
    }
}

async fn audit_count(store: &dyn Store, action: &str) -> usize {
    store
        .audit_entries(&AuditFilter {
            action: Some(action.into()),
            limit: mappatu::store::MAX_AUDIT_PAGE,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

async fn many_moderators_and_submitters_at_once(s: &TestServer) {
    let mut mods = Vec::new();
    for i in 0..MODERATORS + STATUS_CLIENTS {
        mods.push(Mod::login(s, &format!("moderatore{i}"), Role::Moderator).await);
    }
    let (approvers, status_clients) = mods.split_at(MODERATORS);

    // The first wave, all at once: what the moderators will decide.
    let first = join_all((0..SUBMISSIONS).map(|n| submit(s, n))).await;
    for a in &first {
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let items: Vec<String> = s
        .store
        .submissions(None)
        .await
        .unwrap()
        .iter()
        .map(|sub| format!("s-{}", sub.id.0))
        .collect();
    assert_eq!(items.len(), SUBMISSIONS);
    let published_before = s.store.count(Some(Status::Published)).await.unwrap();
    let (_, page) = s.get("/api/services?limit=4").await;
    let listings: Vec<i64> = page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listings.len(), 4);

    let started = Instant::now();
    // Every moderator approves every submission, each in its own order, all at once.
    let approvals = join_all(approvers.iter().enumerate().flat_map(|(m, moderator)| {
        let items = &items;
        (0..SUBMISSIONS).map(move |k| async move {
            let item = &items[(k * (m + 1) * 7 + m) % SUBMISSIONS];
            let a = moderator
                .post(&format!("/api/moderation/items/{item}/approve"), None)
                .await;
            (item.clone(), a)
        })
    }));
    // Meanwhile four clients unpublish, republish and verify four listings...
    let status_work = join_all(status_clients.iter().enumerate().map(|(c, client)| {
        let listings = &listings;
        async move {
            let mut done = Vec::new();
            for k in 0..STATUS_ACTIONS {
                let id = listings[(c + k) % listings.len()];
                let action = ["unpublish", "republish", "verify"][(c + k / 2) % 3];
                let a = client
                    .post(&format!("/api/moderation/services/{id}/{action}"), None)
                    .await;
                done.push((id, action, a));
            }
            done
        }
    }));
    // ...and a second wave of associations asks to be listed.
    let second = join_all((SUBMISSIONS..2 * SUBMISSIONS).map(|n| submit(s, n)));
    let (approvals, status_work, second) = tokio::join!(approvals, status_work, second);
    let elapsed = started.elapsed();

    let mut tally = Tally::default();
    let mut approved: HashMap<String, usize> = HashMap::new();
    for (item, a) in &approvals {
        tally.add("approve", a.status);
        match a.status {
            200 => *approved.entry(item.clone()).or_default() += 1,
            409 => {}
            other => panic!("approve {item}: {other} {}", a.body),
        }
    }
    // listing -> (unpublished, republished) answered 200
    let mut flips: HashMap<i64, (usize, usize)> = HashMap::new();
    for (id, action, a) in status_work.iter().flatten() {
        tally.add(action, a.status);
        match (a.status, *action) {
            (200, "unpublish") => flips.entry(*id).or_default().0 += 1,
            (200, "republish") => flips.entry(*id).or_default().1 += 1,
            (200, _) | (409, "unpublish" | "republish") => {}
            (other, _) => panic!("{action} {id}: {other} {}", a.body),
        }
    }
    for a in &second {
        tally.add("submit", a.status);
    }
    eprintln!(
        "{:?}: {} requests at once in {elapsed:.2?}: {:?}",
        s.store.kind(),
        approvals.len() + status_work.iter().map(Vec::len).sum::<usize>() + second.len(),
        tally.0
    );
    assert_eq!(tally.server_errors(), 0, "{:?}", tally.0);

    // Every submission approved exactly once; the others were told it was decided.
    assert_eq!(approved.len(), SUBMISSIONS, "{approved:?}");
    assert!(approved.values().all(|&n| n == 1), "{approved:?}");
    assert_eq!(tally.count("approve", 409), (MODERATORS - 1) * SUBMISSIONS);
    assert_eq!(
        audit_count(&*s.store, "submission.approve").await,
        SUBMISSIONS
    );
    // Each listing's status changes alternate, so the last one says where it stands;
    // every change and every verification has its one audit entry.
    let mut still_unpublished = 0;
    for id in &listings {
        let (down, up) = flips.get(id).copied().unwrap_or_default();
        assert!(
            down == up || down == up + 1,
            "listing {id}: {down} down, {up} up"
        );
        let stored = s.store.get(mappatu::domain::ServiceId(*id)).await.unwrap();
        let expected = if down > up {
            still_unpublished += 1;
            Status::Unpublished
        } else {
            Status::Published
        };
        assert_eq!(stored.unwrap().status, expected, "listing {id}");
    }
    for (action, audited) in [
        ("unpublish", "service.unpublish"),
        ("republish", "service.republish"),
        ("verify", "service.verify"),
    ] {
        assert_eq!(
            audit_count(&*s.store, audited).await,
            tally.count(action, 200),
            "{audited}"
        );
    }
    assert_eq!(
        tally.count("verify", 200),
        STATUS_CLIENTS * STATUS_ACTIONS / 3
    );
    assert_eq!(
        s.store.count(Some(Status::Published)).await.unwrap(),
        published_before + SUBMISSIONS as u64 - still_unpublished
    );

    // The second wave: each was acknowledged, and each acknowledged one is stored.
    assert_eq!(tally.count("submit", 201), SUBMISSIONS, "{:?}", tally.0);
    for a in &second {
        let code = a.body["tracking_code"].as_str().unwrap();
        let (status, body) = s.get(&format!("/api/submissions/{code}")).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("pending")));
    }
    // The approved listings are public at once, through the index.
    for (_, a) in approvals.iter().filter(|(_, a)| a.status == 200) {
        let id = a.body["service"]["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("{}", a.body));
        let (status, _) = s.get(&format!("/api/services/{id}")).await;
        assert_eq!(status, 200, "listing {id}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_many_moderators_and_submitters_at_once() {
    let s = TestServer::start_behind_proxy(Backend::Sqlite)
        .await
        .expect("sqlite");
    many_moderators_and_submitters_at_once(&s).await;
    s.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_many_moderators_and_submitters_at_once() {
    let Some(s) = TestServer::start_behind_proxy(Backend::Postgres).await else {
        return;
    };
    many_moderators_and_submitters_at_once(&s).await;
    s.finish().await;
}
