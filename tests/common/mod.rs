//! Test harness: a real server on a real port over a real database — a fresh SQLite file
//! or a fresh PostgreSQL database — seeded with the Siena demo data.

#![allow(dead_code)]

pub mod http;

use mappatu::api::{AppState, app};
use mappatu::directory::Directory;
use mappatu::domain::BoundingBox;
use mappatu::geocode::Geocoder;
use mappatu::geocode::offline::OfflineGeocoder;
use mappatu::store::{self, Store};
use std::sync::Arc;

/// Haversine metres, written here independently of the server's geodesic code.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * a.sqrt().asin()
}

/// Where the PostgreSQL suite connects to create its throw-away databases.
pub fn postgres_admin_url() -> String {
    std::env::var("MAPPATU_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test and removed after it.
pub struct TestDb {
    pub url: String,
    backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_name: Option<String>,
}

impl TestDb {
    /// A fresh database, or `None` (with the reason printed) when PostgreSQL is not
    /// reachable and `MAPPATU_REQUIRE_POSTGRES` is not set.
    pub async fn new(backend: Backend) -> Option<TestDb> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = format!("sqlite://{}", dir.path().join("test.sqlite3").display());
                Some(TestDb {
                    url,
                    backend,
                    _dir: Some(dir),
                    pg_name: None,
                })
            }
            Backend::Postgres => {
                use sqlx::Connection;
                let admin = postgres_admin_url();
                let mut conn = match sqlx::PgConnection::connect(&admin).await {
                    Ok(c) => c,
                    Err(e) => {
                        if std::env::var_os("MAPPATU_REQUIRE_POSTGRES").is_some() {
                            panic!(
                                "PostgreSQL required (MAPPATU_REQUIRE_POSTGRES) but unreachable at {admin}: {e}"
                            );
                        }
                        say_skipped(&format!(
                            "PostgreSQL suite SKIPPED: cannot connect to {admin} ({e}). \
                             Start PostgreSQL or set MAPPATU_TEST_POSTGRES to run it; \
                             MAPPATU_REQUIRE_POSTGRES=1 makes this a failure."
                        ));
                        return None;
                    }
                };
                drop_stale_databases(&mut conn).await;
                let name = format!(
                    "mappatu_test_{}_{}",
                    std::process::id(),
                    rand::random::<u32>()
                );
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    backend,
                    _dir: None,
                    pg_name: Some(name),
                })
            }
        }
    }

    /// Drops the PostgreSQL database (the SQLite directory goes with `self`).
    pub async fn drop_db(self) {
        if let Some(name) = &self.pg_name {
            use sqlx::Connection;
            if let Ok(mut conn) = sqlx::PgConnection::connect(&postgres_admin_url()).await {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
            }
        }
    }
}

/// Tells the person running `cargo test`, once per test binary. Written to stderr directly,
/// because the test harness hides what passing tests print.
fn say_skipped(message: &str) {
    use std::io::Write;
    // Written to the process's stderr rather than with `eprintln!`, which the test harness
    // captures and hides for a test that passes: a skipped test must be seen as skipped.
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = writeln!(std::io::stderr(), "\n{message}\n");
    });
    // libtest names each test's thread after the test.
    let test = std::thread::current()
        .name()
        .unwrap_or("a PostgreSQL test")
        .to_string();
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED {test}: no PostgreSQL (it returned early and counts as passed)"
    );
}

/// Drops the databases of earlier test processes that died before cleaning up (a failed
/// assertion skips `finish`); the process id in the name tells whether its owner lives.
async fn drop_stale_databases(conn: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'mappatu_test_%'")
            .fetch_all(&mut *conn)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut *conn)
            .await;
        }
    }
}

/// Builds a test server's geocoder over its directory.
pub type MakeGeocoder = Box<dyn FnOnce(Arc<Directory>) -> Arc<dyn Geocoder> + Send>;

/// A running server.
pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    pub directory: Arc<Directory>,
    pub store: Arc<dyn Store>,
    pub db: Option<TestDb>,
    handle: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server on a fresh database seeded with the demo data, or `None` when the
    /// backend is unavailable (PostgreSQL only).
    pub async fn start(backend: Backend) -> Option<TestServer> {
        Self::start_with_geocoder(backend, None).await
    }

    /// Like [`start`](Self::start), with the geocoder `make` builds over the directory
    /// (default: the offline gazetteer alone, so no test needs the network).
    pub async fn start_with_geocoder(
        backend: Backend,
        make: Option<MakeGeocoder>,
    ) -> Option<TestServer> {
        let db = TestDb::new(backend).await?;
        let store = store::open(&db.url).await.expect("open store");
        let mut server = Self::serve_with(store, true, make, None, Vec::new()).await;
        server.db = Some(db);
        Some(server)
    }

    /// Like [`start`](Self::start), with emails to submitters sent through `notifier`
    /// (e.g. to an SMTP sink in the test).
    pub async fn start_with_notifier(
        backend: Backend,
        notifier: mappatu::notify::Notifier,
    ) -> Option<TestServer> {
        let db = TestDb::new(backend).await?;
        let store = store::open(&db.url).await.expect("open store");
        let mut server =
            Self::serve_with(store, true, None, Some(Arc::new(notifier)), Vec::new()).await;
        server.db = Some(db);
        Some(server)
    }

    /// Like [`start`](Self::start), behind a reverse proxy on 127.0.0.1: the client's
    /// address is the `X-Forwarded-For` a request sends, so that a test can play many
    /// clients (rate limits and the login throttle count per address).
    pub async fn start_behind_proxy(backend: Backend) -> Option<TestServer> {
        let db = TestDb::new(backend).await?;
        let store = store::open(&db.url).await.expect("open store");
        let proxy = vec![std::net::IpAddr::from([127, 0, 0, 1])];
        let mut server = Self::serve_with(store, true, None, None, proxy).await;
        server.db = Some(db);
        Some(server)
    }

    /// Serves an already opened store on a new port.
    pub async fn serve(store: Arc<dyn Store>) -> TestServer {
        Self::serve_with(store, false, None, None, Vec::new()).await
    }

    /// Serves a store, loading the demo data into it first when it is empty and `demo`.
    async fn serve_with(
        store: Arc<dyn Store>,
        demo: bool,
        make_geocoder: Option<MakeGeocoder>,
        notifier: Option<Arc<mappatu::notify::Notifier>>,
        trusted_proxies: Vec<std::net::IpAddr>,
    ) -> TestServer {
        let directory = Arc::new(
            Directory::open(store.clone(), BoundingBox::siena_province(), demo)
                .await
                .unwrap(),
        );
        let places = Arc::new(OfflineGeocoder::new(directory.index_handle()));
        let geocoder = match make_geocoder {
            Some(make) => make(directory.clone()),
            None => places.clone(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let router = app(AppState {
            directory: directory.clone(),
            geocoder,
            places,
            auth: Default::default(),
            notifier: notifier.unwrap_or_else(|| Arc::new(mappatu::notify::Notifier::log_only())),
            web: Arc::new(mappatu::web::WebSettings {
                map_style: mappatu::web::OFFLINE_MAP_STYLE.into(),
                area: BoundingBox::siena_province(),
                frontend_dir: None,
                trusted_proxies,
            }),
        });
        let handle = tokio::spawn(async move {
            // As in main: the same listener, and the client's address for rate limits.
            mappatu::api::listener::serve(listener, router, std::future::pending())
                .await
                .unwrap();
        });
        TestServer {
            base,
            client: reqwest::Client::new(),
            directory,
            store,
            db: None,
            handle,
        }
    }

    /// GET a path, returning status and JSON body.
    pub async fn get(&self, path_and_query: &str) -> (u16, serde_json::Value) {
        let res = self
            .client
            .get(format!("{}{}", self.base, path_and_query))
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let json = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{path_and_query}: body is not JSON ({e}): {text}"));
        (status, json)
    }

    /// Adds an account straight through the store (audited as done by `cli`).
    pub async fn create_user(
        &self,
        name: &str,
        role: mappatu::auth::Role,
        password: &str,
    ) -> mappatu::store::User {
        let new = mappatu::store::NewUser {
            username: name.to_string(),
            role,
            password_hash: mappatu::auth::password::hash(password.to_string())
                .await
                .unwrap(),
        };
        self.store
            .create_user(&new, &mappatu::store::Actor::cli())
            .await
            .unwrap()
            .expect("username is free")
    }

    /// A client that keeps cookies, like a browser.
    pub fn cookie_client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    }

    /// Stops the server and removes its database.
    pub async fn finish(self) {
        self.handle.abort();
        self.store.close().await;
        if let Some(db) = self.db {
            db.drop_db().await;
        }
    }
}

/// Runs the same async test body against SQLite and PostgreSQL; `behind_proxy: …`
/// starts the servers with [`TestServer::start_behind_proxy`].
#[macro_export]
macro_rules! both_stores {
    (behind_proxy: $($name:ident),* $(,)?) => {
        mod behind_proxy_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = $crate::common::TestServer::start_behind_proxy($crate::common::Backend::Sqlite)
                        .await
                        .expect("sqlite");
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
        mod behind_proxy_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(s) = $crate::common::TestServer::start_behind_proxy($crate::common::Backend::Postgres).await else {
                        return;
                    };
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
    };
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let s = $crate::common::TestServer::start($crate::common::Backend::Sqlite)
                        .await
                        .expect("sqlite");
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(s) = $crate::common::TestServer::start($crate::common::Backend::Postgres).await else {
                        return;
                    };
                    super::$name(&s).await;
                    s.finish().await;
                }
            )*
        }
    };
}
